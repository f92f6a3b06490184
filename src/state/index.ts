/**
 * Typed per-router state. A part of the router that keeps state (direct's consumers, the compiled schemas,
 * the circuit breakers, the metrics registry, the HTTP entry table) declares it once with
 * {@link defineState}: its name, its type and its scope. Nothing is kept in module globals, so several
 * routers (tests, a reload building the next route set) live in one process.
 *
 * The scope says what a reload does with it:
 * - `router`: one value for the router's life, shared by every route set (connections, metrics, stores);
 * - `route-set`: one value per set of route files. A reload builds the next set with fresh values while
 *   the running set keeps its own until it has drained; when the new set is adopted, its values replace
 *   the router's. A part with state declares this itself; the runtime keeps no list of such parts.
 */
export type StateScope = 'router' | 'route-set';

export interface StateKey<T, H extends StateHolder = StateHolder> {
  readonly name: string;
  readonly scope: StateScope;
  /** The value in this store, created on first use. */
  of(holder: H): T;
  /** The value if something already created it (reading state must not create it, e.g. a connection). */
  peek(holder: StateHolder): T | undefined;
  /** Sets the value (a route set's beans, the Security built from the RBAC file). */
  set(holder: StateHolder, value: T): void;
  /** Forgets the value; the next `of` creates a new one. */
  clear(holder: StateHolder): void;
}

/** Anything that carries a state store: the router's services. */
export interface StateHolder {
  readonly state: StateStore;
}

const names = new Map<string, StateScope>();

/**
 * Declares a piece of per-router state. `name` is for reading (errors, operations) and must be unique in
 * the process: two parts claiming one name would share a value of two types.
 */
export function defineState<T, H extends StateHolder = StateHolder>(
  name: string,
  options: { scope: StateScope },
  create: (holder: H) => T,
): StateKey<T, H> {
  const claimed = names.get(name);
  if (claimed !== undefined) throw new Error(`State '${name}' is defined twice`);
  names.set(name, options.scope);
  const key: StateKey<T, H> = {
    name,
    scope: options.scope,
    of: (holder) => holder.state.valueOf(key, () => create(holder)),
    peek: (holder) => holder.state.peekAt(key),
    set: (holder, value) => holder.state.setAt(key, value),
    clear: (holder) => holder.state.clearAt(key),
  };
  return key;
}

/**
 * The values of one router, or of one route set built beside the running one: route-set values are its
 * own, router values read and write through to the router's store, so state created lazily later (a
 * connection pool, the metrics registry) is still one per router.
 */
export class StateStore {
  private readonly values = new Map<string, { scope: StateScope; value: unknown }>();

  private constructor(private readonly router?: StateStore) {}

  /** A router's store. */
  static create(): StateStore {
    return new StateStore();
  }

  /** The store of a route set built beside this router's running one. */
  forRouteSet(): StateStore {
    return new StateStore(this.router ?? this);
  }

  /**
   * Makes a started route set's values the router's own: from the next call on, whatever looks them up
   * (the HTTP entry table and access guard, the async engine's direct calls) uses the new set.
   */
  adopt(set: StateStore): void {
    for (const [name, held] of [...this.values]) if (held.scope === 'route-set') this.values.delete(name);
    for (const [name, held] of set.values) if (held.scope === 'route-set') this.values.set(name, held);
  }

  /** @internal used by {@link StateKey}. */
  valueOf<T>(key: { name: string; scope: StateScope }, create: () => T): T {
    const store = this.storeFor(key);
    const held = store.values.get(key.name);
    if (held) return held.value as T;
    const value = create();
    store.values.set(key.name, { scope: key.scope, value });
    return value;
  }

  /** @internal */
  peekAt<T>(key: { name: string; scope: StateScope }): T | undefined {
    return this.storeFor(key).values.get(key.name)?.value as T | undefined;
  }

  /** @internal */
  setAt<T>(key: { name: string; scope: StateScope }, value: T): void {
    this.storeFor(key).values.set(key.name, { scope: key.scope, value });
  }

  /** @internal */
  clearAt(key: { name: string; scope: StateScope }): void {
    this.storeFor(key).values.delete(key.name);
  }

  private storeFor(key: { scope: StateScope }): StateStore {
    return key.scope === 'router' && this.router ? this.router : this;
  }
}
