import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { partnerHeaderName } from '../../security/header-boundaries.js';
import type { Exchange, Message } from '../../runtime/exchange.js';
import { unreadJsonBytes } from '../../runtime/unread-json-body.js';
import { isJsonContentType, mediaType } from '../shared/media-type.js';

/** Camel's HTTP header names read and written by the http producer. */
export const HTTP_HEADER = {
  method: 'CamelHttpMethod',
  uri: 'CamelHttpUri',
  path: 'CamelHttpPath',
  query: 'CamelHttpQuery',
  responseCode: 'CamelHttpResponseCode',
  responseText: 'CamelHttpResponseText',
} as const;

/**
 * Exchange property holding an Authorization value for this call only (e.g. a token fetched by an earlier
 * step). A property, not a header, because properties never arrive from outside the router: a value here
 * was put there by the route itself.
 */
export const HTTP_AUTHORIZATION_PROPERTY = 'httpAuthorization';

/** Response headers kept off the message: connection details, and cookies a partner would set on us. */
const NOT_RETURNED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'date',
  'expect',
  'set-cookie',
  'content-encoding',
]);

const SAFE_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The message headers a partner may see (rules in security/header-boundaries.ts: never credentials, the
 * router's own or an HTTP caller's header the route did not set), and the correlation id as
 * `X-Correlation-Id`: one id end to end, whatever headers the message came with.
 */
export function requestHeaders(exchange: Exchange): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const source = exchange.message.headers;
  // for-in and a memoised answer per name: this runs for every header of every call (a consumed message
  // brings a dozen Camel facts, none of which is sent).
  for (const name in source) {
    if (!Object.prototype.hasOwnProperty.call(source, name)) continue;
    const lower = partnerHeaderName(exchange, name);
    if (lower === undefined) continue;
    const text = headerText(source[name]);
    if (text !== undefined) headers[lower] = text;
  }
  if (SAFE_VALUE.test(exchange.correlationId)) headers['x-correlation-id'] = exchange.correlationId;
  return headers;
}

function headerText(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return SAFE_VALUE.test(value) ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && SAFE_VALUE.test(v))) return value as string[];
  return undefined;
}

/** The Content-Type the message declares, if any. */
export function messageContentType(exchange: Exchange): string | undefined {
  const value = exchange.getHeader('Content-Type');
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/**
 * The request body with its content type: objects as JSON, text as UTF-8, bytes as they are. Text is handed
 * to the socket as a string (node:http encodes it while writing), which spares a Buffer copy per call. A
 * consumed JSON body no step has read is sent as it was delivered (runtime/unread-json-body.ts), under the
 * content type an object body gets.
 */
export function encodeBody(message: Message, declared: string | undefined): { content: Buffer | string; contentType: string } | undefined {
  const unread = unreadJsonBytes(message);
  if (unread) return { content: unread, contentType: isJsonContentType(declared) ? declared! : 'application/json' };
  const body = message.body;
  if (body === null || body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return { content: body, contentType: declared ?? 'application/octet-stream' };
  if (typeof body === 'string') return { content: body, contentType: declared ?? 'text/plain; charset=utf-8' };
  return {
    content: JSON.stringify(body),
    contentType: isJsonContentType(declared) ? declared! : 'application/json',
  };
}

/** The answer's body as the route sees it: JSON parsed when the content type says so, text, or bytes. */
export function decodeBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return null;
  if (isJsonContentType(contentType)) {
    const text = bytes.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // a partner mislabelling its answer should not turn a delivered call into a failure
    }
  }
  const type = mediaType(contentType);
  if (!type || type.startsWith('text/') || type.endsWith('+xml') || type === 'application/xml' || type === 'application/x-www-form-urlencoded') {
    return bytes.toString('utf8');
  }
  return bytes;
}

/** Puts the answer on the message: body, Camel's response headers and the partner's headers. */
export function applyResponse(
  exchange: Exchange,
  response: { status: number; statusText: string; headers: IncomingHttpHeaders; body: unknown },
  options: { skipResponseHeaders: boolean },
): void {
  // The request's Content-Type described the request body, not this one.
  exchange.removeHeader('Content-Type');
  if (!options.skipResponseHeaders) {
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || NOT_RETURNED.has(name)) continue;
      exchange.setHeader(name, value);
    }
  }
  exchange.setHeader(HTTP_HEADER.responseCode, response.status);
  exchange.setHeader(HTTP_HEADER.responseText, response.statusText);
  exchange.message.body = response.body;
}
