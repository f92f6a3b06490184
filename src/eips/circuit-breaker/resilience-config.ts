import type { SourceLocation } from '../../runtime/definitions.js';
import type { JsonSchema } from '../../runtime/json-schema.js';
import type { BuildContext } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { KNOWN_CAMEL_EXCEPTIONS, isKnownCamelException } from '../../errors/index.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import type { BreakerSettings } from '../../reliability/breakers.js';
import { parseDuration } from '../../units/duration.js';

/**
 * Camel's `resilience4jConfiguration` mapped onto opossum 9:
 *
 * | Camel (default)                       | opossum                                   |
 * |---------------------------------------|-------------------------------------------|
 * | failureRateThreshold (50 %)           | errorThresholdPercentage                  |
 * | minimumNumberOfCalls (100)            | volumeThreshold                           |
 * | waitDurationInOpenState (60 s)        | resetTimeout (ms)                         |
 * | timeoutEnabled (false) + timeoutDuration (1000 ms) | a per-call limit enforced by the EIP |
 * | slidingWindowType + slidingWindowSize | rollingCountTimeout / rollingCountBuckets |
 * | recordException / ignoreException     | errorFilter (is-a, like onException)      |
 *
 * Approximations, because opossum differs from resilience4j:
 * - opossum's statistics window is always time-based. TIME_BASED windows keep their size (seconds);
 *   COUNT_BASED windows of N calls have no time equivalent, so they become opossum's 10 s window, and
 *   minimumNumberOfCalls still bounds how few calls may open the breaker.
 * - half-open lets exactly one trial call through (permittedNumberOfCallsInHalfOpenState is not honoured);
 *   open → half-open is always automatic after waitDurationInOpenState.
 * - slow-call thresholds and the bulkhead are not available; setting them is a load warning.
 * `waitDurationInOpenState` is in seconds as in Camel; a text with a unit (`500ms`, `2s`) is read as a duration.
 */

const NUMBER: JsonSchema = { type: ['number', 'string'] };
const BOOLEAN: JsonSchema = { type: ['boolean', 'string'] };
const EXCEPTIONS: JsonSchema = { type: 'array', items: { type: 'string' } };

/** Options with an effect, with Camel's descriptions shortened. */
const MAPPED: Record<string, JsonSchema> = {
  failureRateThreshold: { ...NUMBER, description: 'Failure percentage (of the calls in the window) above which the breaker opens. Default 50.' },
  minimumNumberOfCalls: { ...NUMBER, description: 'Calls needed in the window before the failure rate counts. Default 100.' },
  slidingWindowSize: { ...NUMBER, description: 'Window size: seconds for TIME_BASED; COUNT_BASED windows become a 10 s time window. Default 100.' },
  slidingWindowType: { type: 'string', enum: ['COUNT_BASED', 'TIME_BASED'], description: 'Default COUNT_BASED (see slidingWindowSize).' },
  waitDurationInOpenState: { ...NUMBER, description: 'Seconds an open breaker waits before letting one trial call through. Default 60.' },
  timeoutEnabled: { ...BOOLEAN, description: 'Limit the duration of each call (timeoutDuration). Default false.' },
  timeoutDuration: { ...NUMBER, description: 'Per-call limit in ms when timeoutEnabled; the call is cancelled. Default 1000.' },
  recordException: { ...EXCEPTIONS, description: 'Only these exceptions (is-a) count as failures.' },
  ignoreException: { ...EXCEPTIONS, description: 'These exceptions (is-a) never count as failures.' },
};

/** Camel options accepted so real routes load, but without effect here; a non-default value is a warning. */
const WITHOUT_EFFECT: Record<string, { schema: JsonSchema; reason: string; default?: unknown }> = {
  permittedNumberOfCallsInHalfOpenState: { schema: NUMBER, reason: 'half-open lets exactly one trial call through', default: 1 },
  automaticTransitionFromOpenToHalfOpenEnabled: { schema: BOOLEAN, reason: 'open always turns half-open after waitDurationInOpenState', default: true },
  slowCallRateThreshold: { schema: NUMBER, reason: 'slow calls are not measured; use timeoutEnabled', default: 100 },
  slowCallDurationThreshold: { schema: NUMBER, reason: 'slow calls are not measured; use timeoutEnabled', default: 60 },
  bulkheadEnabled: { schema: BOOLEAN, reason: 'the bulkhead is not available; limit concurrency on the consumer', default: false },
  bulkheadMaxConcurrentCalls: { schema: NUMBER, reason: 'the bulkhead is not available' },
  bulkheadMaxWaitDuration: { schema: NUMBER, reason: 'the bulkhead is not available' },
  throwExceptionWhenHalfOpenOrOpenState: { schema: BOOLEAN, reason: 'an open breaker always refuses calls with CallNotPermittedException', default: false },
  timeoutCancelRunningFuture: { schema: BOOLEAN, reason: 'a timed-out call is always cancelled', default: true },
  writableStackTraceEnabled: { schema: BOOLEAN, reason: 'stack traces are never part of answers' },
  micrometerEnabled: { schema: BOOLEAN, reason: 'breaker state is always exported in the router metrics' },
};

