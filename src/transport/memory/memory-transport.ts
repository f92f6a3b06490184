/**
 * The embedded transport: RabbitMQ's semantics (exchange types, bindings, acks, redelivery, TTL with
 * dead-lettering, max-length, quorum delivery limits) inside this process, so the router runs on a bare
 * machine and route tests run in-process. It keeps nothing across a restart, and says so at start.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import type {
  BindingDeclaration,
  ConsumeOptions,
  DeliveredMessage,
  ExchangeDeclaration,
  ExchangeType,
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
  resolveQueue,
  topologyMismatchError,
  type QueueDefaults,
} from '../topology.js';
import { transportError } from '../transport-errors.js';
import { bindingMatches } from './routing.js';
import {
  MemoryConsumer,
  MemoryQueue,
  type DeadLetterReason,
  type QueueHost,
  type StoredMessage,
} from './memory-queue.js';
import { validateConsumeOptions } from '../consume-options.js';

export interface MemoryTransportOptions {
  logger: Logger;
  queueDefaults?: Partial<QueueDefaults>;
  /**
   * Longest a queue without `maxLength` may grow (reject-publish beyond). Default 100 000 messages:
   * the memory transport must never become an unbounded buffer.
   */
  defaultMaxLength?: number;
}

export const MEMORY_DEFAULT_MAX_LENGTH = 100_000;

interface MemoryExchange {
  declaration: Required<Pick<ExchangeDeclaration, 'name' | 'type' | 'durable' | 'autoDelete'>> & {
    arguments: Record<string, unknown>;
  };
  bindings: { queue: string; routingKey: string; arguments: Record<string, unknown> }[];
}

