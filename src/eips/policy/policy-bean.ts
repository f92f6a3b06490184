import { defineState } from '../../state/index.js';
import type { RouterModule } from '../../runtime/router-module.js';
import { KEYCLOAK_POLICY_TYPE, POLICY_BEAN_TYPES, type BeanDefinition, type LoadDiagnostic } from '../../runtime/definitions.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import { DefinitionError } from '../../errors/index.js';
import { isParsedPermission, parsePermission } from '../../security/permissions.js';


/** The route set's `beans` list, so the `policy` step can resolve its `ref` at load. */
export const ROUTE_SET_BEANS = defineState<readonly BeanDefinition[]>('beans', { scope: 'route-set' }, () => []);

/** Shares the route set's beans before its routes are built (the policy step reads them). */
export const policyBeansModule: RouterModule = {
  name: 'policy-beans',
  beforeBuild(routeSet, services) {
    ROUTE_SET_BEANS.set(services, routeSet.beans);
  },
};

/** What a policy bean requires of the caller. */
export interface SecurityPolicy {
  name: string;
  requiredRoles: string[];
  /** RBAC permissions (`route:x`, `flow:y`, `admin:z`), checked through the RBAC file's grants. */
  requiredPermissions: string[];
  /** Default true: every listed role; false: any one. */
  allRolesRequired: boolean;
  /** Default true: every listed permission; false: any one. */
  allPermissionsRequired: boolean;
}

const POLICY_PROPERTIES = [
  'requiredRoles',
  'requiredPermissions',
  'allRolesRequired',
  'allPermissionsRequired',
];
/** Keycloak connection settings: meaningful to Camel, ignored here because identity comes from the RBAC file. */
const KEYCLOAK_CONNECTION_PROPERTIES = [
  'serverUrl',
  'realm',
  'clientId',
  'clientSecret',
  'username',
  'password',
  'useResourceOwnerPasswordCredentials',
  'publicKey',
  'useTokenIntrospection',
  'introspectionCacheEnabled',
  'introspectionCacheTtl',
];

/**
 * Reads a policy bean. `requiredRoles` / `requiredPermissions` are comma-separated texts (CAMEL-22498) or
 * YAML lists. Problems that do not stop the route from working (ignored Keycloak settings) go to `warn`.
 */
export function readPolicyBean(
  bean: BeanDefinition,
  warn: (diagnostic: LoadDiagnostic) => void,
): SecurityPolicy {
  if (!POLICY_BEAN_TYPES.includes(bean.type)) {
    throw new DefinitionError({
      message: `Bean '${bean.name}' of type ${bean.type} is not a security policy`,
      loc: bean.loc,
      expected: `type: ${KEYCLOAK_POLICY_TYPE}`,
    });
  }
  const properties = bean.properties ?? {};
  const ignored = Object.keys(properties).filter((key) => !POLICY_PROPERTIES.includes(key));
  const misspelt = ignored.filter((key) => !KEYCLOAK_CONNECTION_PROPERTIES.includes(key));
  for (const key of misspelt) {
    throw new DefinitionError({
      message: `Unknown property '${key}' of policy bean '${bean.name}'`,
      loc: bean.loc,
      suggestions: didYouMean(key, [...POLICY_PROPERTIES, ...KEYCLOAK_CONNECTION_PROPERTIES]),
      expected: `one of: ${POLICY_PROPERTIES.join(', ')}`,
    });
  }
  if (ignored.length > 0) {
    // Names only: these properties may hold a client secret or a password.
    warn({
      severity: 'warning',
      message: `Policy bean '${bean.name}': ${ignored.join(', ')} ignored; callers are identified by the RBAC file`,
      loc: bean.loc,
    });
  }
  const policy: SecurityPolicy = {
    name: bean.name,
    requiredRoles: nameList(properties.requiredRoles, bean, 'requiredRoles'),
    requiredPermissions: nameList(properties.requiredPermissions, bean, 'requiredPermissions'),
    allRolesRequired: flag(properties.allRolesRequired, bean, 'allRolesRequired'),
    allPermissionsRequired: flag(properties.allPermissionsRequired, bean, 'allPermissionsRequired'),
  };
  for (const permission of policy.requiredPermissions) {
    const parsed = parsePermission(permission);
    if (!isParsedPermission(parsed) || parsed.hasWildcard) {
      throw new DefinitionError({
        message: `Policy bean '${bean.name}': '${permission}' is not a permission`,
        loc: bean.loc,
        expected: 'route:<route id>, flow:<flow name> or admin:<area>, without wildcards',
      });
    }
  }
  if (policy.requiredRoles.length === 0 && policy.requiredPermissions.length === 0) {
    // A policy that requires nothing would let every caller through while looking like a guard.
    throw new DefinitionError({
      message: `Policy bean '${bean.name}' requires nothing`,
      loc: bean.loc,
      snippet: `- name: ${bean.name}\n  type: ${KEYCLOAK_POLICY_TYPE}\n  properties:\n    requiredRoles: payments-admin`,
    });
  }
  return policy;
}

function nameList(value: unknown, bean: BeanDefinition, key: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!items || !items.every((item) => typeof item === 'string')) {
    throw new DefinitionError({
      message: `${key} of policy bean '${bean.name}' must be a comma-separated text or a list of names`,
      loc: bean.loc,
      expected: `${key}: "a,b"`,
    });
  }
  return items.map((item) => item.trim()).filter(Boolean);
}

function flag(value: unknown, bean: BeanDefinition, key: string): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DefinitionError({
    message: `${key} of policy bean '${bean.name}' must be true or false`,
    loc: bean.loc,
  });
}
