import { setTimeout as sleep } from 'node:timers/promises';
import { toError, UnknownRouteError } from '../errors/index.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { routerMetrics } from '../observability/metrics.js';
import { defineState, type StateHolder } from '../state/index.js';
import type { BuiltRoute } from './built-route.js';
import type { Consumer } from './component.js';
import type { LoadDiagnostic, RouteSet } from './definitions.js';
import { setReadinessCheck } from './readiness.js';
import { createServices, existingTransport, routeSetServices, type RouterServices } from './services.js';

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
export type RouteSetLoader = (services: RouterServices, options?: { modules?: 'all' | 'before-only' }) => Promise<LoadedRouteSet>;

/** The readiness check the router itself owns: routes started, not draining or reloading, transport ready. */
export const ROUTER_READINESS_CHECK = 'router';

export type RouterState = 'created' | 'starting' | 'running' | 'reloading' | 'draining' | 'stopped';

/** One route of the running set, as the admin API and the metrics see it. */
export interface ManagedRoute {
  readonly route: BuiltRoute;
  /** The services the route was built with (route-set state differs between sets). */
  readonly services: RouterServices;
  /** Created when the route first starts. */
  consumer?: Consumer;
  started: boolean;
}

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

/** What operators (admin API, metrics, CLI) may see and do with a running router. */
export interface RouterControl {
  state(): RouterState;
  routes(): readonly ManagedRoute[];
  startRoute(routeId: string): Promise<ManagedRoute>;
  stopRoute(routeId: string): Promise<ManagedRoute>;
  reload(): Promise<ReloadResult>;
  lastReload(): ReloadResult | undefined;
}

const CONTROL = defineState<RouterControl | undefined>('router.control', { scope: 'router' }, () => undefined);

/** The control of the router that owns these services, once it started. */
export function routerControl(services: StateHolder): RouterControl | undefined {
  return CONTROL.peek(services);
}

export interface RouterOptions {
  services: RouterServices;
  /** The first route set, loaded and built (the composition root refuses one with errors). */
  loaded: LoadedRouteSet;
  /** Loads the next route set on reload. */
  load: RouteSetLoader;
}

interface RunningSet {
  services: RouterServices;
  routeSet?: RouteSet;
  routes: ManagedRoute[];
  diagnostics: LoadDiagnostic[];
}

/**
 * One running router: the routes of the current route set, their consumers and producers, and the
 * modules' lifecycle around them. Start order: producers, then consumers, then modules, then the modules
 * open their doors (the HTTP server). Drain is the reverse, bounded by `drainTimeoutMs`. A reload builds
 * the new route set beside the running one and swaps it in. What the router is made of (the modules, the
 * loader of route files) is given by the composition root, src/app/.
 */
export class Router {
  readonly services: RouterServices;
  private readonly load: RouteSetLoader;
  private current: RunningSet;
  private opened: Record<string, unknown> = {};
  private status: RouterState = 'created';
  private consumerFilter?: (route: BuiltRoute) => boolean;
  private reloading?: Promise<ReloadResult>;
  private last?: ReloadResult;
  /** Route sets replaced by a reload that are still finishing their in-flight exchanges. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(options: RouterOptions) {
    const { services, loaded } = options;
    this.services = services;
    this.load = options.load;
    this.current = {
      services,
      routeSet: loaded.routeSet,
      routes: loaded.routes.map((route) => ({ route, services, started: false })),
      diagnostics: loaded.diagnostics,
    };
  }

  get logger(): Logger {
    return this.services.logger;
  }

  /** The routes of the running set. */
  get routes(): BuiltRoute[] {
    return this.current.routes.map((managed) => managed.route);
  }

  /** Load warnings of the running set. */
  get diagnostics(): LoadDiagnostic[] {
    return this.current.diagnostics;
  }

  get state(): RouterState {
    return this.status;
  }

  /** What the modules' doors reported when they opened (the HTTP port bound, useful with port 0). */
  get doors(): Readonly<Record<string, unknown>> {
    return this.opened;
  }

  /**
   * @param options.open open the modules' doors, e.g. the HTTP server (default true)
   * @param options.consumers which routes to start (default: every route with autoStartup)
   */
  async start(options: { open?: boolean; consumers?: (route: BuiltRoute) => boolean } = {}): Promise<void> {
    if (this.status !== 'created') return;
    this.status = 'starting';
    this.consumerFilter = options.consumers;
    CONTROL.set(this.services, this.control());
    setReadinessCheck(this.services, ROUTER_READINESS_CHECK, () => this.readiness());
    await this.startSet(this.current);
    for (const module of this.services.registry.modules) await module.start?.(this.services);
    await this.activated(this.current);
    if (options.open !== false) {
      for (const module of this.services.registry.modules) Object.assign(this.opened, await module.open?.(this.services));
    }
    this.status = 'running';
    this.logger.info('router started', {
      routes: this.current.routes.length,
      ...this.opened,
      transport: this.services.config.rabbitmqUrl ? 'rabbitmq' : 'memory',
    });
  }

  /** Drains (see {@link drain}) with the configured bound. Safe to call twice. */
  async stop(): Promise<void> {
    await this.drain(this.services.config.drainTimeoutMs);
  }

