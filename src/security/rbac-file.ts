import { readFileSync } from 'node:fs';
import type { LoadDiagnostic, SourceLocation } from '../runtime/definitions.js';
import { didYouMean } from '../runtime/did-you-mean.js';
import { compileGrant, isParsedPermission, parsePermission } from './permissions.js';
import { readRbac } from './rbac-reader.js';

/**
 * The RBAC file (`rbac.yaml`, path from `RBAC_FILE`): who the callers are (API-key principals, JWT
 * settings, anonymous roles) and what each role may do (permissions). See docs/security.md for the format.
 * Parsing never throws: every problem becomes a LoadDiagnostic with file:line:col and the YAML path.
 */

export type {
  ApiKeySource,
  JwtKeySource,
  JwtSettings,
  RbacFile,
  RbacPrincipal,
  RbacRole,
} from './rbac-model.js';
import type { RbacFile } from './rbac-model.js';

export interface RbacParseOptions {
  /** Where `apiKeyEnv` / `secretEnv` are read. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RbacParseResult {
  /** Undefined when the file has errors. */
  rbac?: RbacFile;
  diagnostics: LoadDiagnostic[];
}

export { ASYMMETRIC_ALGORITHMS, SYMMETRIC_ALGORITHMS, sha256 } from './rbac-reader.js';
export { denyAllRbac } from './rbac-model.js';

/** Reads and parses an RBAC file; a missing or unreadable file is a diagnostic too. */
export function loadRbacFile(file: string, options: RbacParseOptions = {}): RbacParseResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `Cannot read the RBAC file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          loc: { file, line: 1, col: 1, path: '' },
          hint: 'Set RBAC_FILE to the path of your rbac.yaml (see docs/security.md).',
        },
      ],
    };
  }
  return parseRbacFile(text, file, options);
}

export function parseRbacFile(text: string, file: string, options: RbacParseOptions = {}): RbacParseResult {
  const { rbac, diagnostics } = readRbac(text, file, options.env ?? process.env);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return { rbac: failed ? undefined : rbac, diagnostics };
}

export interface RbacReferenceTargets {
  routeIds: Iterable<string>;
  flowNames: Iterable<string>;
  /** Admin areas the server serves; when given, unknown `admin:<area>` grants are errors too. */
  adminAreas?: Iterable<string>;
  /** Routes reached over HTTP: one that no grant covers gets a warning (it will answer 403 to everyone). */
  httpEntryRouteIds?: Iterable<string>;
  /**
   * The routes and flows are only part of the route set (`pipes validate` of some files): a grant of a route
   * or flow that is not among them may name one in the other files, so it is not refused; one note lists them.
   */
  partialRouteSet?: boolean;
}

/**
 * Cross-checks the RBAC file against the loaded routes and flows, as the loader does for route files:
 * a grant naming a route, flow or admin area that does not exist is an error (with did-you-mean); a
 * wildcard grant that matches nothing is a warning; an HTTP entry nobody is granted is a warning.
 * With `partialRouteSet`, grants of routes and flows outside the set are one note instead.
 */
export function checkRbacReferences(rbac: RbacFile, targets: RbacReferenceTargets): LoadDiagnostic[] {
  const known: Record<string, string[] | undefined> = {
    route: [...targets.routeIds],
    flow: [...targets.flowNames],
    admin: targets.adminAreas ? [...targets.adminAreas] : undefined,
  };
  const what: Record<string, string> = { route: 'route', flow: 'flow', admin: 'admin area' };
  const diagnostics: LoadDiagnostic[] = [];
  const grants: string[] = [];
  const unchecked: { permission: string; loc: SourceLocation | undefined }[] = [];
  // Admin areas are the server's, whatever files are loaded: only routes and flows can live elsewhere.
  const outsideSet = (kind: string): boolean =>
    targets.partialRouteSet === true && (kind === 'route' || kind === 'flow');
  for (const role of rbac.roles.values()) {
    role.permissions.forEach((permission, index) => {
      grants.push(permission);
      const parsed = parsePermission(permission);
      if (!isParsedPermission(parsed) || parsed.kind === '*') return;
      const names = known[parsed.kind];
      if (!names) return;
      const loc = role.permissionLocs[index];
      if (parsed.hasWildcard) {
        const matches = compileGrant(permission);
        if (parsed.name !== '*' && !names.some((name) => matches(`${parsed.kind}:${name}`))) {
          if (outsideSet(parsed.kind)) {
            unchecked.push({ permission, loc });
            return;
          }
          diagnostics.push({
            severity: 'warning',
            message: `Grant '${permission}' of role '${role.name}' matches no ${what[parsed.kind]}`,
            loc,
          });
        }
        return;
      }
      if (!names.includes(parsed.name)) {
        if (outsideSet(parsed.kind)) {
          unchecked.push({ permission, loc });
          return;
        }
        const suggestions = didYouMean(parsed.name, names).map((name) => `${parsed.kind}:${name}`);
        diagnostics.push({
          severity: 'error',
          message: `Role '${role.name}' grants '${permission}', but there is no ${what[parsed.kind]} '${parsed.name}'`,
          loc,
          ...(suggestions.length ? { suggestions } : {}),
          expected: names.length
            ? `one of the loaded ${what[parsed.kind]}s: ${[...names].sort().join(', ')}`
            : `no ${what[parsed.kind]}s are loaded`,
        });
      }
    });
  }
  if (unchecked.length) {
    const permissions = [...new Set(unchecked.map((u) => u.permission))];
    diagnostics.push({
      severity: 'note',
      message: `Not checked: ${permissions.join(', ')} (no such route or flow in the files validated; validating the whole route set checks them)`,
      loc: unchecked[0]!.loc,
    });
  }
  if (targets.httpEntryRouteIds) {
    const matchers = grants.map(compileGrant);
    for (const routeId of targets.httpEntryRouteIds) {
      if (!matchers.some((matches) => matches(`route:${routeId}`))) {
        diagnostics.push({
          severity: 'warning',
          message: `No role grants 'route:${routeId}': this HTTP entry answers 403 to every caller`,
          loc: { file: rbac.file, line: 1, col: 1, path: 'roles' },
          hint: `Add route:${routeId} to a role's permissions to open it.`,
        });
      }
    }
  }
  return diagnostics;
}
