import type { RouterConfig } from '../config.js';
import { RouteLoadError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from '../runtime/registry.js';
import { Router } from '../runtime/router.js';
import { createServices } from '../runtime/services.js';
import { createRegistry } from './catalog.js';
import { loadAndBuild } from './load-and-build.js';

export interface CreateRouterOptions {
  config: RouterConfig;
  /** Everything the router is made of; default: the full catalog. */
  registry?: Registry;
  logger?: Logger;
}

/**
 * The composition root: builds the services, loads, validates and builds every route file, and hands the
 * router its modules (through the registry) and the loader it reloads with. Throws RouteLoadError listing
 * every problem of every file; starts nothing.
 */
export async function createRouter(options: CreateRouterOptions): Promise<Router> {
  const services = createServices({ config: options.config, registry: options.registry ?? createRegistry(), logger: options.logger });
  const loaded = await loadAndBuild(services);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new RouteLoadError(loaded.diagnostics);
  return new Router({ services, loaded, load: loadAndBuild });
}
