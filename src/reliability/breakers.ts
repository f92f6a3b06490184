/**
 * The circuit breakers of one router, keyed by the partner they protect.
 *
 * Contract for the rest of the router (consumers, admin API, metrics):
 * - One breaker per name. The `circuitBreaker` EIP names it after its `id` when given, else after the
 *   origins (`https://host:port`) of the http(s) endpoints inside the block, so every route that calls one
 *   partner shares one breaker. Names are declared at build time with {@link BreakerRegistry.declare}.
 * - {@link BreakerRegistry.breakersOf}`(routeId)` lists the breakers a route calls, known once routes are
 *   built and before anything starts; {@link BreakerRegistry.routesOf} is the reverse.
 *   {@link BreakerRegistry.pausingBreakersOf} lists those the route calls without `onFallback`: a broker
 *   consumer reads it at start to learn which breakers should pause it. A breaker with a fallback does not
 *   pause the route: while it is open, each message runs the fallback (Camel's behaviour).
 * - Events, emitted by the registry for every breaker, each with a {@link BreakerEvent}:
 *   `open` (stop taking messages: the partner is failing; `retryAfterMs` says when a trial is allowed),
 *   `halfOpen` (resume: one trial call will be let through; the others are short-circuited again with
 *   CircuitOpenError, which a paused-and-resumed consumer must hand back to the queue without counting it
 *   as a failed attempt), `close` (the partner is healthy). A listener added before the first message sees
 *   every transition; {@link BreakerRegistry.state} gives the current state at any time.
 * - {@link BreakerRegistry.list} is the snapshot for the admin API and metrics.
 * - Breakers are created lazily (first call) and shut down when the last route using them stops, so a
 *   stopped router leaves no timers behind; a later start begins closed, with fresh statistics.
 */
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { exceptionDistance, ServicePipesError } from '../errors/index.js';
import type { RouterServices } from '../runtime/services.js';
import { defineState } from '../state/index.js';

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** The opossum options a breaker runs with, already mapped from Camel's resilience4jConfiguration. */
export interface BreakerSettings {
  /** Failure percentage over the window above which the breaker opens (Camel failureRateThreshold). */
  errorThresholdPercentage: number;
  /** Calls in the window before the failure rate is looked at (Camel minimumNumberOfCalls). */
  volumeThreshold: number;
  /** Open → halfOpen after this many ms (Camel waitDurationInOpenState). */
  resetTimeoutMs: number;
  rollingCountTimeoutMs: number;
  rollingCountBuckets: number;
  /** Per-call time limit in ms, or false (Camel timeoutEnabled + timeoutDuration). */
  timeoutMs: number | false;
  /** Camel exception names that count as failures (is-a). Empty: every counted error. */
  recordExceptions: readonly string[];
  /** Camel exception names that never count against the partner (is-a). */
  ignoreExceptions: readonly string[];
}

export interface BreakerEvent {
  name: string;
  state: BreakerState;
  /** Routes that call through this breaker. */
  routeIds: readonly string[];
  /** For `open`: ms until the breaker lets a trial call through. */
  retryAfterMs?: number;
}

export interface BreakerStats {
  calls: number;
  successes: number;
  failures: number;
  /** Calls refused without trying, because the breaker was open. */
  shortCircuited: number;
  timeouts: number;
  /** Errors that did not count against the partner (4xx, validation, ignoreException). */
  ignored: number;
  fallbacks: number;
}

export interface BreakerInfo {
  name: string;
  state: BreakerState;
  routeIds: string[];
  settings: BreakerSettings;
  /** Counts since the breaker was created (not the rolling window). */
  stats: BreakerStats;
  /** When open: ms until a trial call is allowed. */
  retryAfterMs?: number;
  openedAt?: string;
}

/** The action every breaker runs: the call itself is passed to fire(). */
type Call = () => Promise<void>;

