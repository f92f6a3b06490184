/**
 * Camel's rest verbs carry OpenAPI security requirements, `security: [{key: oauth, scopes: "a,b"}]`; Camel
 * only documents them. The router enforces them as roles, on top of the `route:<id>` permission:
 * the requirements are alternatives (any one), the scopes of one requirement are all needed, as OpenAPI says.
 * Returns undefined when the verb has no scopes (only the permission applies).
 */
export function rolesFromRestSecurity(security: unknown): string[][] | undefined {
  if (!Array.isArray(security)) return undefined;
  const alternatives: string[][] = [];
  for (const requirement of security) {
    if (!requirement || typeof requirement !== 'object') continue;
    const scopes = (requirement as { scopes?: unknown }).scopes;
    const list = Array.isArray(scopes) ? scopes : typeof scopes === 'string' ? scopes.split(',') : [];
    const roles = list
      .filter((scope): scope is string => typeof scope === 'string')
      .map((scope) => scope.trim())
      .filter(Boolean);
    if (roles.length > 0) alternatives.push(roles);
  }
  return alternatives.length > 0 ? alternatives : undefined;
}
