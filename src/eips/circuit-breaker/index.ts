import CircuitBreaker from 'opossum';
import type { StepDefinition } from '../../runtime/definitions.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { CircuitOpenError, TimeoutError } from '../../errors/index.js';
import { breakerRegistry, countsAgainstPartner, type BreakerRegistry } from '../../reliability/breakers.js';
import { callSignalOf, clearCallSignal, setCallSignal } from '../../reliability/call-signal.js';
import { httpOrigin } from '../../runtime/endpoint-uri.js';
import { nestedIdentity, stepsSchema } from '../shared/schema.js';
import { booleanOption, locOf, objectOption, stepList } from '../../runtime/step-options.js';
import { breakerSettings, resilience4jSchema } from './resilience-config.js';

/** Camel's result properties (org.apache.camel.spi.CircuitBreakerConstants) and the state property. */
export const CircuitBreakerProperties = {
  successfulExecution: 'CamelCircuitBreakerSuccessfulExecution',
  fromFallback: 'CamelCircuitBreakerResponseFromFallback',
  shortCircuited: 'CamelCircuitBreakerResponseShortCircuited',
  timedOut: 'CamelCircuitBreakerResponseTimedOut',
  rejected: 'CamelCircuitBreakerResponseRejected',
  state: 'CamelCircuitBreakerState',
} as const;

const EXCEPTION_CAUGHT = 'CamelExceptionCaught';
const CAMEL_STATE = { closed: 'CLOSED', open: 'OPEN', halfOpen: 'HALF_OPEN' } as const;

const SNIPPET = `circuitBreaker:
  resilience4jConfiguration:
    failureRateThreshold: 50
    minimumNumberOfCalls: 10
    waitDurationInOpenState: 30
    timeoutEnabled: true
    timeoutDuration: 5000
  steps:
    - to:
        uri: https://partner.example.com/api/payments
  onFallback:
    steps:
      - setBody:
          constant: "partner unavailable"`;

/**
 * Protects a partner: runs the steps through the breaker of the partner they call. One breaker per
 * partner (the origins of the http(s) endpoints inside, or the EIP id), shared by every route calling it;
 * see src/reliability/breakers.ts for the registry and its events.
 *
 * - The steps run on a copy of the exchange; on success the copy's message and properties become the
 *   exchange's. On failure the fallback (if any) sees the message as it was before the block.
 * - A failure that is not the partner's fault (not retryable: 4xx, validation; `ignoreException`) does not
 *   count against the partner and does not take the fallback: it goes to the route's error handling.
 * - Open breaker: without onFallback the call fails at once with CallNotPermittedException
 *   (CircuitOpenError, with the breaker name and the ms until a trial is allowed); a consuming route then
 *   pauses until a trial is allowed. With onFallback each message runs the fallback at once (Camel's
 *   behaviour: short-circuited, from the fallback, not successful) and a consuming route keeps consuming.
 * - With a time limit the block is cancelled when it expires: an http call inside closes its socket.
 */
