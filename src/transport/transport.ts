/**
 * One messaging interface, two implementations: `rabbitmq` (rabbitmq-client) and `memory` (embedded).
 * Both pass the same conformance suite (test/conformance/). A feature that works on one only is a bug.
 *
 * Failures surface as `TransportError` (src/runtime/errors.ts) with one of the codes in
 * {@link TransportErrorCode}; each carries `retryAfterSeconds` for a 503 at the HTTP door.
 */

export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

export interface ExchangeDeclaration {
  name: string;
  type: ExchangeType;
  /** Default true. */
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: Record<string, unknown>;
}

export interface QueueDeclaration {
  name: string;
  /**
   * Default `quorum` (durable, with a delivery limit), or `classic` when `exclusive`/`autoDelete` is set,
   * since quorum queues can be neither.
   */
  type?: 'quorum' | 'classic';
  /** Default true. Quorum queues are always durable. */
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  /** `x-max-length`, in messages. */
  maxLength?: number;
  /** `x-overflow`; default `reject-publish` when `maxLength` is set (a full queue refuses, it never drops). */
  overflow?: 'reject-publish' | 'drop-head' | 'reject-publish-dlx';
  /** `x-message-ttl`: how long a message may wait in the queue. */
  messageTtlMs?: number;
  /** `x-dead-letter-exchange`; '' is the default exchange (route by queue name). */
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  /**
   * Quorum `x-delivery-limit`: a message is delivered at most `deliveryLimit + 1` times, then dead-lettered
   * (reason `delivery_limit`), so a poison message can never loop forever. Unset on a quorum queue → the
   * transport's default; 0 turns the limit off.
   */
  deliveryLimit?: number;
  /** Any other `x-` arguments, passed through. */
  arguments?: Record<string, unknown>;
}

export interface BindingDeclaration {
  exchange: string;
  queue: string;
  routingKey?: string;
  /** For headers exchanges: `x-match` (`all` | `any`) and the header values to match. */
  arguments?: Record<string, unknown>;
}

export interface Topology {
  exchanges?: ExchangeDeclaration[];
  queues?: QueueDeclaration[];
  bindings?: BindingDeclaration[];
}

export interface OutboundMessage {
  /** '' = the default exchange. */
  exchange: string;
  routingKey: string;
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  /** A fresh UUID when unset: every message carries an id consumers can deduplicate on. */
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  userId?: string;
  type?: string;
  expirationMs?: number;
  /** Unix time in milliseconds; AMQP keeps whole seconds. Default: now. */
  timestamp?: number;
  /**
   * Default true: a message no queue receives rejects the publish with `UNROUTABLE` instead of
   * vanishing. Set false only for fire-and-forget broadcasts where "nobody listening" is fine.
   */
  mandatory?: boolean;
}

export interface DeliveredMessage {
  /** The bytes as published, whatever the content type. */
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  headers: Record<string, unknown>;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  userId?: string;
  type?: string;
  /** Unix time in milliseconds (AMQP precision: seconds). */
  timestamp?: number;
  /** Remaining per-message expiration, as published (dead-lettering removes it). */
  expirationMs?: number;
  exchange: string;
  routingKey: string;
  queue: string;
  redelivered: boolean;
  /** Persistent (delivery mode 2). */
  durable: boolean;
}

/** What a consumer handler decides: ack, put back for a later try, or dead-letter (nack without requeue). */
export type HandlerOutcome = 'ack' | 'requeue' | 'dead-letter';

export interface ConsumeOptions {
  queue: string;
  /** Handlers running at once (≥ 1). */
  concurrency: number;
  /** Unacknowledged messages held by this consumer (≥ concurrency; 2 × concurrency is a good start). */
  prefetch: number;
}

export interface Subscription {
  /** Stops taking messages (they wait in the queue) and waits for running handlers. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  readonly paused: boolean;
  /** Messages delivered to this process that wait for a free handler (when the transport knows). */
  readonly buffered?: number;
  /** Stops delivery and waits for running handlers. */
  close(): Promise<void>;
}

