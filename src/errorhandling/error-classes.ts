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
  if (!known) return 'unknown';
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
