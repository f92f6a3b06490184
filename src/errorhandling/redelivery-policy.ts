/**
 * Camel's redelivery policy: how many times a failed step is tried again and how long to wait before each
 * try. Pure data; the delays are computed by the router's one retry policy (src/reliability/retry-policy.ts).
 */
import type { BackOff } from '../reliability/retry-policy.js';

export type LogLevelName = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'OFF';

/** Camel's RedeliveryPolicy: its delays are computed by the router's one retry policy (src/reliability/retry-policy.ts). */
export interface RedeliveryPolicy extends BackOff {
  /** Tries after the first one; always bounded (Camel's -1 "forever" becomes {@link MAX_REDELIVERIES}). */
  maximumRedeliveries: number;
  retryAttemptedLogLevel: LogLevelName;
  retriesExhaustedLogLevel: LogLevelName;
}

/** Where "forever" stops: a message retried a hundred times is not going to get better on its own. */
export const MAX_REDELIVERIES = 100;

/** Camel's RedeliveryPolicy defaults (defaultErrorHandler and deadLetterChannel): no redelivery. */
export const CAMEL_DEFAULT_POLICY: Readonly<RedeliveryPolicy> = Object.freeze({
  maximumRedeliveries: 0,
  redeliveryDelay: 1000,
  useExponentialBackOff: false,
  backOffMultiplier: 2,
  maximumRedeliveryDelay: 60_000,
  useCollisionAvoidance: false,
  collisionAvoidanceFactor: 0.15,
  retryAttemptedLogLevel: 'DEBUG',
  retriesExhaustedLogLevel: 'ERROR',
});

/**
 * The router's promise for consumed messages on a route that configures no error handling: transient
 * failures (network, timeout, 5xx, 408, 429, broker unavailable) are retried through the broker's delay
 * queues with exponential back-off and jitter, then dead-lettered.
 */
export const ROUTER_BROKER_DEFAULT_POLICY: Readonly<RedeliveryPolicy> = Object.freeze({
  ...CAMEL_DEFAULT_POLICY,
  maximumRedeliveries: 5,
  redeliveryDelay: 1000,
  useExponentialBackOff: true,
  backOffMultiplier: 2,
  maximumRedeliveryDelay: 60_000,
  useCollisionAvoidance: true,
  retryAttemptedLogLevel: 'WARN',
});

/** A partner's `Retry-After` is honoured by broker-held retries up to this bound. */
export const RETRY_AFTER_LIMIT_MS = 60 * 60 * 1000;

const LOG_LEVELS: readonly LogLevelName[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'];

/** A problem found while reading a policy; the caller turns it into a load diagnostic. */
export interface PolicyProblem {
  severity: 'error' | 'warning';
  message: string;
  expected?: string;
}

/**
 * Reads a `redeliveryPolicy` map (as the loader normalised it: Camel writes delays as strings) over a base
 * policy. Keys this router does not act on are left to the schema; wrong values are reported and the base
 * value kept, so one typo never turns into "retry forever".
 */
export function parseRedeliveryPolicy(
  raw: Record<string, unknown> | undefined,
  base: Readonly<RedeliveryPolicy>,
  report: (problem: PolicyProblem) => void,
): RedeliveryPolicy {
  const policy: RedeliveryPolicy = { ...base };
  if (!raw) return policy;
  const int = (key: string, min: number): number | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    const parsed =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    if (!Number.isInteger(parsed) || parsed < min) {
      report({
        severity: 'error',
        message: `redeliveryPolicy.${key} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`,
        expected: `${key}: "1000"`,
      });
      return undefined;
    }
    return parsed;
  };
  const bool = (key: string): boolean | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    report({
      severity: 'error',
      message: `redeliveryPolicy.${key} must be true or false, got ${JSON.stringify(value)}`,
    });
    return undefined;
  };
  const number = (key: string, valid: (n: number) => boolean, expected: string): number | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isFinite(parsed) || !valid(parsed)) {
      report({
        severity: 'error',
        message: `redeliveryPolicy.${key} must be ${expected}, got ${JSON.stringify(value)}`,
      });
      return undefined;
    }
    return parsed;
  };
  const level = (key: string): LogLevelName | undefined => {
    const value = raw[key];
    if (typeof value !== 'string') return undefined;
    const upper = value.toUpperCase() as LogLevelName;
    return LOG_LEVELS.includes(upper) ? upper : undefined;
  };

  const maximum = int('maximumRedeliveries', -1);
  if (maximum !== undefined) {
    if (maximum === -1 || maximum > MAX_REDELIVERIES) {
      report({
        severity: 'warning',
        message: `redeliveryPolicy.maximumRedeliveries ${maximum === -1 ? '-1 (forever)' : maximum} is bounded to ${MAX_REDELIVERIES} by the router`,
        expected: `a number from 0 to ${MAX_REDELIVERIES}`,
      });
      policy.maximumRedeliveries = MAX_REDELIVERIES;
    } else {
      policy.maximumRedeliveries = maximum;
    }
  }
  policy.redeliveryDelay = int('redeliveryDelay', 0) ?? policy.redeliveryDelay;
  policy.maximumRedeliveryDelay = int('maximumRedeliveryDelay', 0) ?? policy.maximumRedeliveryDelay;
  policy.useExponentialBackOff = bool('useExponentialBackOff') ?? policy.useExponentialBackOff;
  policy.backOffMultiplier =
    number('backOffMultiplier', (n) => n >= 1, 'a number ≥ 1') ?? policy.backOffMultiplier;
  policy.useCollisionAvoidance = bool('useCollisionAvoidance') ?? policy.useCollisionAvoidance;
  policy.collisionAvoidanceFactor =
    number('collisionAvoidanceFactor', (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1') ??
    policy.collisionAvoidanceFactor;
  policy.retryAttemptedLogLevel = level('retryAttemptedLogLevel') ?? policy.retryAttemptedLogLevel;
  policy.retriesExhaustedLogLevel = level('retriesExhaustedLogLevel') ?? policy.retriesExhaustedLogLevel;
  if (bool('disableRedelivery') === true) policy.maximumRedeliveries = 0;
  if (raw.delayPattern !== undefined) {
    const pattern = parseDelayPattern(raw.delayPattern);
    if (pattern) policy.delayPattern = pattern;
    else
      report({
        severity: 'error',
        message: `redeliveryPolicy.delayPattern ${JSON.stringify(raw.delayPattern)} is not a list of redelivery:delay pairs`,
        expected: 'delayPattern: "1:1000;5:5000;10:30000"',
      });
  }
  return policy;
}

/** `"5:1000;10:5000"` → [[5, 1000], [10, 5000]] sorted by redelivery; undefined when malformed. */
export function parseDelayPattern(value: unknown): [number, number][] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const pairs: [number, number][] = [];
  for (const part of value.split(';')) {
    const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(part);
    if (!match) return undefined;
    pairs.push([Number(match[1]), Number(match[2])]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}
