/**
 * The one retry policy of the router, shared by routes (errorHandler/onException redelivery, broker
 * retries of consuming routes) and flows (step and callback retries): which errors are worth another
 * attempt, how long to wait before it, and how a partner's `Retry-After` bends that wait.
 */
import {
  HttpOperationFailedError,
  ServicePipesError,
  TransportError,
  UnrecoverableError,
  camelHierarchy,
} from '../errors/index.js';

/**
 * Whether trying again can help, decided once for every error the router meets:
 * - `retryable`: network, timeout, 5xx, 408, 429, broker unavailable, open circuit;
 * - `permanent`: validation, other 4xx, authorisation, bad payload, explicitly unrecoverable;
 * - `unknown`: anything else (a bug, an expression that failed, a `throwException` of a general type).
 * The router's own default retries only `retryable`; a redelivery policy the user wrote retries everything
 * but `permanent`, as Camel would (it knows nothing of our classes) minus what can never succeed.
 */
export type ErrorClass = 'retryable' | 'permanent' | 'unknown';

/** Camel names whose errors are transient, for errors (throwException, plain wrappers) that carry no flag. */
const RETRYABLE_NAMES = [
  'java.io.IOException',
  'java.util.concurrent.TimeoutException',
  'org.apache.camel.ExchangeTimedOutException',
  'org.springframework.amqp.AmqpException',
  'io.github.resilience4j.circuitbreaker.CallNotPermittedException',
];

/** Camel names whose errors come from the data or the caller: the same message fails the same way again. */
const PERMANENT_NAMES = [
  'org.apache.camel.ValidationException',
  'org.apache.camel.CamelAuthorizationException',
  'org.apache.camel.InvalidPayloadException',
  'java.lang.IllegalArgumentException',
];

/** How deep cause chains are followed; deeper chains are not written by anyone on purpose. */
const MAX_CAUSE_DEPTH = 10;

export function classifyError(error: unknown): ErrorClass {
  const known = firstRouterError(error);
  // An error from user code that says so itself (`retryable: true`) is taken at its word.
  if (!known) return hasRetryableFlag(error) ? 'retryable' : 'unknown';
  if (known instanceof UnrecoverableError) return 'permanent';
  if (known.retryable) return 'retryable';
  if (known instanceof HttpOperationFailedError) return 'permanent';
  const names = camelHierarchy(known);
  if (RETRYABLE_NAMES.some((name) => names.includes(name))) return 'retryable';
  if (PERMANENT_NAMES.some((name) => names.includes(name))) return 'permanent';
  if (
    known.httpStatus >= 400 &&
    known.httpStatus < 500 &&
    known.httpStatus !== 408 &&
    known.httpStatus !== 429
  ) {
    return 'permanent';
  }
  return 'unknown';
}

/** True for errors that must never be tried again, whatever a policy says. */
export function isUnrecoverable(error: unknown): boolean {
  return firstRouterError(error) instanceof UnrecoverableError;
}

/** How long the other side asked us to wait (`Retry-After` of a 429/503, a blocked broker), if it did. */
export function retryAfterMs(error: unknown): number | undefined {
  const known = firstRouterError(error);
  if (known instanceof HttpOperationFailedError) return known.retryAfterMs;
  if (known instanceof TransportError) return known.retryAfterSeconds * 1000;
  return undefined;
}

