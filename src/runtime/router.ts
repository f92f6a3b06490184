import type { RouterConfig } from '../config.js';
import { loadRouteSet } from '../dsl/load-route-set.js';
import type { LoadDiagnostic, RouteSet } from '../dsl/model.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createHttpServer, type HttpServer } from '../server/http-server.js';
import { setUpAccessControl } from '../server/access-control.js';
import { BEANS_SHARED_KEY } from '../eips/policy/policy-bean.js';
import { createTransport } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';
import type { Consumer } from './component.js';
import type { Registry } from './registry.js';
import { buildRoutes, type BuiltRoute } from './route-builder.js';
import type { RouterServices } from './services.js';

export interface RouterOptions {
  config: RouterConfig;
  registry: Registry;
  logger?: Logger;
}

/** Thrown when route files do not load; carries every diagnostic of every file. */
export class RouteLoadError extends Error {
  constructor(readonly diagnostics: LoadDiagnostic[]) {
    super(`${diagnostics.filter((d) => d.severity === 'error').length} error(s) in route files`);
    this.name = 'RouteLoadError';
  }
}

/** Loads and builds route files; returns the built routes and every diagnostic, starting nothing. */
export async function loadAndBuild(services: RouterServices): Promise<{ routeSet: RouteSet; routes: BuiltRoute[]; diagnostics: LoadDiagnostic[] }> {
  const routeSet = await loadRouteSet(services.config.routes, {
    registry: services.registry,
    properties: services.config.properties,
  });
  const diagnostics = [...routeSet.diagnostics];
  // Building routes whose files did not parse would only repeat the same problems in other words.
  if (diagnostics.some((d) => d.severity === 'error')) return { routeSet, routes: [], diagnostics };
  for (const module of services.registry.modules) diagnostics.push(...(module.beforeBuild?.(routeSet, services) ?? []));
  // The policy step resolves its bean and reads the RBAC grants while routes are built.
  services.shared.set(BEANS_SHARED_KEY, routeSet.beans);
  diagnostics.push(...setUpAccessControl(services, routeSet));
  const built = buildRoutes(routeSet, services);
  diagnostics.push(...built.diagnostics);
  for (const module of services.registry.modules) {
    diagnostics.push(...((await module.afterBuild?.(routeSet, built.routes, services)) ?? []));
  }
  return { routeSet, routes: built.routes, diagnostics };
}

const TRANSPORT_KEY = 'transport';

export function createServices(options: RouterOptions): RouterServices {
  const logger = options.logger ?? createLogger({ level: options.config.logLevel });
  const shared = new Map<string, unknown>();
  return {
    config: options.config,
    logger,
    registry: options.registry,
    // Created on first use: a router whose routes never touch messaging opens no connection.
    transport: () => {
      let transport = shared.get(TRANSPORT_KEY) as Transport | undefined;
      if (!transport) {
        transport = createTransport(options.config, logger);
        shared.set(TRANSPORT_KEY, transport);
      }
      return transport;
    },
    shared,
  };
}

/**
 * One running router: routes built from files, their consumers, the HTTP server and the transport.
 * Start order: producers, then consumers, then the HTTP door opens; stop is the reverse.
 */
export class Router {
  private consumers: Consumer[] = [];
  private http?: HttpServer;
  private started = false;

  private constructor(
    readonly services: RouterServices,
    readonly routes: BuiltRoute[],
    readonly diagnostics: LoadDiagnostic[],
  ) {}

  /** Loads, validates and builds every route file; throws RouteLoadError listing all problems. */
  static async create(options: RouterOptions): Promise<Router> {
    const services = createServices(options);
    const { routes, diagnostics } = await loadAndBuild(services);
    if (diagnostics.some((d) => d.severity === 'error')) throw new RouteLoadError(diagnostics);
    return new Router(services, routes, diagnostics);
  }

  get logger(): Logger {
    return this.services.logger;
  }

  /** The HTTP port actually bound (useful with port 0). */
  get port(): number | undefined {
    return this.http?.port;
  }

  /**
   * @param options.http open the HTTP door (default true)
   * @param options.consumers which routes to start (default: every route with autoStartup)
   */
  async start(options: { http?: boolean; consumers?: (route: BuiltRoute) => boolean } = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const route of this.routes) for (const producer of route.producers) await producer.start?.();
    for (const route of this.routes) {
      if (!route.definition.autoStartup || (options.consumers && !options.consumers(route))) continue;
      const consumer = route.component.createConsumer!(route.from, {
        services: this.services,
        route: { routeId: route.definition.id, process: route.processor, logger: route.logger },
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
    for (const module of this.services.registry.modules) await module.start?.(this.services);
    if (options.http !== false) {
      this.http = createHttpServer(this.services);
      await this.http.listen(this.services.config.port, this.services.config.host);
    }
    this.logger.info('router started', {
      routes: this.routes.length,
      port: this.http?.port,
      transport: this.services.config.rabbitmqUrl ? 'rabbitmq' : 'memory',
    });
  }

  /** Stops accepting, lets in-flight exchanges finish, closes connections. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.http?.close();
    for (const module of [...this.services.registry.modules].reverse()) await module.stop?.(this.services);
    for (const consumer of this.consumers.reverse()) await consumer.stop();
    this.consumers = [];
    for (const route of this.routes) for (const producer of route.producers) await producer.stop?.();
    await (this.services.shared.get(TRANSPORT_KEY) as Transport | undefined)?.close();
    this.logger.info('router stopped');
  }
}
