/**
 * The router's errors. Each says whether a retry can help (`retryable`), how it answers a synchronous
 * HTTP caller (`httpStatus`), and which Camel exception name it stands for, so route files can match
 * it with `onException` / `doCatch` by is-a, nearest first (see {@link camelHierarchy}).
 */

/** Camel / Java exception names and their parents, for is-a matching of `exception:` lists. */
const CAMEL_PARENTS: Record<string, string> = {
  'java.lang.Exception': 'java.lang.Throwable',
  'java.lang.Error': 'java.lang.Throwable',
  'java.lang.RuntimeException': 'java.lang.Exception',
  'java.lang.IllegalArgumentException': 'java.lang.RuntimeException',
  'java.lang.IllegalStateException': 'java.lang.RuntimeException',
  'java.lang.UnsupportedOperationException': 'java.lang.RuntimeException',
  'java.lang.NullPointerException': 'java.lang.RuntimeException',
  'java.io.IOException': 'java.lang.Exception',
  'java.net.SocketException': 'java.io.IOException',
  'java.net.ConnectException': 'java.net.SocketException',
  'java.net.SocketTimeoutException': 'java.io.IOException',
  'java.net.UnknownHostException': 'java.io.IOException',
  'java.util.concurrent.TimeoutException': 'java.lang.Exception',
  'org.apache.camel.CamelException': 'java.lang.Exception',
  'org.apache.camel.RuntimeCamelException': 'java.lang.RuntimeException',
  'org.apache.camel.CamelExchangeException': 'org.apache.camel.CamelException',
  'org.apache.camel.ValidationException': 'org.apache.camel.CamelExchangeException',
  'org.apache.camel.component.jsonvalidator.JsonValidationException': 'org.apache.camel.ValidationException',
  'org.apache.camel.http.base.HttpOperationFailedException': 'org.apache.camel.CamelException',
  'org.apache.camel.CamelAuthorizationException': 'org.apache.camel.CamelExchangeException',
  'org.apache.camel.ExpressionEvaluationException': 'org.apache.camel.RuntimeCamelException',
  'org.apache.camel.component.direct.DirectConsumerNotAvailableException':
    'org.apache.camel.CamelExchangeException',
  'org.apache.camel.ExchangeTimedOutException': 'org.apache.camel.CamelExchangeException',
  'org.springframework.amqp.AmqpException': 'java.lang.RuntimeException',
  'io.github.resilience4j.circuitbreaker.CallNotPermittedException': 'java.lang.RuntimeException',
  'org.apache.camel.support.processor.PredicateValidationException': 'org.apache.camel.ValidationException',
  'org.apache.camel.InvalidPayloadException': 'org.apache.camel.CamelExchangeException',
};

/** Known exception names, for "did you mean" at load time. */
export const KNOWN_CAMEL_EXCEPTIONS: readonly string[] = Object.freeze([
  ...new Set([...Object.keys(CAMEL_PARENTS), ...Object.values(CAMEL_PARENTS)]),
]);

export function isKnownCamelException(name: string): boolean {
  return KNOWN_CAMEL_EXCEPTIONS.includes(name);
}

import type { LoadDiagnostic } from './diagnostic.js';

export type { LoadDiagnostic, Severity, SourceLocation } from './diagnostic.js';

export interface ServicePipesErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  httpStatus?: number;
  /** Extra, non-secret facts for dead-letter provenance and error bodies. */
  details?: Record<string, unknown>;
}

export class ServicePipesError extends Error {
  /** Stable machine-readable code, e.g. `VALIDATION_FAILED`. */
  readonly code: string;
  readonly retryable: boolean;
  readonly httpStatus: number;
  readonly details: Record<string, unknown>;
  /** The Camel exception name this error stands for. */
  camelName = 'java.lang.Exception';

  constructor(code: string, message: string, options: ServicePipesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.httpStatus = options.httpStatus ?? 500;
    this.details = options.details ?? {};
  }
}

/**
 * Issues a validation failure keeps and reports at most. With ajv's `allErrors`, a 1 MB body of 90,000
 * unexpected keys gives 90,000 issues: reported whole they made a 16 MB answer (and as much in logs and
 * dead letters). The first ones say what is wrong; the count says how much.
 */
export const MAX_REPORTED_ISSUES = 20;

/**
 * A JSON Schema validation failure; carries the first {@link MAX_REPORTED_ISSUES} ajv errors with their
 * instancePath, and how many there were in all.
 */
