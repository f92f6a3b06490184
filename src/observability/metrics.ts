/**
 * The router's Prometheus metrics: one prom-client Registry per router (in the router's state, never the
 * global default registry), so several routers in one process never share or collide. Counters are
 * bumped at a few seams (the route processor wrapper, the broker consumer's dead-letter point, the HTTP
 * server, the flow engine's step workers, breaker events); gauges that describe state (queue depth,
 * breaker state, consumer utilisation, broker connection) are read when Prometheus scrapes.
 * docs/operations.md lists every metric.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { camelHierarchy, RetryLaterSignal, ServicePipesError, toError } from '../errors/index.js';
import { defineState, type StateHolder } from '../state/index.js';

export type RouteOutcome = 'completed' | 'failed' | 'retried' | 'dead_lettered';
export type FlowStepEvent = 'submitted' | 'started' | 'succeeded' | 'failed' | 'retried' | 'dead_lettered';

/** Seconds; from a fast in-process route (a few ms) to a slow partner call near its timeout. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STEP_DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Something read at scrape time: the metrics module adds these (queue depth, breakers, consumers). */
export type ScrapeHook = () => void | Promise<void>;

/**
 * One route's counts, kept as plain numbers on the hot path and handed to prom-client when the metrics are
 * read (each metric's `collect`). A prom-client child still hashes its label object and checks its label
 * names on every `inc`/`observe` (its `labels()` only binds them): five of those per message, for every
 * message of every route.
 */
class RouteCounts {
  received = 0;
  completed = 0;
  failed = 0;
  retried = 0;
  inflight = 0;
  /** Observations per bucket of {@link DURATION_BUCKETS} (not cumulative), the last one for +Inf. */
  readonly buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  count = 0;
  /** What the prom-client counters were given so far. */
  readonly pushed = { received: 0, completed: 0, failed: 0, retried: 0 };

