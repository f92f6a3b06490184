/**
 * What the router is doing now, read the same way by the metrics and the admin API, so both always
 * agree: routes with their state and counters, broker consumers, circuit breakers and the queues the
 * router owns (work queues and their dead-letter queues).
 */
import { flowEngine } from '../asyncengine/module.js';
import type { ConsumerStats } from '../runtime/component.js';
import { existingTransport } from '../runtime/services.js';
import { routerControl } from '../runtime/router.js';
import type { ManagedRoute } from '../runtime/running-set.js';
import type { RouterServices } from '../runtime/services.js';
import { breakerRegistry, type BreakerState } from '../reliability/breakers.js';
import { deadLetterQueueName } from '../transport/topology-names.js';
import { routerMetrics } from '../observability/metrics.js';

export interface RouteCounters {
  received: number;
  completed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  inFlight: number;
}

export interface RouteView {
  id: string;
  state: 'started' | 'stopped';
  autoStartup: boolean;
  from: string;
  file: string;
  counters: RouteCounters;
  /** Breakers the route calls through. */
  breakers: string[];
  consumer?: ConsumerView;
}

export interface ConsumerView extends ConsumerStats {
  route: string;
  /** inFlight / concurrency. */
  utilisation: number;
  /** inFlight + buffered: unacknowledged messages held. */
  prefetchInUse: number;
}

export interface QueueRef {
  queue: string;
  kind: 'work' | 'dead_letter';
  /** The route or flow step that owns it. */
  owner: string;
}

export interface BreakerView {
  name: string;
  state: BreakerState;
  routeIds: string[];
}

export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

export function managedRoutes(services: RouterServices): readonly ManagedRoute[] {
  return routerControl(services)?.routes() ?? [];
}

export function consumerView(managed: ManagedRoute): ConsumerView | undefined {
  const stats = managed.started ? managed.consumer?.stats?.() : undefined;
  if (!stats) return undefined;
  return {
    route: managed.route.definition.id,
    ...stats,
    queues: [...stats.queues],
    utilisation: stats.concurrency > 0 ? stats.inFlight / stats.concurrency : 0,
    prefetchInUse: stats.inFlight + stats.buffered,
  };
}

export async function routeViews(services: RouterServices): Promise<RouteView[]> {
  const counters = await routeCounters(services);
  const breakers = breakerRegistry(services);
  return managedRoutes(services).map((managed) => {
    const { definition, from } = managed.route;
    const consumer = consumerView(managed);
    return {
      id: definition.id,
      state: managed.started ? 'started' : 'stopped',
      autoStartup: definition.autoStartup,
      from: from.uri,
      file: definition.loc.file,
      counters: counters.get(definition.id) ?? emptyCounters(),
      breakers: breakers.breakersOf(definition.id),
      ...(consumer ? { consumer } : {}),
    };
  });
}

export function breakerViews(services: RouterServices): BreakerView[] {
  return breakerRegistry(services)
    .list()
    .map(({ name, state, routeIds }) => ({ name, state, routeIds }));
}

/** Work queues of the started broker consumers and of the flow steps, each with its dead-letter queue. */
export function ownedQueues(services: RouterServices): QueueRef[] {
  const refs = new Map<string, QueueRef>();
  const add = (queue: string, owner: string): void => {
    refs.set(queue, { queue, kind: 'work', owner });
    refs.set(deadLetterQueueName(queue), { queue: deadLetterQueueName(queue), kind: 'dead_letter', owner });
  };
  for (const managed of managedRoutes(services)) {
    // A stopped route still owns its queue: its messages wait there.
    for (const queue of managed.consumer?.stats?.().queues ?? []) add(queue, `route:${managed.route.definition.id}`);
  }
  for (const flow of flowEngine(services)?.flows.values() ?? []) {
    for (const step of flow.steps) add(step.queue, `flow:${flow.name}/${step.name}`);
  }
  return [...refs.values()];
}

export interface QueueDepth extends QueueRef {
  messages: number;
  consumers: number;
}

/** Asks the broker about each owned queue; queues it does not know are left out. */
export async function queueDepths(services: RouterServices, timeoutMs = 2000): Promise<QueueDepth[]> {
  const transport = existingTransport(services);
  if (!transport || !transport.isReady()) return [];
  const found = await Promise.all(
    ownedQueues(services).map(async (ref) => {
      try {
        const info = await withTimeout(transport.queueInfo(ref.queue), timeoutMs);
        return { ...ref, messages: info.messageCount, consumers: info.consumerCount };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((depth): depth is QueueDepth => depth !== undefined);
}

async function routeCounters(services: RouterServices): Promise<Map<string, RouteCounters>> {
  const metrics = routerMetrics(services);
  const counters = new Map<string, RouteCounters>();
  const of = (route: string): RouteCounters => {
    let found = counters.get(route);
    if (!found) counters.set(route, (found = emptyCounters()));
    return found;
  };
  for (const { value, labels } of (await metrics.routeReceived.get()).values) of(String(labels.route)).received = value;
  for (const { value, labels } of (await metrics.routeInflight.get()).values) of(String(labels.route)).inFlight = value;
  const outcomeField = { completed: 'completed', failed: 'failed', retried: 'retried', dead_lettered: 'deadLettered' } as const;
  for (const { value, labels } of (await metrics.routeExchanges.get()).values) {
    const field = outcomeField[String(labels.outcome) as keyof typeof outcomeField];
    if (field) of(String(labels.route))[field] = value;
  }
  return counters;
}

function emptyCounters(): RouteCounters {
  return { received: 0, completed: 0, failed: 0, retried: 0, deadLettered: 0, inFlight: 0 };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
