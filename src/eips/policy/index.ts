import { didYouMean } from '../../runtime/did-you-mean.js';
import { AuthorizationError } from '../../errors/index.js';
import type { Exchange } from '../../runtime/exchange.js';
import { type StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { PRINCIPAL_PROPERTY, type Principal } from '../../security/authenticate.js';
import { writeAudit, type AccessDecision } from '../../security/authorize.js';
import { routerSecurity, type Security } from '../../security/index.js';
import { stepsSchema } from '../shared/schema.js';
import { requiredString, stepList } from '../../runtime/step-options.js';
import { ROUTE_SET_BEANS, readPolicyBean, type SecurityPolicy } from './policy-bean.js';

export { ROUTE_SET_BEANS, policyBeansModule } from './policy-bean.js';
export { KEYCLOAK_POLICY_TYPE, POLICY_BEAN_TYPES } from '../../runtime/definitions.js';

/**
 * Camel's `policy` step with a security-policy bean: the caller (the `ServicePipesPrincipal` exchange
 * property set by the HTTP or AMQP entry) must hold the bean's `requiredRoles` and be granted its
 * `requiredPermissions` by the RBAC file, or the exchange fails with AuthorizationError (Camel's
 * CamelAuthorizationException; 403 to an HTTP caller). Then the nested steps run. Every check is audited.
 */
export const policyStep: StepSpec = {
  keyword: 'policy',
  summary: 'Runs its steps only for callers that satisfy a security-policy bean (RBAC).',
  schema: {
    type: 'object',
    description:
      'Guards its steps with a security-policy bean (`beans` entry of type ' +
      'org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy) whose requiredRoles / requiredPermissions ' +
      'are checked against the caller identified by the RBAC file.',
    properties: {
      ref: { type: 'string', description: 'Name of the security-policy bean.' },
      steps: stepsSchema,
    },
    required: ['ref'],
    additionalProperties: false,
  },
  create(definition, context) {
    const snippet = 'policy:\n  ref: paymentsAdminPolicy\n  steps:\n    - to: direct:refund';
    const ref = requiredString(definition, 'ref', snippet);
    const beans = ROUTE_SET_BEANS.peek(context.services);
    const bean = beans?.find((candidate) => candidate.name === ref);
    if (!bean) {
      const names = (beans ?? []).map((candidate) => candidate.name);
      throw new DefinitionError({
        message: `policy refers to bean '${ref}', which is not defined`,
        loc: definition.loc,
        suggestions: didYouMean(ref, names),
        expected: names.length ? `one of the beans: ${names.join(', ')}` : 'a top-level beans entry',
        snippet: `- beans:\n    - name: ${ref}\n      type: org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy\n      properties:\n        requiredRoles: payments-admin`,
      });
    }
    const policy = readPolicyBean(bean, (diagnostic) => context.report(diagnostic));
    const security = routerSecurity(context.services);
    if (policy.requiredPermissions.length > 0 && !security) {
      throw new DefinitionError({
        message: `Policy bean '${bean.name}' requires permissions, but no RBAC file is loaded`,
        loc: definition.loc,
        hint: 'Set RBAC_FILE, or use requiredRoles only.',
      });
    }
    const children = context.compileSteps(stepList(definition.options.steps, 'policy', definition.loc));
    const auditLogger = context.logger;
    const label = `policy:${policy.name}`;

    return async (exchange: Exchange) => {
      const principal = principalOf(exchange);
      const decision = evaluatePolicy(policy, principal, security);
      const audit = { correlationId: exchange.correlationId, routeId: exchange.routeId ?? context.routeId };
      if (security) security.authorizer.audit(principal, label, decision, audit);
      else writeAudit(auditLogger, principal, label, decision, audit);
      if (!decision.allowed) {
        throw new AuthorizationError('Forbidden', {
          details: { policy: policy.name, reason: decision.reason },
        });
      }
      await children(exchange);
    };
  },
};

/** The decision of one policy for one principal (no principal: denied). */
export function evaluatePolicy(
  policy: SecurityPolicy,
  principal: Principal | undefined,
  security: Security | undefined,
): AccessDecision {
  if (!principal) return { allowed: false, reason: 'unauthenticated' };
  if (policy.requiredRoles.length > 0) {
    const has = (role: string): boolean => principal.roles.includes(role);
    const ok = policy.allRolesRequired ? policy.requiredRoles.every(has) : policy.requiredRoles.some(has);
    if (!ok) return { allowed: false, reason: 'missing-role' };
  }
  if (policy.requiredPermissions.length > 0) {
    const granted = (permission: string): boolean =>
      security?.authorizer.isGranted(principal, permission) ?? false;
    const ok = policy.allPermissionsRequired
      ? policy.requiredPermissions.every(granted)
      : policy.requiredPermissions.some(granted);
    if (!ok) return { allowed: false, reason: 'not-granted' };
  }
  return { allowed: true, reason: 'granted' };
}

/** The principal property, if it has the expected shape (a route could have overwritten it with anything). */
function principalOf(exchange: Exchange): Principal | undefined {
  const value = exchange.properties[PRINCIPAL_PROPERTY] as Partial<Principal> | undefined;
  if (!value || typeof value !== 'object' || typeof value.id !== 'string' || !Array.isArray(value.roles))
    return undefined;
  return {
    id: value.id,
    roles: value.roles.filter((role): role is string => typeof role === 'string'),
    via: value.via ?? 'anonymous',
  };
}
