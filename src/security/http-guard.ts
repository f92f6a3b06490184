import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUsableCorrelationId } from './header-boundaries.js';
import type { Authenticator, Principal } from './authenticate.js';
import type { Authorizer } from './authorize.js';

export interface HttpGuardOptions<R extends IncomingMessage = IncomingMessage> {
  authenticator: Authenticator;
  authorizer: Authorizer;
  /**
   * The permission a request needs (`route:<id>` for an entry, `flow:<name>` for a flow start,
   * `admin:<area>` for the admin API), or undefined for a request that needs none (open health and
   * metrics, and paths the server will answer 404 anyway). Deny by default lives in the grants: a
   * permission nobody is granted is refused to every caller.
   */
  permissionFor(req: R): string | undefined;
  /** Roles the request also needs (rest verb `security` scopes): any one inner list, all of its roles. */
  requiredRolesFor?(req: R): string[][] | undefined;
  /** Default: a well-formed `X-Correlation-Id` header, else a new id (written back to the request headers). */
  correlationIdFor?(req: R): string;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** The bodies of every refusal. They say what happened, never why in detail (that is in the audit line). */
export const AUTH_ERROR_BODIES = {
  401: { error: 'unauthorized', message: 'Authentication required' },
  403: { error: 'forbidden', message: 'Access denied' },
  503: { error: 'unavailable', message: 'Authentication is temporarily unavailable' },
} as const;

const principals = new WeakMap<IncomingMessage, Principal>();

/** The principal the guard attached to a request. */
export function requestPrincipal(req: IncomingMessage): Principal | undefined {
  return principals.get(req);
}

/**
 * Middleware (express's shape, on plain node:http objects, so the route-entry door uses it without express): authenticates the caller, checks the request's permission and either passes the
 * request on with its principal attached, or answers 401 (missing/invalid credentials, with
 * `WWW-Authenticate`), 403 (known caller without the permission) or 503 (a remote JWKS is unreachable).
 * Each decision is one audit line. The server copies the principal onto the exchange as the
 * `ServicePipesPrincipal` property, where the `policy` step reads it.
 */
export type GuardMiddleware<R extends IncomingMessage = IncomingMessage> = (
  req: R,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => Promise<void>;

export function httpGuard<R extends IncomingMessage = IncomingMessage>(
  options: HttpGuardOptions<R>,
): GuardMiddleware<R> {
  const { authenticator, authorizer } = options;
  const challenge = authenticator.challenges.join(', ');
  return async function guard(req, res, next): Promise<void> {
    try {
      const permission = options.permissionFor(req);
      if (permission === undefined) {
        next();
        return;
      }
      const correlationId = (options.correlationIdFor ?? defaultCorrelationId)(req);
      const context = { correlationId, requiredRoles: options.requiredRolesFor?.(req) };
      const result = await authenticator.authenticate(req.headers, req.headersDistinct);
      if (result.outcome === 'invalid') {
        authorizer.refuse(permission, result.reason, context);
        refuse(res, 401, challenge);
        return;
      }
      if (result.outcome === 'unavailable') {
        authorizer.refuse(permission, result.reason, context);
        res.setHeader('Retry-After', '5');
        refuse(res, 503);
        return;
      }
      const decision = authorizer.check(result.principal, permission, context);
      if (!decision.allowed) {
        // An anonymous caller may succeed with credentials: 401 invites it to present them.
        if (result.outcome === 'anonymous') refuse(res, 401, challenge);
        else refuse(res, 403);
        return;
      }
      principals.set(req, result.principal);
      next();
    } catch (error) {
      next(error);
    }
  };
}

function refuse(res: ServerResponse, status: 401 | 403 | 503, challenge?: string): void {
  if (challenge) res.setHeader('WWW-Authenticate', challenge);
  const text = JSON.stringify(AUTH_ERROR_BODIES[status]);
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function defaultCorrelationId(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  if (typeof given === 'string' && isUsableCorrelationId(given)) return given;
  // Written back so the exchange the server builds for this request logs under the same id.
  const id = randomUUID();
  req.headers[CORRELATION_HEADER] = id;
  return id;
}
