import type { RouterModule } from '../runtime/router-module.js';
import { existingTransport } from '../runtime/services.js';
import type { RouterServices } from '../runtime/services.js';
import { breakerRegistry, type BreakerEvent, type BreakerRegistry } from '../reliability/breakers.js';
import { readiness } from '../runtime/readiness.js';
import { httpExtensions } from '../server/http-server.js';
import { routerMetrics, type RouterMetrics } from '../observability/metrics.js';
import { BREAKER_STATE_VALUE, breakerViews, consumerView, managedRoutes, queueDepths } from './operations-view.js';
import { defineState } from '../state/index.js';

const METRICS_MODULE = defineState<MetricsState>('admin.metrics-module', { scope: 'router' }, () => ({ mounted: false, lastPoll: 0, watched: new WeakSet(), removeHooks: [] }));

/** How often queue depths are asked of the broker; a scrape asks again only when the last answer is older. */
export const QUEUE_POLL_INTERVAL_MS = 15_000;
const QUEUE_STALE_MS = 5_000;

interface MetricsState {
  mounted: boolean;
  timer?: NodeJS.Timeout;
  lastPoll: number;
  polling?: Promise<void>;
  watched: WeakSet<BreakerRegistry>;
  removeHooks: (() => void)[];
}

function metricsState(services: RouterServices): MetricsState {
  return METRICS_MODULE.of(services);
}

/**
 * `/metrics` in the Prometheus text format, on the router's own registry. Access follows the RBAC file's
 * `open.metrics` (open by default, else `admin:metrics`); the HTTP guard classifies `/metrics` itself.
 */
export const metricsModule: RouterModule = {
  name: 'metrics',

  start(services) {
    const state = metricsState(services);
    const metrics = routerMetrics(services);
    metrics.enableProcessMetrics();
    if (!state.mounted) {
      state.mounted = true;
      httpExtensions(services).get('/metrics', async (_request, response) => {
        const text = await metrics.scrape();
        response.set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(text);
      });
    }
    state.removeHooks.push(
      metrics.onScrape(() => readState(services, metrics)),
      metrics.onScrape(async () => {
        if (Date.now() - state.lastPoll > QUEUE_STALE_MS) await pollQueues(services, metrics, state);
      }),
      metrics.onScrape(async () => {
        metrics.ready.set((await readiness(services)).ready ? 1 : 0);
      }),
    );
    state.timer = setInterval(() => void pollQueues(services, metrics, state), QUEUE_POLL_INTERVAL_MS);
    state.timer.unref();
    return Promise.resolve();
  },

  activated(services) {
    // Breakers belong to a route set: follow the transitions of each new set's registry.
    const state = metricsState(services);
    const registry = breakerRegistry(services);
    if (state.watched.has(registry)) return;
    state.watched.add(registry);
    const metrics = routerMetrics(services);
    const count = (to: string) => (event: BreakerEvent) => {
      metrics.breakerTransitions.labels(event.name, to).inc();
      metrics.breakerState.labels(event.name).set(BREAKER_STATE_VALUE[event.state]);
    };
    registry.on('open', count('open'));
    registry.on('halfOpen', count('half_open'));
    registry.on('close', count('closed'));
  },

  stop(services) {
    const state = metricsState(services);
    clearInterval(state.timer);
    state.timer = undefined;
    for (const remove of state.removeHooks.splice(0)) remove();
    return Promise.resolve();
  },
};

/** Gauges read from the router's state at scrape time. */
function readState(services: RouterServices, metrics: RouterMetrics): void {
  const transport = existingTransport(services);
  // No transport yet means nothing needed the broker: not a disconnection.
  metrics.brokerConnected.set(transport ? Number(transport.isReady()) : 1);
  metrics.brokerBlocked.set(transport ? Number(transport.isBlocked()) : 0);
  for (const managed of managedRoutes(services)) {
    const id = managed.route.definition.id;
    metrics.routeUp.labels(id).set(managed.started ? 1 : 0);
    const consumer = consumerView(managed);
    if (!consumer) {
      for (const gauge of [metrics.consumerUtilisation, metrics.consumerPrefetchInUse]) gauge.labels(id).set(0);
      continue;
    }
    metrics.consumerUtilisation.labels(id).set(consumer.utilisation);
    metrics.consumerPrefetchInUse.labels(id).set(consumer.prefetchInUse);
    metrics.consumerPrefetchLimit.labels(id).set(consumer.prefetch);
    metrics.consumerConcurrency.labels(id).set(consumer.concurrency);
  }
  for (const breaker of breakerViews(services)) metrics.breakerState.labels(breaker.name).set(BREAKER_STATE_VALUE[breaker.state]);
}

async function pollQueues(services: RouterServices, metrics: RouterMetrics, state: MetricsState): Promise<void> {
  // One poll at a time: scrapes during a poll share its answer.
  state.polling ??= (async () => {
    try {
      for (const depth of await queueDepths(services)) {
        metrics.queueDepth.labels(depth.queue, depth.kind).set(depth.messages);
        metrics.queueConsumers.labels(depth.queue, depth.kind).set(depth.consumers);
      }
      state.lastPoll = Date.now();
    } finally {
      state.polling = undefined;
    }
  })();
  await state.polling;
}
