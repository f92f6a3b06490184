/**
 * The RabbitMQ transport on rabbitmq-client: one connection that reconnects by itself, persistent
 * messages, publisher confirms with a deadline, mandatory publishing (an unroutable message rejects its
 * publish), topology remembered and re-declared after every reconnect, consumers with bounded
 * concurrency whose failures dead-letter instead of looping.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  AMQPChannelError,
  AMQPConnectionError,
  Connection,
  ConsumerStatus,
  type Consumer,
  type Publisher,
} from 'rabbitmq-client';
import type { Logger } from '../../observability/logger.js';
import type { TransportError } from '../../errors/index.js';
import type {
  ConsumeOptions,
  DeliveredMessage,
  HandlerOutcome,
  OutboundMessage,
  QueueDeclaration,
  QueueInfo,
  Subscription,
  Topology,
  Transport,
  TransportEvents,
} from '../transport.js';
import {
  DEFAULT_QUEUE_DEFAULTS,
  RememberedTopology,
  fromPreconditionFailed,
  resolveQueue,
  type QueueDefaults,
} from '../topology.js';
import { isTransportError, transportError } from '../transport-errors.js';
import { validateConsumeOptions } from '../consume-options.js';
import {
  amqpCode,
  bindingParams,
  deliveredMessage,
  envelope,
  exchangeParams,
  queueParams,
  type BindingParams,
  type ExchangeParams,
  type QueueParams,
} from './amqp-mapping.js';
import { brokerUserOf } from './broker-user.js';
import { coalesceWrites, connectedAddress, onReturnedSync, type ReturnNotice } from './client-internals.js';
import { ConfirmDeadlines } from './confirm-deadlines.js';
import { parseRabbitMqUrls } from '../../config/rabbitmq-urls.js';

export interface RabbitMqTransportOptions {
  /**
   * One AMQP URL, or several separated by commas (the nodes of a cluster, same user/password/vhost):
   * connections go to the first; when one is lost or refused the next is tried, in order, round the list,
   * with a jittered exponential pause between attempts (retryLowMs..retryHighMs).
   */
  url: string;
  /** `x-quorum-initial-group-size` of quorum queues that do not set it. Unset → the broker's default. */
  quorumGroupSize?: number;
  logger: Logger;
  /** Shown in the management UI. Default `service-pipes`. */
  connectionName?: string;
  /** Reconnect backoff bounds. Defaults 1 s and 30 s. */
  retryLowMs?: number;
  retryHighMs?: number;
  /** Default 30 s. */
  heartbeatSeconds?: number;
  /** How long a publish or declaration waits for a channel while disconnected. Default 5 s. */
  acquireTimeoutMs?: number;
  /** Default 10 s. */
  connectionTimeoutMs?: number;
  /** Longest a publish waits for the broker's confirm, retries included. Default 5 s. */
  publishTimeoutMs?: number;
  /** Attempts per publish when the channel fails under it (≥ 2). Default 3. */
  publishMaxAttempts?: number;
  queueDefaults?: Partial<QueueDefaults>;
}

interface PendingReturn {
  exchange: string;
  routingKey: string;
  returned?: ReturnNotice;
}

export class RabbitMqTransport extends EventEmitter implements Transport {
  readonly kind = 'rabbitmq' as const;
  readonly user: string | undefined;
  private readonly logger: Logger;
  private readonly connection: Connection;
  private readonly publisher: Publisher;
  private readonly queueDefaults: QueueDefaults;
  private readonly quorumGroupSize: number | undefined;
  private readonly publishTimeoutMs: number;
  private readonly confirms: ConfirmDeadlines;
  private readonly remembered = new RememberedTopology();
  /** Handed to the publisher once and updated in place: each new publisher channel declares what is known. */
  private readonly publisherTopology = {
    exchanges: [] as ExchangeParams[],
    queues: [] as Exclude<QueueParams, string>[],
    queueBindings: [] as BindingParams[],
  };
  /** Publishes waiting for their confirm, by message id: one (nearly always), or a set when ids repeat. */
  private readonly pendingReturns = new Map<string, PendingReturn | Set<PendingReturn>>();
  private readonly subscriptions = new Set<RabbitSubscription>();
  private connected = false;
  private topologyDeclared = false;
  private ready = false;
  private blocked = false;
  private closed = false;
  /** Aborted by close(): wakes whoever waits for a connection that will not come. */
  private readonly closing = new AbortController();

