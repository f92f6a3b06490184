/**
 * What crosses each boundary of the router as a header: the one list of the rules, so that an entry, the
 * broker producer and the partner producer cannot drift apart.
 *
 * | boundary              | what crosses                                                                  |
 * |-----------------------|-------------------------------------------------------------------------------|
 * | HTTP caller → exchange | request headers (not hop-by-hop, not `Camel*`); query parameters only for names |
 * |                       | no request header has and that are not reserved (identity, credentials,       |
 * |                       | routing directives); path parameters. All of them are marked as the caller's.  |
 * | AMQP message → exchange | headers except `Camel*`, the broker's and the router's bookkeeping and        |
 * |                       | RabbitMQ's routing directives (CC, BCC): a publisher cannot steer producers    |
 * |                       | (`CamelHttpUri`, `CamelSpringRabbitmqRoutingOverrideKey`, ...) through them.   |
 * | exchange → broker     | headers the route or an AMQP publisher gave the message, except the router's  |
 * |                       | own, credentials, connection headers, routing directives and the correlation  |
 * |                       | header (the id travels as the AMQP property); never an HTTP caller's header   |
 * |                       | the route did not set itself.                                                  |
 * | exchange → partner    | the same rule for the caller's headers; credentials, connection and body-     |
 * |                       | negotiation headers never; the correlation id is sent as `X-Correlation-Id`.   |
 *
 * Why HTTP callers' headers stop at the exchange: they describe one request to the router (an `X-*` of the
 * caller's client, a `CC` meant for nobody), and a caller must not be able to re-route a message
 * (`?CC=other-queue`) or hand headers to a partner. A route that wants one to travel sets it:
 * `- setHeader: {name: X-Tenant, simple: "${header.X-Tenant}"}`.
 */
import type { Exchange } from '../runtime/exchange.js';

/** Camel's name prefix for the router's internal headers: never accepted from outside, never sent. */
const CAMEL = /^camel/i;

/** Headers that carry the message's identity; the router sets them from the ids it keeps itself. */
export const CORRELATION_HEADER = 'X-Correlation-Id';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * The one rule for a correlation id a caller or publisher chose, on every entry (HTTP header, AMQP property
 * or header): short, and only characters that are safe in logs, headers, URLs and queries (letters, digits, `.` `_` `:` `-`). Anything else is
 * replaced by the router's own id rather than carried on.
 */
const USABLE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isUsableCorrelationId(text: string | undefined): text is string {
  return text !== undefined && USABLE_CORRELATION_ID.test(text);
}

/** RabbitMQ's sender-selected distribution: a message carrying them is also routed to these keys. */
const ROUTING_DIRECTIVES = ['cc', 'bcc'];

/** Credentials belong to whoever sent the message in; partner credentials come from the endpoint. */
const CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

/** Headers that describe one HTTP connection or request, not the message. */
const CONNECTION = [
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'date',
];

/** The broker's and the router's delivery bookkeeping. */
const BOOKKEEPING = ['x-death', 'x-delivery-count'];
const BOOKKEEPING_PREFIX = /^(x-first-death-|x-last-death-|x-pipes-)/i;

/** Query parameters never become headers under these names (they would pose as the caller's headers). */
const RESERVED_FROM_QUERY = new Set([
  ...CREDENTIALS,
  ...CONNECTION,
  ...ROUTING_DIRECTIVES,
  CORRELATION_HEADER.toLowerCase(),
  IDEMPOTENCY_HEADER.toLowerCase(),
  'content-type',
  'content-encoding',
]);

/**
 * Whether a query parameter becomes a header of the exchange. It never shadows a request header of the same
 * name (`?Idempotency-Key=` next to the header once made the caller's key something else).
 */
export function takenFromQuery(name: string, requestHeaders: Readonly<Record<string, unknown>>): boolean {
  const lower = name.toLowerCase();
  return !CAMEL.test(name) && !RESERVED_FROM_QUERY.has(lower) && requestHeaders[lower] === undefined;
}

/** Whether a request header becomes a header of the exchange (Node gives request header names in lower case). */
export function takenFromRequest(lowerName: string): boolean {
  return !CAMEL.test(lowerName) && !CONNECTION.includes(lowerName);
}