/** RabbitMQ's predeclared exchanges, so topology written for a broker works unchanged. */
const PREDECLARED: [string, ExchangeType][] = [
  ['amq.direct', 'direct'],
  ['amq.topic', 'topic'],
  ['amq.fanout', 'fanout'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

/**
 * A re-declaration must match what exists, field by field and argument by argument, as RabbitMQ demands
 * (it answers PRECONDITION_FAILED otherwise); the error names the first difference.
 */
function assertSameDeclaration<T extends { name: string; arguments: Record<string, unknown> }, F extends keyof T & string>(
  kind: 'exchange' | 'queue',
  current: T,
  wanted: T,
  fields: readonly F[],
): void {
  for (const field of fields) {
    if (current[field] !== wanted[field])
      throw topologyMismatchError(kind, wanted.name, field === 'autoDelete' ? 'auto_delete' : field, current[field], wanted[field]);
  }
  const argument = firstDifference(current.arguments, wanted.arguments);
  if (argument)
    throw topologyMismatchError(kind, wanted.name, argument, current.arguments[argument], wanted.arguments[argument]);
}

export class MemoryTransport extends EventEmitter implements Transport, QueueHost {
  readonly kind = 'memory' as const;
  private readonly logger: Logger;
  private readonly queueDefaults: QueueDefaults;
  private readonly defaultMaxLength: number;
  private readonly exchanges = new Map<string, MemoryExchange>();
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly subscriptions = new Set<MemorySubscription>();
  private closed = false;

  constructor(options: MemoryTransportOptions) {
    super();
    this.logger = options.logger;
    this.queueDefaults = { ...DEFAULT_QUEUE_DEFAULTS, ...options.queueDefaults };
    this.defaultMaxLength = options.defaultMaxLength ?? MEMORY_DEFAULT_MAX_LENGTH;
    for (const [name, type] of PREDECLARED) {
      this.exchanges.set(name, {
        declaration: { name, type, durable: true, autoDelete: false, arguments: {} },
        bindings: [],
      });
    }
    this.logger.warn(
      'IN-MEMORY TRANSPORT: queues and messages live in this process only; NOTHING survives a restart and ' +
        'nothing is shared with other instances. Set RABBITMQ_URL to use RabbitMQ.',
      { transport: 'memory', defaultMaxLength: this.defaultMaxLength },
    );
    // Listeners attached right after construction still hear it.
    queueMicrotask(() => {
      if (!this.closed) this.emit('ready');
    });
  }

  override on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): this {
    return super.off(event, listener);
  }

  isReady(): boolean {
    return !this.closed;
  }

  isBlocked(): boolean {
    return false;
  }

  async declare(topology: Topology): Promise<void> {
    this.assertOpen();
    for (const exchange of topology.exchanges ?? []) this.declareExchange(exchange);
    for (const queue of topology.queues ?? []) this.declareQueue(queue);
    for (const binding of topology.bindings ?? []) this.bind(binding);
    await Promise.resolve();
  }

  private declareExchange(declaration: ExchangeDeclaration): void {
    const wanted = {
      name: declaration.name,
      type: declaration.type,
      durable: declaration.durable ?? true,
      autoDelete: declaration.autoDelete ?? false,
      arguments: { ...declaration.arguments },
    };
    if (!wanted.name) throw transportError('TOPOLOGY_MISMATCH', 'The default exchange cannot be declared');
    const existing = this.exchanges.get(wanted.name);
    if (!existing) {
      this.exchanges.set(wanted.name, { declaration: wanted, bindings: [] });
      return;
    }
    assertSameDeclaration('exchange', existing.declaration, wanted, ['type', 'durable', 'autoDelete']);
  }

  private declareQueue(declaration: QueueDeclaration): void {
    const wanted = resolveQueue(declaration, this.queueDefaults);
    const existing = this.queues.get(wanted.name);
    if (!existing) {
      this.queues.set(wanted.name, new MemoryQueue(wanted, this, this.defaultMaxLength));
      return;
    }
    assertSameDeclaration('queue', existing.declaration, wanted, ['durable', 'exclusive', 'autoDelete']);
  }

  private bind(binding: BindingDeclaration): void {
    if (!binding.exchange)
      throw transportError('NOT_FOUND', `Queue '${binding.queue}' cannot be bound to the default exchange`);
    const exchange = this.exchanges.get(binding.exchange);
    if (!exchange)
      throw transportError(
        'NOT_FOUND',
        `No exchange '${binding.exchange}' to bind queue '${binding.queue}' to`,
      );
    if (!this.queues.has(binding.queue))
      throw transportError(
        'NOT_FOUND',
        `No queue '${binding.queue}' to bind to exchange '${binding.exchange}'`,
      );
    const routingKey = binding.routingKey ?? '';
    const args = { ...binding.arguments };
    const duplicate = exchange.bindings.some(
      (existing) =>
        existing.queue === binding.queue &&
        existing.routingKey === routingKey &&
        !firstDifference(existing.arguments, args),
    );
    if (!duplicate) exchange.bindings.push({ queue: binding.queue, routingKey, arguments: args });
  }

  async publish(message: OutboundMessage): Promise<void> {
    this.assertOpen();
    const headers = { ...message.headers };
    const targets = this.route(message.exchange, message.routingKey, headers);
    if (targets.length === 0) {
      if (message.mandatory ?? true) {
        throw transportError(
          'UNROUTABLE',
          `No queue is bound to receive a message published to exchange '${message.exchange}' with routing key '${message.routingKey}'`,
          { details: { exchange: message.exchange, routingKey: message.routingKey } },
        );
      }
      return;
    }
    const stored = (): StoredMessage => ({
      body: Buffer.from(message.body),
      headers: { ...headers },
      properties: {
        contentType: message.contentType,
        contentEncoding: message.contentEncoding,
        messageId: message.messageId ?? randomUUID(),
        correlationId: message.correlationId,
        replyTo: message.replyTo,
        userId: message.userId,
        type: message.type,
        // AMQP carries whole seconds; keep the same precision so both transports deliver the same value.
        timestamp: Math.floor((message.timestamp ?? Date.now()) / 1000) * 1000,
        expirationMs: message.expirationMs,
      },
      exchange: message.exchange,
      routingKey: message.routingKey,
      redelivered: false,
      returns: 0,
      enqueuedAt: Date.now(),
    });
    const refused = targets.filter((queue) => !queue.enqueue(stored()));
    // A confirm is asynchronous on a broker too: never resolve in the caller's own tick.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (refused.length > 0) {
      const names = refused.map((queue) => queue.name);
      throw transportError(
        'QUEUE_FULL',
        `Queue '${names.join("', '")}' is full (x-max-length ${refused[0]?.maxLength}); the message was not accepted`,
        {
          details: { queues: names },
        },
      );
    }
  }

  /** The queues a message reaches, each once. */
  private route(exchangeName: string, routingKey: string, headers: Record<string, unknown>): MemoryQueue[] {
    if (exchangeName === '') {
      const queue = this.queues.get(routingKey);
      return queue ? [queue] : [];
    }
    const exchange = this.exchanges.get(exchangeName);
    if (!exchange)
      throw transportError('NOT_FOUND', `No exchange '${exchangeName}'`, {
        details: { exchange: exchangeName },
      });
    const names = new Set<string>();
    for (const binding of exchange.bindings) {
      if (bindingMatches(exchange.declaration.type, binding, routingKey, headers)) names.add(binding.queue);
    }
    return [...names]
      .map((name) => this.queues.get(name))
      .filter((queue): queue is MemoryQueue => queue !== undefined);
  }

  /**
   * RabbitMQ's dead-lettering: to the queue's dead-letter exchange, with an `x-death` history, the
   * per-message expiration removed, and cycles without a rejection dropped. Dead letters are not
   * confirmed: when the target refuses them they are gone, as on the broker.
   */
  deadLetter(queue: MemoryQueue, message: StoredMessage, reason: DeadLetterReason): void {
    const args = queue.declaration.arguments;
    const exchange = args['x-dead-letter-exchange'];
    if (typeof exchange !== 'string') {
      this.logger.debug('Message discarded: queue has no dead-letter exchange', {
        queue: queue.name,
        reason,
      });
      return;
    }
    const routingKey =
      typeof args['x-dead-letter-routing-key'] === 'string'
        ? args['x-dead-letter-routing-key']
        : message.routingKey;
    const headers = withDeath(message, queue.name, reason);
    const deaths = headers['x-death'] as DeathEntry[];
    let targets: MemoryQueue[];
    try {
      targets = this.route(exchange, routingKey, headers);
    } catch {
      this.logger.warn('Dead letter discarded: its dead-letter exchange does not exist', {
        queue: queue.name,
        exchange,
        reason,
      });
      return;
    }
    const properties = { ...message.properties, expirationMs: undefined };
    for (const target of targets) {
      const cycle =
        deaths.some((death) => death.queue === target.name) &&
        !deaths.some((death) => death.reason === 'rejected');
      if (cycle) {
        this.logger.warn('Dead letter discarded: it would cycle back without ever being rejected', {
          queue: target.name,
        });
        continue;
      }
      const accepted = target.enqueue({
        body: message.body,
        headers: { ...headers },
        properties,
        exchange,
        routingKey,
        redelivered: false,
        returns: 0,
        enqueuedAt: Date.now(),
      });
      if (!accepted)
        this.logger.warn('Dead letter discarded: target queue refused it', {
          queue: target.name,
          from: queue.name,
          reason,
        });
    }
  }

  onHandlerError(queue: string, error: unknown): void {
    this.logger.error('Consumer handler failed; message dead-lettered', {
      queue,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  async consume(
    options: ConsumeOptions,
    handler: (message: DeliveredMessage) => Promise<HandlerOutcome>,
  ): Promise<Subscription> {
    this.assertOpen();
    validateConsumeOptions(options);
    const queue = this.queues.get(options.queue);
    if (!queue)
      throw transportError('NOT_FOUND', `No queue '${options.queue}' to consume from`, {
        details: { queue: options.queue },
      });
    const subscription = new MemorySubscription(
      () => new MemoryConsumer(queue, options.concurrency, options.prefetch, handler),
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    await subscription.resume();
    return subscription;
  }

  async queueInfo(queue: string): Promise<QueueInfo> {
    await Promise.resolve();
    const found = this.queues.get(queue);
    if (!found) throw transportError('NOT_FOUND', `No queue '${queue}'`, { details: { queue } });
    return found.info();
  }

  async purgeQueue(queue: string): Promise<number> {
    await Promise.resolve();
    const found = this.queues.get(queue);
    if (!found) throw transportError('NOT_FOUND', `No queue '${queue}'`, { details: { queue } });
    return found.purge();
  }

  async deleteQueue(queue: string): Promise<void> {
    await Promise.resolve();
    const found = this.queues.get(queue);
    if (!found) return;
    this.queues.delete(queue);
    for (const consumer of found.destroy()) consumer.cancelled();
    for (const exchange of this.exchanges.values())
      exchange.bindings = exchange.bindings.filter((binding) => binding.queue !== queue);
  }

  async deleteExchange(exchange: string): Promise<void> {
    await Promise.resolve();
    if (!exchange || exchange.startsWith('amq.')) return;
    this.exchanges.delete(exchange);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    for (const queue of this.queues.values()) queue.stopTimers();
  }

  private assertOpen(): void {
    if (this.closed) throw transportError('CLOSED', 'The transport is closed');
  }
}

class MemorySubscription implements Subscription {
  private consumer: MemoryConsumer | undefined;
  private closed = false;
  paused = true;

  constructor(
    private readonly createConsumer: () => MemoryConsumer,
    private readonly onClose: () => void,
  ) {}

  async pause(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.detach();
  }

  async resume(): Promise<void> {
    if (this.closed || !this.paused) return;
    this.paused = false;
    this.consumer = this.createConsumer();
    this.consumer.attach();
    await Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pause();
    this.onClose();
  }
}

interface DeathEntry {
  count: number;
  reason: DeadLetterReason;
  queue: string;
  time: number;
  exchange: string;
  'routing-keys': string[];
  'original-expiration'?: string;
}

function withDeath(message: StoredMessage, queue: string, reason: DeadLetterReason): Record<string, unknown> {
  const headers = { ...message.headers };
  delete headers['x-delivery-count'];
  const previous = Array.isArray(headers['x-death']) ? (headers['x-death'] as DeathEntry[]) : [];
  const same = previous.find((death) => death.queue === queue && death.reason === reason);
  const entry: DeathEntry = same
    ? { ...same, count: same.count + 1, time: Math.floor(Date.now() / 1000) }
    : {
        count: 1,
        reason,
        queue,
        time: Math.floor(Date.now() / 1000),
        exchange: message.exchange,
        'routing-keys': [message.routingKey],
        ...(message.properties.expirationMs !== undefined
          ? { 'original-expiration': String(message.properties.expirationMs) }
          : {}),
      };
  headers['x-death'] = [entry, ...previous.filter((death) => death !== same)];
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-exchange'] = message.exchange;
    headers['x-first-death-queue'] = queue;
    headers['x-first-death-reason'] = reason;
  }
  return headers;
}

function firstDifference(
  current: Record<string, unknown>,
  wanted: Record<string, unknown>,
): string | undefined {
  const keys = new Set([...Object.keys(current), ...Object.keys(wanted)]);
  for (const key of keys) if (JSON.stringify(current[key]) !== JSON.stringify(wanted[key])) return key;
  return undefined;
}
