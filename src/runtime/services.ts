import type { RouterConfig } from '../config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { defineState, StateStore, type StateHolder } from '../state/index.js';
import { createTransport } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';
import type { Registry } from './registry.js';

/**
 * Shared services of one router instance. Components keep their per-router state in `state`, declared
 * with `defineState` (src/state), never in module globals, so several routers (tests, reload) can live in
 * one process.
 */
export interface RouterServices extends StateHolder {
  config: RouterConfig;
  logger: Logger;
  registry: Registry;
  /** The message transport (RabbitMQ or the embedded in-memory one). Created lazily; connecting is async. */
  transport(): Transport;
}

/**
 * Services for building a new route set beside the running one: the same config, logger, registry and
 * transport, with fresh route-set state (see StateScope in src/state).
 */
export function routeSetServices(router: RouterServices): RouterServices {
  return {
    config: router.config,
    logger: router.logger,
    registry: router.registry,
    transport: () => router.transport(),
    state: router.state.forRouteSet(),
  };
}

/** The router's transport, created on first use: a router whose routes never touch messaging opens no connection. */
const TRANSPORT = defineState<Transport | undefined>('transport', { scope: 'router' }, () => undefined);

/** The services of a new router: its config, logger and registry, a state store and a lazy transport. */
export function createServices(options: { config: RouterConfig; registry: Registry; logger?: Logger }): RouterServices {
  const logger = options.logger ?? createLogger({ level: options.config.logLevel });
  const services: RouterServices = {
    config: options.config,
    logger,
    registry: options.registry,
    transport: () => {
      let transport = TRANSPORT.peek(services);
      if (!transport) {
        transport = createTransport(options.config, logger);
        TRANSPORT.set(services, transport);
      }
      return transport;
    },
    state: StateStore.create(),
  };
  return services;
}

/** The router's transport if something already created it (reading state must not open a connection). */
export function existingTransport(services: StateHolder): Transport | undefined {
  return TRANSPORT.peek(services);
}
