/**
 * Request-reply over a named reply queue, used only when a route asks for it explicitly (`replyTo` and
 * `pattern: InOut`). One listener per reply queue and router; replies are matched by correlation id.
 * Each router instance needs a reply queue of its own: instances sharing one would take each other's replies.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import { TimeoutError } from '../../errors/index.js';
import type { RouterServices } from '../../runtime/services.js';
import { routerQueue } from '../../transport/topology-names.js';
import type {
  DeliveredMessage,
  OutboundMessage,
  Subscription,
  Transport,
} from '../../transport/transport.js';
import { defineState } from '../../state/index.js';

/** One reply listener per reply queue and router, shared by every route set. */
const REPLY_LISTENERS = defineState('spring-rabbitmq.replies', { scope: 'router' }, () => new Map<string, ReplyListener>());

/** Camel's name for "no reply in time". */
export class ExchangeTimedOutError extends TimeoutError {
  override camelName = 'org.apache.camel.ExchangeTimedOutException';
}

interface Pending {
  resolve(reply: DeliveredMessage): void;
}

export class ReplyListener {
  private readonly pending = new Map<string, Pending>();
  private subscription: Subscription | undefined;
  private starting: Promise<void> | undefined;
  private users = 0;

  constructor(
    private readonly transport: Transport,
    readonly queue: string,
    private readonly queueType: 'quorum' | 'classic',
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.users++;
    this.starting ??= (async () => {
      await this.transport.declare({ queues: [routerQueue(this.queue, { type: this.queueType })] });
      this.subscription = await this.transport.consume(
        { queue: this.queue, concurrency: 4, prefetch: 8 },
        (reply) => {
          const waiting =
            reply.correlationId === undefined ? undefined : this.pending.get(reply.correlationId);
          if (waiting) waiting.resolve(reply);
          else {
            // A reply after its timeout: the request already failed; keeping the reply would block the queue.
            this.logger.warn('Reply nobody waits for (late or unknown); discarded', {
              queue: this.queue,
              correlationId: reply.correlationId,
              messageId: reply.messageId,
            });
          }
          return Promise.resolve('ack' as const);
        },
      );
    })();
    await this.starting;
  }

  async stop(): Promise<void> {
    if (--this.users > 0) return;
    await this.subscription?.close();
    this.subscription = undefined;
    this.starting = undefined;
  }

  /** Publishes the request (confirmed) and waits for the reply with the same correlation id. */
  async request(message: OutboundMessage, timeoutMs: number): Promise<DeliveredMessage> {
    // A correlation key of its own: the exchange's correlation id may be shared by split parts in flight.
    const key = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<DeliveredMessage>((resolve, reject) => {
      this.pending.set(key, { resolve });
      timer = setTimeout(() => {
        reject(new ExchangeTimedOutError(`No reply on queue '${this.queue}' within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // The deadline may pass while the publish is still waiting for its confirm.
    reply.catch(() => undefined);
    try {
      await this.transport.publish({ ...message, correlationId: key, replyTo: this.queue });
      return await reply;
    } finally {
      clearTimeout(timer);
      this.pending.delete(key);
    }
  }
}

/** The router's listener for a reply queue, shared by every producer naming it. */
export function replyListener(
  services: RouterServices,
  queue: string,
  queueType: 'quorum' | 'classic',
  logger: Logger,
): ReplyListener {
  const listeners = REPLY_LISTENERS.of(services);
  let listener = listeners.get(queue);
  if (!listener)
    listeners.set(queue, (listener = new ReplyListener(services.transport(), queue, queueType, logger)));
  return listener;
}