/** Whether a header of a consumed AMQP message becomes a header of the exchange. */
export function takenFromBroker(name: string): boolean {
  if (CAMEL.test(name)) return false;
  const first = name.charCodeAt(0);
  // Most names are business headers: only x-/X- names and c/C names need a closer look.
  if (first === 0x78 || first === 0x58) {
    const lower = name.toLowerCase();
    return !BOOKKEEPING.includes(lower) && !BOOKKEEPING_PREFIX.test(lower);
  }
  if (first === 0x63 || first === 0x43 || first === 0x62 || first === 0x42) return !ROUTING_DIRECTIVES.includes(name.toLowerCase());
  return true;
}

const NOT_TO_BROKER = new Set([
  ...BOOKKEEPING,
  ...CREDENTIALS,
  ...CONNECTION,
  ...ROUTING_DIRECTIVES,
  CORRELATION_HEADER.toLowerCase(),
  'origin',
  'referer',
  'user-agent',
  'via',
  'forwarded',
  'x-real-ip',
  'cache-control',
  'pragma',
  'range',
  'priority',
  'dnt',
]);
/** `content-*` travels as the AMQP content type; `accept*`, `sec-*`, `if-*` negotiate one HTTP request. */
const NOT_TO_BROKER_PREFIX = /^(camel|x-first-death-|x-last-death-|x-pipes-|content-|accept|x-forwarded-|sec-|if-)/i;

/**
 * Answers of {@link sendableToBroker} by name. A route publishes the same dozen names on every message (the
 * consumed message's Camel facts, the business headers): one map lookup instead of lower-casing each name
 * and testing it against the prefix pattern per message. Bounded: names taken from messages are the
 * publishers' to choose, so the memo starts over when it is full.
 */
const SENDABLE_MEMO = new Map<string, boolean>();
const SENDABLE_MEMO_LIMIT = 1024;

/** Whether a header name may ever be published to the broker (whoever set it). */
export function sendableToBroker(name: string): boolean {
  let sendable = SENDABLE_MEMO.get(name);
  if (sendable === undefined) {
    sendable = !NOT_TO_BROKER.has(name.toLowerCase()) && !NOT_TO_BROKER_PREFIX.test(name);
    if (SENDABLE_MEMO.size >= SENDABLE_MEMO_LIMIT) SENDABLE_MEMO.clear();
    SENDABLE_MEMO.set(name, sendable);
  }
  return sendable;
}

/** Whether the exchange's header `name` is published to the broker. */
export function crossesToBroker(exchange: Exchange, name: string): boolean {
  return sendableToBroker(name) && !exchange.isCallerHeader(name);
}

/**
 * Not sent to partners: connection and credential headers; `accept-encoding`, `content-encoding` and
 * `content-type` (the body is sent uncompressed, its type decided from the body); the correlation header
 * (set from the exchange's correlation id); routing directives.
 */
const NOT_TO_PARTNER = new Set([
  ...CONNECTION,
  ...CREDENTIALS,
  ...ROUTING_DIRECTIVES,
  ...BOOKKEEPING,
  CORRELATION_HEADER.toLowerCase(),
  'accept-encoding',
  'content-encoding',
  'content-type',
]);

/** Whether the exchange's header `name` (lower case) is sent to a partner. */
export function crossesToPartner(exchange: Exchange, lowerName: string): boolean {
  return sendableToPartner(lowerName) && !exchange.isCallerHeader(lowerName);
}

function sendableToPartner(lowerName: string): boolean {
  return !CAMEL.test(lowerName) && !NOT_TO_PARTNER.has(lowerName) && !BOOKKEEPING_PREFIX.test(lowerName);
}

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Per header name as written: its lower-case form when a partner may be sent it, else null. */
const PARTNER_NAME_MEMO = new Map<string, string | null>();

/**
 * The lower-case name under which the exchange's header `name` is sent to a partner, or undefined when it
 * is not (the rules of {@link crossesToPartner}, and a name HTTP can carry). The answer for the name is
 * memoised like {@link sendableToBroker}'s; whether it is still an HTTP caller's header is asked each time.
 */
export function partnerHeaderName(exchange: Exchange, name: string): string | undefined {
  let lower = PARTNER_NAME_MEMO.get(name);
  if (lower === undefined) {
    const candidate = name.toLowerCase();
    lower = sendableToPartner(candidate) && HTTP_TOKEN.test(name) ? candidate : null;
    if (PARTNER_NAME_MEMO.size >= SENDABLE_MEMO_LIMIT) PARTNER_NAME_MEMO.clear();
    PARTNER_NAME_MEMO.set(name, lower);
  }
  return lower === null || exchange.isCallerHeader(lower) ? undefined : lower;
}