export interface QueueInfo {
  /** Messages ready for delivery (not counting those delivered and not yet acknowledged). */
  messageCount: number;
  consumerCount: number;
}

/** The codes a `TransportError` from a transport carries. */
export type TransportErrorCode =
  /** A queue with `reject-publish` overflow is full; the message was not accepted. */
  | 'QUEUE_FULL'
  /** The broker raised a resource alarm (memory/disk); publishing is refused until it clears. */
  | 'BROKER_BLOCKED'
  /** No confirm within the publish timeout: the message may or may not have been taken. */
  | 'PUBLISH_TIMEOUT'
  /** A mandatory message reached no queue. */
  | 'UNROUTABLE'
  /** No connection to the broker within the acquire timeout. */
  | 'NOT_CONNECTED'
  /** The exchange, queue or binding target does not exist. */
  | 'NOT_FOUND'
  /** A queue or exchange exists with other arguments than declared (RabbitMQ's PRECONDITION_FAILED). */
  | 'TOPOLOGY_MISMATCH'
  /** The broker refused the message for another reason (e.g. a nack). */
  | 'PUBLISH_REJECTED'
  /** The transport is closed. */
  | 'CLOSED';

export interface TransportEvents {
  /** Connected and the remembered topology is declared. */
  ready: () => void;
  /** The connection was lost; the transport reconnects by itself. */
  down: (reason: Error) => void;
  /** The broker blocked publishing (resource alarm); publishes fail fast with BROKER_BLOCKED. */
  blocked: (reason: string) => void;
  unblocked: () => void;
  /** A remembered queue/exchange could not be re-declared as before (TOPOLOGY_MISMATCH); not ready until fixed. */
  'topology-error': (error: Error) => void;
}

export interface Transport {
  readonly kind: 'rabbitmq' | 'memory';
  /**
   * The broker user this transport logs in as, when it has one. Every message it publishes without a
   * `user_id` of its own carries this one, so routes that require `user_id` (`amqp.requireUserId`) can
   * tell the router's own messages (onward publishes, retries, hand-backs) from anonymous ones.
   */
  readonly user?: string;
  /**
   * Declares (and remembers, to re-declare after reconnects) exchanges, queues and bindings. Waits for the
   * connection when the broker is down. Rejects with TOPOLOGY_MISMATCH when one already exists with
   * other arguments, NOT_FOUND when a binding names something missing.
   */
  declare(topology: Topology): Promise<void>;
  /** Resolves only when the broker confirmed; rejects (TransportError) on nack, return, timeout, blocked. */
  publish(message: OutboundMessage): Promise<void>;
  /**
   * Delivers messages of a queue to `handler`. A handler that throws dead-letters the message (never an
   * endless requeue loop). The subscription lives across reconnects.
   */
  consume(
    options: ConsumeOptions,
    handler: (message: DeliveredMessage) => Promise<HandlerOutcome>,
  ): Promise<Subscription>;
  /** Ready messages and consumers of a queue; rejects NOT_FOUND when it does not exist. */
  queueInfo(queue: string): Promise<QueueInfo>;
  /** Removes every ready message; resolves with how many. */
  purgeQueue(queue: string): Promise<number>;
  /** Deletes a queue (and forgets its declaration); a missing queue is not an error. */
  deleteQueue(queue: string): Promise<void>;
  /** Deletes an exchange (and forgets its declaration and bindings); a missing one is not an error. */
  deleteExchange(exchange: string): Promise<void>;
  /** Connected and topology declared. */
  isReady(): boolean;
  /** The broker currently refuses publishes (resource alarm). */
  isBlocked(): boolean;
  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): this;
  off<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): this;
  /** Stops consumers (waiting for running handlers), waits for pending confirms, disconnects. */
  close(): Promise<void>;
}
