/**
 * Consumes queues into a route. Outcomes, each confirmed by the broker before the original is acked:
 * - the route succeeded (everything it published confirmed, wire taps it started settled) → ack;
 * - the route threw RetryLaterSignal (its error handling wants a broker-held retry) → the message goes to
 *   its retry delay queue with the attempt count raised → ack;
 * - a circuit breaker of the route is open (CircuitOpenError) → the message was not tried: it goes back to
 *   its queue unchanged (no attempt counted) and the consumer pauses until the breaker lets a trial through;
 * - anything else → dead letter with provenance → ack.
 * When the retry or dead letter cannot be published, the original is nacked back to its queue (never
 * lost); the quorum delivery limit bounds that loop and then the broker dead-letters it itself.
 *
 * Duplicates: with `idempotentConsumer` (the default) a message whose message-id this route already
 * processed successfully is acked without running the route again (the idempotency store remembers
 * successes only, so a retried or redriven message runs until it succeeds once).
 */
import { hash } from 'node:crypto';
import type { Consumer, ConsumerContext, Endpoint } from '../../runtime/component.js';
import {
  camelHierarchy,
  CircuitOpenError,
  RetryLaterSignal,
  ServicePipesError,
  toError,
} from '../../errors/index.js';
import type { Exchange } from '../../runtime/exchange.js';
import { exchangeFields } from '../../observability/logger.js';
import { routerMetrics } from '../../observability/metrics.js';
import { inFlightWireTaps } from '../../runtime/in-flight-wire-taps.js';
import { breakerRegistry, type BreakerEvent } from '../../reliability/breakers.js';
import { attemptsOf, deadLetter, handBack, scheduleRetry } from '../../reliability/broker-retry.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_RETENTION_MS,
  useIdempotencyStore,
  type IdempotencyStore,
} from '../../reliability/idempotency-store.js';
import type { DeliveredMessage, HandlerOutcome, Subscription } from '../../transport/transport.js';
import { consumerTopology, deadLetterTarget } from './endpoint-topology.js';
import { decodeBody, fromDelivered } from './message-mapping.js';
import { queueList, type SpringRabbitOptions } from './options.js';
import { declareFor, watchBroker } from './readiness.js';
import { authorizeAmqpEntry } from '../../security/index.js';

/** How long a message waits before it is looked at again when its message-id is being processed elsewhere. */
const BUSY_RECHECK_MS = 2000;
/** How long a message waits when the idempotency store cannot be reached. */
const STORE_DOWN_RECHECK_MS = 5000;
/** While a breaker lets its one trial call through, other messages come back after this long. */
const HALF_OPEN_RECHECK_MS = 500;

const NO_TAPS: ReadonlySet<Promise<void>> = new Set();

/** The error of an open circuit breaker, when that is what ended the route. */
function circuitOpen(error: unknown): CircuitOpenError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof CircuitOpenError) return current;
    current = current.cause;
  }
  return undefined;
}