  constructor(options: RabbitMqTransportOptions) {
    super();
    this.logger = options.logger;
    this.queueDefaults = { ...DEFAULT_QUEUE_DEFAULTS, ...options.queueDefaults };
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.confirms = new ConfirmDeadlines(this.publishTimeoutMs, (messageId) =>
      this.connected
        ? transportError('PUBLISH_TIMEOUT', `RabbitMQ did not confirm the message within ${this.publishTimeoutMs} ms`, {
            details: { messageId },
          })
        : transportError('NOT_CONNECTED', `Not connected to RabbitMQ; the message was not confirmed within ${this.publishTimeoutMs} ms`, {
            details: { messageId },
          }),
    );
    this.quorumGroupSize = options.quorumGroupSize;
    const addresses = parseRabbitMqUrls(options.url);
    // Every address of the list carries the same user (parseRabbitMqUrls checks it).
    this.user = brokerUserOf(addresses.url);
    this.connection = new Connection({
      url: addresses.url,
      // rabbitmq-client moves to the next host on every attempt, after a random pause in the backoff window.
      hosts: addresses.hosts,
      connectionName: options.connectionName ?? 'service-pipes',
      retryLow: options.retryLowMs ?? 1000,
      retryHigh: options.retryHighMs ?? 30_000,
      heartbeat: options.heartbeatSeconds ?? 30,
      acquireTimeout: options.acquireTimeoutMs ?? 5000,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    });
    // Returns are heard synchronously (client-internals.ts), so an acked publish knows at once whether it
    // came back unroutable.
    onReturnedSync(this.connection, (returned) => this.onReturn(returned));
    // Frames of one event-loop turn leave in one write (acks of handlers finishing together, publishes).
    coalesceWrites(this.connection);
    this.connection.on('connection', () => this.onConnected());
    this.connection.on('error', (error: unknown) => this.onConnectionError(error));
    this.connection.on('connection.blocked', (reason: string) => {
      this.blocked = true;
      this.logger.warn(
        'RabbitMQ blocked publishing (resource alarm); publishes are refused until it clears',
        { reason },
      );
      this.emit('blocked', reason);
    });
    this.connection.on('connection.unblocked', () => {
      this.blocked = false;
      this.logger.info('RabbitMQ unblocked publishing');
      this.emit('unblocked');
    });
    this.publisher = this.connection.createPublisher({
      confirm: true,
      maxAttempts: Math.max(2, options.publishMaxAttempts ?? 3),
      ...this.publisherTopology,
    });
    this.publisher.on('retry', (error: unknown) => {
      this.logger.debug('Publish retried after a channel failure', { error: errorText(error) });
    });
  }

