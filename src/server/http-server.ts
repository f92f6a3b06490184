import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { HttpRequestError } from '../errors/index.js';
import type { RouterServices } from '../runtime/services.js';
import { routerSecurity, type Security } from '../security/index.js';
import { routerMetrics } from '../observability/metrics.js';
import { securityHeaders, setSecurityHeaders } from '../security/security-headers.js';
import { accessControlDisabled } from './access-control.js';
import { sendError } from './error-response.js';
import { healthRouter } from './health.js';
import {
  httpAccessGuard,
  isFixedEndpointPath,
  type ExtensionProtection,
  type HttpAccessGuard,
} from './http-access.js';
import { httpIdempotency } from './idempotency.js';
import { apiAnswerHeaders } from './api-answer-headers.js';
import { answerClientError } from './client-errors.js';
import { createEntryDispatch, type HttpGuard } from './entry-dispatch.js';
import { admitRequestPath, requestPath, requestPathGuard } from './request-path.js';

export type { HttpGuard, HttpGuardContext } from './entry-dispatch.js';
import { defineState } from '../state/index.js';

const SERVER = defineState<ServerState>('http.server', { scope: 'router' }, () => ({
  guards: [],
  extensions: express.Router(),
  protections: [],
}));

interface ServerState {
  guards: HttpGuard[];
  /** Fixed endpoints other parts add (admin API, async API, metrics, Swagger UI); tried before route entries. */
  extensions: Router;
  /** The permission of each extension path prefix (see protectExtension). */
  protections: ExtensionProtection[];
}

function serverState(services: RouterServices): ServerState {
  return SERVER.of(services);
}

/** Adds a guard run before every route entry; returns the function that removes it. */
export function addHttpGuard(services: RouterServices, guard: HttpGuard): () => void {
  const state = serverState(services);
  state.guards.push(guard);
  return () => {
    state.guards = state.guards.filter((g) => g !== guard);
  };
}

/**
 * The router on which other parts mount fixed endpoints (`httpExtensions(services).use('/admin', ...)`).
 * An extension answers only under a prefix declared with {@link protectExtension}; requests to any other
 * path are route-entry requests and never reach the extensions (with access control enforced or not).
 */
export function httpExtensions(services: RouterServices): Router {
  return serverState(services).extensions;
}

/**
 * Declares what the extension endpoints under `pathPrefix` require (`/admin/dead-letters`,
 * `/async/api`): a permission (`admin:dead-letters`), or a function of the request returning one
 * (`req => 'flow:' + req.query.flowName`), or undefined for a request anyone may make (documentation).
 * The longest matching prefix decides (case-insensitive, as express routes); a permission that is not a
 * concrete `route:` / `flow:` / `admin:` permission answers 404. The caller's principal is then available
 * to the handler as `requestPrincipal(req)` (or `res.locals.ServicePipesPrincipal`).
 * `servesHtml` gives the prefix a Content-Security-Policy that lets same-origin scripts run (Swagger UI).
 * May be called before or after the server starts; returns the function that removes the declaration.
 */
export function protectExtension(
  services: RouterServices,
  pathPrefix: string,
  permission: string | ((request: Request) => string | undefined),
  options: { servesHtml?: boolean } = {},
): () => void {
  const state = serverState(services);
  const prefix = normalisePrefix(pathPrefix);
  const protection: ExtensionProtection = {
    prefix,
    permissionFor: typeof permission === 'function' ? permission : () => permission,
    servesHtml: options.servesHtml ?? false,
  };
  state.protections.push(protection);
  return () => {
    state.protections = state.protections.filter((p) => p !== protection);
  };
}