  constructor(readonly labels: { route: string }) {}

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    this.buckets[bucket]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** What prom-client's metrics hand the registry (not in its type declarations). */
interface ExportedValues {
  getForPromString(): Promise<{ values: unknown[] }>;
}

/**
 * pipes_route_duration_seconds: prom-client's histogram, whose exported values also include the routes'
 * own {@link RouteCounts}, as the series its `labels(route).observe()` would give. prom-client's registry
 * and the histogram's own `get()` both read `getForPromString`, so that is where they are added.
 */
function routeDurationHistogram(registry: Registry, routes: ReadonlyMap<string, RouteCounts>): Histogram<'route'> {
  const name = 'pipes_route_duration_seconds';
  const histogram = new Histogram({
    name,
    help: 'Time a message exchange spent in the route, whatever its outcome',
    labelNames: ['route'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const exported = histogram as unknown as ExportedValues;
  if (typeof exported.getForPromString !== 'function') throw new Error('prom-client internals changed: Histogram#getForPromString is gone');
  const own = exported.getForPromString.bind(histogram);
  exported.getForPromString = async () => {
    const data = await own();
    for (const counts of routes.values()) {
      // As prom-client: a route's series appear with its first observation.
      if (counts.count === 0) continue;
      const series = (labels: Record<string, string | number>, value: number, metricName: string) => ({
        labels,
        sharedLabels: counts.labels,
        value,
        metricName,
        exemplar: null,
      });
      let cumulative = 0;
      for (let bucket = 0; bucket < DURATION_BUCKETS.length; bucket++) {
        cumulative += counts.buckets[bucket]!;
        data.values.push(series({ le: DURATION_BUCKETS[bucket]! }, cumulative, `${name}_bucket`));
      }
      data.values.push(series({ le: '+Inf' }, counts.count, `${name}_bucket`));
      data.values.push(series({}, counts.sum, `${name}_sum`));
      data.values.push(series({}, counts.count, `${name}_count`));
    }
    return data;
  };
  return histogram;
}

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly scrapeHooks = new Set<ScrapeHook>();
  private processMetrics = false;
  private readonly routes = new Map<string, RouteCounts>();

  readonly routeReceived: Counter = new Counter({
    name: 'pipes_route_exchanges_received_total',
    help: 'Message exchanges that entered the route',
    labelNames: ['route'],
    registers: [this.registry],
    collect: () => this.pushRouteCounts(),
  });
  readonly routeExchanges: Counter = new Counter({
    name: 'pipes_route_exchanges_total',
    help: 'Message exchanges by outcome: completed (no error left the route), failed (an error left the route), retried (a broker-held retry was asked), dead_lettered (the consumer wrote a dead letter; these are also counted as failed)',
    labelNames: ['route', 'outcome'],
    registers: [this.registry],
    collect: () => this.pushRouteCounts(),
  });
  readonly routeFailures = this.counter(
    'pipes_route_failures_total',
    'Errors in the route by error class (Camel exception short name, or the router error code); handled="true" when an onException clause or dead-letter channel handled it',
    ['route', 'error_class', 'handled'],
  );
  readonly routeDuration: Histogram<'route'> = routeDurationHistogram(this.registry, this.routes);
  readonly routeInflight: Gauge = new Gauge({
    name: 'pipes_route_inflight',
    help: 'Message exchanges in the route now',
    labelNames: ['route'],
    registers: [this.registry],
    collect: () => {
      for (const counts of this.routes.values()) this.routeInflight.set(counts.labels, counts.inflight);
    },
  });
  readonly routeUp = this.gauge('pipes_route_up', 'Whether the route is started (1) or stopped (0)', ['route']);
  readonly httpRequests: Counter = new Counter({
    name: 'pipes_http_requests_total',
    help: 'Requests to HTTP entry points by route and status ("" when no entry matched)',
    labelNames: ['route', 'status'],
    registers: [this.registry],
    collect: () => this.pushHttpCounts(),
  });
  /** Answers per route and status since start, and what pipes_http_requests_total was given of them. */
  private readonly httpCounts = new Map<string, Map<number, { count: number; pushed: number }>>();
  readonly consumerUtilisation = this.gauge(
    'pipes_consumer_utilisation',
    'Share of the consumer’s handlers busy now (0..1)',
    ['route'],
  );
  readonly consumerPrefetchInUse = this.gauge(
    'pipes_consumer_prefetch_in_use',
    'Messages the broker delivered to the consumer and it has not settled yet (running plus waiting for a handler)',
    ['route'],
  );
  readonly consumerPrefetchLimit = this.gauge('pipes_consumer_prefetch_limit', 'The consumer’s prefetch (unacknowledged messages it may hold)', ['route']);
  readonly consumerConcurrency = this.gauge('pipes_consumer_concurrency', 'Handlers the consumer runs at once', ['route']);
  readonly queueDepth = this.gauge(
    'pipes_queue_depth',
    'Messages ready in a router-owned queue (polled from the broker); kind is work or dead_letter',
    ['queue', 'kind'],
  );
  readonly queueConsumers = this.gauge('pipes_queue_consumers', 'Consumers attached to a router-owned queue', ['queue', 'kind']);
  readonly breakerState = this.gauge('pipes_breaker_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', ['breaker']);
  readonly breakerTransitions = this.counter('pipes_breaker_transitions_total', 'Circuit breaker state changes, by the state entered', ['breaker', 'to']);
  readonly flowStepEvents = this.counter(
    'pipes_flow_step_events_total',
    'Async flow step messages: submitted (enqueued), started, succeeded, failed, retried (through the broker), dead_lettered',
    ['flow', 'step', 'event'],
  );
  readonly flowStepDuration = new Histogram({
    name: 'pipes_flow_step_duration_seconds',
    help: 'Time a flow step’s work took, whatever its outcome',
    labelNames: ['flow', 'step'],
    buckets: STEP_DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly asyncRunsHeld = this.gauge('pipes_async_runs_held', 'Async runs the run store holds now (active, dead-lettered and finished within the retention)', []);
  readonly asyncRunsEvicted = this.counter('pipes_async_runs_evicted_total', 'Finished async runs forgotten after the retention (ASYNC_RUN_RETENTION)', []);
  readonly brokerConnected = this.gauge('pipes_broker_connected', 'Whether the broker connection is up with its topology declared (1) or not (0)', []);
  readonly brokerBlocked = this.gauge('pipes_broker_blocked', 'Whether the broker refuses publishes (resource alarm)', []);
  readonly ready = this.gauge('pipes_router_ready', 'Whether /health/ready answers 200 (1) or 503 (0)', []);
  readonly draining = this.gauge('pipes_router_draining', 'Whether the router is draining for a stop', []);
  readonly reloads = this.counter('pipes_reload_total', 'Reloads of the route files and RBAC file, by result', ['result']);
  readonly lastReload = this.gauge('pipes_reload_last_timestamp_seconds', 'When the last reload was tried, by result', ['result']);

  readonly scrapeFailures = this.gauge(
    'pipes_scrape_readers_failed',
    'State readers that failed during this scrape (their gauges keep the previous value)',
    [],
  );

  /** Adds a reader run before each scrape; returns the function that removes it. */
  onScrape(hook: ScrapeHook): () => void {
    this.scrapeHooks.add(hook);
    return () => this.scrapeHooks.delete(hook);
  }

  /** Node.js process metrics (CPU, memory, event loop, GC) on this router's registry, once. */
  enableProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text, after the state readers ran. */
  async scrape(): Promise<string> {
    // A failing reader (the broker is down) must not fail the scrape: the other metrics matter most then.
    let failed = 0;
    await Promise.all(
      [...this.scrapeHooks].map(async (hook) => {
        try {
          await hook();
        } catch {
          failed++;
        }
      }),
    );
    this.scrapeFailures.set(failed);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Wraps a route's processor (outermost, around its error handling): counts received, the outcome, the
   * error class of failures, in-flight and the duration. A RetryLaterSignal is a retry the route asked
   * the broker for, not a failure.
   */
  instrumentRoute<E extends { properties: Record<string, unknown> }>(
    routeId: string,
    processor: (exchange: E) => Promise<void>,
  ): (exchange: E) => Promise<void> {
    const route = this.route(routeId);
    const completed = (exchange: E, started: number, caughtBefore: unknown): void => {
      route.inflight--;
      route.observe((performance.now() - started) / 1000);
      route.completed++;
      const handled = exchange.properties.CamelExceptionCaught;
      if (handled instanceof Error && handled !== caughtBefore) this.routeFailures.labels(routeId, errorClass(handled), 'true').inc();
    };
    const failed = (error: unknown, started: number): never => {
      route.inflight--;
      route.observe((performance.now() - started) / 1000);
      if (error instanceof RetryLaterSignal) {
        route.retried++;
      } else {
        route.failed++;
        this.routeFailures.labels(routeId, errorClass(error), 'false').inc();
      }
      throw error;
    };
    // One derived promise per message rather than an async wrapper awaiting the route.
    return (exchange: E) => {
      route.received++;
      route.inflight++;
      const started = performance.now();
      // A route called through direct: shares the exchange; count only what this route handled.
      const caughtBefore = exchange.properties.CamelExceptionCaught;
      let running: Promise<void>;
      try {
        running = processor(exchange);
      } catch (error) {
        running = Promise.reject(toError(error));
      }
      return running.then(
        () => completed(exchange, started, caughtBefore),
        (error: unknown) => failed(error, started),
      );
    };
  }

  /** A broker consumer wrote a dead letter for a message of this route. */
  deadLettered(routeId: string): void {
    this.routeExchanges.labels(routeId, 'dead_lettered').inc();
  }

  /** Counts an answer: a plain number per request, handed to prom-client when the metrics are read. */
  httpRequest(routeId: string, status: number): void {
    let byStatus = this.httpCounts.get(routeId);
    if (!byStatus) {
      byStatus = new Map<number, { count: number; pushed: number }>();
      this.httpCounts.set(routeId, byStatus);
    }
    const counted = byStatus.get(status);
    if (counted) counted.count++;
    else byStatus.set(status, { count: 1, pushed: 0 });
  }

  private pushHttpCounts(): void {
    for (const [routeId, byStatus] of this.httpCounts) {
      for (const [status, counted] of byStatus) {
        if (counted.count > counted.pushed) this.httpRequests.labels(routeId, String(status)).inc(counted.count - counted.pushed);
        counted.pushed = counted.count;
      }
    }
  }

  flowStep(flow: string, step: string, event: FlowStepEvent, count = 1, durationSeconds?: number): void {
    this.flowStepEvents.labels(flow, step, event).inc(count);
    if (durationSeconds !== undefined) this.flowStepDuration.labels(flow, step).observe(durationSeconds);
  }

  reloaded(result: 'success' | 'failure'): void {
    this.reloads.labels(result).inc();
    this.lastReload.labels(result).set(Date.now() / 1000);
  }

  private route(routeId: string): RouteCounts {
    let counts = this.routes.get(routeId);
    if (!counts) {
      counts = new RouteCounts({ route: routeId });
      // Present from the start at 0, so rate() and ratios work before the first failure.
      this.routeReceived.labels(routeId).inc(0);
      for (const outcome of ['completed', 'failed', 'retried', 'dead_lettered']) this.routeExchanges.labels(routeId, outcome).inc(0);
      this.routeInflight.labels(routeId).set(0);
      this.routes.set(routeId, counts);
    }
    return counts;
  }

  /** Hands the routes' counts gathered since the last read to the prom-client counters (at read time only). */
  private pushRouteCounts(): void {
    for (const [routeId, counts] of this.routes) {
      const { pushed } = counts;
      if (counts.received > pushed.received) this.routeReceived.labels(routeId).inc(counts.received - pushed.received);
      for (const outcome of ['completed', 'failed', 'retried'] as const) {
        if (counts[outcome] > pushed[outcome]) this.routeExchanges.labels(routeId, outcome).inc(counts[outcome] - pushed[outcome]);
        pushed[outcome] = counts[outcome];
      }
      pushed.received = counts.received;
    }
  }

  private counter(name: string, help: string, labelNames: string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

/**
 * A bounded label value for an error: the Camel exception's short name (`JsonValidationException`), or
 * for the router's generic errors its stable code (`NOT_FOUND`); never the message.
 */
export function errorClass(error: unknown): string {
  const name = camelHierarchy(error)[0] ?? 'java.lang.Exception';
  const short = name.slice(name.lastIndexOf('.') + 1);
  if (error instanceof ServicePipesError && (short === 'Exception' || short === 'RuntimeException')) return error.code;
  return short || 'Exception';
}

/** The metrics of one router. */
const METRICS = defineState('observability.metrics', { scope: 'router' }, () => new RouterMetrics());

export function routerMetrics(services: StateHolder): RouterMetrics {
  return METRICS.of(services);
}