export class JsonValidationError extends ServicePipesError {
  override camelName = 'org.apache.camel.component.jsonvalidator.JsonValidationException';
  readonly errors: readonly ValidationIssue[];
  /** How many issues the validation found (errors holds the first of them). */
  readonly errorCount: number;
  /** Whether errors holds fewer issues than were found. */
  readonly truncated: boolean;
  constructor(message: string, errors: readonly ValidationIssue[], options: ServicePipesErrorOptions = {}) {
    super('VALIDATION_FAILED', capText(message), { httpStatus: 400, retryable: false, ...options });
    this.errors = errors.slice(0, MAX_REPORTED_ISSUES);
    this.errorCount = errors.length;
    this.truncated = errors.length > MAX_REPORTED_ISSUES;
  }
}

/** Longest message a validation failure keeps (callers that list issues in it are cut here too). */
const MAX_VALIDATION_MESSAGE = 2000;

function capText(message: string): string {
  return message.length > MAX_VALIDATION_MESSAGE ? `${message.slice(0, MAX_VALIDATION_MESSAGE)}…` : message;
}

export interface ValidationIssue {
  instancePath: string;
  message: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** A non-2xx answer from a partner (Camel's HttpOperationFailedException). */
export class HttpOperationFailedError extends ServicePipesError {
  override camelName = 'org.apache.camel.http.base.HttpOperationFailedException';
  readonly statusCode: number;
  readonly responseBody: string;
  readonly uri: string;
  /** From a `Retry-After` answer header, when the partner sent one. */
  readonly retryAfterMs?: number;
  constructor(uri: string, statusCode: number, responseBody: string, retryAfterMs?: number) {
    super('HTTP_OPERATION_FAILED', `HTTP operation failed invoking ${uri} with statusCode: ${statusCode}`, {
      retryable: statusCode >= 500 || statusCode === 408 || statusCode === 429,
      httpStatus: 502,
      details: { statusCode, uri },
    });
    this.statusCode = statusCode;
    this.responseBody = responseBody;
    this.uri = uri;
    this.retryAfterMs = retryAfterMs;
  }
}

export class ConnectError extends ServicePipesError {
  override camelName = 'java.net.ConnectException';
  constructor(message: string, options: ServicePipesErrorOptions = {}) {
    super('CONNECT_FAILED', message, { retryable: true, httpStatus: 502, ...options });
  }
}

export class TimeoutError extends ServicePipesError {
  override camelName = 'java.util.concurrent.TimeoutException';
  constructor(message: string, options: ServicePipesErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, httpStatus: 504, ...options });
  }
}

