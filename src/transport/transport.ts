/**
 * One messaging interface, two implementations: `rabbitmq` (rabbitmq-client) and `memory` (embedded).
 * Both pass the same conformance suite (test/conformance/). A feature that works on one only is a bug.
 *
 * DRAFT contract written before the implementations; the transport work owns and may refine it.
 */

export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

export interface ExchangeDeclaration {
  name: string;
  type: ExchangeType;
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: Record<string, unknown>;
}

export interface QueueDeclaration {
  name: string;
  /** Router-owned queues default to quorum. */
  type?: 'quorum' | 'classic';
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  maxLength?: number;
  overflow?: 'reject-publish' | 'drop-head' | 'reject-publish-dlx';
  messageTtlMs?: number;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  /** Quorum `x-delivery-limit`: a poison message can never loop forever. */
  deliveryLimit?: number;
  /** Any other `x-` arguments, passed through. */
  arguments?: Record<string, unknown>;
}

export interface BindingDeclaration {
  exchange: string;
  queue: string;
  routingKey?: string;
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
  headers?: Record<string, unknown>;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  userId?: string;
  type?: string;
  expirationMs?: number;
  timestamp?: number;
}

export interface DeliveredMessage {
  body: Buffer;
  contentType?: string;
  headers: Record<string, unknown>;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  userId?: string;
  type?: string;
  timestamp?: number;
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
  concurrency: number;
  prefetch: number;
}

export interface Subscription {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops delivery and waits for running handlers. */
  close(): Promise<void>;
}

export interface Transport {
  readonly kind: 'rabbitmq' | 'memory';
  /** Declares (and remembers, to re-declare after reconnects) exchanges, queues and bindings. */
  declare(topology: Topology): Promise<void>;
  /** Resolves only when the broker confirmed; rejects (TransportError) on nack, return, timeout, blocked. */
  publish(message: OutboundMessage): Promise<void>;
  consume(options: ConsumeOptions, handler: (message: DeliveredMessage) => Promise<HandlerOutcome>): Promise<Subscription>;
  isReady(): boolean;
  close(): Promise<void>;
}