/** Bean references this router has no beans for. */
const REFERENCES = ['circuitBreaker', 'config', 'timeoutExecutorService'];

export const resilience4jSchema: JsonSchema = {
  type: 'object',
  description: "Camel's Resilience4j settings, mapped onto the router's breakers (see the circuitBreaker documentation for the approximations).",
  properties: {
    id: { type: 'string', description: 'Id of this configuration element.' },
    ...MAPPED,
    ...Object.fromEntries(Object.entries(WITHOUT_EFFECT).map(([key, { schema, reason }]) => [key, { ...schema, description: `Accepted without effect: ${reason}.` }])),
    ...Object.fromEntries(REFERENCES.map((key) => [key, { type: 'string', description: 'A bean reference; not supported (load error).' }])),
  },
  additionalProperties: false,
};

export const DEFAULT_SETTINGS: BreakerSettings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 100,
  resetTimeoutMs: 60_000,
  rollingCountTimeoutMs: 10_000,
  rollingCountBuckets: 10,
  timeoutMs: false,
  recordExceptions: [],
  ignoreExceptions: [],
};

export function breakerSettings(value: unknown, loc: SourceLocation, context: BuildContext): BreakerSettings {
  if (value === undefined || value === null) return DEFAULT_SETTINGS;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DefinitionError({ message: 'circuitBreaker.resilience4jConfiguration must be a map', loc, expected: 'resilience4jConfiguration: {failureRateThreshold: 50, ...}' });
  }
  const config = value as Record<string, unknown>;
  for (const key of REFERENCES) {
    if (config[key] === undefined) continue;
    throw new DefinitionError({
      message: `resilience4jConfiguration.${key} refers to a bean, and this router has no Resilience4j beans`,
      loc,
      hint: 'Write the settings inline in resilience4jConfiguration.',
    });
  }
  for (const [key, { reason, default: fallback }] of Object.entries(WITHOUT_EFFECT)) {
    const given = config[key];
    if (given === undefined || given === null || scalarText(given) === scalarText(fallback)) continue;
    context.report({ severity: 'warning', message: `resilience4jConfiguration.${key} has no effect: ${reason}`, loc });
  }

  const number = (key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = config[key];
    if (raw === undefined || raw === null) return fallback;
    const parsed = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() ? Number(raw.trim()) : NaN;
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new DefinitionError({ message: `resilience4jConfiguration.${key} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`, loc });
    }
    return parsed;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = config[key];
    if (raw === undefined || raw === null) return fallback;
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw new DefinitionError({ message: `resilience4jConfiguration.${key} must be true or false, got ${JSON.stringify(raw)}`, loc });
  };

  const windowType = config.slidingWindowType ?? 'COUNT_BASED';
  const windowSize = number('slidingWindowSize', 100, 1);
  const timeBased = windowType === 'TIME_BASED';
  const rollingCountTimeoutMs = timeBased ? Math.round(windowSize * 1000) : DEFAULT_SETTINGS.rollingCountTimeoutMs;
  const rollingCountBuckets = timeBased ? Math.max(1, Math.min(60, Math.round(windowSize))) : DEFAULT_SETTINGS.rollingCountBuckets;

  return {
    errorThresholdPercentage: number('failureRateThreshold', 50, 0, 100),
    volumeThreshold: Math.round(number('minimumNumberOfCalls', 100, 0)),
    resetTimeoutMs: waitDuration(config.waitDurationInOpenState, loc),
    rollingCountTimeoutMs,
    rollingCountBuckets,
    timeoutMs: bool('timeoutEnabled', false) ? Math.round(number('timeoutDuration', 1000, 1)) : false,
    recordExceptions: exceptionList(config.recordException, 'recordException', loc, context),
    ignoreExceptions: exceptionList(config.ignoreException, 'ignoreException', loc, context),
  };
}

/** Seconds as in Camel; a text with a unit (`500ms`, `2s`) as a duration. */
function waitDuration(raw: unknown, loc: SourceLocation): number {
  if (raw === undefined || raw === null) return DEFAULT_SETTINGS.resetTimeoutMs;
  const text = scalarText(raw)?.trim() ?? '';
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  try {
    return parseDuration(text);
  } catch {
    throw new DefinitionError({
      message: `resilience4jConfiguration.waitDurationInOpenState must be seconds or a duration, got ${JSON.stringify(raw)}`,
      loc,
      expected: 'waitDurationInOpenState: 30   # seconds, or "500ms", "2m"',
    });
  }
}

function exceptionList(raw: unknown, key: string, loc: SourceLocation, context: BuildContext): string[] {
  if (raw === undefined || raw === null) return [];
  const names = Array.isArray(raw) ? raw : [raw];
  if (!names.every((n) => typeof n === 'string')) {
    throw new DefinitionError({ message: `resilience4jConfiguration.${key} must be a list of exception class names`, loc });
  }
  for (const name of names) {
    if (isKnownCamelException(name)) continue;
    context.report({
      severity: 'warning',
      message: `resilience4jConfiguration.${key}: '${name}' is not an exception the router raises, so it never matches`,
      loc,
      suggestions: didYouMean(name, KNOWN_CAMEL_EXCEPTIONS),
    });
  }
  return names;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
