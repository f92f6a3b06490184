/** Between the transport's types and rabbitmq-client's, in both directions. */
import {
  AMQPChannelError,
  AMQPConnectionError,
  AMQPError,
  type AsyncMessage,
  type Connection,
  type Envelope,
} from 'rabbitmq-client';
import type {
  BindingDeclaration,
  DeliveredMessage,
  ExchangeDeclaration,
  OutboundMessage,
} from '../transport.js';
import type { ResolvedQueue } from '../topology.js';
import { bodyBytes, originalContentEncoding } from './client-internals.js';

export type QueueParams = Parameters<Connection['queueDeclare']>[0] & object;
export type ExchangeParams = Parameters<Connection['exchangeDeclare']>[0];
export type BindingParams = Parameters<Connection['queueBind']>[0];

/**
 * `quorumGroupSize` becomes `x-quorum-initial-group-size` of a quorum queue whose declaration does not set
 * it: how many cluster nodes hold a replica (the broker confirms a publish once a majority of them has it).
 */
export function queueParams(queue: ResolvedQueue, quorumGroupSize?: number): Exclude<QueueParams, string> {
  const groupSize =
    queue.type === 'quorum' &&
    quorumGroupSize !== undefined &&
    !('x-quorum-initial-group-size' in queue.arguments)
      ? { 'x-quorum-initial-group-size': quorumGroupSize }
      : {};
  return {
    queue: queue.name,
    durable: queue.durable,
    exclusive: queue.exclusive,
    autoDelete: queue.autoDelete,
    arguments: { ...queue.arguments, ...groupSize },
  };
}

export function exchangeParams(exchange: ExchangeDeclaration): ExchangeParams {
  return {
    exchange: exchange.name,
    type: exchange.type,
    durable: exchange.durable ?? true,
    autoDelete: exchange.autoDelete ?? false,
    arguments: exchange.arguments ?? {},
  };
}

export function bindingParams(binding: BindingDeclaration): BindingParams {
  return {
    exchange: binding.exchange,
    queue: binding.queue,
    routingKey: binding.routingKey ?? '',
    arguments: binding.arguments ?? {},
  };
}

/**
 * Every message persistent; `mandatory` unless the caller opted out. `user` (the connection's user) is the
 * `user_id` of a message that names none: RabbitMQ accepts no other value, and a route behind
 * `amqp.requireUserId` refuses a message without one, which would include the router's own.
 */
export function envelope(message: OutboundMessage, messageId: string, user?: string): Envelope {
  return {
    exchange: message.exchange,
    routingKey: message.routingKey,
    mandatory: message.mandatory ?? true,
    durable: true,
    messageId,
    contentType: message.contentType,
    contentEncoding: message.contentEncoding,
    headers: message.headers,
    correlationId: message.correlationId,
    replyTo: message.replyTo,
    userId: message.userId ?? user,
    type: message.type,
    expiration: message.expirationMs === undefined ? undefined : String(message.expirationMs),
    timestamp: Math.floor((message.timestamp ?? Date.now()) / 1000),
  };
}

export function deliveredMessage(message: AsyncMessage, queue: string): DeliveredMessage {
  return {
    body: bodyBytes(message.body),
    contentType: message.contentType,
    contentEncoding: originalContentEncoding(message.contentEncoding),
    // A fresh object per delivery (decoded from the frame), so it is taken as it is.
    headers: message.headers ?? {},
    messageId: message.messageId,
    correlationId: message.correlationId,
    replyTo: message.replyTo,
    userId: message.userId,
    type: message.type,
    timestamp: message.timestamp === undefined ? undefined : message.timestamp * 1000,
    expirationMs: message.expiration === undefined ? undefined : Number(message.expiration),
    exchange: message.exchange,
    routingKey: message.routingKey,
    queue,
    redelivered: message.redelivered,
    durable: message.durable === true,
  };
}

/** The AMQP reply code of a rabbitmq-client error (`PRECONDITION_FAILED`, `NOT_FOUND`, `NACK`, ...). */
export function amqpCode(error: unknown): string | undefined {
  if (error instanceof AMQPError || error instanceof AMQPChannelError || error instanceof AMQPConnectionError)
    return error.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