  override on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): this {
    return super.off(event, listener);
  }

  isReady(): boolean {
    return this.ready;
  }

  isBlocked(): boolean {
    return this.blocked;
  }

  private onConnected(): void {
    this.connected = true;
    this.blocked = false;
    this.logger.info('Connected to RabbitMQ', { node: connectedAddress(this.connection) });
    void this.redeclareRemembered();
  }

  private onConnectionError(error: unknown): void {
    // Channel-level errors reach the connection too; only a lost socket means "down".
    const channelOnly = error instanceof AMQPChannelError && !(error instanceof AMQPConnectionError);
    if (channelOnly || this.connection.ready) {
      this.logger.warn('RabbitMQ channel error', { error: errorText(error) });
      return;
    }
    const wasConnected = this.connected;
    this.connected = false;
    this.topologyDeclared = false;
    this.setReady(false, error);
    this.logger.warn(
      wasConnected ? 'RabbitMQ connection lost; reconnecting' : 'RabbitMQ unreachable; retrying',
      {
        error: errorText(error),
      },
    );
  }

  private setReady(ready: boolean, reason?: unknown): void {
    if (this.ready === ready) return;
    this.ready = ready;
    if (ready) this.emit('ready');
    else this.emit('down', reason instanceof Error ? reason : new Error(errorText(reason)));
  }

  private async redeclareRemembered(): Promise<void> {
    try {
      await this.apply(this.remembered.all());
      this.topologyDeclared = true;
      if (this.connected && !this.closed) this.setReady(true);
    } catch (error) {
      if (this.closed) return;
      if (isTransportError(error, 'TOPOLOGY_MISMATCH') || isTransportError(error, 'NOT_FOUND')) {
        // Not retried on a timer: the broker's answer will not change until someone changes the topology.
        this.logger.error('Re-declaring topology after reconnect failed; the transport is not ready', {
          error: error.message,
          code: error.code,
        });
        this.emit('topology-error', error);
      } else {
        this.logger.warn('Re-declaring topology was interrupted; trying again on the next connection', {
          error: errorText(error),
        });
      }
    }
  }

  /** Resolves once connected; rejects when the transport closes first. */
  private whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(transportError('CLOSED', 'The transport is closed'));
    return new Promise((resolve, reject) => {
      const onClosing = (): void => {
        this.connection.off('connection', onConnection);
        reject(transportError('CLOSED', 'The transport is closed'));
      };
      const onConnection = (): void => {
        this.closing.signal.removeEventListener('abort', onClosing);
        resolve();
      };
      this.connection.once('connection', onConnection);
      this.closing.signal.addEventListener('abort', onClosing, { once: true });
    });
  }

  async declare(topology: Topology): Promise<void> {
    this.assertOpen();
    // Resolve first: an invalid declaration fails at once, not after the broker comes up.
    for (const queue of topology.queues ?? []) resolveQueue(queue, this.queueDefaults);
    for (;;) {
      await this.whenConnected();
      try {
        await this.apply(topology);
        break;
      } catch (error) {
        if (
          isTransportError(error, 'TOPOLOGY_MISMATCH') ||
          isTransportError(error, 'NOT_FOUND') ||
          this.closed
        )
          throw error;
        // The connection went away mid-way: wait for it and declare again (declarations are idempotent).
        this.logger.warn('Declaring topology was interrupted; retrying after reconnect', {
          error: errorText(error),
        });
      }
    }
    this.remembered.remember(topology);
    this.syncPublisherTopology();
  }

  private queueParams(queue: QueueDeclaration): Exclude<QueueParams, string> {
    return queueParams(resolveQueue(queue, this.queueDefaults), this.quorumGroupSize);
  }

  /** Declares through the connection's own channel; maps the broker's refusals to transport errors. */
  private async apply(topology: Topology): Promise<void> {
    for (const exchange of topology.exchanges ?? []) {
      await this.refusalToError(
        this.connection.exchangeDeclare(exchangeParams(exchange)),
        'exchange',
        exchange.name,
      );
    }
    for (const queue of topology.queues ?? []) {
      const params = this.queueParams(queue);
      await this.refusalToError(this.connection.queueDeclare(params), 'queue', queue.name);
    }
    for (const binding of topology.bindings ?? []) {
      await this.refusalToError(this.connection.queueBind(bindingParams(binding)), 'queue', binding.queue);
    }
  }

  private async refusalToError<T>(
    operation: Promise<T>,
    kind: 'queue' | 'exchange',
    name: string,
  ): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw this.mapError(error, kind, name);
    }
  }

  private mapError(error: unknown, kind: 'queue' | 'exchange', name: string): unknown {
    const code = amqpCode(error);
    const message = errorText(error);
    if (code === 'PRECONDITION_FAILED') return fromPreconditionFailed(message, kind, name);
    if (code === 'NOT_FOUND' || code === 'ACCESS_REFUSED') {
      return transportError('NOT_FOUND', `${kind === 'queue' ? 'Queue' : 'Exchange'} '${name}': ${message}`, {
        cause: error,
        details: { [kind]: name },
      });
    }
    if (code === 'TIMEOUT') {
      return transportError('NOT_CONNECTED', `Not connected to RabbitMQ (${message})`, { cause: error });
    }
    return error;
  }

  private syncPublisherTopology(): void {
    const all = this.remembered.all();
    const replace = <T>(target: T[], items: T[]): void => {
      target.splice(0, target.length, ...items);
    };
    replace(this.publisherTopology.exchanges, all.exchanges.map(exchangeParams));
    replace(
      this.publisherTopology.queues,
      all.queues.map((queue) => this.queueParams(queue)),
    );
    replace(this.publisherTopology.queueBindings, all.bindings.map(bindingParams));
  }

  async publish(message: OutboundMessage): Promise<void> {
    this.assertOpen();
    if (this.blocked) {
      throw transportError(
        'BROKER_BLOCKED',
        'RabbitMQ is refusing publishes (resource alarm); try again later',
      );
    }
    const messageId = message.messageId ?? randomUUID();
    const mandatory = message.mandatory ?? true;
    const pending: PendingReturn = { exchange: message.exchange, routingKey: message.routingKey };
    if (mandatory) this.trackReturn(messageId, pending);
    const sent = this.publisher.send(envelope(message, messageId, this.user), message.body);
    try {
      // The send keeps going after its deadline; its late outcome is ignored.
      await this.confirms.within(sent, messageId);
      // A basic.return precedes its ack on the wire and was recorded while the frames were read.
      if (pending.returned) {
        throw transportError(
          'UNROUTABLE',
          `No queue is bound to receive a message published to exchange '${message.exchange}' with routing key ` +
            `'${message.routingKey}' (${pending.returned.replyText})`,
          { details: { exchange: message.exchange, routingKey: message.routingKey, messageId } },
        );
      }
    } catch (error) {
      throw this.publishError(error, message);
    } finally {
      if (mandatory) this.untrackReturn(messageId, pending);
    }
  }

  private trackReturn(messageId: string, pending: PendingReturn): void {
    // A Set only when one id is in flight twice (a redelivered copy): no Set allocated per publish.
    const known = this.pendingReturns.get(messageId);
    if (known === undefined) this.pendingReturns.set(messageId, pending);
    else if (known instanceof Set) known.add(pending);
    else this.pendingReturns.set(messageId, new Set([known, pending]));
  }

  private untrackReturn(messageId: string, pending: PendingReturn): void {
    const known = this.pendingReturns.get(messageId);
    if (known === pending) this.pendingReturns.delete(messageId);
    else if (known instanceof Set) {
      known.delete(pending);
      if (known.size === 0) this.pendingReturns.delete(messageId);
    }
  }

  private onReturn(returned: ReturnNotice): void {
    const known = this.pendingReturns.get(returned.messageId ?? '');
    const waiting = known === undefined ? [] : known instanceof Set ? [...known] : [known];
    const matching = waiting.filter(
      (pending) => pending.exchange === returned.exchange && pending.routingKey === returned.routingKey,
    );
    for (const pending of matching) pending.returned = returned;
    if (matching.length === 0) {
      this.logger.warn('RabbitMQ returned a message nobody is waiting for', {
        messageId: returned.messageId,
        exchange: returned.exchange,
        routingKey: returned.routingKey,
        replyText: returned.replyText,
      });
    }
  }

  private publishError(error: unknown, message: OutboundMessage): TransportError {
    if (isTransportError(error)) return error;
    const code = amqpCode(error);
    const text = errorText(error);
    const details = { exchange: message.exchange, routingKey: message.routingKey };
    if (code === 'NACK') {
      return transportError(
        'QUEUE_FULL',
        `RabbitMQ refused the message (nack): a queue it routes to is full (x-overflow reject-publish) or unavailable`,
        { cause: error, details },
      );
    }
    if (code === 'NOT_FOUND') return transportError('NOT_FOUND', text, { cause: error, details });
    if (code === 'PRECONDITION_FAILED') return fromPreconditionFailed(text, 'queue', '?');
    if (this.closed) return transportError('CLOSED', 'The transport is closed', { cause: error, details });
    if (!this.connected || (code !== undefined && CONNECTION_FAILURES.has(code))) {
      return transportError(
        'NOT_CONNECTED',
        `RabbitMQ connection failed before the message was confirmed: ${text}`,
        {
          cause: error,
          details,
        },
      );
    }
    return transportError('PUBLISH_REJECTED', `RabbitMQ did not take the message: ${text}`, {
      cause: error,
      details,
    });
  }

  async consume(
    options: ConsumeOptions,
    handler: (message: DeliveredMessage) => Promise<HandlerOutcome>,
  ): Promise<Subscription> {
    this.assertOpen();
    validateConsumeOptions(options);
    const declared = this.remembered.forQueue(options.queue);
    const queue = declared.queues?.[0];
    if (!queue && this.connected) {
      // Fail now, like the memory transport, rather than in a consumer retry loop.
      await this.refusalToError(
        this.connection.queueDeclare({ queue: options.queue, passive: true }),
        'queue',
        options.queue,
      );
    }
    const subscription = new RabbitSubscription(
      () =>
        this.connection.createConsumer(
          {
            queue: options.queue,
            // Re-declared on every new consumer channel, so the queue is back even if the broker lost it.
            queueOptions: queue ? this.queueParams(queue) : { passive: true },
            exchanges: (declared.exchanges ?? []).map(exchangeParams),
            queueBindings: (declared.bindings ?? []).map(bindingParams),
            qos: { prefetchCount: options.prefetch },
            concurrency: options.concurrency,
            // A throwing handler dead-letters; requeueing would loop forever on a poison message.
            requeue: false,
          },
          async (message) => {
            const delivered = deliveredMessage(message, options.queue);
            let outcome: HandlerOutcome;
            try {
              outcome = await handler(delivered);
            } catch (error) {
              this.logger.error('Consumer handler failed; message dead-lettered', {
                queue: options.queue,
                messageId: delivered.messageId,
                error: errorText(error),
              });
              return ConsumerStatus.DROP;
            }
            return outcome === 'requeue'
              ? ConsumerStatus.REQUEUE
              : outcome === 'dead-letter'
                ? ConsumerStatus.DROP
                : ConsumerStatus.ACK;
          },
        ),
      (consumer, subscriptionOf) => this.watchConsumer(consumer, options.queue, subscriptionOf),
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    await subscription.resume();
    return subscription;
  }

  private watchConsumer(consumer: Consumer, queue: string, subscription: RabbitSubscription): void {
    consumer.on('error', (error: unknown) => {
      if (amqpCode(error) === 'PRECONDITION_FAILED') {
        // rabbitmq-client would retry this setup forever, reporting only the first failure.
        const mismatch = fromPreconditionFailed(errorText(error), 'queue', queue);
        this.logger.error('Consumer stopped: its queue cannot be declared as remembered', {
          queue,
          error: mismatch.message,
        });
        this.emit('topology-error', mismatch);
        void subscription.fail(mismatch);
        return;
      }
      this.logger.warn('RabbitMQ consumer error', { queue, error: errorText(error), code: amqpCode(error) });
    });
  }

  async queueInfo(queue: string): Promise<QueueInfo> {
    this.assertOpen();
    const { messageCount, consumerCount } = await this.refusalToError(
      this.connection.queueDeclare({ queue, passive: true }),
      'queue',
      queue,
    );
    return { messageCount, consumerCount };
  }

  async purgeQueue(queue: string): Promise<number> {
    this.assertOpen();
    const { messageCount } = await this.refusalToError(this.connection.queuePurge({ queue }), 'queue', queue);
    return messageCount;
  }

  async deleteQueue(queue: string): Promise<void> {
    this.assertOpen();
    this.remembered.forgetQueue(queue);
    this.syncPublisherTopology();
    try {
      await this.refusalToError(this.connection.queueDelete({ queue }), 'queue', queue);
    } catch (error) {
      if (!isTransportError(error, 'NOT_FOUND')) throw error;
    }
  }

  async deleteExchange(exchange: string): Promise<void> {
    this.assertOpen();
    if (!exchange || exchange.startsWith('amq.')) return;
    this.remembered.forgetExchange(exchange);
    this.syncPublisherTopology();
    try {
      await this.refusalToError(this.connection.exchangeDelete({ exchange }), 'exchange', exchange);
    } catch (error) {
      if (!isTransportError(error, 'NOT_FOUND')) throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.publisher.close().catch(() => undefined);
    await this.connection.close();
    this.setReady(false, new Error('closed'));
  }

  private assertOpen(): void {
    if (this.closed) throw transportError('CLOSED', 'The transport is closed');
  }
}

/** Pause = cancel the consumer (messages wait in RabbitMQ); resume = a new consumer. */
class RabbitSubscription implements Subscription {
  private consumer: Consumer | undefined;
  private closed = false;
  private failure: Error | undefined;
  paused = true;

  constructor(
    private readonly createConsumer: () => Consumer,
    private readonly watch: (consumer: Consumer, subscription: RabbitSubscription) => void,
    private readonly onClose: () => void,
  ) {}

  get buffered(): number {
    return this.consumer?.stats.prefetched ?? 0;
  }

  async pause(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.close();
  }

  async resume(): Promise<void> {
    if (this.closed || !this.paused) return;
    if (this.failure) throw this.failure;
    this.paused = false;
    this.consumer = this.createConsumer();
    this.watch(this.consumer, this);
    await Promise.resolve();
  }

  /** Stops for good after an error no retry can fix; `resume()` then rethrows it. */
  async fail(error: Error): Promise<void> {
    this.failure = error;
    await this.pause();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pause();
    this.onClose();
  }
}

/** Error codes that mean "the connection or channel went away", not "the broker said no". */
const CONNECTION_FAILURES: ReadonlySet<string> = new Set([
  'TIMEOUT',
  'CH_CLOSE',
  'CONN_CLOSE',
  'CLOSING',
  'CLOSED',
  'CONNECTION_FORCED',
  'SOCKET_TIMEOUT',
  'CONNECTION_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
