/**
 * Between a message exchange and an AMQP message, both ways: what is sent as the body, which headers
 * travel, and which Camel headers a consumed message carries into its route.
 */
import { randomUUID } from 'node:crypto';
import { Exchange } from '../../runtime/exchange.js';
import { UnreadJsonMessage, unreadJsonBytes } from '../../runtime/unread-json-body.js';
import { DeliveryProperties, InvalidPayloadError } from '../../errors/index.js';
import type { DeliveredMessage, OutboundMessage } from '../../transport/transport.js';
import { attemptsOf } from '../../reliability/broker-retry.js';
import { checkJsonDepth, utf8Text } from '../shared/json-body.js';
import { isJsonContentType, mediaType } from '../shared/media-type.js';
import { CORRELATION_HEADER, crossesToBroker, isUsableCorrelationId, sendableToBroker, takenFromBroker } from '../../security/header-boundaries.js';

/** Camel's header names of the spring-rabbitmq component (producer overrides and consumed-message facts). */
export const SpringRabbitHeaders = {
  exchangeOverrideName: 'CamelSpringRabbitmqExchangeOverrideName',
  routingOverrideKey: 'CamelSpringRabbitmqRoutingOverrideKey',
  messageId: 'CamelSpringRabbitmqMessageId',
  exchangeName: 'CamelSpringRabbitmqExchangeName',
  routingKey: 'CamelSpringRabbitmqRoutingKey',
  queue: 'CamelSpringRabbitmqQueue',
  redelivered: 'CamelSpringRabbitmqRedelivered',
  timestamp: 'CamelSpringRabbitmqTimestamp',
  contentType: 'CamelSpringRabbitmqContentType',
  replyTo: 'CamelSpringRabbitmqReplyTo',
  userId: 'CamelSpringRabbitmqUserId',
  type: 'CamelSpringRabbitmqType',
} as const;

export { IDEMPOTENCY_HEADER } from '../../security/header-boundaries.js';

/** Whether a header name may be published (the rules are in security/header-boundaries.ts). */
export const isSentHeader = sendableToBroker;

/** A header value AMQP can carry; others (functions, undefined, null) are left out. */
function amqpValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(amqpValue).filter((item) => item !== undefined);
  if (typeof value === 'object') {
    const table: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const mapped = amqpValue(item);
      if (mapped !== undefined) table[key] = mapped;
    }
    return table;
  }
  return undefined;
}

/** The AMQP headers of a message: what may cross to the broker (never an HTTP caller's own header). */
export function outboundHeaders(headers: Record<string, unknown>, exchange?: Exchange): Record<string, unknown> {
  const sent: Record<string, unknown> = {};
  // for-in, not Object.entries: no array of [name, value] pairs per published message.
  for (const name in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
    if (exchange ? !crossesToBroker(exchange, name) : !sendableToBroker(name)) continue;
    const mapped = amqpValue(headers[name]);
    if (mapped !== undefined) sent[name] = mapped;
  }
  return sent;
}

/** Body bytes and content type: objects as JSON, strings as text, bytes as they are. */
export function encodeBody(
  body: unknown,
  declaredType: string | undefined,
): { body: Buffer; contentType?: string } {
  if (body === null || body === undefined) return { body: Buffer.alloc(0), contentType: declaredType };
  if (Buffer.isBuffer(body)) return { body, contentType: declaredType ?? 'application/octet-stream' };
  if (body instanceof Uint8Array)
    return { body: Buffer.from(body), contentType: declaredType ?? 'application/octet-stream' };
  // A string may already be JSON text (jsonata outputType=JsonString): the route's Content-Type says so.
  // A string that is not JSON text under a JSON type (an HTTP entry's body `"abc"`, parsed) is sent as the
  // JSON string it came as: sent raw, its consumer would dead-letter it as malformed.
  if (typeof body === 'string') {
    const asJson = isJsonContentType(declaredType) && !isJsonText(body);
    return { body: Buffer.from(asJson ? JSON.stringify(body) : body, 'utf8'), contentType: declaredType ?? 'text/plain' };
  }
  return { body: Buffer.from(JSON.stringify(body), 'utf8'), contentType: 'application/json' };
}

/** A header value as text when it is a scalar (header values set by routes may be anything). */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return undefined;
}

function headerText(exchange: Exchange, name: string): string | undefined {
  const value = exchange.getHeader(name);
  const text = scalarText(Array.isArray(value) ? (value as unknown[])[0] : value);
  return text === '' ? undefined : text;
}

/** Properties of split parts and multicast branches: each is a message of its own. */
const PART_INDEX_PROPERTIES = ['CamelSplitIndex', 'CamelMulticastIndex'];

/**
 * The message-id: the message's identity (see {@link Exchange.messageId}: from the AMQP message-id it
 * came with, or from the HTTP caller's Idempotency-Key scoped to entry and principal), else the exchange
 * id. Never a header: a header is something a caller or publisher can choose. Parts of one split or
 * multicast share the identity, so each gets its index appended: consumers that deduplicate on message-ids
 * must see them as different messages, and the same part again (a retry) as the same one.
 */
export function outboundMessageId(exchange: Exchange): string {
  const key = exchange.messageId;
  if (key === undefined) return exchange.exchangeId;
  // Per published message: no arrays built when the exchange is no part (the common case).
  let parts = '';
  for (const name of PART_INDEX_PROPERTIES) {
    const index = exchange.properties[name];
    if (typeof index === 'number') parts = parts === '' ? String(index) : `${parts}.${index}`;
  }
  return parts ? `${key}#${parts}` : key;
}

