import { HttpOperationFailedError, ServicePipesError } from '../errors/index.js';

/** How a step (or a callback) retries; durations in milliseconds. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
  /** 0..1: the fraction of each delay drawn at random, downwards. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 300_000,
  jitter: 0.2,
};

/** The nominal delay after failed attempt `attempt` (1 = the first delivery), before jitter. */
export function nominalDelay(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, Math.round(policy.initialDelayMs * policy.multiplier ** exponent));
}

/**
 * The delay to wait after failed attempt `attempt`: the nominal delay minus a random share of at most
 * `jitter`, and never less than what the partner asked for (`Retry-After`), capped by `maxDelayMs`.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, error?: unknown, random: () => number = Math.random): number {
  const nominal = nominalDelay(policy, attempt);
  const jittered = Math.round(nominal * (1 - policy.jitter * random()));
  const asked = error instanceof HttpOperationFailedError ? error.retryAfterMs : undefined;
  return Math.max(1, asked !== undefined ? Math.min(policy.maxDelayMs, Math.max(jittered, asked)) : jittered);
}

/**
 * Whether another attempt can help, classified once for the whole engine: router errors say so
 * themselves (network, timeout, 5xx, 408, 429, broker unavailable: yes; validation, 4xx: no). Anything
 * else thrown by user code is a bug or bad data until proven otherwise, unless it says `retryable: true`.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ServicePipesError) return error.retryable;
  if (error && typeof error === 'object' && 'retryable' in error) return error.retryable === true;
  return false;
}
