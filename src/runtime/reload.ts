import { toError } from '../errors/index.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { routerMetrics } from '../observability/metrics.js';
import type { LoadDiagnostic, RouteSet } from './definitions.js';
import { runningSet, type LoadedRouteSet, type RouteSetLoader, type RunningSet } from './running-set.js';
import { createServices, routeSetServices, type RouterServices } from './services.js';

export interface ReloadResult {
  ok: boolean;
  /** ISO time the reload began. */
  at: string;
  durationMs: number;
  /** Routes running after it (the old ones when it was refused). */
  routes: number;
  /** Every load problem (errors refused the reload; warnings did not). */
  diagnostics: LoadDiagnostic[];
  /** What a reload does not change (flows) or could not do cleanly. */
  notes: string[];
}

/**
 * What a reload needs of the router it swaps routes in: the router keeps its state (the running set, its
 * status, the sets still retiring) and the way it starts and stops a set; the reload only sequences them.
 */
export interface ReloadHost {
  /** The router's own services (the route-set state of the running set is adopted into them). */
  readonly services: RouterServices;
  readonly load: RouteSetLoader;
  running(): RunningSet;
  startSet(set: RunningSet): Promise<void>;
  stopSet(set: RunningSet, options: { producers: boolean }): Promise<void>;
  /** Makes `set` the running set, in one step. */
  install(set: RunningSet): void;
  /** Tells the modules which routes now run. */
  activated(set: RunningSet): Promise<void>;
  /** A replaced set finishing its in-flight exchanges: a drain waits for it. */
  retire(stopping: Promise<void>): void;
  /** The reload is over (refused or done): the router remembers the result and runs on. */
  settled(result: ReloadResult): void;
}

/** The answer to a reload asked of a router that is not running. */
export function notRunning(state: string, routes: number): ReloadResult {
  return {
    ok: false,
    at: new Date().toISOString(),
    durationMs: 0,
    routes,
    diagnostics: [{ severity: 'error', message: `The router is ${state}; only a running router reloads` }],
    notes: [],
  };
}

/**
 * Re-reads the route files, schemas, JSONata and the RBAC file. The new set is loaded, validated and
 * built completely (as `pipes validate` would) before anything changes; an invalid set is refused with
 * every diagnostic and the running routes go on. A valid set is started beside the running one, the
 * HTTP entry table and access control are swapped in one step, and the old routes then stop taking
 * messages and finish the exchanges they have. Flows (`- flow:`) are loaded at start only.
 */
export async function reloadRouteSet(host: ReloadHost): Promise<ReloadResult> {
  const began = Date.now();
  const at = new Date(began).toISOString();
  const logger = host.services.logger;
  const metrics = routerMetrics(host.services);
  const finish = (ok: boolean, diagnostics: LoadDiagnostic[], notes: string[]): ReloadResult => {
    const result: ReloadResult = {
      ok,
      at,
      durationMs: Date.now() - began,
      routes: host.running().routes.length,
      diagnostics,
      notes,
    };
    host.settled(result);
    metrics.reloaded(ok ? 'success' : 'failure');
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (ok)
      logger.info('reloaded', {
        routes: result.routes,
        warnings: diagnostics.length,
        notes,
        durationMs: result.durationMs,
      });
    else {
      for (const d of errors) logger.error('reload refused', { diagnostic: diagnosticText(d) });
      logger.error('reload refused: the running routes go on unchanged', { errors: errors.length });
    }
    return result;
  };

  // 1. Validate completely, in services of its own: nothing the running routes use is touched.
  let validation: LoadedRouteSet;
  try {
    validation = await host.load(
      createServices({ config: host.services.config, registry: host.services.registry, logger: quiet() }),
    );
  } catch (error) {
    return finish(
      false,
      [{ severity: 'error', message: `The route files could not be loaded: ${toError(error).message}` }],
      [],
    );
  }
  if (hasErrors(validation.diagnostics)) return finish(false, validation.diagnostics, []);
  const notes = flowNotes(host.running().routeSet, validation.routeSet);

  // 2. Build the new set for real, beside the running one.
  const services = routeSetServices(host.services);
  const runningRoutes = host.running().routes.map((m) => m.route);
  for (const module of host.services.registry.modules)
    module.beforeReload?.(host.services, services, runningRoutes);
  let built: LoadedRouteSet;
  try {
    built = await host.load(services, { modules: 'before-only' });
  } catch (error) {
    return finish(
      false,
      [{ severity: 'error', message: `The route files could not be built: ${toError(error).message}` }],
      notes,
    );
  }
  if (hasErrors(built.diagnostics)) return finish(false, built.diagnostics, notes);
  const set = runningSet(services, built);

  // 3. Start it; a start failure (a queue declared otherwise, a port taken) leaves the old set running.
  try {
    await host.startSet(set);
  } catch (error) {
    await host.stopSet(set, { producers: true }).catch(() => undefined);
    return finish(
      false,
      [{ severity: 'error', message: `The new routes could not start: ${toError(error).message}` }],
      notes,
    );
  }

  // 4. Swap, then let the old set finish what it holds.
  const old = host.running();
  host.install(set);
  const kept = new Set(set.routes.map((m) => m.route.definition.id));
  for (const { route } of old.routes)
    if (!kept.has(route.definition.id)) metrics.routeUp.remove(route.definition.id);
  await host.activated(set);
  host.retire(
    host.stopSet(old, { producers: true }).catch((error: unknown) => {
      logger.error('stopping the replaced routes failed', { error: toError(error).message });
    }),
  );
  return finish(true, built.diagnostics, notes);
}

function hasErrors(diagnostics: readonly LoadDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

function diagnosticText(d: LoadDiagnostic): string {
  const where = d.loc ? `${d.loc.file}:${d.loc.line}:${d.loc.col} ` : '';
  return `${where}${d.message}`;
}

/** The validation build would log what the real build logs again (access control, warnings): once is enough. */
function quiet(): Logger {
  const silent = createLogger({ level: 'error' });
  silent.silent = true;
  return silent;
}

/** Flows are built once, at start: say so when the files changed them. */
function flowNotes(running: RouteSet | undefined, next: RouteSet): string[] {
  const shape = (set: RouteSet | undefined): string =>
    JSON.stringify((set?.flows ?? []).map((f) => f.definition));
  return shape(running) === shape(next)
    ? []
    : ['Flow documents changed: flows are loaded at start only; restart the router to apply them'];
}
