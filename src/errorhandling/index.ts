export {
  createRouteErrorHandling,
  TRY_ROUTE_BLOCK,
  type RouteErrorHandling,
  type RouteErrorHandlingInput,
} from './error-handler.js';
export { classifyError, retryAfterMs, type ErrorClass } from './error-classes.js';
export { DeadLetterHeaders, FailureFacts } from './failure-facts.js';
export {
  CAMEL_DEFAULT_POLICY,
  MAX_REDELIVERIES,
  ROUTER_BROKER_DEFAULT_POLICY,
  baseDelayFor,
  delayBounds,
  delayFor,
  parseRedeliveryPolicy,
  type RedeliveryPolicy,
} from './redelivery-policy.js';
