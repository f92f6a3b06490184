import { TransportError } from '../errors/index.js';
import type { TransportErrorCode } from './transport.js';

/** How long a caller is told to wait before trying again, per failure kind. */
const RETRY_AFTER_SECONDS: Record<TransportErrorCode, number> = {
  QUEUE_FULL: 5,
  BROKER_BLOCKED: 10,
  PUBLISH_TIMEOUT: 2,
  UNROUTABLE: 30,
  NOT_CONNECTED: 5,
  NOT_FOUND: 30,
  TOPOLOGY_MISMATCH: 60,
  PUBLISH_REJECTED: 2,
  CLOSED: 5,
};

/** Codes no retry can fix without someone changing the topology. */
const NOT_RETRYABLE: ReadonlySet<TransportErrorCode> = new Set(['TOPOLOGY_MISMATCH']);

export function transportError(
  code: TransportErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): TransportError {
  return new TransportError(code, message, {
    ...options,
    retryable: !NOT_RETRYABLE.has(code),
    httpStatus: NOT_RETRYABLE.has(code) ? 500 : 503,
    retryAfterSeconds: RETRY_AFTER_SECONDS[code],
  });
}

export function isTransportError(error: unknown, code?: TransportErrorCode): error is TransportError {
  return error instanceof TransportError && (code === undefined || error.code === code);
}