interface Entry {
  name: string;
  settings: BreakerSettings;
  routeIds: Set<string>;
  /** Routes that call through the breaker at least once without onFallback: its opening pauses them. */
  pausedRouteIds: Set<string>;
  breaker?: CircuitBreaker<[Call], void>;
  /** Started routes using the breaker; the breaker is shut down when it drops to zero. */
  users: number;
  openedAt?: number;
  stats: BreakerStats;
}

export interface BreakerRegistryEvents {
  open: [BreakerEvent];
  halfOpen: [BreakerEvent];
  close: [BreakerEvent];
}

export class BreakerRegistry extends EventEmitter<BreakerRegistryEvents> {
  private readonly entries = new Map<string, Entry>();

  /**
   * Declares at build time that `routeId` calls through breaker `name` with `settings`. The first
   * declaration's settings win; a different configuration for the same breaker is returned as a
   * problem sentence for a load warning, since one partner cannot have two breakers. `fallback`: this use
   * has an `onFallback` (an open breaker then answers from it instead of pausing the route).
   */
  declare(name: string, settings: BreakerSettings, routeId: string, use: { fallback?: boolean } = {}): { conflict?: string } {
    const entry = this.entries.get(name);
    const pauses = use.fallback !== true;
    if (!entry) {
      this.entries.set(name, {
        name,
        settings,
        routeIds: new Set([routeId]),
        pausedRouteIds: new Set(pauses ? [routeId] : []),
        users: 0,
        stats: emptyStats(),
      });
      return {};
    }
    const others = [...entry.routeIds].filter((id) => id !== routeId);
    entry.routeIds.add(routeId);
    if (pauses) entry.pausedRouteIds.add(routeId);
    if (others.length > 0 && !sameSettings(entry.settings, settings)) {
      return {
        conflict:
          `circuit breaker '${name}' is shared with route ${others.join(', ')}, which configured it differently; ` +
          'the first configuration is used for every route',
      };
    }
    if (others.length === 0) entry.settings = settings;
    return {};
  }

  /** Names of the breakers route `routeId` calls through. */
  breakersOf(routeId: string): string[] {
    return [...this.entries.values()].filter((e) => e.routeIds.has(routeId)).map((e) => e.name);
  }

  /**
   * The breakers whose opening pauses route `routeId`'s consumer: those it calls at least once without
   * `onFallback`. While one with a fallback is open, the route keeps consuming and runs the fallback.
   */
  pausingBreakersOf(routeId: string): string[] {
    return [...this.entries.values()].filter((e) => e.pausedRouteIds.has(routeId)).map((e) => e.name);
  }

  routesOf(name: string): string[] {
    return [...(this.entries.get(name)?.routeIds ?? [])];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  settings(name: string): BreakerSettings {
    return this.entry(name).settings;
  }

  state(name: string): BreakerState {
    const breaker = this.entries.get(name)?.breaker;
    if (!breaker) return 'closed';
    return breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed';
  }

  /** ms until an open breaker lets a trial through; 0 when it is not open. */
  retryAfterMs(name: string): number {
    const entry = this.entries.get(name);
    if (!entry || this.state(name) !== 'open' || entry.openedAt === undefined) return 0;
    return Math.max(0, entry.openedAt + entry.settings.resetTimeoutMs - Date.now());
  }

  list(): BreakerInfo[] {
    return [...this.entries.values()].map((entry) => {
      const state = this.state(entry.name);
      return {
        name: entry.name,
        state,
        routeIds: [...entry.routeIds],
        settings: entry.settings,
        stats: { ...entry.stats },
        ...(state === 'open' ? { retryAfterMs: this.retryAfterMs(entry.name) } : {}),
        ...(state === 'open' && entry.openedAt !== undefined
          ? { openedAt: new Date(entry.openedAt).toISOString() }
          : {}),
      };
    });
  }

  /** The running breaker (created on first use). */
  breaker(name: string): CircuitBreaker<[Call], void> {
    const entry = this.entry(name);
    entry.breaker ??= this.create(entry);
    return entry.breaker;
  }

  /** Counts what the EIP saw that opossum does not (timeouts it enforces itself, ignored errors, fallbacks). */
  count(name: string, what: 'timeouts' | 'ignored' | 'fallbacks'): void {
    const entry = this.entries.get(name);
    if (entry) entry.stats[what]++;
  }

  /** A route using the breaker started. */
  acquire(name: string): void {
    this.entry(name).users++;
  }

  /** A route using the breaker stopped; the last one out shuts the breaker down (timers cleared). */
  release(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.users = Math.max(0, entry.users - 1);
    if (entry.users === 0) this.shutdownEntry(entry);
  }

  /** Shuts every breaker down (their timers are cleared); declarations are kept. */
  shutdown(): void {
    for (const entry of this.entries.values()) this.shutdownEntry(entry);
  }

  private shutdownEntry(entry: Entry): void {
    entry.breaker?.shutdown();
    entry.breaker = undefined;
    entry.openedAt = undefined;
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry)
      throw new ServicePipesError('UNKNOWN_BREAKER', `No circuit breaker named '${name}' was declared`);
    return entry;
  }

