import type { IncomingMessage, ServerResponse } from 'node:http';
import { Exchange } from '../runtime/exchange.js';
import { parseJsonBody } from '../components/shared/json-body.js';
import { JSON_MEDIA_TYPE, mediaType } from '../components/shared/media-type.js';
import type { HttpEntry } from '../components/platform-http/http-entries.js';
import { requestMessageId } from './idempotency.js';
import { isPlainPath } from './request-path.js';
import {
  CORRELATION_HEADER,
  isUsableCorrelationId,
  takenFromQuery,
  takenFromRequest,
} from '../security/header-boundaries.js';

/** Camel's HTTP header names. */
export const HTTP_HEADERS = {
  method: 'CamelHttpMethod',
  uri: 'CamelHttpUri',
  path: 'CamelHttpPath',
  query: 'CamelHttpQuery',
  responseCode: 'CamelHttpResponseCode',
} as const;

/** Never copied between HTTP and messages: they describe one connection, not the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'host',
  'date',
]);

/** An HTTP header name (RFC 9110 token): anything else a route sets is not sent. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export { CORRELATION_HEADER };
/** The header's name as node:http keys it. */
const CORRELATION_KEY = CORRELATION_HEADER.toLowerCase();

/** The parts of a request the route sees, kept to answer with only what the route added. */
export interface IncomingHttp {
  exchange: Exchange;
  /** Header names (lower case) and values as they came in, so they are not echoed back. */
  incoming: Map<string, unknown>;
}

/**
 * The request URL (one object per request, shared: read it, do not change it). A path such as `//payments` stays a path (resolving it against a base would read
 * `payments` as a host); an absolute-form target (`GET http://host/x`) is taken as it is.
 */
export function requestUrl(request: IncomingMessage): URL {
  // Parsed once per request: the access guard, the entry dispatch and the exchange all read it.
  const known = parsedUrls.get(request);
  if (known) return known;
  // Express rewrites `url` under a mount path; `originalUrl` keeps what the caller sent.
  const target = (request as { originalUrl?: string }).originalUrl ?? request.url ?? '/';
  const url = target.startsWith('/')
    ? new URL(`http://router.invalid${target}`)
    : new URL(target, 'http://router.invalid');
  parsedUrls.set(request, url);
  return url;
}

/** Shared by every reader of one request: read it, never change it. */
const parsedUrls = new WeakMap<IncomingMessage, URL>();

/** Whether a request media type is accepted by a `consumes` list (`application/json`, `application/*`, `*\/*`). */
export function accepts(consumes: readonly string[], type: string): boolean {
  return consumes.some((range) => {
    const wanted = range.trim().toLowerCase();
    if (wanted === '*/*' || wanted === type) return true;
    if (wanted.endsWith('/*')) return type.startsWith(wanted.slice(0, -1));
    return false;
  });
}

/**
 * The body as the route sees it: JSON media types parsed and checked (UTF-8, nesting depth, no
 * `__proto__` or `constructor.prototype` keys, which are the start of prototype pollution: see
 * json-body.ts), text as a string, anything else as bytes; no body is null.
 */
export function parseBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  if (!raw || raw.length === 0) return null;
  const type = mediaType(contentType);
  if (type && JSON_MEDIA_TYPE.test(type)) return parseJsonBody(raw);
  if (
    type &&
    (type.startsWith('text/') || type === 'application/x-www-form-urlencoded' || type === 'application/xml')
  ) {
    return raw.toString('utf8');
  }
  return raw;
}

/**
 * Builds the InOut exchange for a request: request headers, then query parameters (never under the name of
 * a request header or a reserved one), then path parameters as message headers, then Camel's HTTP headers.
 * Headers or parameters a caller names `Camel...` are dropped, so no caller can steer the router through
 * its internal headers. Everything taken from the request is marked as the caller's: routes read it, but
 * producers do not send it on unless the route sets it (security/header-boundaries.ts).
 * The message's identity comes from the caller's Idempotency-Key scoped to this entry and the caller.
 */
