import type { Logger } from '../observability/logger.js';
import type { Principal } from './authenticate.js';
import { compileGrant, permissionTarget, type PermissionMatcher } from './permissions.js';
import type { RbacFile } from './rbac-file.js';

/**
 * Why a decision went the way it did. Safe to log; never sent to the caller.
 * `not-granted`: no role of the principal grants the permission (also when nobody is granted it: deny by default);
 * `missing-role`: the permission is granted but a required role (policy bean, rest `security` scope) is missing;
 * `unauthenticated` / credential reasons: the caller is not known.
 */
export type DecisionReason = 'granted' | 'not-granted' | 'missing-role' | 'unauthenticated' | (string & {});

export interface AccessDecision {
  allowed: boolean;
  reason: DecisionReason;
}

/** Context of one decision, for the audit line. */
export interface AccessContext {
  correlationId?: string;
  /** Set when the decision is not about a permission's own route (e.g. a policy step inside a route). */
  routeId?: string;
  /**
   * Role alternatives that must also hold: any one inner list, all of its roles
   * (OpenAPI's security requirement semantics, used for rest `security` scopes).
   */
  requiredRoles?: string[][];
}

/** One audit line's fields. Never a key, token or secret: only ids, names and outcomes. */
export interface AuditRecord {
  event: 'access';
  principal: string | null;
  via?: Principal['via'];
  permission: string;
  decision: 'allowed' | 'denied';
  reason: DecisionReason;
  routeId?: string;
  flow?: string;
  adminArea?: string;
  correlationId?: string;
}

/**
 * Deny by default: a permission is allowed only when a role of the principal grants it. Every
 * decision is written as one audit line (`event: access`).
 */
export class Authorizer {
  private readonly grants = new Map<string, PermissionMatcher[]>();

  constructor(
    rbac: RbacFile,
    private readonly logger: Logger,
  ) {
    for (const role of rbac.roles.values()) this.grants.set(role.name, role.permissions.map(compileGrant));
  }

  /** Whether some role of the principal grants the permission. Roles unknown to the file grant nothing. */
  isGranted(principal: Principal, permission: string): boolean {
    return principal.roles.some(
      (role) => this.grants.get(role)?.some((matches) => matches(permission)) ?? false,
    );
  }

  /** Whether any role at all grants the permission (an entry nobody is granted answers 403 to everyone). */
  isGrantedToAnyone(permission: string): boolean {
    for (const matchers of this.grants.values())
      if (matchers.some((matches) => matches(permission))) return true;
    return false;
  }

  /** Decides and writes the audit line. */
  check(principal: Principal, permission: string, context: AccessContext = {}): AccessDecision {
    const decision = this.decide(principal, permission, context.requiredRoles);
    this.audit(principal, permission, decision, context);
    return decision;
  }

  /** Records a refusal that happened before any principal was known (missing or invalid credentials). */
  refuse(permission: string, reason: DecisionReason, context: AccessContext = {}): AccessDecision {
    const decision = { allowed: false, reason };
    this.audit(undefined, permission, decision, context);
    return decision;
  }

  /** Writes an audit line for a decision made elsewhere (the `policy` step's role check). */
  audit(
    principal: Principal | undefined,
    permission: string,
    decision: AccessDecision,
    context: AccessContext = {},
  ): void {
    writeAudit(this.logger, principal, permission, decision, context);
  }

  private decide(
    principal: Principal,
    permission: string,
    requiredRoles: string[][] | undefined,
  ): AccessDecision {
    if (!this.isGranted(principal, permission)) return { allowed: false, reason: 'not-granted' };
    if (requiredRoles && requiredRoles.length > 0 && !hasRoles(principal, requiredRoles))
      return { allowed: false, reason: 'missing-role' };
    return { allowed: true, reason: 'granted' };
  }
}

/** True when the principal holds every role of at least one alternative. */
export function hasRoles(principal: Principal, alternatives: string[][]): boolean {
  return alternatives.some((all) => all.every((role) => principal.roles.includes(role)));
}

/**
 * The audit line, shared by the HTTP guard, the AMQP guard and the `policy` step. Allowed at info,
 * denied at warn, one line per decision.
 */
export function writeAudit(
  logger: Logger,
  principal: Principal | undefined,
  permission: string,
  decision: AccessDecision,
  context: AccessContext = {},
): void {
  const target = permissionTarget(permission);
  const record: AuditRecord = {
    event: 'access',
    principal: principal?.id ?? null,
    via: principal?.via,
    permission,
    decision: decision.allowed ? 'allowed' : 'denied',
    reason: decision.reason,
    routeId: context.routeId ?? (target?.kind === 'route' ? target.name : undefined),
    flow: target?.kind === 'flow' ? target.name : undefined,
    adminArea: target?.kind === 'admin' ? target.name : undefined,
    correlationId: context.correlationId,
  };
  logger.log(
    decision.allowed ? 'info' : 'warn',
    decision.allowed ? 'access allowed' : 'access denied',
    dropUndefined(record),
  );
}

function dropUndefined(record: AuditRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
