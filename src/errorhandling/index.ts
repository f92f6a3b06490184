export {
  createRouteErrorHandling,
  TRY_ROUTE_BLOCK,
  type RouteErrorHandling,
  type RouteErrorHandlingInput,
} from './error-handler.js';
export { DeadLetterHeaders, FailureFacts } from './failure-facts.js';
export {
  CAMEL_DEFAULT_POLICY,
  MAX_REDELIVERIES,
  ROUTER_BROKER_DEFAULT_POLICY,
  parseRedeliveryPolicy,
  type RedeliveryPolicy,
} from './redelivery-policy.js';
