import type { RouterServices } from './services.js';

/**
 * Keys of `services.shared` that belong to one set of route files rather than to the router: a reload
 * builds the new set with fresh values for these, and the running set keeps its own until it has drained.
 * Everything else (the transport, the HTTP server's extensions, readiness checks, metrics, idempotency
 * stores, the async engine) is the router's and is shared by every set.
 *
 * - `direct`: direct consumers declared and running (one per name; the new set registers its own)
 * - `http.entries`: the HTTP entry table (swapped atomically, so no request meets an empty table)
 * - `security`: the Security built from the RBAC file (re-read on reload)
 * - `beans`: bean definitions of the route files
 * - `json-validator`: compiled schemas (so edited schema files are read again)
 * - `circuit-breakers`: breakers with the new set's settings; they start closed
 * - `mock`: mock endpoints of test routes
 */
export const ROUTE_SET_KEYS: readonly string[] = [
  'direct',
  'http.entries',
  'security',
  'beans',
  'json-validator',
  'circuit-breakers',
  'mock',
];

/**
 * `services.shared` of a route set built while another runs: route-set keys live here, every other key
 * reads and writes through to the router's own map, so state created lazily later (a connection pool,
 * the metrics registry) is still one per router.
 */
class RouteSetShared extends Map<string, unknown> {
  constructor(
    private readonly routerShared: Map<string, unknown>,
    private readonly routeSetKeys: ReadonlySet<string>,
  ) {
    super();
  }

  override get(key: string): unknown {
    return this.routeSetKeys.has(key) ? super.get(key) : this.routerShared.get(key);
  }

  override set(key: string, value: unknown): this {
    if (this.routeSetKeys.has(key)) super.set(key, value);
    else this.routerShared.set(key, value);
    return this;
  }

  override has(key: string): boolean {
    return this.routeSetKeys.has(key) ? super.has(key) : this.routerShared.has(key);
  }

  override delete(key: string): boolean {
    return this.routeSetKeys.has(key) ? super.delete(key) : this.routerShared.delete(key);
  }

  /** The route-set values only. */
  own(): Map<string, unknown> {
    return new Map(super.entries());
  }
}

/**
 * Services for building a new route set beside the running one: the same config, logger, registry and
 * transport, with fresh route-set state (see {@link ROUTE_SET_KEYS}).
 */
export function routeSetServices(router: RouterServices, keys: readonly string[] = ROUTE_SET_KEYS): RouterServices {
  return {
    config: router.config,
    logger: router.logger,
    registry: router.registry,
    transport: () => router.transport(),
    shared: new RouteSetShared(router.shared, new Set(keys)),
  };
}

/**
 * Makes a started route set the router's current one: its route-set values replace the router's, so
 * whatever looks them up per call (the HTTP server's entry table and access guard, the async engine's
 * direct calls) uses the new set from the next call on. Returns the values replaced, for a rollback.
 */
export function adoptRouteSet(router: RouterServices, set: RouterServices, keys: readonly string[] = ROUTE_SET_KEYS): Map<string, unknown> {
  const own = set.shared instanceof RouteSetShared ? set.shared.own() : new Map<string, unknown>();
  const previous = new Map<string, unknown>();
  for (const key of keys) {
    previous.set(key, router.shared.get(key));
    if (own.has(key)) router.shared.set(key, own.get(key));
    else router.shared.delete(key);
  }
  return previous;
}