export function requestToExchange(
  request: IncomingMessage,
  entry: HttpEntry,
  params: Record<string, string>,
  body: unknown,
  properties: Record<string, unknown>,
): IncomingHttp {
  // A plain path, once admitted (no dot or empty segments), is what a URL would read: no URL to parse.
  const target = request.url ?? '/';
  const url =
    isPlainPath(target) && (request as { originalUrl?: string }).originalUrl === undefined
      ? undefined
      : requestUrl(request);
  const pathname = url ? url.pathname : target;
  const search = url ? url.search : '';
  const headers: Record<string, unknown> = {};
  const incoming = new Map<string, unknown>();
  const put = (name: string, value: unknown): void => {
    headers[name] = value;
    incoming.set(name.toLowerCase(), value);
  };
  const requestHeaders = request.headers;
  for (const name of Object.keys(requestHeaders)) {
    const value = requestHeaders[name];
    if (value !== undefined && takenFromRequest(name)) put(name, value);
  }
  if (url && search.length > 1) {
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      if (!takenFromQuery(name, requestHeaders)) continue;
      const previous = query[name];
      query[name] =
        previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
    for (const name of Object.keys(query)) put(name, query[name]);
  }
  for (const name of Object.keys(params)) if (!/^camel/i.test(name)) put(name, params[name]);

  headers[HTTP_HEADERS.method] = request.method;
  headers[HTTP_HEADERS.uri] = pathname;
  headers[HTTP_HEADERS.path] = pathname;
  headers[HTTP_HEADERS.query] = search.slice(1);

  const callerCorrelation = headerValue(requestHeaders[CORRELATION_KEY]);
  const messageId = requestMessageId(request, entry);
  const exchange = new Exchange({
    body,
    pattern: 'InOut',
    routeId: entry.routeId,
    fromEndpoint: entry.endpointUri,
    exchangeId: messageId,
    correlationId:
      callerCorrelation && isUsableCorrelationId(callerCorrelation) ? callerCorrelation : undefined,
  });
  // Built for this exchange alone: assigned rather than passed in, which would copy each of them once more.
  exchange.message.headers = headers;
  exchange.properties = properties;
  exchange.messageId = messageId;
  exchange.callerHeaders = new Set(incoming.keys());
  return { exchange, incoming };
}

/**
 * Answers with the exchange's final message. Status: `CamelHttpResponseCode`, else 200, or 204 when the body
 * is empty. Body: objects as JSON, strings as text, Buffers as bytes. Headers: only those the route set
 * (never `Camel*`, never hop-by-hop), so request headers such as Authorization are not echoed.
 */
export function writeExchangeResponse(
  response: ServerResponse,
  entry: HttpEntry,
  { exchange, incoming }: IncomingHttp,
): void {
  const headers = exchange.message.headers;
  const body = exchange.message.body;
  const code = Number(exchange.getHeader(HTTP_HEADERS.responseCode));
  const hasCode = Number.isInteger(code) && code >= 100 && code <= 599;
  let contentType: string | undefined;

  // for-in, not Object.entries: no array of pairs per answer.
  for (const name in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
    const value = headers[name];
    const lower = name.toLowerCase();
    if (lower.startsWith('camel') || HOP_BY_HOP.has(lower) || lower === CORRELATION_KEY) continue;
    // A request header the route never set stays the caller's and is not echoed. One the route set is the
    // route's, even with the request's value (a JSON answer to a JSON request keeps its Content-Type).
    if (exchange.isCallerHeader(lower) && incoming.has(lower) && sameValue(incoming.get(lower), value))
      continue;
    if (lower === 'content-type') {
      contentType = typeof value === 'string' ? value : undefined;
      continue;
    }
    const headerValue = headerText(value);
    if (headerValue === undefined || !HEADER_NAME.test(name)) continue;
    try {
      response.setHeader(name, headerValue);
    } catch {
      // Values with control characters are dropped rather than allowed to split the response.
    }
  }
  response.setHeader(CORRELATION_HEADER, exchange.correlationId);

  if (body === null || body === undefined) {
    response.statusCode = hasCode ? code : 204;
    response.end();
    return;
  }
  response.statusCode = hasCode ? code : 200;
  const type = contentType ?? entry.produces;
  if (Buffer.isBuffer(body)) {
    writeBody(response, type ?? 'application/octet-stream', body, body.length);
  } else {
    // Text goes out as UTF-8, so that is the charset it says, whatever the route wrote (as express does).
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const fallback = typeof body === 'string' ? 'text/plain' : 'application/json';
    // Handed to node:http as a string: it sends the header block and the text in one write, where a Buffer
    // would cost a copy here and a gathered write of two parts.
    writeBody(response, withUtf8Charset(type ?? fallback), text, Buffer.byteLength(text, 'utf8'));
  }
}

function writeBody(
  response: ServerResponse,
  contentType: string,
  body: Buffer | string,
  length: number,
): void {
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', length);
  response.end(body);
}

/** Content types seen in answers (a route has one or two), with their charset already settled. */
const utf8Types = new Map<string, string>();
const UTF8_TYPES_KEPT = 256;

/** `application/json` → `application/json; charset=utf-8`; another charset parameter is replaced. */
export function withUtf8Charset(contentType: string): string {
  const known = utf8Types.get(contentType);
  if (known !== undefined) return known;
  const parts = contentType.split(';');
  const kept = parts.slice(1).filter((part) => !/^\s*charset\s*=/i.test(part));
  const settled = [
    parts[0]!.trim(),
    ...kept.map((part) => part.trim()).filter(Boolean),
    'charset=utf-8',
  ].join('; ');
  // Bounded: a route that echoes callers' content types must not grow it without end.
  if (utf8Types.size < UTF8_TYPES_KEPT) utf8Types.set(contentType, settled);
  return settled;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerText(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
