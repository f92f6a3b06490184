import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { HttpRequestError, toError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { RouterServices } from '../runtime/services.js';
import { httpEntries, type HttpEntry, type HttpMatch } from '../components/platform-http/http-entries.js';
import { sendError } from './error-response.js';
import type { HttpAccessGuard, RequestTarget } from './http-access.js';
import { mediaType } from '../components/shared/media-type.js';
import {
  accepts,
  parseBody,
  requestToExchange,
  requestUrl,
  writeExchangeResponse,
} from './http-exchange.js';
import type { HttpIdempotency, IdempotentRequest } from './idempotency.js';
import { isPlainPath, requestPath } from './request-path.js';

/** What a guard sees before a route runs; `properties` become the exchange's properties (e.g. the caller). */
export interface HttpGuardContext {
  request: IncomingMessage;
  entry: HttpEntry;
  properties: Record<string, unknown>;
}

/**
 * Runs for every request that matched an entry, before the body is read (authentication, RBAC). Throwing a
 * ServicePipesError answers with its status (401, 403, ...).
 */
export type HttpGuard = (context: HttpGuardContext) => void | Promise<void>;

export interface EntryDispatchOptions {
  services: RouterServices;
  logger: Logger;
  /** Whether the server runs under access control: then only what the guard admitted as an entry call is served. */
  guarded: boolean;
  /** The access guard a request was admitted by. */
  guardOf: (request: IncomingMessage) => HttpAccessGuard | undefined;
  /** Guards other parts added (addHttpGuard), read per request. */
  entryGuards: () => readonly HttpGuard[];
  idempotency: HttpIdempotency;
}

/**
 * Serves one request for a route entry, in stages: match the entry (404, 405 with Allow) → admit the
 * caller (access guard, entry guards) → check the content type (415) → read the body (413) → replay a
 * repeated Idempotency-Key → build the exchange → run the route → write its answer.
 */
export type EntryDispatch = (
  request: IncomingMessage,
  response: ServerResponse,
  /** Told the route of the matched entry, before it runs (the server's metrics label the answer with it). */
  matched: (routeId: string) => void,
) => Promise<void>;

export function createEntryDispatch(options: EntryDispatchOptions): EntryDispatch {
  const { services, logger, guarded, guardOf, idempotency } = options;
  const limit = services.config.bodyLimitBytes;
  // body-parser only for compressed bodies (it inflates gzip, deflate and br); plain bodies are read here.
  const readEncoded = express.raw({ type: () => true, limit });

  async function dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    matched: (routeId: string) => void,
  ): Promise<void> {
    const method = request.method ?? 'GET';
    // The path as the access guard and express read it (request-path.ts), never a third reading.
    const rawPath = requestPath(request);
    try {
      if (!isPlainPath(request.url ?? '')) requestUrl(request);
    } catch {
      sendError(
        response,
        new HttpRequestError(400, 'BAD_REQUEST', 'The request target is not a valid URL'),
        logger,
      );
      return;
    }
    const guard = guardOf(request);
    const match = guarded
      ? guardedMatch(guard?.target(request))
      : httpEntries(services).match(rawPath, method);
    if (match.kind === 'not-found') {
      sendError(
        response,
        new HttpRequestError(404, 'NOT_FOUND', `No entry point for ${method} ${rawPath}`),
        logger,
      );
      return;
    }
    if (match.kind === 'method-not-allowed') {
      response.setHeader('Allow', match.allow.join(', '));
      if (method === 'OPTIONS') {
        response.statusCode = 204;
        response.end();
        return;
      }
      sendError(
        response,
        new HttpRequestError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${rawPath}`),
        logger,
      );
      return;
    }
    const { entry } = match;
    matched(entry.routeId);
    let exchangeId: string | undefined;
    let idempotent: 'replayed' | IdempotentRequest | undefined;
    try {
      const params = decodeParams(match.params);
      const properties: Record<string, unknown> = {};
      if (guard) guard.admitted(request, properties);
      for (const entryGuard of options.entryGuards()) await entryGuard({ request, entry, properties });
      const contentType = request.headers['content-type'];
      const type = mediaType(contentType);
      if (entry.consumes && hasBody(request) && !(type && accepts(entry.consumes, type))) {
        throw new HttpRequestError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type ${type ?? '(none)'} is not accepted; send ${entry.consumes.join(' or ')}`,
        );
      }
      const raw = await readBody(request, response);
      // A request repeating an Idempotency-Key gets the first answer again, without running the route.
      const claiming = idempotency.begin(request, response, entry, raw);
      idempotent = claiming && (await claiming);
      if (idempotent === 'replayed') return;
      const body = parseBody(raw, contentType);
      const incoming = requestToExchange(request, entry, params, body, properties);
      exchangeId = incoming.exchange.exchangeId;
      await entry.route.process(incoming.exchange);
      writeExchangeResponse(response, entry, incoming);
    } catch (error) {
      sendError(response, error, entry.route.logger ?? logger, {
        routeId: entry.routeId,
        exchangeId,
        endpoint: entry.endpointUri,
      });
    } finally {
      if (idempotent && idempotent !== 'replayed') await idempotent.finish();
    }
  }

  function readBody(request: IncomingMessage, response: ServerResponse): Promise<Buffer | undefined> {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return new Promise((resolve, reject) => {
        readEncoded(request, response, (error?: unknown) => {
          if (error) reject(bodyError(error));
          else {
            const body = (request as { body?: unknown }).body;
            resolve(Buffer.isBuffer(body) ? body : undefined);
          }
        });
      });
    }
    return readPlainBody(request, limit);
  }

  return dispatch;
}

/**
 * The entry the access guard checked the request against. A request the guard classified otherwise
 * (probe, extension, nothing) is never served by a route entry, even if one appeared since.
 */
function guardedMatch(target: RequestTarget | undefined): HttpMatch {
  return target?.kind === 'routes' ? target.match : { kind: 'not-found' };
}

/**
 * The body bytes of a request without content coding, as body-parser's `raw` reads them: undefined when the
 * request has no body, 413 past the limit (told by Content-Length before reading, else counted), 400 when
 * the caller stops sending. A refused body is drained so the connection stays usable.
 */
function readPlainBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (!hasBody(request)) return Promise.resolve(undefined);
  const tooLarge = (): HttpRequestError =>
    new HttpRequestError(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this router accepts');
  if (Number(request.headers['content-length'] ?? 0) > limit) {
    request.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        request.off('data', onData);
        request.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    const aborted = (): void => {
      if (!request.complete && !refused) {
        refused = true;
        reject(new HttpRequestError(400, 'BAD_REQUEST', 'The request body could not be read'));
      }
    };
    request.once('error', aborted);
    request.once('close', aborted);
  });
}

function hasBody(request: IncomingMessage): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0
  );
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw new HttpRequestError(400, 'BAD_PATH', `Path parameter ${name} is not valid percent-encoding`);
    }
  }
  return decoded;
}

/** body-parser's errors as router errors, so they answer like every other refusal. */
function bodyError(error: unknown): Error {
  const { type, status } = error as { type?: string; status?: number };
  switch (type) {
    case 'entity.too.large':
      return new HttpRequestError(
        413,
        'PAYLOAD_TOO_LARGE',
        'The request body is larger than this router accepts',
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpRequestError(415, 'UNSUPPORTED_MEDIA_TYPE', (error as Error).message);
    default:
      return status && status >= 400 && status < 500
        ? new HttpRequestError(status, 'BAD_REQUEST', 'The request body could not be read')
        : toError(error);
  }
}
