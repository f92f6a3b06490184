/**
 * The router's Prometheus metrics: one prom-client Registry per router (in the router's state, never the
 * global default registry), so several routers in one process never share or collide. Counters are
 * bumped at a few seams (the route processor wrapper, the broker consumer's dead-letter point, the HTTP
 * server, the flow engine's step workers, breaker events); gauges that describe state (queue depth,
 * breaker state, consumer utilisation, broker connection) are read when Prometheus scrapes.
 * docs/operations.md lists every metric.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { camelHierarchy, RetryLaterSignal, ServicePipesError } from '../errors/index.js';
import { defineState, type StateHolder } from '../state/index.js';

export type RouteOutcome = 'completed' | 'failed' | 'retried' | 'dead_lettered';
export type FlowStepEvent = 'submitted' | 'started' | 'succeeded' | 'failed' | 'retried' | 'dead_lettered';

/** Seconds; from a fast in-process route (a few ms) to a slow partner call near its timeout. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STEP_DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Something read at scrape time: the metrics module adds these (queue depth, breakers, consumers). */
export type ScrapeHook = () => void | Promise<void>;

/** Per-route children, resolved once so the hot path does no label lookups. */
interface RouteInstruments {
  received: Counter.Internal;
  completed: Counter.Internal;
  failed: Counter.Internal;
  retried: Counter.Internal;
  inflight: Gauge.Internal<string>;
  duration: Histogram.Internal<string>;
}

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly scrapeHooks = new Set<ScrapeHook>();
  private processMetrics = false;
  private readonly routes = new Map<string, RouteInstruments>();

  readonly routeReceived = this.counter('pipes_route_exchanges_received_total', 'Message exchanges that entered the route', ['route']);
  readonly routeExchanges = this.counter(
    'pipes_route_exchanges_total',
    'Message exchanges by outcome: completed (no error left the route), failed (an error left the route), retried (a broker-held retry was asked), dead_lettered (the consumer wrote a dead letter; these are also counted as failed)',
    ['route', 'outcome'],
  );
  readonly routeFailures = this.counter(
    'pipes_route_failures_total',
    'Errors in the route by error class (Camel exception short name, or the router error code); handled="true" when an onException clause or dead-letter channel handled it',
    ['route', 'error_class', 'handled'],
  );
  readonly routeDuration = new Histogram({
    name: 'pipes_route_duration_seconds',
    help: 'Time a message exchange spent in the route, whatever its outcome',
    labelNames: ['route'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly routeInflight = this.gauge('pipes_route_inflight', 'Message exchanges in the route now', ['route']);
  readonly routeUp = this.gauge('pipes_route_up', 'Whether the route is started (1) or stopped (0)', ['route']);
  readonly httpRequests = this.counter(
    'pipes_http_requests_total',
    'Requests to HTTP entry points by route and status ("" when no entry matched)',
    ['route', 'status'],
  );
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
    return async (exchange: E) => {
      route.received.inc();
      route.inflight.inc();
      const started = process.hrtime.bigint();
      // A route called through direct: shares the exchange; count only what this route handled.
      const caughtBefore = exchange.properties.CamelExceptionCaught;
      try {
        await processor(exchange);
        route.completed.inc();
        const handled = exchange.properties.CamelExceptionCaught;
        if (handled instanceof Error && handled !== caughtBefore) this.routeFailures.labels(routeId, errorClass(handled), 'true').inc();
      } catch (error) {
        if (error instanceof RetryLaterSignal) {
          route.retried.inc();
        } else {
          route.failed.inc();
          this.routeFailures.labels(routeId, errorClass(error), 'false').inc();
        }
        throw error;
      } finally {
        route.inflight.dec();
        route.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  }

  /** A broker consumer wrote a dead letter for a message of this route. */
  deadLettered(routeId: string): void {
    this.routeExchanges.labels(routeId, 'dead_lettered').inc();
  }

  httpRequest(routeId: string, status: number): void {
    this.httpRequests.labels(routeId, String(status)).inc();
  }

  flowStep(flow: string, step: string, event: FlowStepEvent, count = 1, durationSeconds?: number): void {
    this.flowStepEvents.labels(flow, step, event).inc(count);
    if (durationSeconds !== undefined) this.flowStepDuration.labels(flow, step).observe(durationSeconds);
  }

  reloaded(result: 'success' | 'failure'): void {
    this.reloads.labels(result).inc();
    this.lastReload.labels(result).set(Date.now() / 1000);
  }

  private route(routeId: string): RouteInstruments {
    let instruments = this.routes.get(routeId);
    if (!instruments) {
      instruments = {
        received: this.routeReceived.labels(routeId),
        completed: this.routeExchanges.labels(routeId, 'completed'),
        failed: this.routeExchanges.labels(routeId, 'failed'),
        retried: this.routeExchanges.labels(routeId, 'retried'),
        inflight: this.routeInflight.labels(routeId),
        duration: this.routeDuration.labels(routeId),
      };
      // Present from the start at 0, so rate() and ratios work before the first failure.
      for (const counter of [instruments.received, instruments.completed, instruments.failed, instruments.retried]) counter.inc(0);
      this.routeExchanges.labels(routeId, 'dead_lettered').inc(0);
      instruments.inflight.set(0);
      this.routes.set(routeId, instruments);
    }
    return instruments;
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
