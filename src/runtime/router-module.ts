import type { BuiltRoute } from './built-route.js';
import type { LoadDiagnostic, RouteSet } from './definitions.js';
import type { RouterServices } from './services.js';

/**
 * A part of the router with a lifecycle of its own (the HTTP server, access control, the async engine,
 * metrics, the admin API). Modules are registered on the Registry (src/app/catalog.ts) and called in
 * registration order (stop and close in reverse), so the router core never imports them. Per-router state
 * is declared with `defineState` (src/state), never module globals.
 */
export interface RouterModule {
  name: string;
  /** After route files loaded, before routes are built: share what EIPs/components need at build time. */
  beforeBuild?(routeSet: RouteSet, services: RouterServices): LoadDiagnostic[] | void;
  /** After routes are built: build the module's own parts (e.g. flows) and report their problems. */
  afterBuild?(routeSet: RouteSet, routes: BuiltRoute[], services: RouterServices): Promise<LoadDiagnostic[] | void> | LoadDiagnostic[] | void;
  /**
   * A reload is about to build the next route set (`next`, with fresh route-set state) beside the running
   * one: carry over what is not the running routes' own (direct's handlers that are not routes).
   */
  beforeReload?(running: RouterServices, next: RouterServices, runningRoutes: readonly BuiltRoute[]): void;
  /** After route consumers started, before the doors open. */
  start?(services: RouterServices): Promise<void>;
  /**
   * A route set started: at start (after `start`) and after every reload, with the services that set's
   * routes were built with (route-set state such as the circuit breakers is per set, see src/state).
   * Modules are not rebuilt by a reload; this is where they follow it.
   */
  activated?(services: RouterServices, routes: readonly BuiltRoute[]): Promise<void> | void;
  /**
   * Last step of a start: open the doors callers come through (the HTTP server). Returns facts for the
   * "router started" line (the port bound).
   */
  open?(services: RouterServices): Promise<Record<string, unknown> | void>;
  /** First step of a drain, while consumers stop: close the doors and let the requests in flight finish. */
  close?(services: RouterServices): Promise<void>;
  /** After the doors closed and consumers stopped taking work, before producers stop. */
  stop?(services: RouterServices): Promise<void>;
}
