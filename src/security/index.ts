import { defineState, type StateHolder } from '../state/index.js';
import type { Logger } from '../observability/logger.js';
import type { Exchange } from '../runtime/exchange.js';
import { AmqpGuard } from './amqp-guard.js';
import { Authenticator, PRINCIPAL_PROPERTY, type Principal } from './authenticate.js';
import { Authorizer } from './authorize.js';
import { HEALTH_PERMISSION, METRICS_PERMISSION, routePermission } from './permissions.js';
import type { RbacFile } from './rbac-file.js';

export * from './amqp-guard.js';
export * from './authenticate.js';
export * from './authorize.js';
export * from './http-guard.js';
export * from './permissions.js';
export * from './rbac-file.js';
export * from './rest-security.js';
export * from './security-headers.js';


/** Everything built from one RBAC file. */
export interface Security {
  rbac: RbacFile;
  authenticator: Authenticator;
  authorizer: Authorizer;
  amqp: AmqpGuard;
}

/** `logger` receives the audit lines; give it a child such as `logger.child({ component: 'security' })`. */
export function createSecurity(rbac: RbacFile, logger: Logger): Security {
  const authenticator = new Authenticator(rbac);
  const authorizer = new Authorizer(rbac, logger);
  return { rbac, authenticator, authorizer, amqp: new AmqpGuard(rbac, authenticator, authorizer) };
}

/**
 * The permission a health or metrics request needs: none when the file leaves it open (the default,
 * for probes and scrapers), else `admin:health` / `admin:metrics`.
 */
export function permissionForProbe(rbac: RbacFile, endpoint: 'health' | 'metrics'): string | undefined {
  if (rbac.open[endpoint]) return undefined;
  return endpoint === 'health' ? HEALTH_PERMISSION : METRICS_PERMISSION;
}

/**
 * The router's {@link Security}: set at load whenever access control is enforced (from the RBAC file, or
 * from an empty file that denies everything when there is none). Undefined only when it is disabled
 * (tests, `pipes run --no-auth`) or for services not built by the router.
 */
export function routerSecurity(services: StateHolder): Security | undefined {
  return ROUTER_SECURITY.peek(services);
}

/**
 * The {@link Security} built from the RBAC file, so the `policy` step (built at load) and the entry
 * components reach the same authorizer and audit log. It belongs to a route set: a reload reads the RBAC
 * file again.
 */
export const ROUTER_SECURITY = defineState<Security | undefined>('security', { scope: 'route-set' }, () => undefined);

/**
 * Access control for one message delivered to an AMQP entry route; the spring-rabbitmq consumer calls it
 * after building the exchange and before running the route. `userId` is the message's `user_id`
 * property, which RabbitMQ has checked against the publishing connection's user.
 *
 * A known `user_id` puts its principal on the exchange (`ServicePipesPrincipal`, as HTTP entries do) and
 * is returned. With `amqp.requireUserId: true` in the RBAC file, a message without `user_id`, from an
 * unknown user or from one not granted `route:<routeId>` throws a non-retryable AuthorizationError whose
 * `details.reason` is `missing-user-id`, `unknown-user` or `not-granted`: dead-letter the message with that
 * reason, never ack it away, never retry it. Every refusal is audited. Without access control it does
 * nothing and returns undefined.
 */
export function authorizeAmqpEntry(
  services: StateHolder,
  routeId: string,
  exchange: Exchange,
  userId: string | undefined,
): Principal | undefined {
  const security = routerSecurity(services);
  if (!security) return undefined;
  const principal = security.amqp.authorize(userId, routePermission(routeId), {
    correlationId: exchange.correlationId,
  });
  if (principal) exchange.properties[PRINCIPAL_PROPERTY] = { ...principal, roles: [...principal.roles] };
  return principal;
}
