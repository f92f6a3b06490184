import { splitRabbitMqUrls } from '../config/rabbitmq-urls.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RBAC_FILE } from '../config.js';
import type { LoadDiagnostic, RouteSet } from '../runtime/definitions.js';
import { parseEndpointUri } from '../runtime/endpoint-uri.js';
import { isAmqpEntryScheme, isHttpEntryScheme } from '../runtime/component.js';
import { brokerUserOf } from '../transport/rabbitmq/broker-user.js';
import type { RouterModule } from '../runtime/router-module.js';
import type { RouterServices } from '../runtime/services.js';
import {
  checkRbacReferences,
  createSecurity,
  routePermission,
  denyAllRbac,
  loadRbacFile,
  ROUTER_SECURITY,
  type Security,
} from '../security/index.js';
import { defineState } from '../state/index.js';

/** Admin areas modules declared (`admin:<area>`): the router's, whatever route set runs. */
const ADMIN_AREA_NAMES = defineState(
  'security.admin-areas',
  { scope: 'router' },
  () => new Set<string>(ADMIN_AREAS),
);

/** Schemes whose consumers are HTTP entries (served by this server, guarded with `route:<id>`). */

/**
 * Admin areas the RBAC file may name in `admin:<area>` grants. An exact grant of another area is a load
 * error (a misspelt grant would otherwise silently open nothing). Parts that serve a new area add it with
 * {@link declareAdminAreas} before the routes load.
 */
export const ADMIN_AREAS: readonly string[] = ['health', 'metrics', 'dead-letters', 'breakers', 'runs'];

/** Adds admin areas to the ones RBAC grants are checked against (call before the router loads). */
export function declareAdminAreas(services: RouterServices, ...areas: string[]): void {
  const declared = adminAreas(services);
  for (const area of areas) declared.add(area);
}

function adminAreas(services: RouterServices): Set<string> {
  return ADMIN_AREA_NAMES.of(services);
}

/**
 * How `pipes validate` checks access control; a router that runs never sets it.
 * - `routeSet: 'partial'`: the files validated are some of the route set (an editor or a pre-commit hook
 *   validating one file), so grants of routes and flows outside them are a note, not an error.
 * - `rbac: 'none'`: no RBAC file is read (`--rbac none`); HTTP entries are not refused for the lack of one.
 *
 * Nothing runs, so the warnings that a running router also logs (no RBAC file, access control disabled)
 * are only diagnostics: the validation prints each once.
 */
export interface AccessCheck {
  routeSet: 'complete' | 'partial';
  rbac: 'file' | 'none';
}

const ACCESS_CHECK = defineState<AccessCheck | undefined>(
  'security.access-check',
  { scope: 'router' },
  () => undefined,
);

/** Makes these services a validation's: access control is checked as `check` says (call before loading). */
export function checkAccessForValidation(services: RouterServices, check: AccessCheck): void {
  ACCESS_CHECK.set(services, check);
}

/** Whether access control was turned off on purpose (tests, `pipes run --no-auth`). */
export function accessControlDisabled(services: RouterServices): boolean {
  return services.config.security === 'disabled';
}

/**
 * Sets up access control for a router at load, before its routes are built (the `policy` step reads it):
 *
 * - `config.security: 'disabled'`: no guard at all; refused under NODE_ENV=production, warned loudly otherwise.
 * - an RBAC file (`RBAC_FILE`, else `rbac.yaml` in the working directory when present): loaded, checked
 *   against the routes, flows and admin areas, and enforced.
 * - no RBAC file: a router with HTTP entries refuses to start (an entry nobody may call is a deployment
 *   mistake, better found at start than as 403s); any other router enforces a file that grants nothing, so
 *   the admin and async APIs answer no one and only the open probes answer.
 *
 * Returns the diagnostics; the Security, when there is one, is in `ROUTER_SECURITY`.
 */