  /**
   * Graceful stop: readiness turns false; the HTTP door answers 503 + Retry-After to new requests while
   * those in flight finish; consumers stop taking messages (the rest wait in their queues) and finish the
   * exchanges in hand; then modules stop, producers stop and connections close. Resolves true when
   * everything finished within `timeoutMs`. On false, exchanges still running were not acknowledged:
   * their messages go back to their queues when the connection closes (the CLI exits right after), so
   * nothing accepted is lost; at worst one is processed again.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.status === 'created' || this.status === 'stopped') return true;
    if (this.draining) return this.draining;
    this.draining = this.drainWithin(timeoutMs);
    return this.draining;
  }

  private draining?: Promise<boolean>;

  private async drainWithin(timeoutMs: number): Promise<boolean> {
    this.status = 'draining';
    routerMetrics(this.services).draining.set(1);
    this.logger.info('draining', { timeoutMs });
    // A reload under way finishes first: it would otherwise start consumers behind the drain's back.
    await this.reloading?.catch(() => undefined);
    this.status = 'draining';
    const deadline = new AbortController();
    const shutdown = this.shutdown();
    const finished = await Promise.race([
      shutdown.then(() => true),
      sleep(timeoutMs, false, { signal: deadline.signal }).catch(() => false),
    ]);
    deadline.abort();
    if (!finished) {
      this.logger.warn('drain bound reached: exchanges still running are returned to their queues when the connection closes', {
        timeoutMs,
        inFlight: await this.inFlightRoutes(),
      });
      // Closing the connection hands every unacknowledged message back to its queue.
      void shutdown.catch(() => undefined);
    }
    this.status = 'stopped';
    this.logger.info('router stopped', { drained: finished });
    return finished;
  }

  private async shutdown(): Promise<void> {
    const modules = this.services.registry.modules;
    const doors = Promise.all([...modules].reverse().map((module) => module.close?.(this.services) ?? Promise.resolve()));
    // Stop taking work everywhere at once; the doors wait for their requests meanwhile.
    await Promise.all([doors, this.stopSet(this.current, { producers: false }), ...this.retiring]);
    for (const module of [...modules].reverse()) await module.stop?.(this.services);
    await this.stopSet(this.current, { producers: true });
    await existingTransport(this.services)?.close();
  }

  private async inFlightRoutes(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { value, labels } of (await routerMetrics(this.services).routeInflight.get()).values) {
      if (value > 0) counts[String(labels.route)] = value;
    }
    return counts;
  }

  /**
   * Re-reads the route files, schemas, JSONata and the RBAC file. The new set is loaded, validated and
   * built completely (as `pipes validate` would) before anything changes; an invalid set is refused with
   * every diagnostic and the running routes go on. A valid set is started beside the running one, the
   * HTTP entry table and access control are swapped in one step, and the old routes then stop taking
   * messages and finish the exchanges they have. Readiness is false meanwhile. Flows (`- flow:`) are
   * loaded at start only.
   */
  async reload(): Promise<ReloadResult> {
    if (this.reloading) return this.reloading;
    if (this.status !== 'running') {
      const result: ReloadResult = {
        ok: false,
        at: new Date().toISOString(),
        durationMs: 0,
        routes: this.current.routes.length,
        diagnostics: [{ severity: 'error', message: `The router is ${this.status}; only a running router reloads` }],
        notes: [],
      };
      return result;
    }
    this.reloading = this.reloadNow().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadNow(): Promise<ReloadResult> {
    const began = Date.now();
    const at = new Date(began).toISOString();
    this.status = 'reloading';
    const metrics = routerMetrics(this.services);
    const finish = (ok: boolean, diagnostics: LoadDiagnostic[], notes: string[]): ReloadResult => {
      const result: ReloadResult = { ok, at, durationMs: Date.now() - began, routes: this.current.routes.length, diagnostics, notes };
      this.last = result;
      metrics.reloaded(ok ? 'success' : 'failure');
      if (this.status === 'reloading') this.status = 'running';
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (ok) this.logger.info('reloaded', { routes: result.routes, warnings: diagnostics.length, notes, durationMs: result.durationMs });
      else {
        for (const d of errors) this.logger.error('reload refused', { diagnostic: diagnosticText(d) });
        this.logger.error('reload refused: the running routes go on unchanged', { errors: errors.length });
      }
      return result;
    };

    // 1. Validate completely, in services of its own: nothing the running routes use is touched.
    let validation: LoadedRouteSet;
    try {
      validation = await this.load(createServices({ config: this.services.config, registry: this.services.registry, logger: quiet() }));
    } catch (error) {
      return finish(false, [{ severity: 'error', message: `The route files could not be loaded: ${toError(error).message}` }], []);
    }
    if (hasErrors(validation.diagnostics)) return finish(false, validation.diagnostics, []);
    const notes = flowNotes(this.current.routeSet, validation.routeSet);

    // 2. Build the new set for real, beside the running one.
    const services = routeSetServices(this.services);
    const runningRoutes = this.current.routes.map((m) => m.route);
    for (const module of this.services.registry.modules) module.beforeReload?.(this.services, services, runningRoutes);
    let built: LoadedRouteSet;
    try {
      built = await this.load(services, { modules: 'before-only' });
    } catch (error) {
      return finish(false, [{ severity: 'error', message: `The route files could not be built: ${toError(error).message}` }], notes);
    }
    if (hasErrors(built.diagnostics)) return finish(false, built.diagnostics, notes);
    const set: RunningSet = {
      services,
      routeSet: built.routeSet,
      routes: built.routes.map((route) => ({ route, services, started: false })),
      diagnostics: built.diagnostics,
    };

    // 3. Start it; a start failure (a queue declared otherwise, a port taken) leaves the old set running.
    try {
      await this.startSet(set);
    } catch (error) {
      await this.stopSet(set, { producers: true }).catch(() => undefined);
      return finish(false, [{ severity: 'error', message: `The new routes could not start: ${toError(error).message}` }], notes);
    }

    // 4. Swap, then let the old set finish what it holds.
    const old = this.current;
    this.services.state.adopt(services.state);
    this.current = set;
    const kept = new Set(set.routes.map((m) => m.route.definition.id));
    for (const { route } of old.routes) if (!kept.has(route.definition.id)) metrics.routeUp.remove(route.definition.id);
    await this.activated(set);
    const retiring: Promise<void> = this.stopSet(old, { producers: true })
      .catch((error: unknown) => {
        this.logger.error('stopping the replaced routes failed', { error: toError(error).message });
      })
      .finally(() => this.retiring.delete(retiring));
    this.retiring.add(retiring);
    return finish(true, built.diagnostics, notes);
  }

  private async startSet(set: RunningSet): Promise<void> {
    for (const { route } of set.routes) for (const producer of route.producers) await producer.start?.();
    for (const managed of set.routes) {
      const { route } = managed;
      if (!route.definition.autoStartup || (this.consumerFilter && !this.consumerFilter(route))) continue;
      await this.startRoute(managed);
    }
  }

  /**
   * Stops a set's consumers: entry consumers first (HTTP, queues, timers) while the direct routes they
   * may still call keep running, then the direct ones; each waits for the exchanges it has in hand.
   */
  private async stopSet(set: RunningSet, options: { producers: boolean }): Promise<void> {
    const started = set.routes.filter((m) => m.started);
    const direct = (m: ManagedRoute): boolean => m.route.from.scheme === 'direct';
    await Promise.all(started.filter((m) => !direct(m)).map((m) => this.stopRoute(m)));
    await Promise.all(started.filter(direct).map((m) => this.stopRoute(m)));
    if (!options.producers) return;
    for (const { route } of set.routes) for (const producer of route.producers) await producer.stop?.();
  }

  private async startRoute(managed: ManagedRoute): Promise<void> {
    if (managed.started) return;
    const { route } = managed;
    managed.consumer ??= route.component.createConsumer!(route.from, {
      services: managed.services,
      route: { routeId: route.definition.id, process: route.processor, logger: route.logger },
    });
    await managed.consumer.start();
    managed.started = true;
    routerMetrics(this.services).routeUp.labels(route.definition.id).set(1);
  }

  private async stopRoute(managed: ManagedRoute): Promise<void> {
    if (!managed.started) return;
    managed.started = false;
    await managed.consumer?.stop();
    if (this.current.routes.includes(managed)) routerMetrics(this.services).routeUp.labels(managed.route.definition.id).set(0);
  }

  private async activated(set: RunningSet): Promise<void> {
    for (const module of this.services.registry.modules) await module.activated?.(set.services, set.routes.map((m) => m.route));
  }

  private readiness(): { ready: boolean; detail?: string } {
    const ready = (value: boolean, detail?: string): { ready: boolean; detail?: string } => {
      routerMetrics(this.services).ready.set(value ? 1 : 0);
      return detail ? { ready: value, detail } : { ready: value };
    };
    if (this.status !== 'running') return ready(false, `router ${this.status}`);
    const transport = existingTransport(this.services);
    if (transport && !transport.isReady()) return ready(false, `${transport.kind} transport not connected`);
    return ready(true);
  }

  private control(): RouterControl {
    const find = (routeId: string): ManagedRoute => {
      const managed = this.current.routes.find((m) => m.route.definition.id === routeId);
      if (!managed) throw new UnknownRouteError(routeId);
      return managed;
    };
    return {
      state: () => this.status,
      routes: () => this.current.routes,
      startRoute: async (routeId) => {
        const managed = find(routeId);
        await this.startRoute(managed);
        this.logger.info('route started by an operator', { routeId });
        return managed;
      },
      stopRoute: async (routeId) => {
        const managed = find(routeId);
        await this.stopRoute(managed);
        this.logger.info('route stopped by an operator', { routeId });
        return managed;
      },
      reload: () => this.reload(),
      lastReload: () => this.last,
    };
  }
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
  const shape = (set: RouteSet | undefined): string => JSON.stringify((set?.flows ?? []).map((f) => f.definition));
  return shape(running) === shape(next) ? [] : ['Flow documents changed: flows are loaded at start only; restart the router to apply them'];
}