  private create(entry: Entry): CircuitBreaker<[Call], void> {
    const { settings } = entry;
    const breaker = new CircuitBreaker<[Call], void>((call: Call) => call(), {
      name: entry.name,
      // The EIP enforces the time limit per call, with its own AbortController: opossum's controller is
      // shared by every call of the breaker, so one timeout would cancel all calls in flight.
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: settings.rollingCountTimeoutMs,
      rollingCountBuckets: settings.rollingCountBuckets,
      // Latency percentiles would keep every call's duration of the window in arrays, sorted at each bucket
      // turn: thousands per second on a busy partner. Call durations are in the route metrics instead.
      rollingPercentilesEnabled: false,
      // true = "not the partner's fault": opossum counts it as a success and still rejects with it.
      errorFilter: (error: unknown) => !countsAgainstPartner(error, settings),
    });
    breaker.on('fire', () => entry.stats.calls++);
    breaker.on('success', () => entry.stats.successes++);
    breaker.on('failure', () => entry.stats.failures++);
    breaker.on('reject', () => entry.stats.shortCircuited++);
    breaker.on('open', () => {
      entry.openedAt = Date.now();
      this.emit('open', this.event(entry, 'open'));
    });
    breaker.on('halfOpen', () => this.emit('halfOpen', this.event(entry, 'halfOpen')));
    breaker.on('close', () => {
      entry.openedAt = undefined;
      this.emit('close', this.event(entry, 'closed'));
    });
    return breaker;
  }

  private event(entry: Entry, state: BreakerState): BreakerEvent {
    return {
      name: entry.name,
      state,
      routeIds: [...entry.routeIds],
      ...(state === 'open' ? { retryAfterMs: entry.settings.resetTimeoutMs } : {}),
    };
  }
}

/**
 * Whether an error is the partner's failure. Errors the router classifies as not retryable (4xx,
 * validation, bad expressions) are the caller's or the route's fault and never open a breaker;
 * `ignoreException` adds to them; a non-empty `recordException` narrows what counts.
 */
export function countsAgainstPartner(
  error: unknown,
  settings: Pick<BreakerSettings, 'recordExceptions' | 'ignoreExceptions'>,
): boolean {
  if (error instanceof ServicePipesError && !error.retryable) return false;
  if (
    settings.ignoreExceptions.length > 0 &&
    exceptionDistance(error, settings.ignoreExceptions) !== undefined
  )
    return false;
  if (settings.recordExceptions.length > 0)
    return exceptionDistance(error, settings.recordExceptions) !== undefined;
  return true;
}

/** Breakers belong to a route set: a reloaded set's breakers carry its settings and start closed. */
const BREAKERS = defineState('circuit-breakers', { scope: 'route-set' }, () => new BreakerRegistry());

/** The registry of one router. */
export function breakerRegistry(services: RouterServices): BreakerRegistry {
  return BREAKERS.of(services);
}

function emptyStats(): BreakerStats {
  return { calls: 0, successes: 0, failures: 0, shortCircuited: 0, timeouts: 0, ignored: 0, fallbacks: 0 };
}

function sameSettings(a: BreakerSettings, b: BreakerSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
