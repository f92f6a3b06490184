/**
 * Permissions are `<kind>:<name>` strings: `route:<route id>`, `flow:<flow name>`, `admin:<area>`, or `*`
 * for everything. A grant may use `*` anywhere in the name as "any run of characters" (`route:*`,
 * `route:payments-*`, `admin:*`); a required permission never contains a wildcard.
 */

export const PERMISSION_KINDS = ['route', 'flow', 'admin'] as const;
export type PermissionKind = (typeof PERMISSION_KINDS)[number];

/** The grant that matches every permission. */
export const ALL_PERMISSIONS = '*';

/**
 * Admin areas the router asks for. The server may ask for others; these two are named here because the
 * RBAC file's `open` section decides whether they need a permission at all.
 */
export const HEALTH_PERMISSION = 'admin:health';
export const METRICS_PERMISSION = 'admin:metrics';
/**
 * Every caller's async runs: listing runs of all flows, and reading or listing runs other principals
 * started (without it, a caller with `flow:<name>` sees only the runs it started itself).
 */
export const RUNS_ADMIN_PERMISSION = 'admin:runs';

export interface ParsedPermission {
  kind: PermissionKind | '*';
  /** The name part; `*` for the all-permissions grant. */
  name: string;
  hasWildcard: boolean;
}

/** Names of routes, flows and areas: no blanks, no control characters, no second colon needed. */
const NAME = /^[A-Za-z0-9_.*\-/{}]+$/;

/** Parses a permission; returns a message (never throws) when the text is not one. */
export function parsePermission(text: string): ParsedPermission | { problem: string } {
  if (text === ALL_PERMISSIONS) return { kind: '*', name: '*', hasWildcard: true };
  const colon = text.indexOf(':');
  if (colon < 0) {
    return {
      problem: `'${text}' is not a permission: write <kind>:<name> with kind one of ${PERMISSION_KINDS.join(', ')}, or '*'`,
    };
  }
  const kind = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (!(PERMISSION_KINDS as readonly string[]).includes(kind)) {
    return {
      problem: `Unknown permission kind '${kind}' in '${text}': expected one of ${PERMISSION_KINDS.join(', ')}`,
    };
  }
  if (!name || !NAME.test(name)) {
    return {
      problem: `'${text}' has no usable name after '${kind}:' (letters, digits, '.', '_', '-', '/' and '*' wildcards)`,
    };
  }
  return { kind: kind as PermissionKind, name, hasWildcard: name.includes('*') };
}

export function isParsedPermission(value: ParsedPermission | { problem: string }): value is ParsedPermission {
  return !('problem' in value);
}

/** A compiled grant: tests a concrete permission string. */
export type PermissionMatcher = (permission: string) => boolean;

/** Compiles one grant. An invalid grant matches nothing (the file check reports it at load). */
export function compileGrant(grant: string): PermissionMatcher {
  const parsed = parsePermission(grant);
  if (!isParsedPermission(parsed)) return () => false;
  if (parsed.kind === '*') return () => true;
  if (!parsed.hasWildcard) return (permission) => permission === grant;
  const pattern = new RegExp(
    `^${escapeRegExp(parsed.kind)}:${parsed.name.split('*').map(escapeRegExp).join('.*')}$`,
  );
  return (permission) => pattern.test(permission);
}

/** Whether `grant` (possibly with wildcards) covers the concrete `permission`. */
export function permissionMatches(grant: string, permission: string): boolean {
  return compileGrant(grant)(permission);
}

/** `route:x` → {kind: 'route', name: 'x'}; for audit fields. Undefined for anything else. */
export function permissionTarget(permission: string): { kind: PermissionKind; name: string } | undefined {
  const parsed = parsePermission(permission);
  if (!isParsedPermission(parsed) || parsed.kind === '*') return undefined;
  return { kind: parsed.kind, name: parsed.name };
}

export const routePermission = (routeId: string): string => `route:${routeId}`;
export const flowPermission = (flowName: string): string => `flow:${flowName}`;
export const adminPermission = (area: string): string => `admin:${area}`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