function normalisePrefix(prefix: string): string {
  const withSlash = prefix.startsWith('/') ? prefix : `/${prefix}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') || '/' : withSlash;
}

export interface HttpServer {
  /** The express app of the fixed endpoints (route entries are served beside it, on node:http). */
  readonly app: Express;
  /** The bound port once listening (useful with port 0). */
  readonly port: number | undefined;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets requests in flight finish (bounded by the drain timeout), closes connections. */
  close(): Promise<void>;
}

/**
 * The router's HTTP door: health, extension endpoints, then the route entries (platform-http / rest),
 * dispatched per request through the entry table so routes can come and go while it runs.
 */
export function createHttpServer(services: RouterServices): HttpServer {
  const logger = services.logger.child({ component: 'http' });
  const state = serverState(services);
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const idempotency = httpIdempotency(services, logger);
  // A reload can replace the RBAC file while the server runs: each request is checked by the guard of the
  // Security current when it arrived and keeps that guard until it is answered.
  const guardedFromStart = routerSecurity(services) !== undefined;
  const guards = new WeakMap<Security, HttpAccessGuard>();
  const requestGuards = new WeakMap<IncomingMessage, HttpAccessGuard>();
  let lastGuard: HttpAccessGuard | undefined;
  const currentGuard = (): HttpAccessGuard | undefined => {
    const security = routerSecurity(services);
    if (security) {
      let found = guards.get(security);
      if (!found)
        guards.set(security, (found = httpAccessGuard(services, security, () => state.protections)));
      lastGuard = found;
    }
    // A server that started guarded never serves unguarded, whatever happens to the shared state.
    return lastGuard;
  };
  const guardOf = (request: IncomingMessage): HttpAccessGuard | undefined => requestGuards.get(request);
  const metrics = routerMetrics(services);
  /** The route each entry request was answered for ('' for no match); absent for probes and extensions. */
  const answeredRoutes = new WeakMap<IncomingMessage, string>();
  const entryRouteOf = (request: IncomingMessage): string | undefined => {
    const answered = answeredRoutes.get(request);
    if (answered) return answered;
    // Refused by the access guard before reaching the entries.
    const target = guardOf(request)?.target(request);
    if (target?.kind === 'routes') return target.match.kind === 'found' ? target.match.entry.routeId : '';
    return answered;
  };
  // One listener for every response ('finish' comes once), so counting allocates no closure per request.
  function countFinished(this: ServerResponse): void {
    const routeId = entryRouteOf(this.req);
    if (routeId !== undefined) metrics.httpRequest(routeId, this.statusCode);
  }
  const countAnswer = (_request: IncomingMessage, response: ServerResponse): void => {
    response.on('finish', countFinished);
  };
  const htmlPrefixes = (): string[] => state.protections.filter((p) => p.servesHtml).map((p) => p.prefix);
  if (!guardedFromStart) {
    logger.warn(
      accessControlDisabled(services)
        ? 'ACCESS CONTROL IS DISABLED: the HTTP door is open to every caller'
        : 'This HTTP server has no access control (it was not built by the router)',
      { event: 'security-disabled' },
    );
  }

  const dispatch = createEntryDispatch({
    services,
    logger,
    guarded: guardedFromStart,
    guardOf,
    entryGuards: () => state.guards,
    idempotency,
  });
  /** A request for a route entry, once admitted: 503 while draining, else the entry dispatch. */
  async function serveEntry(request: IncomingMessage, response: ServerResponse): Promise<void> {
    apiAnswerHeaders(response);
    if (!answeredRoutes.has(request)) answeredRoutes.set(request, '');
    if (draining) {
      response.setHeader('Connection', 'close');
      response.setHeader('Retry-After', '5');
      sendError(
        response,
        new HttpRequestError(503, 'SHUTTING_DOWN', 'The router is shutting down; retry later'),
        logger,
      );
      return;
    }
    inFlight++;
    try {
      await dispatch(request, response, (routeId) => answeredRoutes.set(request, routeId));
    } catch (error) {
      sendError(response, error, logger);
    } finally {
      if (--inFlight === 0) drained?.();
    }
  }

  // The fixed endpoints (probes, metrics, admin and async APIs, Swagger UI: dozens of express layers) are an
  // express app; only requests under their prefixes reach it (see `door` below).
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // First of all: one reading of the path, which the guard, express and the entries all use.
  app.use(requestPathGuard(logger));
  app.use(securityHeaders({ htmlPathPrefixes: htmlPrefixes }));
  app.use((request, response, next) => {
    countAnswer(request, response);
    next();
  });
  if (guardedFromStart) {
    app.use((request, response, next) => {
      const guard = currentGuard()!;
      requestGuards.set(request, guard);
      guard.middleware(request, response, next);
    });
  }
  const health = healthRouter(services);
  const extensions = (request: Request, response: Response, next: NextFunction): void => {
    // Under access control, only requests the guard let through as extension calls reach the extensions.
    if (guardedFromStart && guardOf(request)?.target(request)?.kind !== 'extension') {
      next();
      return;
    }
    state.extensions(request, response, next);
  };
  app.use((request, response, next) => {
    if (!forFixedEndpoint(request)) {
      next();
      return;
    }
    health(request, response, (error?: unknown) =>
      error ? next(error) : extensions(request, response, next),
    );
  });
  // What no fixed endpoint answered: the entries decide (404 or 405, or an entry added meanwhile).
  app.use((request: Request, response: Response) => serveEntry(request, response));
  // Express recognises an error handler by its four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    apiAnswerHeaders(response);
    sendError(response, error, logger);
  });

  function forFixedEndpoint(request: IncomingMessage): boolean {
    if (guardedFromStart) return guardOf(request)?.target(request)?.kind !== 'routes';
    return isFixedEndpointPath(requestPath(request).toLowerCase(), state.protections);
  }

  /**
   * The door every request comes through. A route-entry request is served on node:http directly, in the
   * same stages as the express pipeline (path check → security headers → metrics → access guard → entry),
   * so a message pays for no framework layer a hand-written service would not have.
   */
  function door(request: IncomingMessage, response: ServerResponse): void {
    if (!admitRequestPath(request, response, logger)) return;
    const path = requestPath(request);
    if (isFixedEndpointPath(path.toLowerCase(), state.protections)) {
      app(request, response);
      return;
    }
    // Not under a fixed endpoint's prefix, so not under a page's: an entry answers with the API policy.
    setSecurityHeaders(response, false);
    countAnswer(request, response);
    if (!guardedFromStart) {
      void serveEntry(request, response);
      return;
    }
    const guard = currentGuard()!;
    requestGuards.set(request, guard);
    guard.middleware(request, response, (error?: unknown) => {
      if (error === undefined) void serveEntry(request, response);
      else {
        apiAnswerHeaders(response);
        sendError(response, error, logger);
      }
    });
  }

  let server: http.Server | undefined;
  return {
    app,
    get port() {
      const address = server?.address();
      return address && typeof address === 'object' ? address.port : undefined;
    },
    listen(port: number, host?: string): Promise<AddressInfo> {
      server = http.createServer(door);
      server.on('clientError', answerClientError);
      const listening = server;
      return new Promise((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => {
          listening.off('error', reject);
          resolve(listening.address() as AddressInfo);
        });
      });
    },
    async close(): Promise<void> {
      if (!server || draining) return;
      draining = true;
      const closing = server;
      // While requests in flight finish, the door stays open and answers new ones 503 + Retry-After (a
      // caller's cue to retry elsewhere) rather than refusing connections; then it closes.
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, services.config.drainTimeoutMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      closing.closeAllConnections();
      await closed;
      await idempotency.close();
    },
  };
}