export const circuitBreakerStep: StepSpec = {
  keyword: 'circuitBreaker',
  summary: 'Calls a partner through its circuit breaker (opossum), with an optional fallback.',
  schema: {
    type: 'object',
    description:
      "Runs the steps through the partner's circuit breaker. An open breaker refuses calls at once; onFallback steps then produce the answer instead.",
    properties: {
      steps: stepsSchema,
      resilience4jConfiguration: resilience4jSchema,
      faultToleranceConfiguration: {
        type: 'object',
        description: 'MicroProfile Fault Tolerance settings: not supported, use resilience4jConfiguration (load error).',
      },
      configuration: {
        type: 'string',
        description: 'Reference to a shared configuration: not supported yet, write resilience4jConfiguration inline (load error).',
      },
      inheritErrorHandler: {
        type: ['boolean', 'string'],
        description: "Accepted for Camel compatibility; the route's error handling always applies around the breaker.",
      },
      onFallback: {
        type: 'object',
        description: 'Steps producing the answer when the call failed or the breaker is open; they see the message as it was before the block.',
        properties: {
          ...nestedIdentity,
          steps: stepsSchema,
          fallbackViaNetwork: { type: ['boolean', 'string'], description: 'Accepted for Camel compatibility; without effect.' },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },

  create(definition, context) {
    if (definition.options.faultToleranceConfiguration !== undefined) {
      throw new DefinitionError({
        message: 'circuitBreaker.faultToleranceConfiguration is not supported by this router',
        loc: definition.loc,
        hint: 'Use resilience4jConfiguration with the same settings (failureRateThreshold, waitDurationInOpenState, timeoutEnabled, ...).',
        snippet: SNIPPET,
      });
    }
    if (definition.options.configuration !== undefined) {
      throw new DefinitionError({
        message: 'circuitBreaker.configuration (a shared configuration reference) is not supported yet',
        loc: definition.loc,
        hint: 'Write the settings inline under resilience4jConfiguration; routes calling the same partner share one breaker anyway.',
        snippet: SNIPPET,
      });
    }
    if (booleanOption(definition, 'inheritErrorHandler', false)) {
      context.report({
        severity: 'warning',
        message: "circuitBreaker.inheritErrorHandler has no effect: the route's error handling applies around the breaker, not inside it",
        loc: definition.loc,
      });
    }
    const settings = breakerSettings(definition.options.resilience4jConfiguration, definition.loc, context);
    const stepsDefinition = stepList(definition.options.steps, 'circuitBreaker', definition.loc);
    if (!stepsDefinition || stepsDefinition.length === 0) {
      throw new DefinitionError({ message: 'circuitBreaker needs the steps it protects', loc: definition.loc, snippet: SNIPPET });
    }
    const block = context.compileSteps(stepsDefinition);
    const fallbackValue = objectOption(definition.options.onFallback, 'circuitBreaker.onFallback', definition.loc);
    const fallback = fallbackValue
      ? context.compileSteps(stepList(fallbackValue.steps, 'circuitBreaker.onFallback', locOf(fallbackValue, definition.loc)) ?? [])
      : undefined;

    const name = definition.id ?? breakerNameOf(stepsDefinition) ?? `${context.routeId}/${definition.loc.path}`;
    const registry = breakerRegistry(context.services);
    const { conflict } = registry.declare(name, settings, context.routeId, { fallback: fallback !== undefined });
    if (conflict) context.report({ severity: 'warning', message: conflict, loc: definition.loc });
    context.addLifecycle?.({
      start: () => Promise.resolve(registry.acquire(name)),
      stop: () => Promise.resolve(registry.release(name)),
    });

    return async (exchange) => {
      const effective = registry.settings(name);
      // The body is shared, not deep-copied: steps replace a body and never change one in place, so the
      // fallback still sees it as it was; a structuredClone of every message cost more than the breaker itself.
      const work = exchange.copy({ keepId: true, shareBody: true });
      const outerSignal = callSignalOf(work);
      let timedOut = false;
      const run = async (): Promise<void> => {
        // Without a time limit there is nothing for the breaker to cancel (an outer signal still travels
        // with the copy): no AbortController per call.
        if (effective.timeoutMs === false) return block(work);
        const limit = effective.timeoutMs;
        const controller = new AbortController();
        setCallSignal(work, controller.signal);
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            const error = new TimeoutError(`Circuit breaker '${name}': the call took longer than ${limit} ms and was cancelled`);
            controller.abort(error);
            reject(error);
          }, limit);
        });
        try {
          await Promise.race([block(work), expired]);
        } finally {
          clearTimeout(timer);
        }
      };

      let failure: unknown;
      try {
        await registry.breaker(name).fire(run);
      } catch (error) {
        failure = error;
      }
      if (failure === undefined) {
        clearCallSignal(work, outerSignal);
        copyResults(work, exchange);
        setResult(exchange, registry, name, { successfulExecution: true });
        return;
      }
      await handleFailure(exchange, failure, { name, registry, timedOut, fallback, settings: effective });
    };
  },
};

