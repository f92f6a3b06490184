import { setTimeout as sleep } from 'node:timers/promises';
import type { OnExceptionDefinition, RouteDefinition, SourceLocation, StepDefinition } from '../runtime/definitions.js';
import type { Logger } from '../observability/logger.js';
import { exchangeFields } from '../observability/logger.js';
import { CircuitOpenError, RetryLaterSignal, ServicePipesError, toError } from '../errors/index.js';
import { cloneValue, type Exchange, type Message } from '../runtime/exchange.js';
import { DONE, type Processor } from '../runtime/processor.js';
import type { BuildContext } from '../runtime/step.js';
import { classifyError, delayFor, honourRetryAfter, isUnrecoverable, retryAfterMs } from '../reliability/retry-policy.js';
import { compileClauses, matchClause, type ExceptionClause } from './exception-clauses.js';
import {
  FailureFacts,
  brokerRedeliveryCount,
  exposeFailure,
  isHeldByBroker,
  stampDeadLetter,
} from './failure-facts.js';
import { readHandlerSettings, type HandlerSettings } from './handler-settings.js';
import { MAX_REDELIVERIES, RETRY_AFTER_LIMIT_MS, ROUTER_BROKER_DEFAULT_POLICY, type LogLevelName, type RedeliveryPolicy } from './redelivery-policy.js';

/** Camel's property marking an exchange inside a doTry block, where the route's error handler stands aside. */
export const TRY_ROUTE_BLOCK = 'CamelTryRouteBlock';

/**
 * Marks an exchange inside a circuitBreaker block. As in Camel (without `inheritErrorHandler`), the route's
 * error handler does not redeliver the steps inside the block: the breaker sees each failure once, and the
 * error handler deals with the failed breaker call as a whole.
 */
export const CIRCUIT_BREAKER_BLOCK: unique symbol = Symbol('ServicePipesCircuitBreakerBlock');

/** What a route's error handling adds to the route: a wrapper per step and one around the whole route. */
export interface RouteErrorHandling {
  /** Wraps one compiled step (any depth). Returns the processor itself when the step needs nothing. */
  readonly wrapStep: (step: StepDefinition, processor: Processor) => Processor;
  /** Wraps the route's pipeline: runs the onException clause / dead-letter channel, or asks for a broker retry. */
  readonly wrapRoute: (processor: Processor) => Processor;
}

export interface RouteErrorHandlingInput {
  route: RouteDefinition;
  /** Top-level onException clauses (they apply to every route). */
  onExceptions: readonly OnExceptionDefinition[];
  /** Top-level error handler, used when the route has none of its own. */
  errorHandler?: Record<string, unknown>;
  /** Where the top-level error handler was written, when the loader knows it. */
  errorHandlerLoc?: SourceLocation;
  context: BuildContext;
}

/** An error's standing once a step's error handling has dealt with it. */
interface Outcome {
  clause?: ExceptionClause;
  /** The error the clause matched (the thrown one or one of its causes). */
  matched?: Error;
  policy: RedeliveryPolicy;
  /** Redeliveries made for it: in process at the step, or by the broker before this delivery. */
  redeliveries: number;
  /** Set when the broker should deliver the message again later. */
  retry?: { delayMs: number; attempt: number };
}

/** Errors a step-level handler has settled (redeliveries exhausted), keyed by identity. */
const outcomes = new WeakMap<Error, Outcome>();
/** Errors a route-level handler has finished with: every other handler lets them through untouched. */
const finished = new WeakSet<Error>();
/** The message as it entered the first route that needed it (Camel's original message of the unit of work). */
const originals = new WeakMap<Exchange, Message>();

/**
 * Builds one route's error handling (Camel's error handler + onException clauses):
 * - steps: a failing step is redelivered in place (awaiting a timer) when the exchange is not held by a
 *   broker, as Camel redelivers the failing node; a `continued` clause resumes after it;
 * - route: when redeliveries are exhausted, the matching clause runs (`handled` → the caller sees success),
 *   else the dead-letter channel takes the message, else the error goes on to the caller;
 * - exchanges a broker consumer took in never sleep: a due redelivery leaves the route as a
 *   {@link RetryLaterSignal} and the consumer parks the message on a delay queue.
 * Inside a doTry block the route's handling stands aside, as in Camel: doCatch decides.
 */
