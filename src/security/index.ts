import type { Logger } from '../observability/logger.js';
import { AmqpGuard } from './amqp-guard.js';
import { Authenticator } from './authenticate.js';
import { Authorizer } from './authorize.js';
import { HEALTH_PERMISSION, METRICS_PERMISSION } from './permissions.js';
import type { RbacFile } from './rbac-file.js';

export * from './amqp-guard.js';
export * from './authenticate.js';
export * from './authorize.js';
export * from './http-guard.js';
export * from './permissions.js';
export * from './rbac-file.js';
export * from './rest-security.js';
export * from './security-headers.js';

/**
 * Key in `RouterServices.shared` under which the router keeps its {@link Security}, so the `policy` step
 * (built at load) and the entry components reach the same authorizer and audit log.
 */
export const SECURITY_SHARED_KEY = 'security';

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
