/**
 * `Idempotency-Key` on HTTP entries (platform-http, rest): a caller that retries a request it is unsure
 * about gets the first answer again instead of a second payment.
 *
 * - The key is scoped to the route and the caller; it is bound to a fingerprint of the request (method,
 *   path with query, body bytes). The same key with another request answers 409 IDEMPOTENCY_KEY_REUSED.
 * - The first request claims the key and runs the route. Duplicates arriving meanwhile wait (bounded) for
 *   its answer and then get that answer, with `Idempotent-Replayed: true`; a duplicate that waited too
 *   long gets 409 IDEMPOTENCY_KEY_IN_PROGRESS with `Retry-After`.
 * - An answer that says "try again" (5xx, 408, 429) is not kept: the key is released so the retry runs.
 *   Every other answer (2xx, and 4xx such as a validation error) is kept for 24 hours.
 * - GET, HEAD and OPTIONS ignore the header (they change nothing).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import { HttpRequestError, toError } from '../errors/index.js';
import type { RouterServices } from '../runtime/services.js';
import { requestPrincipal } from '../security/http-guard.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_RETENTION_MS,
  useIdempotencyStore,
  type IdempotencyStore,
} from '../reliability/idempotency-store.js';
import type { HttpEntry } from '../components/platform-http/http-entries.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Longest key accepted (keys become store keys). */
const MAX_KEY_LENGTH = 200;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Answers that ask the caller to try again: keeping them would make the retry useless. */
const RETRY_STATUSES = new Set([408, 429]);
/** Response headers never replayed: they describe one connection or are set again anyway. */
const NOT_REPLAYED = new Set([
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
]);

/** How long a duplicate waits for the first request's answer. */
const DEFAULT_WAIT_MS = 15_000;

interface StoredAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  /** Base64 of the body bytes. */
  body: string;
}

/** One request carrying a key: `finish` records (or releases) it once the answer was written. */
export interface IdempotentRequest {
  finish(): Promise<void>;
}

export interface HttpIdempotency {
  /**
   * Looks the request's key up. Resolves `'replayed'` when the stored answer was written, a request to
   * `finish` when this request holds the key, or undefined when it carries no key. Throws
   * HttpRequestError 400/409 for a bad, reused or still-running key. A request without a key gets undefined
   * at once, not a promise: most requests carry none, and each await is a turn of the microtask queue.
   */
  begin(
    request: IncomingMessage,
    response: ServerResponse,
    entry: HttpEntry,
    body: Buffer | undefined,
  ): Promise<'replayed' | IdempotentRequest> | undefined;
  close(): Promise<void>;
}

