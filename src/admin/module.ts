/**
 * The admin module: operators' endpoints for dead letters and circuit breakers (see api.ts), mounted once
 * per router on the HTTP door's extensions and guarded by `admin:dead-letters` / `admin:breakers`.
 */
import type { RouterModule } from '../runtime/router-module.js';
import type { RouterServices } from '../runtime/services.js';
import { defineState } from '../state/index.js';
import { breakerRegistry } from '../reliability/breakers.js';
import { httpExtensions, protectExtension } from '../server/http-server.js';
import { adminApiRouter, BREAKERS_PATH, DEAD_LETTERS_PATH } from './api.js';
import { deadLetterSources, RouteDeadLetters, type DeadLetterSource } from './route-dead-letters.js';

const ADMIN = defineState<AdminState>('admin', { scope: 'router' }, () => ({ mounted: false, sources: [] }));

interface AdminState {
  mounted: boolean;
  sources: DeadLetterSource[];
  deadLetters?: RouteDeadLetters;
}

function adminState(services: RouterServices): AdminState {
  return ADMIN.of(services);
}

export const adminModule: RouterModule = {
  name: 'admin',

  afterBuild(_routeSet, routes, services) {
    const state = adminState(services);
    state.sources = deadLetterSources(routes);
    if (state.mounted) return;
    state.mounted = true;
    httpExtensions(services).use(
      adminApiRouter({
        deadLetters: () => state.deadLetters,
        breakers: () => breakerRegistry(services),
        logger: services.logger.child({ component: 'admin-api' }),
      }),
    );
    protectExtension(services, DEAD_LETTERS_PATH, 'admin:dead-letters');
    protectExtension(services, BREAKERS_PATH, 'admin:breakers');
  },

  activated(services, routes) {
    // A reload rebuilds the routes but not the modules: follow the running set's queues.
    adminState(services).sources = deadLetterSources(routes);
  },

  start(services) {
    const state = adminState(services);
    state.deadLetters = new RouteDeadLetters(
      () => services.transport(),
      () => state.sources,
      services.logger.child({ component: 'dead-letters' }),
    );
    return Promise.resolve();
  },

  stop(services) {
    adminState(services).deadLetters = undefined;
    return Promise.resolve();
  },
};