/** The broker could not take or confirm a message; the caller should come back later (503). */
export class TransportError extends ServicePipesError {
  override camelName = 'org.springframework.amqp.AmqpException';
  readonly retryAfterSeconds: number;
  constructor(code: string, message: string, options: ServicePipesErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(code, message, { retryable: true, httpStatus: 503, ...options });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

export class CircuitOpenError extends ServicePipesError {
  override camelName = 'io.github.resilience4j.circuitbreaker.CallNotPermittedException';
  constructor(message: string, options: ServicePipesErrorOptions = {}) {
    super('CIRCUIT_OPEN', message, { retryable: true, httpStatus: 503, ...options });
  }
}

export class AuthenticationError extends ServicePipesError {
  constructor(message = 'Authentication required', options: ServicePipesErrorOptions = {}) {
    super('UNAUTHENTICATED', message, { httpStatus: 401, ...options });
  }
}

export class AuthorizationError extends ServicePipesError {
  override camelName = 'org.apache.camel.CamelAuthorizationException';
  constructor(message = 'Forbidden', options: ServicePipesErrorOptions = {}) {
    super('FORBIDDEN', message, { httpStatus: 403, ...options });
  }
}

/** An expression that could not be evaluated for this message. */
export class ExpressionError extends ServicePipesError {
  override camelName = 'org.apache.camel.ExpressionEvaluationException';
  constructor(message: string, options: ServicePipesErrorOptions = {}) {
    super('EXPRESSION_FAILED', message, { httpStatus: 500, ...options });
  }
}

/** The body could not be converted to the type a step asked for (convertBodyTo); the sender's data is at fault. */
export class InvalidPayloadError extends ServicePipesError {
  override camelName = 'org.apache.camel.InvalidPayloadException';
  constructor(message: string, options: ServicePipesErrorOptions = {}) {
    super('INVALID_PAYLOAD', message, { httpStatus: 400, retryable: false, ...options });
  }
}

/** A `direct:` endpoint with no consumer at run time (Camel's DirectConsumerNotAvailableException). */
export class DirectConsumerNotAvailableError extends ServicePipesError {
  override camelName = 'org.apache.camel.component.direct.DirectConsumerNotAvailableException';
  constructor(endpoint: string) {
    super('NO_CONSUMER', `No consumers available on endpoint: ${endpoint}`, { httpStatus: 500 });
  }
}

/** Raised by `throwException`; its Camel name is whatever the route file asked for. */
export class ThrownError extends ServicePipesError {
  constructor(exceptionType: string, message: string) {
    super('THROWN', message, {
      httpStatus: exceptionType === 'java.lang.IllegalArgumentException' ? 400 : 500,
      details: { exceptionType },
    });
    this.camelName = exceptionType;
  }
}

/** Never retried: goes straight to the dead letters. */
export class UnrecoverableError extends ServicePipesError {
  constructor(message: string, options: ServicePipesErrorOptions = {}) {
    super('UNRECOVERABLE', message, { retryable: false, ...options });
  }
}

/** An HTTP-level refusal made by the router itself (404, 405, 413, 400 malformed JSON...). */
export class HttpRequestError extends ServicePipesError {
  constructor(httpStatus: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { httpStatus, details, retryable: false });
  }
}

/**
 * The Camel names an error answers to, most specific first, ending in java.lang.Throwable.
 * Plain JavaScript errors (TypeError, ...) count as java.lang.RuntimeException.
 */
export function camelHierarchy(error: unknown): string[] {
  let name: string | undefined =
    error instanceof ServicePipesError ? error.camelName : 'java.lang.RuntimeException';
  const chain: string[] = [];
  while (name && !chain.includes(name)) {
    chain.push(name);
    name = CAMEL_PARENTS[name] ?? (name === 'java.lang.Throwable' ? undefined : 'java.lang.Exception');
  }
  return chain;
}

/**
 * How close `error` is to one of `exceptionNames`: 0 = exact class, larger = further up the hierarchy,
 * undefined = no match. Used to pick the nearest onException / doCatch clause, as Camel does.
 */
export function exceptionDistance(error: unknown, exceptionNames: readonly string[]): number | undefined {
  const chain = camelHierarchy(error);
  let best: number | undefined;
  for (const name of exceptionNames) {
    const index = chain.indexOf(name);
    if (index >= 0 && (best === undefined || index < best)) best = index;
  }
  return best;
}

/** Wraps anything thrown into an Error so handlers always see `.message`. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}

/**
 * Not a failure to report: the route's error handling asks for the message to be tried again after
 * `delayMs`, with the broker holding the delay (a delay queue), not a sleeping handler. Thrown out of a
 * route only when the exchange came from a broker consumer (property `CamelRedeliveryHeldByBroker`); the
 * consumer publishes the message to its retry queue with the attempt count raised, then acks it.
 */
export class RetryLaterSignal extends ServicePipesError {
  readonly delayMs: number;
  /** The attempt that just failed (1 = the first delivery). */
  readonly attempt: number;
  constructor(delayMs: number, attempt: number, cause: unknown) {
    super('RETRY_LATER', `retry in ${delayMs} ms after attempt ${attempt}: ${toError(cause).message}`, {
      cause,
      retryable: true,
      httpStatus: 503,
    });
    this.delayMs = delayMs;
    this.attempt = attempt;
  }
}

/** Exchange property / header names shared by consumers, error handlers and dead-letter tooling. */
export const DeliveryProperties = {
  /** Property: true when a broker consumer took the message in, so retries are held by the broker. */
  heldByBroker: 'CamelRedeliveryHeldByBroker',
  /** Header: failed attempts before this one (0 on the first delivery), as Camel's CamelRedeliveryCounter. */
  redeliveryCounter: 'CamelRedeliveryCounter',
  /** Header: true when this delivery is a retry. */
  redelivered: 'CamelRedelivered',
} as const;

/** Thrown by EIP and component factories to reject a definition; the builder adds it as a load error. */
export class DefinitionError extends ServicePipesError {
  // A load error is nothing a route catches; as a plain Error it counted as a RuntimeException.
  override camelName = 'java.lang.RuntimeException';
  readonly diagnostic: LoadDiagnostic;
  constructor(diagnostic: Omit<LoadDiagnostic, 'severity'>) {
    super('DEFINITION_INVALID', diagnostic.message);
    this.diagnostic = { severity: 'error', ...diagnostic };
  }
}

/** Thrown when route files do not load; carries every diagnostic of every file. */
export class RouteLoadError extends ServicePipesError {
  constructor(readonly diagnostics: LoadDiagnostic[]) {
    super('ROUTES_NOT_LOADED', `${diagnostics.filter((d) => d.severity === 'error').length} error(s) in route files`);
  }
}

/** Thrown by start/stop of a route that does not exist. */
export class UnknownRouteError extends ServicePipesError {
  constructor(readonly routeId: string) {
    super('ROUTE_NOT_FOUND', `No route '${routeId}'`, { httpStatus: 404 });
  }
}