export function httpIdempotency(
  services: RouterServices,
  logger: Logger,
  options: { waitMs?: number } = {},
): HttpIdempotency {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  let opened: { store: IdempotencyStore; release(): Promise<void> } | undefined;
  const store = (): IdempotencyStore => (opened ??= useIdempotencyStore(services, logger)).store;

  return {
    begin(request, response, entry, body) {
      if (SAFE_METHODS.has(request.method ?? '')) return undefined;
      const key = idempotencyKey(request);
      if (key === undefined) return undefined;
      return claimKey(request, response, entry, body, key);
    },
    async close() {
      const current = opened;
      opened = undefined;
      await current?.release();
    },
  };

  async function claimKey(
    request: IncomingMessage,
    response: ServerResponse,
    entry: HttpEntry,
    body: Buffer | undefined,
    key: string,
  ): Promise<'replayed' | IdempotentRequest> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
      throw new HttpRequestError(
        400,
        'BAD_IDEMPOTENCY_KEY',
        `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_KEY_LENGTH} printable characters`,
      );
    }
    const caller = requestPrincipal(request)?.id ?? '';
    const storeKey = `http:${entry.routeId}:${hash(caller)}:${key}`;
    const fingerprint = hash(request.method ?? '', request.url ?? '', body ?? Buffer.alloc(0));
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claim = await store().claim(storeKey, fingerprint, DEFAULT_LEASE_MS);
      if (claim.claimed) return holder(store(), storeKey, claim.token, response, logger);
      const { record } = claim;
      if (record.fingerprint !== fingerprint) {
        throw new HttpRequestError(
          409,
          'IDEMPOTENCY_KEY_REUSED',
          `This ${IDEMPOTENCY_KEY_HEADER} was used for another request`,
        );
      }
      if (record.state === 'done') {
        replay(response, record.result as StoredAnswer | undefined);
        return 'replayed';
      }
      // In progress: wait for its answer, or for its release (then this request takes the key).
      const settled = await waitWhileInProgress(store(), storeKey, deadline);
      if (settled === 'timeout') {
        response.setHeader('Retry-After', '1');
        throw new HttpRequestError(
          409,
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later`,
        );
      }
    }
  }
}

async function waitWhileInProgress(
  store: IdempotencyStore,
  key: string,
  deadline: number,
): Promise<'settled' | 'timeout'> {
  let pause = 10;
  while (Date.now() < deadline) {
    await sleep(pause);
    pause = Math.min(pause * 2, 100);
    const record = await store.get(key);
    if (record?.state !== 'in-progress') return 'settled';
  }
  return 'timeout';
}

/** The request holding the key: records what is written to the response, then keeps or releases it. */
function holder(
  store: IdempotencyStore,
  key: string,
  token: string,
  response: ServerResponse,
  logger: Logger,
): IdempotentRequest {
  const chunks: Buffer[] = [];
  const collect = (chunk: unknown, encoding?: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (Buffer.isBuffer(chunk)) chunks.push(chunk);
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    else if (typeof chunk === 'string')
      chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  };
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  (response as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    collect(args[0], args[1]);
    return write(...args);
  };
  (response as unknown as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
    collect(args[0], args[1]);
    return end(...args);
  };
  return {
    async finish() {
      const status = response.statusCode;
      try {
        if (!response.headersSent || status >= 500 || RETRY_STATUSES.has(status)) {
          await store.release(key, token);
          return;
        }
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.getHeaders())) {
          if (NOT_REPLAYED.has(name) || value === undefined) continue;
          headers[name] = Array.isArray(value) ? value.map(String) : String(value);
        }
        const answer: StoredAnswer = { status, headers, body: Buffer.concat(chunks).toString('base64') };
        await store.complete(key, token, DEFAULT_RETENTION_MS, answer);
      } catch (error) {
        // The answer went out; a later duplicate may run the route again (at-least-once, as without a key).
        logger.warn('could not record the answer of an idempotent request', {
          error: toError(error).message,
        });
        await store.release(key, token).catch(() => undefined);
      }
    },
  };
}

function replay(response: ServerResponse, answer: StoredAnswer | undefined): void {
  if (!answer) {
    throw new HttpRequestError(
      409,
      'IDEMPOTENCY_KEY_REUSED',
      `This ${IDEMPOTENCY_KEY_HEADER} was already used`,
    );
  }
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.setHeader(REPLAYED_HEADER, 'true');
  const body = Buffer.from(answer.body, 'base64');
  response.statusCode = answer.status;
  if (body.length === 0) response.end();
  else response.end(body);
}

/**
 * The identity of the message a request with an Idempotency-Key starts: derived from (entry, caller, key),
 * never the key itself, so two callers using the same key, or one caller on two entries, start two
 * messages, and a retried request is the same message at every later hop. Undefined without a usable key
 * (the exchange's own id is the identity then).
 */
export function requestMessageId(request: IncomingMessage, entry: HttpEntry): string | undefined {
  if (SAFE_METHODS.has(request.method ?? '')) return undefined;
  const key = idempotencyKey(request);
  if (key === undefined || key.length === 0 || key.length > MAX_KEY_LENGTH) return undefined;
  const caller = requestPrincipal(request)?.id ?? '';
  return `idem-${hash('http', entry.routeId, caller, key)}`;
}

/** The Idempotency-Key header (repeated headers read as one value, as express's `req.get` does). */
function idempotencyKey(request: IncomingMessage): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value.join(', ') : value;
}

function hash(...parts: (string | Buffer)[]): string {
  const digest = createHash('sha256');
  for (const part of parts) {
    digest.update(part);
    digest.update('\u0000');
  }
  return digest.digest('base64url').slice(0, 32);
}
