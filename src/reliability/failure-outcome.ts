import { CircuitOpenError, RetryLaterSignal } from '../errors/index.js';
import { isRetryable, retryDelay, type RetryPolicy } from './retry-policy.js';

/**
 * What becomes of a message whose handling threw: one table for the route consumer and the flow worker.
 * - `retry`: try again later, held by the broker (a delay queue), with the attempt counted;
 * - `put-back`: the work never ran (a circuit breaker is not letting calls through): back to its queue,
 *   no attempt counted;
 * - `dead-letter`: for good, with its provenance.
 */
export type FailureOutcome =
  | { kind: 'retry'; attempt: number; delayMs: number }
  | { kind: 'put-back'; breaker?: string }
  | { kind: 'dead-letter' };

/**
 * A route's own error handling decides its retries (a RetryLaterSignal carries its redelivery policy's
 * attempt and delay); a flow step gives its retry policy here, and the one classification of
 * reliability/retry-policy.ts decides.
 */
export function outcomeOf(error: unknown, retries?: { attempt: number; policy: RetryPolicy }): FailureOutcome {
  if (error instanceof RetryLaterSignal) return { kind: 'retry', attempt: error.attempt, delayMs: error.delayMs };
  const open = circuitOpen(error);
  if (open && !retries) {
    const name = (open.details as { breaker?: unknown }).breaker;
    return typeof name === 'string' ? { kind: 'put-back', breaker: name } : { kind: 'put-back' };
  }
  if (retries && isRetryable(error) && retries.attempt < retries.policy.maxAttempts) {
    return { kind: 'retry', attempt: retries.attempt, delayMs: retryDelay(retries.policy, retries.attempt, error) };
  }
  return { kind: 'dead-letter' };
}

/** The error of an open circuit breaker, when that is what ended the work. */
export function circuitOpen(error: unknown): CircuitOpenError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof CircuitOpenError) return current;
    current = current.cause;
  }
  return undefined;
}
