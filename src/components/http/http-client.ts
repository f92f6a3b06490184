import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ConnectError, ServicePipesError, TimeoutError } from '../../errors/index.js';
import type { RouterServices } from '../../runtime/services.js';
import { defineState } from '../../state/index.js';

/**
 * One keep-alive connection pool per router and protocol, shared by every http(s) endpoint: opening a
 * connection (and a TLS session) per message would cost more than the message. node:http rather than
 * the global fetch because Node 20's fetch has no per-request connect timeout (that needs the undici
 * package's Agent), and a separate connect timeout is what tells "the partner never got it" (ConnectError,
 * safe to retry) from "the partner is slow" (TimeoutError, the request may have been processed).
 */
interface Pools {
  http: http.Agent;
  https: https.Agent;
  users: number;
}

/** Per partner origin; requests beyond it wait for a free connection (inside the response timeout). */
const MAX_SOCKETS_PER_ORIGIN = 64;
/** A partner answer larger than this is refused rather than held in memory. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Connection pools are the router's: a reload keeps the partners' connections warm. */
const POOLS = defineState<Pools>('http-client.pools', { scope: 'router' }, () => ({
  http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN }),
  https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN }),
  users: 0,
}));

function pools(services: RouterServices): Pools {
  return POOLS.of(services);
}

export function acquirePools(services: RouterServices): void {
  pools(services).users++;
}

/** The last producer to stop closes the pooled connections, so a stopped router holds no sockets. */
export function releasePools(services: RouterServices): void {
  const current = POOLS.peek(services);
  if (!current) return;
  current.users = Math.max(0, current.users - 1);
  if (current.users > 0) return;
  current.http.destroy();
  current.https.destroy();
  POOLS.clear(services);
}

export interface HttpCall {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  /** Text is sent as UTF-8. */
  body?: Buffer | string;
  connectTimeoutMs: number;
  /** From the start of the call until the whole answer is read; 0 = none. */
  responseTimeoutMs: number;
  /** Cancels the call (the socket is closed, so the partner sees it). */
  signal?: AbortSignal;
  /** The URL as logs and errors may show it (no query, no credentials). */
  displayUrl: string;
  /**
   * Connect to this address (checked by the egress policy) instead of resolving the URL's host again; the
   * Host header and the TLS server name stay the URL's host, so DNS rebinding cannot move the call.
   */
  connectTo?: { address: string; family: 4 | 6 };
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Error codes meaning no connection was made: the partner did not receive the request. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * Sends one call. A kept-alive connection the partner closed while idle fails at once with ECONNRESET
 * before any answer; that call is sent once more on a fresh connection, as browsers do.
 */
export async function send(services: RouterServices, call: HttpCall): Promise<HttpAnswer> {
  const agent = call.url.protocol === 'https:' ? pools(services).https : pools(services).http;
  try {
    return await sendOnce(agent, call);
  } catch (error) {
    if (!(error instanceof StaleConnectionError) || call.signal?.aborted) throw error instanceof StaleConnectionError ? error.cause : error;
    return sendOnce(agent, call, { fresh: true });
  }
}

/** One call on a connection of its own (no pool): for rare calls such as async-run callbacks. */
export function sendUnpooled(call: HttpCall): Promise<HttpAnswer> {
  return sendOnce(false, call, { fresh: true });
}

class StaleConnectionError extends ServicePipesError {
  constructor(override readonly cause: Error) {
    super('STALE_CONNECTION', cause.message, { cause, retryable: true });
  }
}

interface UrlParts {
  href: string;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  /** Origin and path only: what logs, errors and dead letters may show (no query, no credentials). */
  display: string;
}

/**
 * node:http turns a URL argument into request options on every call, and URL getters are not free; an
 * endpoint sends every message to the same URL object, so its parts are worked out once (checked against
 * the URL's text, as URLs can change).
 */
const parts = new WeakMap<URL, UrlParts>();

export function urlParts(url: URL): UrlParts {
  const known = parts.get(url);
  if (known && known.href === url.href) return known;
  const found = {
    href: url.href,
    protocol: url.protocol,
    // An IPv6 literal is bracketed in a URL, not in a host name.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    display: `${url.origin}${url.pathname}`,
  };
  parts.set(url, found);
  return found;
}

function sendOnce(agent: http.Agent | false, call: HttpCall, retry: { fresh?: boolean } = {}): Promise<HttpAnswer> {
  const { protocol, hostname, port, path } = urlParts(call.url);
  const pinned = call.connectTo;
  // Connecting to the checked address: the pool's key is that address, so a pooled socket is one to it too.
  const headers = pinned && call.headers.host === undefined ? { ...call.headers, host: call.url.host } : call.headers;
  const transport = protocol === 'https:' ? https : http;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let responseTimer: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      call.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(answer!);
    };
    // Destroying the request closes the socket: a partner still working on it sees the connection go.
    const fail = (error: Error): void => {
      finish(error);
      request.destroy();
    };
    const onAbort = (): void => {
      const reason: unknown = call.signal?.reason;
      fail(reason instanceof Error ? reason : new TimeoutError(`Call to ${call.displayUrl} was cancelled`));
    };

