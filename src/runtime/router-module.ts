import type { LoadDiagnostic, RouteSet } from '../dsl/model.js';
import type { BuiltRoute } from './route-builder.js';
import type { RouterServices } from './services.js';

/**
 * A part of the router with a lifecycle of its own (the async engine, metrics, the admin API). Modules are
 * registered on the Registry and called in registration order, so the router core never imports them.
 * Per-router state goes into `services.shared` (sharedState), never module globals.
 */
export interface RouterModule {
  name: string;
  /** After route files loaded, before routes are built: share what EIPs/components need at build time. */
  beforeBuild?(routeSet: RouteSet, services: RouterServices): LoadDiagnostic[] | void;
  /** After routes are built: build the module's own parts (e.g. flows) and report their problems. */
  afterBuild?(routeSet: RouteSet, routes: BuiltRoute[], services: RouterServices): Promise<LoadDiagnostic[] | void> | LoadDiagnostic[] | void;
  /** After route consumers started, before the HTTP door opens. */
  start?(services: RouterServices): Promise<void>;
  /**
   * A route set started: at start (after `start`) and after every reload, with the services that set's
   * routes were built with (route-set state such as the circuit breakers is per set, see
   * src/runtime/route-set-scope.ts). Modules are not rebuilt by a reload; this is where they follow it.
   */
  activated?(services: RouterServices, routes: readonly BuiltRoute[]): Promise<void> | void;
  /** After the HTTP door closed, before route consumers stop (reverse registration order). */
  stop?(services: RouterServices): Promise<void>;
}
