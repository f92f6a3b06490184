import type { RouterModule } from '../runtime/router-module.js';
import { defineState, type StateHolder } from '../state/index.js';
import { createHttpServer, type HttpServer } from './http-server.js';

const DOOR = defineState<{ server?: HttpServer }>('http.door', { scope: 'router' }, () => ({}));

/**
 * The HTTP server as the router's door: it opens last, once routes and modules run, and closes first on a
 * drain (new requests get 503 + Retry-After while those in flight finish).
 */
export const httpServerModule: RouterModule = {
  name: 'http-server',
  async open(services) {
    const server = createHttpServer(services);
    await server.listen(services.config.port, services.config.host);
    DOOR.of(services).server = server;
    return { port: server.port };
  },
  async close(services) {
    await DOOR.peek(services)?.server?.close();
  },
};

/** The HTTP port the router bound (useful with port 0); undefined before it opened or with the door shut. */
export function httpPort(services: StateHolder): number | undefined {
  return DOOR.peek(services)?.server?.port;
}
