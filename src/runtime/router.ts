import { UnknownRouteError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import { routerMetrics } from '../observability/metrics.js';
import { defineState, type StateHolder } from '../state/index.js';
import type { BuiltRoute } from './built-route.js';
import type { LoadDiagnostic } from './definitions.js';
import { drainWithin } from './drain.js';
import { setReadinessCheck } from './readiness.js';
import { notRunning, reloadRouteSet, type ReloadHost, type ReloadResult } from './reload.js';
import { runningSet, type LoadedRouteSet, type ManagedRoute, type RouteSetLoader, type RunningSet } from './running-set.js';
import { existingTransport, type RouterServices } from './services.js';

/** The readiness check the router itself owns: routes started, not draining or reloading, transport ready. */
export const ROUTER_READINESS_CHECK = 'router';

export type RouterState = 'created' | 'starting' | 'running' | 'reloading' | 'draining' | 'stopped';

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
    this.current = runningSet(services, loaded);
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
   * everything finished within `timeoutMs` (what false means for the messages: {@link drainWithin}).
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.status === 'created' || this.status === 'stopped') return true;
    if (this.draining) return this.draining;
    this.draining = this.drainNow(timeoutMs);
    return this.draining;
  }

  private draining?: Promise<boolean>;

  private async drainNow(timeoutMs: number): Promise<boolean> {
    this.status = 'draining';
    routerMetrics(this.services).draining.set(1);
    this.logger.info('draining', { timeoutMs });
    // A reload under way finishes first: it would otherwise start consumers behind the drain's back.
    await this.reloading?.catch(() => undefined);
    this.status = 'draining';
    const finished = await drainWithin(this.shutdown(), timeoutMs, this.services);
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

  /**
   * Re-reads the route files and swaps the new set in beside the running one (see {@link reloadRouteSet});
   * an invalid set is refused and the running routes go on. Readiness is false meanwhile.
   */
  async reload(): Promise<ReloadResult> {
    if (this.reloading) return this.reloading;
    if (this.status !== 'running') return notRunning(this.status, this.current.routes.length);
    this.status = 'reloading';
    this.reloading = reloadRouteSet(this.reloadHost()).finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private reloadHost(): ReloadHost {
    return {
      services: this.services,
      load: this.load,
      running: () => this.current,
      startSet: (set) => this.startSet(set),
      stopSet: (set, options) => this.stopSet(set, options),
      install: (set) => {
        this.services.state.adopt(set.services.state);
        this.current = set;
      },
      activated: (set) => this.activated(set),
      retire: (stopping) => {
        const retiring: Promise<void> = stopping.finally(() => this.retiring.delete(retiring));
        this.retiring.add(retiring);
      },
      settled: (result) => {
        this.last = result;
        if (this.status === 'reloading') this.status = 'running';
      },
    };
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
