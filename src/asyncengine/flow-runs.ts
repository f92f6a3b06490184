/** What starting and running a flow's steps need that holds no state: input checks, chunking, run errors. */
import { createHash } from 'node:crypto';
import { EgressPolicy, EgressRefusedError } from '../security/egress-policy.js';
import {
  HttpOperationFailedError,
  HttpRequestError,
  JsonValidationError,
  ServicePipesError,
  TimeoutError,
  camelHierarchy,
  toError,
  type ValidationIssue,
} from '../errors/index.js';
import { deadLetterQueueName, routerQueue } from '../transport/topology-names.js';
import type { QueueDeclaration } from '../transport/transport.js';
import type { ChunkCounts, Flow, FlowStep } from './flow-model.js';
import { type RunError } from './run-store.js';

export const ZERO_COUNTS: ChunkCounts = { attempted: 0, succeeded: 0, skipped: 0, failed: 0 };

/** A step queue: quorum, bounded with reject-publish; the broker's own dead-lettering (delivery limit) lands in its DLQ. */
export function stepQueue(name: string, maxLength: number): QueueDeclaration {
  return routerQueue(name, {
    maxLength,
    deadLetterExchange: '',
    deadLetterRoutingKey: deadLetterQueueName(name),
    arguments: { 'x-dead-letter-strategy': 'at-least-once' },
  });
}

export function validateInput(flow: Flow, payload: unknown): void {
  const validate = flow.validateInput;
  if (!validate || validate(payload)) return;
  const issues: ValidationIssue[] = (validate.errors ?? []).map((error) => ({
    instancePath: error.instancePath,
    message: error.message ?? 'is invalid',
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
  }));
  throw new JsonValidationError(
    `The payload does not match the input schema of flow '${flow.name}' (${issues.length} error${issues.length === 1 ? '' : 's'})`,
    issues,
    { details: { flowName: flow.name } },
  );
}

/** The array a chunked step splits: the payload itself, or its `items` field. */
export function chunkItems(step: FlowStep, payload: unknown, fail: (message: string) => Error): unknown[] {
  const field = step.chunk?.items;
  const items = field
    ? payload && typeof payload === 'object'
      ? (payload as Record<string, unknown>)[field]
      : undefined
    : payload;
  if (!Array.isArray(items)) {
    throw fail(
      `Step '${step.name}' processes its payload in chunks, so ${field ? `the payload's '${field}' field` : 'the payload'} must be an array`,
    );
  }
  return items;
}

/**
 * What a chunk counted. A step may answer `{succeeded?, skipped?, failed?}` for its chunk; any other answer
 * means every item of the chunk succeeded. `attempted` is always the chunk's size, so totals are exact.
 */
export function chunkCounts(output: unknown, chunk: unknown): ChunkCounts {
  const size = Array.isArray(chunk) ? chunk.length : 0;
  const reported =
    output && typeof output === 'object' && !Array.isArray(output)
      ? (output as Record<string, unknown>)
      : undefined;
  const count = (key: string): number | undefined => {
    const value = reported?.[key];
    return typeof value === 'number' && Number.isInteger(value) && value >= 0
      ? Math.min(value, size)
      : undefined;
  };
  const skipped = count('skipped');
  const failed = count('failed');
  if (skipped === undefined && failed === undefined && count('succeeded') === undefined) {
    return { attempted: size, succeeded: size, skipped: 0, failed: 0 };
  }
  const s = skipped ?? 0;
  const f = Math.min(failed ?? 0, size - s);
  return { attempted: size, succeeded: size - s - f, skipped: s, failed: f };
}

/** The one answer for a callbackUrl the router will not call: refused and unresolvable read the same. */
export const CALLBACK_REFUSED =
  'callbackUrl is not allowed: the router calls back only http(s) hosts on the public internet ' +
  '(not loopback, private, link-local or reserved addresses, unless the operator allow-listed them)';

export async function checkCallbackUrl(flow: Flow, url: string, egress: EgressPolicy): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpRequestError(400, 'BAD_CALLBACK_URL', 'callbackUrl is not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new HttpRequestError(400, 'BAD_CALLBACK_URL', 'callbackUrl must be an http or https URL');
  }
  if (!flow.callback.secret) {
    throw new HttpRequestError(
      400,
      'CALLBACK_NOT_CONFIGURED',
      `Flow '${flow.name}' has no callback signing secret (flow.callback.secret or PIPES_CALLBACK_SECRET), so it cannot call back`,
    );
  }
  // Before anything is recorded or any connection is made: resolve once and check every address.
  try {
    await egress.target(parsed, 'callback');
  } catch (error) {
    const code = error instanceof ServicePipesError ? error.details.code : undefined;
    if (error instanceof EgressRefusedError || code === 'ENOTFOUND')
      throw new HttpRequestError(400, 'BAD_CALLBACK_URL', CALLBACK_REFUSED);
    throw new HttpRequestError(
      503,
      'CALLBACK_CHECK_UNAVAILABLE',
      'The callbackUrl could not be checked now (name resolution failed); try again',
    );
  }
}

/**
 * The store key of an Idempotency-Key: scoped by the principal that sent it. The owner is base64url
 * encoded (no `.` in it), so no owner/key pair can spell another's.
 */
export function idempotencyScope(owner: string | undefined, key: string): string {
  return owner === undefined ? key : `${Buffer.from(owner, 'utf8').toString('base64url')}.${key}`;
}

/** The hash an Idempotency-Key is bound to: the payload (key order does not matter) and the callback URL. */
export function payloadHash(payload: unknown, callbackUrl?: string): string {
  return createHash('sha256')
    .update(stableJson(payload))
    .update('\u0000')
    .update(callbackUrl ?? '')
    .digest('hex');
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function runError(error: unknown, step?: string): RunError {
  const failure = toError(error);
  return {
    ...(step ? { step } : {}),
    code: error instanceof ServicePipesError ? error.code : failure.name || 'Error',
    errorClass: camelHierarchy(error)[0] ?? 'java.lang.Exception',
    message: failure.message,
    ...(error instanceof HttpOperationFailedError ? { httpStatus: error.statusCode } : {}),
  };
}

/**
 * Runs the work with a deadline. At the deadline the attempt fails with a TimeoutError and the work's
 * signal is aborted with it, so the work stops too (an HTTP call is cancelled, its socket closed) instead
 * of running on beside the retry that follows.
 */
export function withTimeout<T>(
  start: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`${what} did not finish within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  let work: Promise<T>;
  try {
    work = start(controller.signal);
  } catch (error) {
    clearTimeout(timer);
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  // The work may still settle after the deadline; its late rejection must not go unhandled.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
