import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { HttpRequestError } from '../errors/index.js';
import type { RouterServices } from '../runtime/services.js';
import { API_KEY_HEADER, PRINCIPAL_PROPERTY } from '../security/authenticate.js';
import { httpGuard, requestPrincipal } from '../security/http-guard.js';
import { permissionForProbe, type Security } from '../security/index.js';
import { isParsedPermission, parsePermission, routePermission } from '../security/permissions.js';
import { sendError } from './error-response.js';
import { httpEntries, type HttpMatch } from '../components/platform-http/http-entries.js';
import { requestUrl } from './http-exchange.js';
import { requestPath } from './request-path.js';

/** What the extension endpoints under one path prefix require (declared with `protectExtension`). */
export interface ExtensionProtection {
  /** `/admin/dead-letters`: no trailing slash. */
  prefix: string;
  /** A concrete permission, or undefined when anyone may call. */
  permissionFor(request: Request): string | undefined;
  servesHtml: boolean;
}

/**
 * What a request is about, decided once before anything answers it, so the permission checked and the
 * handler that answers are the same: a probe (`/health/*`), an extension (`/metrics`, declared prefixes),
 * or the route entries (a matched entry needs `route:<routeId>`; no match answers 404/405 unguarded).
 */
export type RequestTarget =
  | { kind: 'probe'; permission?: string }
  | { kind: 'extension'; permission?: string }
  | { kind: 'routes'; match: HttpMatch; permission?: string; requiredRoles?: string[][] }
  | { kind: 'invalid' };

export interface HttpAccessGuard {
  /**
   * Middleware (express's shape, plain node:http types: the route-entry door calls it without express):
   * classifies the request, then authenticates and authorizes it (or answers 401/403/503).
   */
  middleware(request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void;
  /** The target the middleware decided for this request. */
  target(request: IncomingMessage): RequestTarget | undefined;
  /**
   * For an admitted entry request: puts the caller on the exchange properties (`ServicePipesPrincipal`,
   * a copy) and removes the credentials from the request, so no route can log, publish or forward them.
   */
  admitted(request: IncomingMessage, properties: Record<string, unknown>): void;
}

/** The RBAC guard of the HTTP server, for one router's Security. */
export function httpAccessGuard(
  services: RouterServices,
  security: Security,
  protections: () => readonly ExtensionProtection[],
): HttpAccessGuard {
  const targets = new WeakMap<IncomingMessage, RequestTarget>();
  const check = httpGuard({
    authenticator: security.authenticator,
    authorizer: security.authorizer,
    permissionFor(request) {
      const target = targets.get(request);
      return target && target.kind !== 'invalid' ? target.permission : undefined;
    },
    requiredRolesFor(request) {
      const target = targets.get(request);
      return target?.kind === 'routes' ? target.requiredRoles : undefined;
    },
  });

  function classify(request: IncomingMessage): RequestTarget {
    // The path express routes on too (checked and recorded by the server's first middleware).
    const pathname = requestPath(request);
    try {
      requestUrl(request);
    } catch {
      return { kind: 'routes', match: { kind: 'not-found' } };
    }
    // Express matches mount paths without regard to case; so must the choice of permission.
    const lower = pathname.toLowerCase();
    if (isUnder(lower, '/health'))
      return { kind: 'probe', permission: permissionForProbe(security.rbac, 'health') };
    if (isUnder(lower, '/metrics'))
      return { kind: 'extension', permission: permissionForProbe(security.rbac, 'metrics') };
    let protection: ExtensionProtection | undefined;
    for (const candidate of protections()) {
      if (
        isUnder(lower, candidate.prefix.toLowerCase()) &&
        candidate.prefix.length > (protection?.prefix.length ?? -1)
      )
        protection = candidate;
    }
    if (protection) {
      // Extension paths are served by express, which set the request up (query, path) before this guard.
      const permission = protection.permissionFor(request as Request);
      if (permission !== undefined && !isConcrete(permission)) return { kind: 'invalid' };
      return { kind: 'extension', permission };
    }
    const match = httpEntries(services).match(pathname, request.method ?? 'GET');
    if (match.kind !== 'found') return { kind: 'routes', match };
    return {
      kind: 'routes',
      match,
      permission: routePermission(match.entry.routeId),
      requiredRoles: match.entry.requiredRoles,
    };
  }

  return {
    middleware(request, response, next): void {
      let target: RequestTarget;
      try {
        target = classify(request);
      } catch (error) {
        next(error);
        return;
      }
      targets.set(request, target);
      if (target.kind === 'invalid') {
        // e.g. `flowName=*`: no such target can exist, and a wildcard must never be asked as a permission.
        sendError(response, new HttpRequestError(404, 'NOT_FOUND', 'No such target'), services.logger);
        return;
      }
      void check(request, response, next);
    },
    target: (request) => targets.get(request),
    admitted(request, properties) {
      const principal = requestPrincipal(request);
      if (principal) properties[PRINCIPAL_PROPERTY] = { ...principal, roles: [...principal.roles] };
      delete request.headers.authorization;
      delete request.headers[API_KEY_HEADER];
    },
  };
}

/**
 * Whether a path (lower case) is one of the router's fixed endpoints rather than a route entry: the probes
 * under /health, /metrics, or a prefix an extension declared with protectExtension.
 */
export function isFixedEndpointPath(lowerPath: string, extensions: readonly { prefix: string }[]): boolean {
  return (
    isUnder(lowerPath, '/health') ||
    isUnder(lowerPath, '/metrics') ||
    extensions.some((extension) => isUnder(lowerPath, extension.prefix.toLowerCase()))
  );
}

/** `/admin/x` is under `/admin`; `/administrator` is not. */
function isUnder(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  // Asked several times per request: compared in place, without building `${prefix}/`.
  return (
    path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 0x2f)
  );
}

/** A permission a request may ask for: well formed, one target, no wildcard. */
function isConcrete(permission: string): boolean {
  const parsed = parsePermission(permission);
  return isParsedPermission(parsed) && parsed.kind !== '*' && !parsed.hasWildcard;
}