    const request = transport.request({
      protocol,
      hostname: pinned ? pinned.address : hostname,
      ...(pinned ? { family: pinned.family } : {}),
      ...(pinned && protocol === 'https:' && isIP(hostname) === 0 ? { servername: hostname } : {}),
      port,
      path,
      method: call.method,
      headers:
        call.body === undefined
          ? headers
          : { ...headers, 'content-length': typeof call.body === 'string' ? Buffer.byteLength(call.body) : call.body.length },
      // The retry of a stale connection must not be handed another idle one from the pool.
      agent: retry.fresh ? false : agent,
    });
    let answered = false;
    // First, so that a request destroyed early (already cancelled) never emits an unhandled 'error'.
    request.on('error', (error: NodeJS.ErrnoException) => {
      const mapped = clientError(error, call);
      const stale = !retry.fresh && request.reusedSocket && error.code === 'ECONNRESET' && !answered;
      finish(stale ? new StaleConnectionError(mapped) : mapped);
    });
    if (call.signal?.aborted) {
      onAbort();
      return;
    }
    call.signal?.addEventListener('abort', onAbort, { once: true });
    if (call.responseTimeoutMs > 0) {
      responseTimer = setTimeout(
        () => fail(new TimeoutError(`No complete answer from ${call.displayUrl} within ${call.responseTimeoutMs} ms`)),
        call.responseTimeoutMs,
      );
    }
    request.on('socket', (socket) => {
      if (!socket.connecting || call.connectTimeoutMs <= 0) return;
      connectTimer = setTimeout(
        () => fail(new ConnectError(`Could not connect to ${call.url.host} within ${call.connectTimeoutMs} ms`, { details: { code: 'CONNECT_TIMEOUT' } })),
        call.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          fail(new ServicePipesError('RESPONSE_TOO_LARGE', `The answer of ${call.displayUrl} is larger than ${MAX_RESPONSE_BYTES} bytes`, { httpStatus: 502 }));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error: NodeJS.ErrnoException) => finish(clientError(error, call)));
      response.on('aborted', () => finish(new ConnectError(`The connection to ${call.url.host} closed before the answer was complete`)));
      response.on('end', () =>
        finish(undefined, {
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    request.end(call.body);
  });
}

function clientError(error: NodeJS.ErrnoException, call: HttpCall): Error {
  const code = error.code ?? 'UNKNOWN';
  if (NOT_CONNECTED.has(code)) {
    return new ConnectError(`Connection to ${call.url.host} failed: ${code}`, { cause: error, details: { code } });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') {
    // Connected, then cut: the partner may or may not have acted on the request.
    return new ConnectError(`Connection to ${call.url.host} was closed during the call: ${code}`, { cause: error, details: { code } });
  }
  return new ServicePipesError('HTTP_CLIENT_FAILED', `Call to ${call.displayUrl} failed: ${error.message}`, {
    cause: error,
    retryable: true,
    httpStatus: 502,
    details: { code },
  });
}