async function handleFailure(
  exchange: Exchange,
  failure: unknown,
  ctx: {
    name: string;
    registry: BreakerRegistry;
    timedOut: boolean;
    fallback: ((exchange: Exchange) => Promise<void>) | undefined;
    settings: Parameters<typeof countsAgainstPartner>[1];
  },
): Promise<void> {
  const { name, registry, fallback } = ctx;
  const code = CircuitBreaker.isOurError(failure as Error) ? (failure as { code?: string }).code : undefined;
  const notPermitted = code === 'EOPENBREAKER' || code === 'ESHUTDOWN';
  let error: unknown = failure;
  if (notPermitted) {
    const retryAfterMs = registry.retryAfterMs(name);
    error = new CircuitOpenError(
      code === 'ESHUTDOWN'
        ? `Circuit breaker '${name}' is shut down (the router is stopping)`
        : `Circuit breaker '${name}' is open: calls to the partner are refused for now`,
      { details: { breaker: name, retryAfterMs } },
    );
  } else if (ctx.timedOut) {
    registry.count(name, 'timeouts');
  }
  const ignored = !notPermitted && !ctx.timedOut && !countsAgainstPartner(failure, ctx.settings);
  if (ignored) registry.count(name, 'ignored');
  const useFallback = fallback !== undefined && !ignored;
  setResult(exchange, registry, name, {
    successfulExecution: false,
    fromFallback: useFallback,
    shortCircuited: notPermitted,
    rejected: notPermitted,
    timedOut: ctx.timedOut,
  });
  if (!useFallback) throw error;

  registry.count(name, 'fallbacks');
  const previous = exchange.error;
  exchange.error = error instanceof Error ? error : new Error(String(error));
  exchange.properties[EXCEPTION_CAUGHT] = exchange.error;
  try {
    await fallback(exchange);
  } finally {
    exchange.error = previous;
  }
}

function setResult(
  exchange: Exchange,
  registry: BreakerRegistry,
  name: string,
  result: { successfulExecution: boolean; fromFallback?: boolean; shortCircuited?: boolean; timedOut?: boolean; rejected?: boolean },
): void {
  const p = exchange.properties;
  p[CircuitBreakerProperties.successfulExecution] = result.successfulExecution;
  p[CircuitBreakerProperties.fromFallback] = result.fromFallback ?? false;
  p[CircuitBreakerProperties.shortCircuited] = result.shortCircuited ?? false;
  p[CircuitBreakerProperties.timedOut] = result.timedOut ?? false;
  p[CircuitBreakerProperties.rejected] = result.rejected ?? false;
  p[CircuitBreakerProperties.state] = CAMEL_STATE[registry.state(name)];
}

/**
 * The block's outcome becomes the exchange's: message, properties, variables, stop. The copy's property and
 * variable maps are taken over as they are (nothing else holds them): copying them key by key into the old
 * ones, deleting what the block removed, left V8 a dictionary-mode object on every message.
 */
function copyResults(from: Exchange, to: Exchange): void {
  to.message = from.message;
  to.properties = from.properties;
  to.variables = from.variables;
  to.stopped = from.stopped;
}

/**
 * The partner a block calls: the origins (`https://host:port`) of the http(s) endpoints its `to`/`toD`
 * steps name, nested steps included. A `toD` whose host is computed per message names no origin.
 */
export function breakerNameOf(steps: readonly StepDefinition[]): string | undefined {
  const origins = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const step = value as Partial<StepDefinition>;
    if (typeof step.keyword === 'string' && step.options) {
      if ((step.keyword === 'to' || step.keyword === 'toD') && typeof step.options.uri === 'string') {
        const origin = httpOrigin(step.options.uri);
        if (origin) origins.add(origin);
      }
      visit(step.options);
      return;
    }
    for (const child of Object.values(value as Record<string, unknown>)) visit(child);
  };
  visit(steps);
  return origins.size > 0 ? [...origins].sort().join(',') : undefined;
}