export function setUpAccessControl(services: RouterServices, routeSet: RouteSet): LoadDiagnostic[] {
  const { config } = services;
  const logger = services.logger.child({ component: 'security' });
  const validation = ACCESS_CHECK.peek(services);
  ROUTER_SECURITY.clear(services);
  if (validation?.rbac === 'none') {
    // A Security that denies everything lets policy steps that name permissions build, as with no file.
    ROUTER_SECURITY.set(services, createSecurity(denyAllRbac(), logger));
    return [];
  }
  const httpRoutes = routeSet.routes.filter((route) =>
    isHttpEntryScheme(services.registry, parseEndpointUri(route.from.uri).scheme),
  );

  if (config.security === 'disabled') {
    if (process.env.NODE_ENV === 'production') {
      return [
        {
          severity: 'error',
          message: 'Access control cannot be disabled when NODE_ENV=production',
          hint: 'Remove --no-auth and give the router its RBAC file (RBAC_FILE, see docs/security.md).',
        },
      ];
    }
    const message =
      'ACCESS CONTROL IS DISABLED: every HTTP entry, admin and async endpoint answers every caller without credentials. For local development and tests only.';
    if (!validation)
      logger.warn(message, { event: 'security-disabled', httpEntries: httpRoutes.map((r) => r.id) });
    const diagnostics: LoadDiagnostic[] = [{ severity: 'warning', message }];
    if (config.rbacFile) {
      diagnostics.push({
        severity: 'warning',
        message: `The RBAC file ${config.rbacFile} is ignored because access control is disabled`,
      });
    }
    return diagnostics;
  }

  const file = config.rbacFile ?? (existsSync(DEFAULT_RBAC_FILE) ? DEFAULT_RBAC_FILE : undefined);
  if (!file) {
    if (httpRoutes.length > 0) {
      return [
        {
          severity: 'error',
          message: `There is no RBAC file, so nobody may call the HTTP entries (${httpRoutes.map((r) => r.id).join(', ')}): the router does not start`,
          loc: httpRoutes[0]!.from.loc,
          hint:
            `Write ${DEFAULT_RBAC_FILE} in the working directory or set RBAC_FILE (docs/security.md). ` +
            'For local experiments only: pipes run --no-auth.',
          snippet:
            'roles:\n  payments-writer: [route:payments-*]\nprincipals:\n  - id: ledger-service\n    roles: [payments-writer]\n    apiKeyEnv: LEDGER_API_KEY',
        },
      ];
    }
    ROUTER_SECURITY.set(services, createSecurity(denyAllRbac(), logger));
    const message =
      'No RBAC file: access control denies everything; the admin and async APIs answer 401/403 to every caller (probes stay open)';
    if (!validation) logger.warn(message, { event: 'security-deny-all' });
    return [{ severity: 'warning', message, hint: `Write ${DEFAULT_RBAC_FILE} or set RBAC_FILE.` }];
  }

  const resolved = path.resolve(file);
  const { rbac, diagnostics } = loadRbacFile(resolved);
  if (!rbac) {
    // The router will not start; a Security that denies everything keeps later checks (policy steps)
    // from adding misleading "no RBAC file" errors on top of the file's own.
    ROUTER_SECURITY.set(services, createSecurity(denyAllRbac(resolved), logger));
    return diagnostics;
  }
  // Cross-checks against half-loaded route files would only report grants of routes that failed to parse.
  if (!routeSet.diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push(
      ...checkRbacReferences(rbac, {
        routeIds: routeSet.routes.map((r) => r.id),
        flowNames: flowNames(routeSet),
        adminAreas: adminAreas(services),
        httpEntryRouteIds: httpRoutes.map((r) => r.id),
        partialRouteSet: validation?.routeSet === 'partial',
      }),
    );
  }
  const security = createSecurity(rbac, logger);
  diagnostics.push(...ownTrafficRefusals(services, routeSet, security));
  ROUTER_SECURITY.set(services, security);
  logger.info('access control enforced', {
    event: 'security-enabled',
    rbacFile: resolved,
    roles: rbac.roles.size,
    principals: rbac.principals.length,
    jwt: rbac.jwt !== undefined,
    openProbes: rbac.open,
  });
  return diagnostics;
}

/**
 * With `amqp.requireUserId`, the messages the router publishes itself carry its broker user as `user_id`
 * (the transport stamps it; RabbitMQ allows no other). An AMQP entry that user may not enter would
 * dead-letter the router's own traffic: another route's onward publish to it, its own retries and circuit
 * breaker hand-backs. Warned here, per route, with the principal to add.
 */
function ownTrafficRefusals(services: RouterServices, routeSet: RouteSet, security: Security): LoadDiagnostic[] {
  if (!security.rbac.amqp.requireUserId) return [];
  // A cluster list shares one user (config/rabbitmq-urls.ts): the first entry names it.
  const user = brokerUserOf(splitRabbitMqUrls(services.config.rabbitmqUrl ?? '')[0]);
  const diagnostics: LoadDiagnostic[] = [];
  for (const route of routeSet.routes) {
    if (!isAmqpEntryScheme(services.registry, parseEndpointUri(route.from.uri).scheme)) continue;
    const permission = routePermission(route.id);
    const refusal = security.amqp.refusalOfOwnUser(user, permission);
    if (!refusal) continue;
    const who = user
      ? `the router's own broker user '${user}' (the user of RABBITMQ_URL) ${refusal === 'unknown-user' ? 'is not a principal of the RBAC file' : `is not granted ${permission}`}`
      : services.config.rabbitmqUrl
        ? 'RABBITMQ_URL names no user, so the router publishes without user_id'
        : 'the in-memory transport publishes without user_id';
    diagnostics.push({
      severity: 'warning',
      message:
        `Route '${route.id}' takes AMQP messages under amqp.requireUserId, but ${who}: the messages the router ` +
        `publishes to it itself (another route's \`to\`, its retries, circuit-breaker hand-backs) are dead-lettered (${refusal})`,
      loc: route.from.loc,
      hint: user
        ? `Give principal '${user}' a role that grants ${permission} (docs/security.md, AMQP entry routes).`
        : 'Put the broker user in RABBITMQ_URL (amqp://user:password@host) and grant it the route.',
      ...(user ? { snippet: `principals:\n  - id: ${user}\n    roles: [<a role granting ${permission}>]` } : {}),
    });
  }
  return diagnostics;
}

/** Names of the `- flow:` documents (their `name`, else their `id`). */
function flowNames(routeSet: RouteSet): string[] {
  const names: string[] = [];
  for (const flow of routeSet.flows) {
    const name = flow.definition.name ?? flow.definition.id;
    if (typeof name === 'string' && name !== '') names.push(name);
  }
  return names;
}

/**
 * Access control as a module: set up from the RBAC file before each route set is built (after the other
 * modules declared their admin areas and flows, which the file is checked against).
 */
export const accessControlModule: RouterModule = {
  name: 'access-control',
  beforeBuild: (routeSet, services) => setUpAccessControl(services, routeSet),
};
