import { DeliveryProperties, ServicePipesError, camelHierarchy } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';

/** Names of the facts an error handler leaves on the exchange, as Camel names them where Camel has one. */
export const FailureFacts = {
  /** Property: the error being handled (Camel's Exchange.EXCEPTION_CAUGHT). */
  exceptionCaught: 'CamelExceptionCaught',
  /** Property (set where the error happened): the route that failed. */
  failureRouteId: 'CamelFailureRouteId',
  /** Property (set where the error happened): the step that failed, its id or `keyword@yaml-path`. */
  failureStep: 'CamelFailureStep',
  /** Header: redeliveries made so far. */
  redeliveryCounter: DeliveryProperties.redeliveryCounter,
  /** Header: redeliveries the policy allows. */
  redeliveryMaxCounter: 'CamelRedeliveryMaxCounter',
  redelivered: DeliveryProperties.redelivered,
} as const;

/**
 * Headers a dead letter carries, so whoever reads the dead-letter endpoint (a queue, a route, an operator)
 * knows what failed where without the router's memory: properties are never sent, headers are.
 */
export const DeadLetterHeaders = {
  /** `java.net.ConnectException: connection refused`, as Java prints an exception. */
  exceptionCaught: 'CamelExceptionCaught',
  exceptionClass: 'CamelExceptionClass',
  exceptionMessage: 'CamelExceptionMessage',
  /** The router's stable error code (`VALIDATION_FAILED`, `HTTP_OPERATION_FAILED`, ...). */
  errorCode: 'CamelErrorCode',
  failureRouteId: 'CamelFailureRouteId',
  failureStep: 'CamelFailureStep',
  /** Deliveries tried in all (the first plus every redelivery). */
  attempts: 'CamelDeliveryAttempts',
  /** ISO time the dead letter was written. */
  failureTime: 'CamelFailureTime',
} as const;

/** Exposes the error to the clause or dead-letter steps: `${exception.message}`, CamelExceptionCaught, counters. */
export function exposeFailure(exchange: Exchange, error: Error, redeliveries: number, maximum: number): void {
  exchange.error = error;
  exchange.properties[FailureFacts.exceptionCaught] = error;
  exchange.properties[FailureFacts.failureRouteId] ??= exchange.routeId;
  exchange.setHeader(FailureFacts.redeliveryCounter, redeliveries);
  exchange.setHeader(FailureFacts.redeliveryMaxCounter, maximum);
}

/** Stamps the dead-letter headers on the exchange about to be sent to the dead-letter endpoint. */
export function stampDeadLetter(
  exchange: Exchange,
  error: Error,
  attempts: number,
  now: Date = new Date(),
): void {
  const className = camelHierarchy(error)[0] ?? 'java.lang.Exception';
  exchange.setHeader(DeadLetterHeaders.exceptionCaught, `${className}: ${error.message}`);
  exchange.setHeader(DeadLetterHeaders.exceptionClass, className);
  exchange.setHeader(DeadLetterHeaders.exceptionMessage, error.message);
  if (error instanceof ServicePipesError) exchange.setHeader(DeadLetterHeaders.errorCode, error.code);
  const routeId = exchange.properties[FailureFacts.failureRouteId] ?? exchange.routeId;
  if (typeof routeId === 'string') exchange.setHeader(DeadLetterHeaders.failureRouteId, routeId);
  const step = exchange.properties[FailureFacts.failureStep];
  if (typeof step === 'string') exchange.setHeader(DeadLetterHeaders.failureStep, step);
  exchange.setHeader(DeadLetterHeaders.attempts, attempts);
  exchange.setHeader(DeadLetterHeaders.failureTime, now.toISOString());
}

/** Failed deliveries before this one, from the consumer's header (0 when absent or unreadable). */
export function brokerRedeliveryCount(exchange: Exchange): number {
  const value = Number(exchange.getHeader(DeliveryProperties.redeliveryCounter) ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

export function isHeldByBroker(exchange: Exchange): boolean {
  return exchange.properties[DeliveryProperties.heldByBroker] === true;
}
