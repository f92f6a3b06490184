/**
 * Consumes queues into a route. Outcomes, each confirmed by the broker before the original is acked:
 * - the route succeeded (everything it published confirmed, wire taps it started settled) → ack;
 * - the route threw RetryLaterSignal (its error handling wants a broker-held retry) → the message goes to
 *   its retry delay queue with the attempt count raised → ack;
 * - anything else → dead letter with provenance → ack.
 * When the retry or dead letter cannot be published, the original is nacked back to its queue (never
 * lost); the quorum delivery limit bounds that loop and then the broker dead-letters it itself.
 */
import type { Consumer, ConsumerContext, Endpoint } from '../../runtime/component.js';
import { camelHierarchy, RetryLaterSignal, ServicePipesError, toError } from '../../runtime/errors.js';
import type { Exchange } from '../../runtime/exchange.js';
import { exchangeFields } from '../../observability/logger.js';
import { inFlightWireTaps } from '../../eips/wire-tap/in-flight.js';
import { attemptsOf, deadLetter, scheduleRetry } from '../../reliability/broker-retry.js';
import type { DeliveredMessage, HandlerOutcome, Subscription } from '../../transport/transport.js';
import { consumerTopology, deadLetterTarget } from './endpoint-topology.js';
import { decodeBody, fromDelivered } from './message-mapping.js';
import { queueList, type SpringRabbitOptions } from './options.js';
import { declareFor, watchBroker } from './readiness.js';

export function createSpringRabbitConsumer(
  endpoint: Endpoint<SpringRabbitOptions>,
  { services, route }: ConsumerContext,
): Consumer {
  const { options } = endpoint;
  const queues = queueList(options.queues);
  const concurrency = options.concurrentConsumers;
  const prefetch = Math.max(options.prefetchCount ?? 2 * concurrency, concurrency);
  const logger = route.logger;
  const wireTaps = inFlightWireTaps(services);
  let subscriptions: Subscription[] = [];

  /** Waits for wire taps started while the route ran, so their publishes are done before the ack. */
  const settleWireTaps = async (before: ReadonlySet<Promise<void>>): Promise<void> => {
    // Taps of exchanges running in parallel may be waited for too: that delays an ack, it loses nothing.
    const started = [...wireTaps].filter((tap) => !before.has(tap));
    if (started.length > 0) await Promise.allSettled(started);
  };

  const handle = async (message: DeliveredMessage): Promise<HandlerOutcome> => {
    const exchange = fromDelivered(message, { routeId: route.routeId, fromEndpoint: endpoint.uri });
    try {
      exchange.message.body = decodeBody(message);
      const before = new Set(wireTaps);
      await route.process(exchange);
      await settleWireTaps(before);
      return 'ack';
    } catch (error) {
      return error instanceof RetryLaterSignal
        ? retry(message, exchange, error)
        : fail(message, exchange, error);
    }
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

  return {
    async start() {
      const transport = watchBroker(services);
      await declareFor(transport, endpoint, route.routeId, consumerTopology(endpoint.path, options));
      for (const queue of queues)
        subscriptions.push(await transport.consume({ queue, concurrency, prefetch }, handle));
      logger.info('consuming', { endpoint: endpoint.uri, queues, concurrency, prefetch });
    },
    async stop() {
      const closing = subscriptions;
      subscriptions = [];
      await Promise.all(closing.map((subscription) => subscription.close()));
    },
    async pause() {
      await Promise.all(subscriptions.map((subscription) => subscription.pause()));
    },
    async resume() {
      await Promise.all(subscriptions.map((subscription) => subscription.resume()));
    },
  };
}
