import type { RouterModule } from '../runtime/router-module.js';
import type { BuiltRoute } from '../runtime/built-route.js';
import { ResourceResolver } from '../runtime/resources.js';
import type { RouterServices } from '../runtime/services.js';
import { defineState } from '../state/index.js';
import { ROUTES_OPENAPI_PATH } from './openapi.js';
import { httpExtensions, protectExtension } from '../server/http-server.js';
import { apiSecurity } from '../server/openapi-common.js';
import { routeOpenApiDocument, routeOperations, type RouteOperation } from '../server/route-openapi.js';

interface RouteDocsState {
  mounted: boolean;
  operations: RouteOperation[];
  /** The running route set's services: its RBAC file decides which schemes the document offers. */
  services?: RouterServices;
}

const ROUTE_DOCS = defineState<RouteDocsState>('route-openapi', { scope: 'router' }, () => ({ mounted: false, operations: [] }));

function routeDocsState(services: RouterServices): RouteDocsState {
  return ROUTE_DOCS.of(services);
}

/**
 * Serves the OpenAPI document of the routes' HTTP entries at {@link ROUTES_OPENAPI_PATH}, beside the async
 * engine's and open like it; Swagger UI (/async/specifications/swagger-ui/) shows both. It follows reloads.
 */
export const routeOpenApiModule: RouterModule = {
  name: 'route-openapi',

  afterBuild(_routeSet, routes, services) {
    const state = routeDocsState(services);
    state.operations = operationsOf(routes, services);
    if (state.mounted) return;
    state.mounted = true;
    httpExtensions(services).get(ROUTES_OPENAPI_PATH, (_request, response) => {
      const document = routeOpenApiDocument(state.operations, apiSecurity(state.services ?? services));
      response.set('Cache-Control', 'no-store').json(document);
    });
    protectExtension(services, ROUTES_OPENAPI_PATH, () => undefined);
  },

  activated(services, routes) {
    const state = routeDocsState(services);
    state.operations = operationsOf(routes, services);
    state.services = services;
  },
};

function operationsOf(routes: readonly BuiltRoute[], services: RouterServices): RouteOperation[] {
  const resources = new ResourceResolver([services.config.schemasDir, ...services.config.resources]);
  return routeOperations(routes, resources);
}