export function createRouteErrorHandling(input: RouteErrorHandlingInput): RouteErrorHandling {
  const { route, context } = input;
  const logger = context.logger;
  const routeLevel = route.errorHandler !== undefined;
  const settings = readHandlerSettings(
    routeLevel ? route.errorHandler : input.errorHandler,
    routeLevel ? `route ${route.id} errorHandler` : 'errorHandler',
    routeLevel || !input.errorHandlerLoc
      ? { ...route.loc, path: `${route.loc.path}.errorHandler` }
      : input.errorHandlerLoc,
    context,
  );
  // Camel's NoErrorHandler is a pass-through: onException clauses do not apply under it.
  if (settings.kind === 'noErrorHandler')
    return { wrapStep: (_step, processor) => processor, wrapRoute: (processor) => processor };

  const clauses = compileClauses(input.onExceptions, settings.policy, context);
  const handler = new RouteHandler(route.id, settings, clauses, logger);
  return {
    wrapStep: (step, processor) => {
      const guarded =
        step.keyword === 'doTry'
          ? inBlock(TRY_ROUTE_BLOCK, processor)
          : step.keyword === 'circuitBreaker'
            ? inBlock(CIRCUIT_BREAKER_BLOCK, processor)
            : processor;
      return handler.stepsNeedHandling ? handler.wrapStep(guarded) : guarded;
    },
    wrapRoute: (processor) => handler.wrapRoute(processor),
  };
}

class RouteHandler {
  /** Whether anything can happen at a failing step: an in-process redelivery or a `continued` clause. */
  readonly stepsNeedHandling: boolean;
  private readonly needsOriginal: boolean;

  constructor(
    private readonly routeId: string,
    private readonly settings: HandlerSettings,
    private readonly clauses: readonly ExceptionClause[],
    private readonly logger: Logger,
  ) {
    this.stepsNeedHandling =
      settings.policy.maximumRedeliveries > 0 ||
      clauses.some((c) => c.continued || c.retryWhile || (c.redelivery?.maximumRedeliveries ?? 0) > 0);
    this.needsOriginal =
      settings.useOriginalMessage ||
      settings.useOriginalBody ||
      clauses.some((c) => c.useOriginalMessage || c.useOriginalBody);
  }

  wrapStep(processor: Processor): Processor {
    // A derived promise for the failure path only, not an async wrapper per step and message.
    return (exchange) => {
      let running: Promise<void>;
      try {
        running = processor(exchange);
      } catch (thrown) {
        return this.stepFailed(exchange, toError(thrown), processor);
      }
      if (running === DONE) return DONE;
      return running.then(undefined, (thrown: unknown) => this.stepFailed(exchange, toError(thrown), processor));
    };
  }

  wrapRoute(processor: Processor): Processor {
    return (exchange) => {
      if (this.needsOriginal && !originals.has(exchange)) {
        try {
          originals.set(exchange, {
            body: cloneValue(exchange.message.body),
            headers: cloneValue(exchange.message.headers),
          });
        } catch (error) {
          return Promise.reject(toError(error));
        }
      }
      let running: Promise<void>;
      try {
        running = processor(exchange);
      } catch (thrown) {
        return this.routeFailed(exchange, toError(thrown));
      }
      if (running === DONE) return DONE;
      return running.then(undefined, (thrown: unknown) => this.routeFailed(exchange, toError(thrown)));
    };
  }

  /** At the failing step: redeliver in place while the policy allows, then `continued` or hand the error on. */
  private async stepFailed(exchange: Exchange, first: Error, processor: Processor): Promise<void> {
    let error = first;
    if (passesThrough(exchange, error)) throw error;
    let outcome = await this.decide(exchange, error, 0);
    if (!isHeldByBroker(exchange)) {
      while (await this.mayRedeliver(exchange, error, outcome)) {
        const redelivery = outcome.redeliveries + 1;
        const delayMs = honourRetryAfter(
          delayFor(outcome.policy, redelivery),
          retryAfterMs(error),
          outcome.policy.maximumRedeliveryDelay || ROUTER_BROKER_DEFAULT_POLICY.maximumRedeliveryDelay,
        );
        this.log(
          outcome.policy.retryAttemptedLogLevel,
          `redelivery ${redelivery} of ${this.maximumOf(outcome)} in ${delayMs} ms: ${error.message}`,
          exchange,
          error,
        );
        exchange.setHeader(FailureFacts.redeliveryCounter, redelivery);
        exchange.setHeader(FailureFacts.redeliveryMaxCounter, this.maximumOf(outcome));
        exchange.setHeader(FailureFacts.redelivered, true);
        if (delayMs > 0) await sleep(delayMs);
        try {
          await processor(exchange);
          recovered(exchange);
          return;
        } catch (again) {
          error = toError(again);
          if (passesThrough(exchange, error)) throw error;
          outcome = await this.decide(exchange, error, redelivery);
        }
      }
    }
    const clause = outcome.clause;
    if (!outcome.retry && clause?.continued) {
      exposeFailure(exchange, error, outcome.redeliveries, this.maximumOf(outcome));
      if (await clause.continued(exchange)) {
        await this.runClause(exchange, clause, error);
        this.logger.debug(
          `${clause.label} continued the route after: ${error.message}`,
          exchangeFields(exchange),
        );
        recovered(exchange);
        return;
      }
    }
    outcomes.set(error, outcome);
    throw error;
  }

