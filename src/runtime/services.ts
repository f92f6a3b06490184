import type { RouterConfig } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from './registry.js';
import type { Transport } from '../transport/transport.js';

/**
 * Shared services of one router instance. Components keep their per-router state in `shared`
 * under a key of their own (e.g. `direct` consumers, `platform-http` entries), never in module globals,
 * so several routers (tests, reload) can live in one process.
 */
export interface RouterServices {
  config: RouterConfig;
  logger: Logger;
  registry: Registry;
  /** The message transport (RabbitMQ or the embedded in-memory one). Created lazily; connecting is async. */
  transport(): Transport;
  /** Per-router state of components, keyed by component. */
  shared: Map<string, unknown>;
}

/** Gets or creates a component's per-router state. */
export function sharedState<T>(services: RouterServices, key: string, create: () => T): T {
  let value = services.shared.get(key) as T | undefined;
  if (value === undefined) {
    value = create();
    services.shared.set(key, value);
  }
  return value;
}
