import type { DeliveredMessage, HandlerOutcome, QueueInfo } from '../transport.js';
import type { ResolvedQueue } from '../topology.js';
import { Deque } from './deque.js';

/** A message as a memory queue holds it. */
export interface StoredMessage {
  body: Buffer;
  headers: Record<string, unknown>;
  properties: Pick<
    DeliveredMessage,
    | 'contentType'
    | 'contentEncoding'
    | 'messageId'
    | 'correlationId'
    | 'replyTo'
    | 'userId'
    | 'type'
    | 'timestamp'
    | 'expirationMs'
  >;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** Times the message came back to the queue (requeue or consumer stop): quorum's delivery count. */
  returns: number;
  /** When it entered this queue (ms), for TTL. */
  enqueuedAt: number;
}

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

/** What a queue needs from its broker. */
export interface QueueHost {
  deadLetter(queue: MemoryQueue, message: StoredMessage, reason: DeadLetterReason): void;
  onHandlerError(queue: string, error: unknown): void;
}

type Handler = (message: DeliveredMessage) => Promise<HandlerOutcome>;

/**
 * One queue: ready messages in order, an expiry timer for the head (RabbitMQ expires messages only
 * at the head of a queue too), and round-robin dispatch to consumers within their prefetch.
 */
export class MemoryQueue {
  readonly name: string;
  readonly ready = new Deque<StoredMessage>();
  private readonly consumers: MemoryConsumer[] = [];
  private nextConsumer = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private drainScheduled = false;
  deleted = false;

  constructor(
    public readonly declaration: ResolvedQueue,
    private readonly host: QueueHost,
    /** Cap used when the declaration sets no `x-max-length`: the memory transport never grows without bound. */
    private readonly defaultMaxLength: number,
  ) {
    this.name = declaration.name;
  }

  private get args(): Record<string, unknown> {
    return this.declaration.arguments;
  }

  get maxLength(): number {
    const declared = this.args['x-max-length'];
    return typeof declared === 'number' ? declared : this.defaultMaxLength;
  }

  get overflow(): string {
    const declared = this.args['x-overflow'];
    return typeof declared === 'string' ? declared : 'reject-publish';
  }

  get deliveryLimit(): number | undefined {
    const limit = this.args['x-delivery-limit'];
    return this.declaration.type === 'quorum' && typeof limit === 'number' && limit > 0 ? limit : undefined;
  }

  info(): QueueInfo {
    return { messageCount: this.ready.length, consumerCount: this.consumers.length };
  }

  /** Adds a published (or dead-lettered) message; false when the queue refuses it (full, reject-publish). */
  enqueue(message: StoredMessage): boolean {
    if (this.deleted) return false;
    if (this.ready.length >= this.maxLength) {
      if (this.overflow === 'drop-head') {
        const dropped = this.ready.shift();
        if (dropped) this.host.deadLetter(this, dropped, 'maxlen');
      } else {
        if (this.overflow === 'reject-publish-dlx') this.host.deadLetter(this, message, 'maxlen');
        return false;
      }
    }
    this.ready.push(message);
    if (this.ready.length === 1) this.armExpiry();
    this.scheduleDrain();
    return true;
  }

  /** A delivered message comes back (requeue or consumer stop); over the delivery limit it is dead-lettered. */
  giveBack(message: StoredMessage): void {
    if (this.deleted) return;
    message.returns += 1;
    message.redelivered = true;
    const limit = this.deliveryLimit;
    if (limit !== undefined && message.returns > limit) {
      this.host.deadLetter(this, message, 'delivery_limit');
      return;
    }
    this.ready.unshift(message);
    this.armExpiry();
    this.scheduleDrain();
  }

  purge(): number {
    const count = this.ready.clear().length;
    this.armExpiry();
    return count;
  }

  addConsumer(consumer: MemoryConsumer): void {
    this.consumers.push(consumer);
    this.scheduleDrain();
  }

  removeConsumer(consumer: MemoryConsumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
  }

  destroy(): MemoryConsumer[] {
    this.deleted = true;
    clearTimeout(this.expiryTimer);
    this.ready.clear();
    return this.consumers.splice(0);
  }

