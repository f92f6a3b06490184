import type { BuiltRoute } from './built-route.js';
import type { Consumer } from './component.js';
import type { LoadDiagnostic, RouteSet } from './definitions.js';
import type { RouterServices } from './services.js';

/** What loading and building a set of route files gives (see src/app/load-and-build.ts). */
export interface LoadedRouteSet {
  routeSet: RouteSet;
  routes: BuiltRoute[];
  diagnostics: LoadDiagnostic[];
}

/**
 * Loads and builds the route files into `services`. `modules: 'before-only'` runs the modules' beforeBuild
 * hooks but not afterBuild (a reload: modules build their own parts once, at start). The composition root
 * provides it, so the router never reads files itself.
 */
export type RouteSetLoader = (
  services: RouterServices,
  options?: { modules?: 'all' | 'before-only' },
) => Promise<LoadedRouteSet>;

/** One route of the running set, as the admin API and the metrics see it. */
export interface ManagedRoute {
  readonly route: BuiltRoute;
  /** The services the route was built with (route-set state differs between sets). */
  readonly services: RouterServices;
  /** Created when the route first starts. */
  consumer?: Consumer;
  started: boolean;
}

/** A route set the router runs (or, during a reload, is about to run or is retiring). */
export interface RunningSet {
  services: RouterServices;
  routeSet?: RouteSet;
  routes: ManagedRoute[];
  diagnostics: LoadDiagnostic[];
}

/** A loaded set as the router runs it: none of its routes started yet. */
export function runningSet(services: RouterServices, loaded: LoadedRouteSet): RunningSet {
  return {
    services,
    routeSet: loaded.routeSet,
    routes: loaded.routes.map((route) => ({ route, services, started: false })),
    diagnostics: loaded.diagnostics,
  };
}
