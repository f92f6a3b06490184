/**
 * The operations part of the admin API. Every figure it shows is also a metric (docs/operations.md).
 *
 *   GET  /admin/routes                 every route: state, counters, consumer, breakers      admin:routes
 *   GET  /admin/routes/:id             one route                                              admin:routes
 *   POST /admin/routes/:id/stop        stop its consumer (in-flight exchanges finish)         admin:routes
 *   POST /admin/routes/:id/start       start it again                                         admin:routes
 *   GET  /admin/consumers              broker consumers: queues, utilisation, prefetch in use admin:routes
 *   GET  /admin/summary                router state, routes, breakers, queue depths and
 *                                      dead-letter counts, last reload                        admin:summary
 *   GET  /admin/reload                 the last reload's result                               admin:reload
 *   POST /admin/reload                 reload routes and RBAC file (200, or 422 + problems)   admin:reload
 *
 * The dead letters themselves and the breakers' details are under /admin/dead-letters and /admin/breakers.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { readiness } from '../runtime/readiness.js';
import { declareAdminAreas } from '../server/access-control.js';
import { apiOperation, runningService } from '../server/api-handlers.js';
import { sendError } from '../server/error-response.js';
import { httpExtensions, protectExtension } from '../server/http-server.js';
import { HttpRequestError } from '../errors/index.js';
import type { RouterModule } from '../runtime/router-module.js';
import { routerControl } from '../runtime/router.js';
import { UnknownRouteError } from '../errors/index.js';
import type { RouterServices } from '../runtime/services.js';
import { defineState } from '../state/index.js';
import { breakerViews, consumerView, managedRoutes, queueDepths, routeViews } from './operations-view.js';

export const ROUTES_PATH = '/admin/routes';
export const CONSUMERS_PATH = '/admin/consumers';
export const SUMMARY_PATH = '/admin/summary';
export const RELOAD_PATH = '/admin/reload';

/** The admin areas this part serves, for `admin:<area>` grants in the RBAC file. */
export const OPERATIONS_ADMIN_AREAS = ['routes', 'summary', 'reload'] as const;

export function operationsAdminRouter(services: RouterServices): Router {
  const router = express.Router();
  const logger = services.logger.child({ component: 'admin-operations' });
  const control = runningService(() => routerControl(services), 'The router is not running');
  const handle = apiOperation;
  const routeView = async (id: string) => {
    const view = (await routeViews(services)).find((route) => route.id === id);
    if (!view) throw new HttpRequestError(404, 'ROUTE_NOT_FOUND', `No route '${id}'`);
    return view;
  };

  router.get(
    ROUTES_PATH,
    handle(async (_request, response) => {
      response.json({ routes: await routeViews(services) });
    }),
  );
  router.get(
    `${ROUTES_PATH}/:id`,
    handle(async (request, response) => {
      response.json(await routeView(String(request.params.id)));
    }),
  );
  for (const action of ['stop', 'start'] as const) {
    router.post(
      `${ROUTES_PATH}/:id/${action}`,
      handle(async (request, response) => {
        const id = String(request.params.id);
        if (control().state() !== 'running') {
          throw new HttpRequestError(409, 'NOT_RUNNING', `The router is ${control().state()}; try again when it is running`);
        }
        try {
          await (action === 'stop' ? control().stopRoute(id) : control().startRoute(id));
        } catch (error) {
          if (error instanceof UnknownRouteError) throw new HttpRequestError(404, 'ROUTE_NOT_FOUND', error.message);
          throw error;
        }
        response.json(await routeView(id));
      }),
    );
  }
  router.get(
    CONSUMERS_PATH,
    handle((_request, response) => {
      const consumers = managedRoutes(services).flatMap((managed) => consumerView(managed) ?? []);
      response.json({ consumers });
      return Promise.resolve();
    }),
  );
  router.get(
    SUMMARY_PATH,
    handle(async (_request, response) => {
      const routes = await routeViews(services);
      const queues = await queueDepths(services);
      const ready = await readiness(services);
      response.json({
        state: routerControl(services)?.state() ?? 'stopped',
        ready: ready.ready,
        checks: ready.checks,
        routes: {
          total: routes.length,
          started: routes.filter((r) => r.state === 'started').length,
          stopped: routes.filter((r) => r.state === 'stopped').map((r) => r.id),
        },
        breakers: breakerViews(services),
        queues: queues.filter((q) => q.kind === 'work').map(({ queue, owner, messages, consumers }) => ({ queue, owner, messages, consumers })),
        deadLetters: queues
          .filter((q) => q.kind === 'dead_letter')
          .map(({ queue, owner, messages }) => ({ queue, owner, messages })),
        lastReload: routerControl(services)?.lastReload() ?? null,
      });
    }),
  );
  router.get(
    RELOAD_PATH,
    handle((_request, response) => {
      response.json({ lastReload: control().lastReload() ?? null });
      return Promise.resolve();
    }),
  );
  router.post(
    RELOAD_PATH,
    handle(async (_request, response) => {
      const result = await control().reload();
      response.status(result.ok ? 200 : 422).json(result);
    }),
  );
  // Express recognises an error handler by its four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  router.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    sendError(response, error, logger);
  });
  return router;
}

interface OperationsAdminState {
  mounted: boolean;
}

const OPERATIONS_ADMIN = defineState<OperationsAdminState>('admin.operations', { scope: 'router' }, () => ({ mounted: false }));

/** Mounts the operations admin endpoints once per router and declares their admin areas. */
export const operationsAdminModule: RouterModule = {
  name: 'admin-operations',

  beforeBuild(_routeSet, services) {
    declareAdminAreas(services, ...OPERATIONS_ADMIN_AREAS);
  },

  start(services) {
    const state = OPERATIONS_ADMIN.of(services);
    if (state.mounted) return Promise.resolve();
    state.mounted = true;
    httpExtensions(services).use(operationsAdminRouter(services));
    protectExtension(services, ROUTES_PATH, 'admin:routes');
    protectExtension(services, CONSUMERS_PATH, 'admin:routes');
    protectExtension(services, SUMMARY_PATH, 'admin:summary');
    protectExtension(services, RELOAD_PATH, 'admin:reload');
    return Promise.resolve();
  },
};
