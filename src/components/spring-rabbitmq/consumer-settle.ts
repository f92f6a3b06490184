import { camelHierarchy, ServicePipesError, toError } from '../../errors/index.js';
import { exchangeFields, type Logger } from '../../observability/logger.js';
import { routerMetrics } from '../../observability/metrics.js';
import { attemptsOf, deadLetter, handBack, scheduleRetry } from '../../reliability/broker-retry.js';
import type { FailureOutcome } from '../../reliability/failure-outcome.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { RouterServices } from '../../runtime/services.js';
import type { DeliveredMessage, HandlerOutcome } from '../../transport/transport.js';
import type { BreakerHold } from './consumer-breaker-hold.js';
import { deadLetterTarget } from './endpoint-topology.js';
import type { SpringRabbitOptions } from './options.js';

/** While a breaker lets its one trial call through, other messages come back after this long. */
const HALF_OPEN_RECHECK_MS = 500;

/**
 * The last stage of a consuming route: settles a message that was not done, each outcome confirmed by the
 * broker before the original is acked. When the retry, put-back or dead letter cannot be published, the
 * original is nacked back to its queue (never lost); the quorum delivery limit bounds that loop and then
 * the broker dead-letters it itself.
 */
export class Settler {
  constructor(
    private readonly services: RouterServices,
    private readonly routeId: string,
    private readonly options: SpringRabbitOptions,
    private readonly hold: BreakerHold,
    private readonly logger: Logger,
  ) {}

  /** Settles `message` as `outcome` (see reliability/failure-outcome.ts) says. */
  settle(outcome: FailureOutcome, message: DeliveredMessage, exchange: Exchange, error: unknown): Promise<HandlerOutcome> {
    switch (outcome.kind) {
      case 'retry':
        return this.retry(message, exchange, outcome, error);
      case 'put-back':
        return this.notTried(message, exchange, outcome.breaker);
      case 'dead-letter':
        return this.deadLetter(message, exchange, error);
    }
  }

  /** The message was not tried at all: back to its queue, no attempt counted. */
  async putBack(message: DeliveredMessage, exchange: Exchange, delayMs: number, why: string): Promise<HandlerOutcome> {
    try {
      await handBack(this.services.transport(), { workQueue: message.queue, message, delayMs });
      this.logger.debug(`message put back (${why})`, { ...exchangeFields(exchange), queue: message.queue, delayMs });
      return 'ack';
    } catch (publishError) {
      this.logger.error('could not put the message back; it returns to its queue', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: toError(publishError).message,
      });
      return 'requeue';
    }
  }

  /** A message is dead-lettered with its provenance; an AMQP dead letter is the only "no" a publisher gets. */
  async deadLetter(message: DeliveredMessage, exchange: Exchange, thrown: unknown): Promise<HandlerOutcome> {
    const error = toError(thrown);
    const status = (error as { statusCode?: unknown }).statusCode;
    const failedStep = exchange.properties.CamelFailureStep;
    try {
      await deadLetter(this.services.transport(), {
        workQueue: message.queue,
        message,
        target: this.options.deadLetterExchange === undefined ? undefined : deadLetterTarget(message.queue, this.options),
        provenance: {
          routeId: this.routeId,
          attempts: attemptsOf(message.headers) + 1,
          errorClass: camelHierarchy(error)[0] ?? 'java.lang.Exception',
          errorMessage: error.message,
          errorCode: error instanceof ServicePipesError ? error.code : undefined,
          httpStatus: typeof status === 'number' ? status : undefined,
          correlationId: exchange.correlationId,
          failedStep: typeof failedStep === 'string' ? failedStep : undefined,
        },
      });
      this.logger.warn('message dead-lettered', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: error.message,
        errorClass: camelHierarchy(error)[0],
      });
      routerMetrics(this.services).deadLettered(this.routeId);
      return 'ack';
    } catch (publishError) {
      this.logger.error('could not dead-letter the message; it goes back to its queue', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: error.message,
        publishError: toError(publishError).message,
      });
      return 'requeue';
    }
  }

  private notTried(message: DeliveredMessage, exchange: Exchange, breaker: string | undefined): Promise<HandlerOutcome> {
    // Open: wait in the work queue, which nobody consumes until the breaker lets a trial through.
    // Half-open: another message is the trial; this one comes back shortly instead of spinning.
    const open = breaker !== undefined && this.hold.isOpen(breaker);
    if (open && this.hold.breakers.has(breaker)) void this.hold.holdFor(breaker);
    return this.putBack(message, exchange, open ? 0 : HALF_OPEN_RECHECK_MS, `circuit breaker ${breaker ?? ''} is not letting calls through`);
  }

  private async retry(
    message: DeliveredMessage,
    exchange: Exchange,
    outcome: { attempt: number; delayMs: number },
    error: unknown,
  ): Promise<HandlerOutcome> {
    try {
      await scheduleRetry(this.services.transport(), {
        workQueue: message.queue,
        message,
        attempt: outcome.attempt,
        delayMs: outcome.delayMs,
        maxAttempts: this.options.maximumRetryAttempts,
      });
      this.logger.info('message scheduled for a retry held by the broker', {
        ...exchangeFields(exchange),
        queue: message.queue,
        attempt: outcome.attempt,
        delayMs: outcome.delayMs,
        error: toError(error).message,
      });
      return 'ack';
    } catch (publishError) {
      this.logger.error('could not schedule the retry; the message goes back to its queue', {
        ...exchangeFields(exchange),
        queue: message.queue,
        error: toError(publishError).message,
      });
      return 'requeue';
    }
  }
}