export function createSpringRabbitConsumer(
  endpoint: Endpoint<SpringRabbitOptions>,
  { services, route }: ConsumerContext,
): Consumer {
  const { options } = endpoint;
  const queues = queueList(options.queues);
  const concurrency = options.concurrentConsumers;
  const registry = breakerRegistry(services);
  const breakers = new Set(registry.breakersOf(route.routeId));
  // Pausing returns prefetched-but-unstarted messages to the queue, which a quorum queue counts as a
  // delivery: a route that pauses for its breakers takes only what it works on.
  const prefetch = Math.max(
    options.prefetchCount ?? (breakers.size > 0 ? concurrency : 2 * concurrency),
    concurrency,
  );
  const logger = route.logger;
  const wireTaps = inFlightWireTaps(services);
  let subscriptions: Subscription[] = [];
  let idempotency: { store: IdempotencyStore; release(): Promise<void> } | undefined;
  /** Paused because a breaker of the route is open (resumed by the breaker), or by the router (stays). */
  let heldByBreaker = false;
  let pausedByRouter = false;
  /** Pauses and resumes run one after the other, in the order asked. */
  let control: Promise<void> = Promise.resolve();
  const inOrder = (work: () => Promise<void>): Promise<void> => {
    control = control.then(work).catch((error: unknown) => {
      logger.error('could not pause or resume the consumer', { error: toError(error).message });
    });
    return control;
  };
  const anyBreakerOpen = (): boolean => [...breakers].some((name) => registry.state(name) === 'open');

  const holdForBreaker = (name: string): Promise<void> =>
    inOrder(async () => {
      if (heldByBreaker || pausedByRouter || subscriptions.length === 0 || !anyBreakerOpen()) return;
      heldByBreaker = true;
      logger.warn('circuit breaker open: consuming paused, messages wait in their queues', {
        breaker: name,
        queues,
        retryAfterMs: registry.retryAfterMs(name),
      });
      await Promise.all(subscriptions.map((subscription) => subscription.pause()));
    });

  const releaseFromBreaker = (name: string): Promise<void> =>
    inOrder(async () => {
      if (!heldByBreaker || anyBreakerOpen()) return;
      heldByBreaker = false;
      if (pausedByRouter) return;
      logger.info('circuit breaker lets calls through again: consuming resumed', { breaker: name, queues });
      await Promise.all(subscriptions.map((subscription) => subscription.resume()));
    });

  const onOpen = (event: BreakerEvent): void => {
    if (breakers.has(event.name)) void holdForBreaker(event.name);
  };
  const onTrial = (event: BreakerEvent): void => {
    if (breakers.has(event.name)) void releaseFromBreaker(event.name);
  };

  /** A duplicate check for one message: undefined when the route does not deduplicate or the message has no id. */
  const claimOf = async (
    message: DeliveredMessage,
  ): Promise<
    | { kind: 'claimed'; complete(): Promise<void>; release(): Promise<void> }
    | { kind: 'duplicate' }
    | { kind: 'conflict' }
    | { kind: 'busy'; delayMs: number }
    | undefined
  > => {
    const store = idempotency?.store;
    if (!store || !message.messageId) return undefined;
    const key = `amqp:${route.routeId}:${message.messageId}`;
    try {
      const fingerprint = bodyFingerprint(message.body);
      const claim = await store.claim(key, fingerprint, DEFAULT_LEASE_MS);
      if (!claim.claimed) {
        if (claim.record.state !== 'done') return { kind: 'busy', delayMs: BUSY_RECHECK_MS };
        // The same id with another body is another message under a reused id: skipping it as a duplicate
        // would drop it silently. (Records written before fingerprints existed carry none: a duplicate.)
        const known = claim.record.fingerprint;
        return known !== '' && known !== fingerprint ? { kind: 'conflict' } : { kind: 'duplicate' };
      }
      const { token } = claim;
      return {
        kind: 'claimed',
        complete: () =>
          store.complete(key, token, DEFAULT_RETENTION_MS).catch((error: unknown) => {
            // The work is done and confirmed; only a later duplicate could slip through.
            logger.warn('could not record the message as processed', {
              messageId: message.messageId,
              error: toError(error).message,
            });
          }),
        release: () => store.release(key, token).catch(() => undefined),
      };
    } catch (error) {
      logger.warn('idempotency store unavailable; the message is looked at again later', {
        messageId: message.messageId,
        error: toError(error).message,
      });
      return { kind: 'busy', delayMs: STORE_DOWN_RECHECK_MS };
    }
  };

  /** Waits for wire taps started while the route ran, so their publishes are done before the ack. */
  const settleWireTaps = async (before: ReadonlySet<Promise<void>>): Promise<void> => {
    if (wireTaps.size === 0) return;
    // Taps of exchanges running in parallel may be waited for too: that delays an ack, it loses nothing.
    const started = [...wireTaps].filter((tap) => !before.has(tap));
    if (started.length > 0) await Promise.allSettled(started);
  };

  const handle = async (message: DeliveredMessage): Promise<HandlerOutcome> => {
    const exchange = fromDelivered(message, { routeId: route.routeId, fromEndpoint: endpoint.uri });
    const claim = await claimOf(message);
    if (claim?.kind === 'duplicate') {
      logger.info('duplicate message skipped: this route already processed its message-id', {
        ...exchangeFields(exchange),
        queue: message.queue,
        messageId: message.messageId,
      });
      return 'ack';
    }
    if (claim?.kind === 'conflict') {
      return fail(
        message,
        exchange,
        new ServicePipesError(
          'MESSAGE_ID_CONFLICT',
          `message-id ${message.messageId} was processed already with another body; this message is kept as a dead letter instead of being skipped as a duplicate`,
          { httpStatus: 409, retryable: false },
        ),
      );
    }
    if (claim?.kind === 'busy') return putBack(message, exchange, claim.delayMs, 'its message-id is being processed');
    try {
      // RBAC for AMQP entries: RabbitMQ vouches for user_id; a refusal is not retryable, so it is dead-lettered
      // with its reason instead of acked away.
      authorizeAmqpEntry(services, route.routeId, exchange, message.userId);
      exchange.message.body = decodeBody(message);
      // Most routes start no wire taps: nothing to remember then.
      const before = wireTaps.size === 0 ? NO_TAPS : new Set(wireTaps);
      await route.process(exchange);
      await settleWireTaps(before);
      await claim?.complete();
      return 'ack';
    } catch (error) {
      await claim?.release();
      if (error instanceof RetryLaterSignal) return retry(message, exchange, error);
      const open = circuitOpen(error);
      if (open) return notTried(message, exchange, open);
      return fail(message, exchange, error);
    }
  };

  /** The message was not tried at all: back to its queue, no attempt counted. */
  const putBack = async (
    message: DeliveredMessage,
    exchange: Exchange,
    delayMs: number,
    why: string,
  ): Promise<HandlerOutcome> => {
    try {
      await handBack(services.transport(), { workQueue: message.queue, message, delayMs });
      logger.debug(`message put back (${why})`, { ...exchangeFields(exchange), queue: message.queue, delayMs });
      return 'ack';
    } catch (publishError) {
      logger.error('could not put the message back; it returns to its queue', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: toError(publishError).message,
      });
      return 'requeue';
    }
  };

  const notTried = (message: DeliveredMessage, exchange: Exchange, error: CircuitOpenError): Promise<HandlerOutcome> => {
    const name = (error.details as { breaker?: unknown } | undefined)?.breaker;
    const breaker = typeof name === 'string' ? name : undefined;
    // Open: wait in the work queue, which nobody consumes until the breaker lets a trial through.
    // Half-open: another message is the trial; this one comes back shortly instead of spinning.
    const open = breaker !== undefined && registry.state(breaker) === 'open';
    if (breaker !== undefined && breakers.has(breaker) && open) void holdForBreaker(breaker);
    return putBack(message, exchange, open ? 0 : HALF_OPEN_RECHECK_MS, `circuit breaker ${breaker ?? ''} is not letting calls through`);
  };

  const retry = async (
    message: DeliveredMessage,
    exchange: Exchange,
    signal: RetryLaterSignal,
  ): Promise<HandlerOutcome> => {
    try {
      await scheduleRetry(services.transport(), {
        workQueue: message.queue,
        message,
        attempt: signal.attempt,
        delayMs: signal.delayMs,
        maxAttempts: options.maximumRetryAttempts,
      });
      logger.info('message scheduled for a retry held by the broker', {
        ...exchangeFields(exchange),
        queue: message.queue,
        attempt: signal.attempt,
        delayMs: signal.delayMs,
        error: signal.message,
      });
      return 'ack';
    } catch (publishError) {
      logger.error('could not schedule the retry; the message goes back to its queue', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: toError(publishError).message,
      });
      return 'requeue';
    }
  };

  const fail = async (
    message: DeliveredMessage,
    exchange: Exchange,
    thrown: unknown,
  ): Promise<HandlerOutcome> => {
    const error = toError(thrown);
    const status = (error as { statusCode?: unknown }).statusCode;
    const failedStep = exchange.properties.CamelFailureStep;
    try {
      await deadLetter(services.transport(), {
        workQueue: message.queue,
        message,
        target:
          options.deadLetterExchange === undefined ? undefined : deadLetterTarget(message.queue, options),
        provenance: {
          routeId: route.routeId,
          attempts: attemptsOf(message.headers) + 1,
          errorClass: camelHierarchy(error)[0] ?? 'java.lang.Exception',
          errorMessage: error.message,
          errorCode: error instanceof ServicePipesError ? error.code : undefined,
          httpStatus: typeof status === 'number' ? status : undefined,
          correlationId: exchange.correlationId,
          failedStep: typeof failedStep === 'string' ? failedStep : undefined,
        },
      });
      logger.warn('message dead-lettered', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: error.message,
        errorClass: camelHierarchy(error)[0],
      });
      routerMetrics(services).deadLettered(route.routeId);
      return 'ack';
    } catch (publishError) {
      logger.error('could not dead-letter the message; it goes back to its queue', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: error.message,
        publishError: toError(publishError).message,
      });
      return 'requeue';
    }
  };

  let running = 0;
  const counted = async (message: DeliveredMessage): Promise<HandlerOutcome> => {
    running++;
    try {
      return await handle(message);
    } finally {
      running--;
    }
  };

  return {
    stats() {
      return {
        queues,
        concurrency,
        prefetch,
        inFlight: running,
        buffered: subscriptions.reduce((sum, subscription) => sum + (subscription.buffered ?? 0), 0),
        paused: subscriptions.length > 0 && subscriptions.every((subscription) => subscription.paused),
      };
    },
    async start() {
      const transport = watchBroker(services);
      await declareFor(transport, endpoint, route.routeId, consumerTopology(endpoint.path, options));
      if (options.idempotentConsumer) idempotency = useIdempotencyStore(services, logger);
      registry.on('open', onOpen);
      registry.on('halfOpen', onTrial);
      registry.on('close', onTrial);
      for (const queue of queues)
        subscriptions.push(await transport.consume({ queue, concurrency, prefetch }, counted));
      logger.info('consuming', {
        endpoint: endpoint.uri,
        queues,
        concurrency,
        prefetch,
        breakers: [...breakers],
        idempotentConsumer: options.idempotentConsumer,
      });
      if (anyBreakerOpen()) void holdForBreaker([...breakers].find((name) => registry.state(name) === 'open')!);
    },
    async stop() {
      registry.off('open', onOpen);
      registry.off('halfOpen', onTrial);
      registry.off('close', onTrial);
      await control;
      const closing = subscriptions;
      subscriptions = [];
      await Promise.all(closing.map((subscription) => subscription.close()));
      await idempotency?.release();
      idempotency = undefined;
    },
    async pause() {
      await inOrder(async () => {
        pausedByRouter = true;
        await Promise.all(subscriptions.map((subscription) => subscription.pause()));
      });
    },
    async resume() {
      await inOrder(async () => {
        pausedByRouter = false;
        if (heldByBreaker) return;
        await Promise.all(subscriptions.map((subscription) => subscription.resume()));
      });
    },
  };
}

/** What a message-id was used for: 64 bits of the body's SHA-256, enough to tell another body from a redelivery. */
function bodyFingerprint(body: Buffer): string {
  return hash('sha256', body).slice(0, 16);
}