/** The outermost router error in the cause chain: wrappers we raise carry the classification. */
function firstRouterError(error: unknown): ServicePipesError | undefined {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_CAUSE_DEPTH; depth++) {
    if (current instanceof ServicePipesError) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function hasRetryableFlag(error: unknown): boolean {
  return !!error && typeof error === 'object' && 'retryable' in error && error.retryable === true;
}

/** Whether another attempt can help: the router's default retries retry exactly these errors. */
export function isRetryable(error: unknown): boolean {
  return classifyError(error) === 'retryable';
}

/**
 * How waits grow between attempts, in the terms of Camel's RedeliveryPolicy (routes write these; a flow's
 * `retry` is translated into them by {@link flowBackOff}).
 */
export interface BackOff {
  /** Delay before the first retry, ms. */
  redeliveryDelay: number;
  useExponentialBackOff: boolean;
  backOffMultiplier: number;
  /** Upper bound of any computed delay, ms (0 or less: none). */
  maximumRedeliveryDelay: number;
  useCollisionAvoidance: boolean;
  /** Jitter fraction. */
  collisionAvoidanceFactor: number;
  /**
   * Which way jitter moves a delay: `spread` is Camel's collision avoidance (± the factor, uniformly);
   * `shorten` only ever shortens (a flow's delays never exceed their nominal value). Default `spread`.
   */
  jitterShape?: 'spread' | 'shorten';
  /** Camel's `delayPattern` (`5:1000;10:5000`): from retry N on, wait D ms. Replaces the back-off. */
  delayPattern?: readonly (readonly [number, number])[];
}

/** The delay before retry `n` (1 = the first retry) without jitter, bounded by maximumRedeliveryDelay. */
export function baseDelayFor(policy: Readonly<BackOff>, redelivery: number): number {
  const n = Math.max(1, Math.floor(redelivery));
  let delay: number;
  if (policy.delayPattern) {
    delay = 0;
    for (const [from, ms] of policy.delayPattern) if (from <= n) delay = ms;
  } else if (policy.useExponentialBackOff && policy.backOffMultiplier > 1) {
    // Computed in floating point and capped, so a large n cannot overflow into Infinity surprises.
    delay = policy.redeliveryDelay * Math.pow(policy.backOffMultiplier, n - 1);
  } else {
    delay = policy.redeliveryDelay;
  }
  return Math.round(Math.min(delay, capOf(policy)));
}

/** The range {@link delayFor} draws from for retry `n`. */
export function delayBounds(policy: Readonly<BackOff>, redelivery: number): { min: number; max: number } {
  const base = baseDelayFor(policy, redelivery);
  if (!policy.useCollisionAvoidance) return { min: base, max: base };
  const spread = base * policy.collisionAvoidanceFactor;
  if (policy.jitterShape === 'shorten') return { min: Math.max(0, Math.floor(base - spread)), max: base };
  return {
    min: Math.max(0, Math.floor(base - spread)),
    max: Math.min(capOf(policy), Math.ceil(base + spread)),
  };
}

/** The delay before retry `n` (1 = the first retry): the back-off step, then jitter, within the bounds. */
export function delayFor(policy: Readonly<BackOff>, redelivery: number, random: () => number = Math.random): number {
  const base = baseDelayFor(policy, redelivery);
  if (!policy.useCollisionAvoidance || base === 0) return base;
  const { min, max } = delayBounds(policy, redelivery);
  const factor = policy.collisionAvoidanceFactor;
  const jittered = Math.round(policy.jitterShape === 'shorten' ? base * (1 - factor * random()) : base * (1 + factor * (2 * random() - 1)));
  return Math.min(max, Math.max(min, jittered));
}

/** A delay that honours a partner's `Retry-After`: never shorter than it asked, never above `limit`. */
export function honourRetryAfter(delay: number, retryAfterMs: number | undefined, limit: number): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= delay) return delay;
  return Math.max(delay, Math.min(retryAfterMs, limit));
}

function capOf(policy: Readonly<BackOff>): number {
  return policy.maximumRedeliveryDelay > 0 ? policy.maximumRedeliveryDelay : Number.POSITIVE_INFINITY;
}

/** How a flow step (or a callback) retries; durations in milliseconds. */
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

/** A flow's retry in the terms every retry of the router is computed in. */
export function flowBackOff(policy: RetryPolicy): BackOff {
  return {
    redeliveryDelay: policy.initialDelayMs,
    useExponentialBackOff: policy.multiplier > 1,
    backOffMultiplier: policy.multiplier,
    maximumRedeliveryDelay: policy.maxDelayMs,
    useCollisionAvoidance: policy.jitter > 0,
    collisionAvoidanceFactor: policy.jitter,
    jitterShape: 'shorten',
  };
}

/** The nominal delay after failed attempt `attempt` (1 = the first delivery), before jitter. */
export function nominalDelay(policy: RetryPolicy, attempt: number): number {
  return baseDelayFor(flowBackOff(policy), attempt);
}

/**
 * The delay to wait after failed attempt `attempt`: the nominal delay minus a random share of at most
 * `jitter`, and never less than what the partner asked for (`Retry-After`), capped by `maxDelayMs`.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, error?: unknown, random: () => number = Math.random): number {
  const delay = delayFor(flowBackOff(policy), attempt, random);
  return Math.max(1, honourRetryAfter(delay, error === undefined ? undefined : retryAfterMs(error), policy.maxDelayMs));
}