/** The AMQP message a producer publishes for an exchange. */
export function toOutbound(
  exchange: Exchange,
  target: { exchange: string; routingKey: string; mandatory: boolean },
): OutboundMessage {
  // A consumed JSON body no step has read goes on as it came (runtime/unread-json-body.ts).
  const unread = unreadJsonBytes(exchange.message);
  const { body, contentType } = unread
    ? { body: unread, contentType: 'application/json' }
    : encodeBody(exchange.body, headerText(exchange, 'Content-Type'));
  return {
    exchange: target.exchange,
    routingKey: target.routingKey,
    mandatory: target.mandatory,
    body,
    contentType,
    headers: outboundHeaders(exchange.message.headers, exchange),
    messageId: outboundMessageId(exchange),
    correlationId: exchange.correlationId,
  };
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The body as a route sees it: JSON content types parsed, text as a string, anything else as bytes.
 * A JSON content type on a body that is not JSON is the sender's fault and no retry fixes it.
 */
export function decodeBody(message: Pick<DeliveredMessage, 'body' | 'contentType'>): unknown {
  if (message.body.length === 0) return null;
  if (isJsonContentType(message.contentType)) return parseJsonDelivery(message.body, message.contentType);
  if (mediaType(message.contentType)?.startsWith('text/')) return message.body.toString('utf8');
  return message.body;
}

/** A delivered JSON body as a value, or the InvalidPayloadError that dead-letters it. */
function parseJsonDelivery(bytes: Buffer, contentType: string | undefined): unknown {
  try {
    // Same checks as HTTP bodies: invalid UTF-8 or absurd nesting is refused, never half-read.
    const text = utf8Text(bytes);
    checkJsonDepth(text);
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidPayloadError(
      `The message body is not valid JSON although its content type is ${contentType}: ${(error as Error).message}`,
    );
  }
}

/**
 * Gives a consumed exchange its body. A JSON body is parsed when a step first reads it (and then checked
 * as {@link decodeBody} checks it), so a route that only forwards it sends the delivered bytes unchanged;
 * see runtime/unread-json-body.ts.
 */
export function setDeliveredBody(exchange: Exchange, message: Pick<DeliveredMessage, 'body' | 'contentType'>): void {
  if (message.body.length > 0 && isJsonContentType(message.contentType)) {
    exchange.message = new UnreadJsonMessage(exchange.message.headers, message.body, message.contentType, parseJsonDelivery);
  } else exchange.message.body = decodeBody(message);
}

/** An id short and plain enough to become an exchange id (and so the message-id of what the route publishes). */
const REUSABLE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The exchange for a consumed message. Its exchange id is the message-id, so what the route publishes
 * onward carries the same message-id on every redelivery and downstream consumers can deduplicate it.
 */
export function fromDelivered(
  message: DeliveredMessage,
  init: { routeId: string; fromEndpoint: string },
): Exchange {
  // Built once and handed to the exchange as its headers: this runs for every consumed message.
  const headers: Record<string, unknown> = {};
  const source = message.headers;
  let correlationHeader: unknown;
  for (const name of Object.keys(source)) {
    // Camel* headers would steer the producers (CamelHttpUri, the routing override, ...): a publisher
    // never sets them. Bookkeeping and CC/BCC are the broker's and the router's own.
    if (!takenFromBroker(name)) continue;
    headers[name] = source[name];
    if (name.length === CORRELATION_HEADER.length && name.toLowerCase() === 'x-correlation-id') correlationHeader = source[name];
  }
  const attempts = attemptsOf(source);
  const fact = (name: string, value: unknown): void => {
    if (value !== undefined) headers[name] = value;
  };
  const exchangeId =
    message.messageId && REUSABLE_ID.test(message.messageId) ? message.messageId : randomUUID();
  // The message's id as it travels on: a message that came without a usable message-id gets one here, at
  // its first hop, and every later hop and the partner see that one (never an empty key).
  fact(SpringRabbitHeaders.messageId, exchangeId);
  fact(SpringRabbitHeaders.exchangeName, message.exchange);
  fact(SpringRabbitHeaders.routingKey, message.routingKey);
  fact(SpringRabbitHeaders.queue, message.queue);
  fact(SpringRabbitHeaders.redelivered, message.redelivered);
  fact(SpringRabbitHeaders.timestamp, message.timestamp);
  fact(SpringRabbitHeaders.contentType, message.contentType);
  fact(SpringRabbitHeaders.replyTo, message.replyTo);
  fact(SpringRabbitHeaders.userId, message.userId);
  fact(SpringRabbitHeaders.type, message.type);
  headers[DeliveryProperties.redeliveryCounter] = attempts;
  headers[DeliveryProperties.redelivered] = attempts > 0 || message.redelivered;
  const exchange = new Exchange({
    exchangeId,
    correlationId: correlationOf(message.correlationId, correlationHeader) ?? exchangeId,
    pattern: 'InOnly',
    routeId: init.routeId,
    fromEndpoint: init.fromEndpoint,
    properties: { [DeliveryProperties.heldByBroker]: true },
  });
  exchange.message.headers = headers;
  exchange.messageId = exchangeId;
  return exchange;
}


/**
 * One correlation id per message: the AMQP correlation_id property, else an `X-Correlation-Id` header (what
 * HTTP-minded publishers set), else none (the message's own id then). The header is not sent on: the id
 * travels as the property of every onward publish, so the two can never disagree.
 */
function correlationOf(property: string | undefined, header: unknown): string | undefined {
  if (property && isUsableCorrelationId(property)) return property;
  const text = scalarText(Array.isArray(header) ? (header as unknown[])[0] : header);
  return text && isUsableCorrelationId(text) ? text : undefined;
}