  /** The route's last word on an error: broker retry, clause, dead-letter channel, or on to the caller. */
  private async routeFailed(exchange: Exchange, error: Error): Promise<void> {
    if (passesThrough(exchange, error)) throw error;
    const outcome = outcomes.get(error) ?? (await this.decide(exchange, error, 0));
    outcomes.delete(error);
    if (outcome.retry) {
      this.log(
        outcome.policy.retryAttemptedLogLevel,
        `attempt ${outcome.retry.attempt} failed, the broker redelivers in ${outcome.retry.delayMs} ms: ${error.message}`,
        exchange,
        error,
      );
      throw new RetryLaterSignal(outcome.retry.delayMs, outcome.retry.attempt, error);
    }
    const clause = outcome.clause;
    const useOriginalMessage = this.settings.useOriginalMessage || clause?.useOriginalMessage === true;
    const useOriginalBody = this.settings.useOriginalBody || clause?.useOriginalBody === true;
    const original = originals.get(exchange);
    if (original && useOriginalMessage) {
      exchange.message = { body: cloneValue(original.body), headers: cloneValue(original.headers) };
    } else if (original && useOriginalBody) {
      exchange.message.body = cloneValue(original.body);
    }
    exposeFailure(exchange, error, outcome.redeliveries, this.maximumOf(outcome));
    if (outcome.redeliveries > 0) {
      this.log(
        outcome.policy.retriesExhaustedLogLevel,
        `redeliveries exhausted after ${outcome.redeliveries + 1} attempts: ${error.message}`,
        exchange,
        error,
      );
    }

    if (clause) {
      await this.runClause(exchange, clause, error);
      const handled =
        (clause.continued ? await clause.continued(exchange) : false) ||
        (clause.handled ? await clause.handled(exchange) : this.settings.kind === 'deadLetterChannel');
      if (handled) {
        this.logger.debug(`${clause.label} handled: ${error.message}`, exchangeFields(exchange));
        markHandled(exchange);
        return;
      }
      return this.giveUp(exchange, error);
    }
    const deadLetter = this.settings.deadLetter;
    if (deadLetter) {
      stampDeadLetter(exchange, error, outcome.redeliveries + 1);
      try {
        await deadLetter.producer.process(exchange);
      } catch (writeError) {
        this.logger.error(
          `could not write the dead letter to ${deadLetter.uri}: ${toError(writeError).message}`,
          {
            ...exchangeFields(exchange),
            error: error.message,
          },
        );
        if (!deadLetter.handleNewException) return this.giveUp(exchange, error);
      }
      this.logger.warn(`sent to dead letter ${deadLetter.uri}: ${error.message}`, exchangeFields(exchange));
      markHandled(exchange);
      return;
    }
    return this.giveUp(exchange, error);
  }

  private giveUp(exchange: Exchange, error: Error): never {
    exchange.error = error;
    finished.add(error);
    throw error;
  }

  /** Runs a clause's steps; an error they raise replaces the one being handled and is not handled again. */
  private async runClause(exchange: Exchange, clause: ExceptionClause, error: Error): Promise<void> {
    try {
      await clause.steps(exchange);
    } catch (raised) {
      const next = toError(raised);
      this.logger.error(
        `${clause.label} failed while handling "${error.message}": ${next.message}`,
        exchangeFields(exchange),
      );
      finished.add(next);
      throw next;
    }
  }

  /** The clause and policy for `error`, and whether the broker should deliver the message again. */
  private async decide(exchange: Exchange, error: Error, redeliveries: number): Promise<Outcome> {
    const match = await matchClause(exchange, error, this.clauses);
    const heldByBroker = isHeldByBroker(exchange);
    const policy =
      match?.clause.redelivery ??
      (heldByBroker && !match && this.settings.kind === 'router-default'
        ? ROUTER_BROKER_DEFAULT_POLICY
        : this.settings.policy);
    const outcome: Outcome = { clause: match?.clause, matched: match?.error, policy, redeliveries };
    if (!heldByBroker) return outcome;
    outcome.redeliveries = brokerRedeliveryCount(exchange);
    if (await this.mayRedeliver(exchange, error, outcome)) {
      const attempt = outcome.redeliveries + 1;
      outcome.retry = {
        attempt,
        delayMs: honourRetryAfter(delayFor(policy, attempt), retryAfterMs(error), RETRY_AFTER_LIMIT_MS),
      };
    }
    return outcome;
  }