  stopTimers(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  scheduleDrain(): void {
    if (this.drainScheduled || this.deleted) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private expiresAt(message: StoredMessage): number | undefined {
    const queueTtl = this.args['x-message-ttl'];
    const ttls = [
      typeof queueTtl === 'number' ? queueTtl : undefined,
      message.properties.expirationMs,
    ].filter((ttl): ttl is number => ttl !== undefined);
    return ttls.length ? message.enqueuedAt + Math.min(...ttls) : undefined;
  }

  /** Dead-letters expired messages at the head; true if any went. */
  private expireHead(now: number): boolean {
    let expired = false;
    for (let head = this.ready.peek(); head; head = this.ready.peek()) {
      const expiresAt = this.expiresAt(head);
      if (expiresAt === undefined || expiresAt > now) break;
      this.ready.shift();
      this.host.deadLetter(this, head, 'expired');
      expired = true;
    }
    return expired;
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const head = this.ready.peek();
    const expiresAt = head && this.expiresAt(head);
    if (expiresAt === undefined || this.deleted) return;
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.expireHead(Date.now());
        this.armExpiry();
        this.scheduleDrain();
      },
      Math.max(0, expiresAt - Date.now()),
    );
    this.expiryTimer.unref();
  }

  private drain(): void {
    if (this.deleted) return;
    let changed = this.expireHead(Date.now());
    while (this.ready.length > 0) {
      const consumer = this.pickConsumer();
      if (!consumer) break;
      const message = this.ready.shift();
      if (!message) break;
      consumer.take(message);
      changed = true;
      this.expireHead(Date.now());
    }
    // The head changed: its expiry is what the timer must wait for now.
    if (changed) this.armExpiry();
  }

  private pickConsumer(): MemoryConsumer | undefined {
    for (let i = 0; i < this.consumers.length; i++) {
      const index = (this.nextConsumer + i) % this.consumers.length;
      const consumer = this.consumers[index];
      if (consumer?.hasCapacity()) {
        this.nextConsumer = (index + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }

  /** Settles one delivered message by the handler's outcome. */
  settle(message: StoredMessage, outcome: HandlerOutcome): void {
    if (this.deleted) return;
    if (outcome === 'requeue') this.giveBack(message);
    else if (outcome === 'dead-letter') this.host.deadLetter(this, message, 'rejected');
    // 'ack' (and anything else a loosely typed handler returns): the message is done.
  }

  handlerError(error: unknown): void {
    this.host.onHandlerError(this.name, error);
  }
}

/**
 * A consumer holds up to `prefetch` unacknowledged messages and runs up to `concurrency` handlers;
 * the rest wait in its buffer, as prefetched messages do in a RabbitMQ client.
 */
export class MemoryConsumer {
  private readonly buffer: StoredMessage[] = [];
  private readonly running = new Set<Promise<void>>();
  private attached = false;

  constructor(
    private readonly queue: MemoryQueue,
    private readonly concurrency: number,
    private readonly prefetch: number,
    private readonly handler: Handler,
  ) {}

  attach(): void {
    if (this.attached || this.queue.deleted) return;
    this.attached = true;
    this.queue.addConsumer(this);
  }

  hasCapacity(): boolean {
    return this.attached && this.buffer.length + this.running.size < this.prefetch;
  }

  take(message: StoredMessage): void {
    if (this.running.size < this.concurrency) this.run(message);
    else this.buffer.push(message);
  }

  /** Stops deliveries, gives prefetched-but-unstarted messages back, waits for running handlers. */
  async detach(): Promise<void> {
    if (this.attached) {
      this.attached = false;
      this.queue.removeConsumer(this);
      // Back to the head in their original order: unshift the last one first.
      for (const message of this.buffer.splice(0).reverse()) this.queue.giveBack(message);
    }
    await Promise.allSettled([...this.running]);
  }

  /** The queue was deleted under this consumer. */
  cancelled(): void {
    this.attached = false;
    this.buffer.length = 0;
  }

  private run(message: StoredMessage): void {
    const delivered: DeliveredMessage = {
      body: Buffer.from(message.body),
      headers:
        message.returns > 0 && this.queue.declaration.type === 'quorum'
          ? { ...message.headers, 'x-delivery-count': message.returns }
          : { ...message.headers },
      ...message.properties,
      exchange: message.exchange,
      routingKey: message.routingKey,
      queue: this.queue.name,
      redelivered: message.redelivered,
      durable: true,
    };
    const task = (async () => {
      let outcome: HandlerOutcome;
      try {
        outcome = await this.handler(delivered);
      } catch (error) {
        // A throwing handler dead-letters: requeueing it would loop forever on a poison message.
        this.queue.handlerError(error);
        outcome = 'dead-letter';
      }
      this.queue.settle(message, outcome);
    })();
    this.running.add(task);
    void task.finally(() => {
      this.running.delete(task);
      const next = this.attached ? this.buffer.shift() : undefined;
      if (next) this.run(next);
      this.queue.scheduleDrain();
    });
  }
}
