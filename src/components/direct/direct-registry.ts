import type { LoadDiagnostic, SourceLocation } from '../../runtime/definitions.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { Processor } from '../../runtime/processor.js';
import { DefinitionError, DirectConsumerNotAvailableError } from '../../errors/index.js';
import type { RouterModule } from '../../runtime/router-module.js';
import type { RouterServices } from '../../runtime/services.js';
import { defineState } from '../../state/index.js';

/** Direct consumers declared and running: one per name and route set (the next set registers its own). */
const DIRECT = defineState<DirectState>('direct', { scope: 'route-set' }, () => ({ declared: new Map(), running: new Map(), waiters: new Map() }));

/** A started `from: direct:x` (or a built-in handler such as the async engine's `callAsyncEngine`). */
export interface DirectConsumerEntry {
  routeId: string;
  process: Processor;
}

/**
 * Per-router state of the direct component: which names are declared by the routes being built (for the
 * load-time "no consumer" check) and which consumers are running now (for calls at run time).
 */
export interface DirectState {
  declared: Map<string, { routeId?: string; loc?: SourceLocation }>;
  running: Map<string, DirectConsumerEntry>;
  /** Producers blocked (`block=true`) until a consumer for the name starts. */
  waiters: Map<string, Set<() => void>>;
}

export function directState(services: RouterServices): DirectState {
  return DIRECT.of(services);
}

/**
 * Direct consumers belong to a route set, but handlers that are not routes (the async engine's
 * `direct:callAsyncEngine`) serve every set: a reload carries them over into the next one.
 */
export const directCarryOverModule: RouterModule = {
  name: 'direct',
  beforeReload(running, next, runningRoutes) {
    const routeIds = new Set(runningRoutes.map((route) => route.definition.id));
    const target = directState(next).running;
    for (const [name, entry] of directState(running).running) if (!routeIds.has(entry.routeId)) target.set(name, entry);
  },
};

/**
 * Declares, at build time, that a route consumes `direct:<name>`. The route builder calls this for every
 * `from: direct:x` before the after-build checks run, so producers can be checked against every route file.
 * A second declaration of one name is a load error naming both places.
 */
export function declareDirectConsumer(
  services: RouterServices,
  name: string,
  loc?: SourceLocation,
  routeId?: string,
): void {
  const problem = declarationProblem(services, name, loc, routeId);
  if (problem) throw new DefinitionError(problem);
}

/** Declares the name, or says why it cannot be (the component reports it instead of throwing). */
export function declarationProblem(
  services: RouterServices,
  name: string,
  loc: SourceLocation | undefined,
  routeId: string | undefined,
): Omit<LoadDiagnostic, 'severity'> | undefined {
  const declared = directState(services).declared;
  const previous = declared.get(name);
  if (!previous) {
    declared.set(name, { routeId, loc });
    return undefined;
  }
  const where = previous.loc ? ` at ${previous.loc.file}:${previous.loc.line}:${previous.loc.col}` : '';
  return {
    message: `direct:${name} already has a consumer (route ${previous.routeId ?? '?'}${where}); a direct endpoint has exactly one consumer`,
    loc,
    hint: 'Give one of the routes another direct name, or merge them.',
  };
}

/** Forgets the build-time declarations, before a new set of route files is built (reload). */
export function clearDirectDeclarations(services: RouterServices): void {
  directState(services).declared.clear();
}

export function isDirectDeclared(services: RouterServices, name: string): boolean {
  const state = directState(services);
  return state.declared.has(name) || state.running.has(name);
}

/**
 * Makes `direct:<name>` callable at run time; returns the function that removes it again. Used by the
 * direct consumer and by built-in handlers (the async engine registers `callAsyncEngine` here).
 */
export function registerDirectConsumer(
  services: RouterServices,
  name: string,
  entry: DirectConsumerEntry,
): () => void {
  const state = directState(services);
  const current = state.running.get(name);
  if (current && current !== entry) {
    throw new Error(
      `direct:${name} is already consumed by route ${current.routeId}; a direct endpoint has exactly one consumer`,
    );
  }
  state.running.set(name, entry);
  const waiting = state.waiters.get(name);
  if (waiting) {
    state.waiters.delete(name);
    for (const wake of waiting) wake();
  }
  return () => {
    if (state.running.get(name) === entry) state.running.delete(name);
  };
}

/** The running consumer of `direct:<name>`, waiting up to `timeoutMs` for one to start when `timeoutMs` > 0. */
export async function findDirectConsumer(
  services: RouterServices,
  name: string,
  timeoutMs: number,
): Promise<DirectConsumerEntry | undefined> {
  const state = directState(services);
  const found = state.running.get(name);
  if (found || timeoutMs <= 0) return found;
  await new Promise<void>((resolve) => {
    let waiting = state.waiters.get(name);
    if (!waiting) state.waiters.set(name, (waiting = new Set()));
    const set = waiting;
    const wake = (): void => {
      clearTimeout(timer);
      set.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, timeoutMs);
    set.add(wake);
  });
  return state.running.get(name);
}

/**
 * Runs the consumer route of `direct:<name>` on `exchange` itself, as Camel does (for the CLI's
 * `pipes send` and tests). Rejects with DirectConsumerNotAvailableError when nothing consumes the name.
 */
export async function sendToDirect(
  services: RouterServices,
  name: string,
  exchange: Exchange,
): Promise<Exchange> {
  const consumer = directState(services).running.get(name);
  if (!consumer) throw new DirectConsumerNotAvailableError(`direct://${name}`);
  await consumer.process(exchange);
  return exchange;
}