  /**
   * Whether one more delivery is due. A clause's `retryWhile` decides alone (bounded); otherwise the policy's
   * count, and the error class: what the router retries on its own must be transient, what a policy asks
   * for must not be permanent, unless a clause for this very error asked for redelivery.
   */
  private async mayRedeliver(exchange: Exchange, error: Error, outcome: Outcome): Promise<boolean> {
    if (isUnrecoverable(error) || outcome.redeliveries >= MAX_REDELIVERIES) return false;
    const clause = outcome.clause;
    if (clause?.retryWhile) {
      const previous = exchange.error;
      exchange.error = error;
      try {
        return await clause.retryWhile(exchange);
      } finally {
        exchange.error = previous;
      }
    }
    if (outcome.redeliveries >= outcome.policy.maximumRedeliveries) return false;
    if (clause?.redelivery) return true;
    const errorClass = classifyError(error);
    return outcome.policy === ROUTER_BROKER_DEFAULT_POLICY
      ? errorClass === 'retryable'
      : errorClass !== 'permanent';
  }

  private maximumOf(outcome: Outcome): number {
    return outcome.clause?.retryWhile ? MAX_REDELIVERIES : outcome.policy.maximumRedeliveries;
  }

  private log(level: LogLevelName, message: string, exchange: Exchange, error: Error): void {
    if (level === 'OFF') return;
    this.logger.log(WINSTON_LEVEL[level], message, {
      ...exchangeFields(exchange),
      routeId: exchange.routeId ?? this.routeId,
      code: error instanceof ServicePipesError ? error.code : undefined,
      failureStep: exchange.properties[FailureFacts.failureStep],
    });
  }
}

const WINSTON_LEVEL: Record<Exclude<LogLevelName, 'OFF'>, string> = {
  TRACE: 'silly',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Errors this handler must not touch: a broker retry on its way out, one already finished, doTry's
 * business, a failure inside a circuitBreaker block (the breaker's), or an open breaker refusing a message
 * a broker consumer took in: that message was not tried, and its consumer hands it back to the queue and
 * pauses instead of counting an attempt or dead-lettering it. (With an onFallback the block answers
 * itself and no CircuitOpenError leaves it.)
 */
function passesThrough(exchange: Exchange, error: Error): boolean {
  return (
    error instanceof RetryLaterSignal ||
    finished.has(error) ||
    exchange.properties[TRY_ROUTE_BLOCK] === true ||
    (exchange.properties as Record<PropertyKey, unknown>)[CIRCUIT_BREAKER_BLOCK] === true ||
    (error instanceof CircuitOpenError && isHeldByBroker(exchange))
  );
}

/** Marks the exchange as inside a block while it runs (nested blocks restore the outer state). */
function inBlock(property: string | symbol, processor: Processor): Processor {
  return async (exchange) => {
    // A symbol-keyed marker is copied with the properties (breaker copies, split parts) but never listed,
    // logged or sent anywhere.
    const properties = exchange.properties as Record<PropertyKey, unknown>;
    const outer = properties[property];
    properties[property] = true;
    try {
      await processor(exchange);
    } finally {
      // The breaker may have replaced the exchange's property map: write to the current one.
      const current = exchange.properties as Record<PropertyKey, unknown>;
      // Deleting a property V8 did not add last turns the object into a slow dictionary; an invisible marker
      // of our own stays behind as false instead (Camel's own properties are removed, as Camel does).
      if (outer !== undefined) current[property] = outer;
      else if (typeof property === 'symbol') current[property] = false;
      else delete current[property];
    }
  };
}

/** The failure is over (redelivery succeeded, or the route continues): a later failure records its own place. */
function recovered(exchange: Exchange): void {
  exchange.error = undefined;
  delete exchange.properties[FailureFacts.failureRouteId];
  delete exchange.properties[FailureFacts.failureStep];
}

/** Camel's handled: the error is gone, routing ends here and the caller sees success with the current message. */
function markHandled(exchange: Exchange): void {
  exchange.error = undefined;
  exchange.stopped = true;
}
