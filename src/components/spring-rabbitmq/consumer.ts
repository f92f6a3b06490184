/**
 * Consumes queues into a route, each message through named stages:
 *   dedupe (consumer-dedupe.ts) → authorize (RBAC for AMQP entries) → run the route → settle.
 * Settling (consumer-settle.ts, after the one table of reliability/failure-outcome.ts), each outcome
 * confirmed by the broker before the original is acked:
 * - the route succeeded (everything it published confirmed, wire taps it started settled) → ack;
 * - the route threw RetryLaterSignal (its error handling wants a broker-held retry) → the message goes to
 *   its retry delay queue with the attempt count raised → ack;
 * - a circuit breaker of the route is open (CircuitOpenError) → the message was not tried: it goes back to
 *   its queue unchanged (no attempt counted) and the consumer pauses until the breaker lets a trial
 *   through (consumer-breaker-hold.ts). Only breakers without onFallback raise it and pause the route: with
 *   a fallback, each message runs the fallback while the breaker is open and is acked like any other;
 * - anything else → dead letter with provenance → ack.
 *
 * Duplicates: with `idempotentConsumer` (the default) a message whose message-id this route already
 * processed successfully is acked without running the route again; the same id with another body is a
 * conflict, dead-lettered rather than skipped.
 */
import { ServicePipesError } from '../../errors/index.js';
import { exchangeFields } from '../../observability/logger.js';
import { breakerRegistry } from '../../reliability/breakers.js';
import { outcomeOf } from '../../reliability/failure-outcome.js';
import { useIdempotencyStore, type IdempotencyStore } from '../../reliability/idempotency-store.js';
import type { Consumer, ConsumerContext, Endpoint } from '../../runtime/component.js';
import { inFlightWireTaps } from '../../runtime/in-flight-wire-taps.js';
import { authorizeAmqpEntry } from '../../security/index.js';
import type { DeliveredMessage, HandlerOutcome, Subscription } from '../../transport/transport.js';
import { BreakerHold } from './consumer-breaker-hold.js';
import { claimMessage } from './consumer-dedupe.js';
import { Settler } from './consumer-settle.js';
import { consumerTopology } from './endpoint-topology.js';
import { fromDelivered, setDeliveredBody } from './message-mapping.js';
import { queueList, type SpringRabbitOptions } from './options.js';
import { declareFor, watchBroker } from './readiness.js';

const NO_TAPS: ReadonlySet<Promise<void>> = new Set();

export function createSpringRabbitConsumer(endpoint: Endpoint<SpringRabbitOptions>, { services, route }: ConsumerContext): Consumer {
  const { options } = endpoint;
  const queues = queueList(options.queues);
  const concurrency = options.concurrentConsumers;
  const registry = breakerRegistry(services);
  const logger = route.logger;
  // Only breakers called without onFallback pause the route: one with a fallback answers every message
  // from it while open, as Camel does.
  const hold = new BreakerHold(registry, new Set(registry.pausingBreakersOf(route.routeId)), queues, logger);
  const settler = new Settler(services, route.routeId, options, hold, logger);
  // Pausing returns prefetched-but-unstarted messages to the queue, which a quorum queue counts as a
  // delivery: a route that pauses for its breakers takes only what it works on.
  const prefetch = Math.max(options.prefetchCount ?? (hold.breakers.size > 0 ? concurrency : 2 * concurrency), concurrency);
  const wireTaps = inFlightWireTaps(services);
  let subscriptions: Subscription[] = [];
  let idempotency: { store: IdempotencyStore; release(): Promise<void> } | undefined;

  /** Waits for wire taps started while the route ran, so their publishes are done before the ack. */
  const settleWireTaps = async (before: ReadonlySet<Promise<void>>): Promise<void> => {
    if (wireTaps.size === 0) return;
    // Taps of exchanges running in parallel may be waited for too: that delays an ack, it loses nothing.
    const started = [...wireTaps].filter((tap) => !before.has(tap));
    if (started.length > 0) await Promise.allSettled(started);
  };

  let running = 0;
  /** One message through the stages, counted in `running` meanwhile (one async frame per message). */
  const handle = async (message: DeliveredMessage): Promise<HandlerOutcome> => {
    running++;
    try {
      const exchange = fromDelivered(message, { routeId: route.routeId, fromEndpoint: endpoint.uri });
      // 1. Dedupe.
      const claim = await claimMessage(idempotency?.store, route.routeId, message, logger);
      if (claim?.kind === 'duplicate') {
        logger.info('duplicate message skipped: this route already processed its message-id', {
          ...exchangeFields(exchange),
          queue: message.queue,
          messageId: message.messageId,
        });
        return 'ack';
      }
      if (claim?.kind === 'conflict') {
        const conflict = new ServicePipesError(
          'MESSAGE_ID_CONFLICT',
          `message-id ${message.messageId} was processed already with another body; this message is kept as a dead letter instead of being skipped as a duplicate`,
          { httpStatus: 409, retryable: false },
        );
        return settler.deadLetter(message, exchange, conflict);
      }
      if (claim?.kind === 'busy') return settler.putBack(message, exchange, claim.delayMs, 'its message-id is being processed');
      try {
        // 2. Authorize: RabbitMQ vouches for user_id; a refusal is not retryable, so it is dead-lettered
        // with its reason instead of acked away.
        authorizeAmqpEntry(services, route.routeId, exchange, message.userId);
        // 3. Run.
        // A JSON body is parsed when a step first reads it: one that only forwards it sends it unchanged.
        setDeliveredBody(exchange, message);
        // Most routes start no wire taps: nothing to remember then.
        const before = wireTaps.size === 0 ? NO_TAPS : new Set(wireTaps);
        await route.process(exchange);
        if (wireTaps.size > 0) await settleWireTaps(before);
        await claim?.complete();
        return 'ack';
      } catch (error) {
        // 4. Settle what was not done.
        await claim?.release();
        return settler.settle(outcomeOf(error), message, exchange, error);
      }
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
      for (const queue of queues) subscriptions.push(await transport.consume({ queue, concurrency, prefetch }, handle));
      hold.attach(subscriptions);
      logger.info('consuming', {
        endpoint: endpoint.uri,
        queues,
        concurrency,
        prefetch,
        breakers: [...hold.breakers],
        idempotentConsumer: options.idempotentConsumer,
      });
    },
    async stop() {
      await hold.detach();
      const closing = subscriptions;
      subscriptions = [];
      await Promise.all(closing.map((subscription) => subscription.close()));
      await idempotency?.release();
      idempotency = undefined;
    },
    pause: () => hold.pauseByRouter(),
    resume: () => hold.resumeByRouter(),
  };
}
