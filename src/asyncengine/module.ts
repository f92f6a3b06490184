import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { ASYNC_ENGINE_DIRECT_NAME, registerDirectConsumer } from '../components/direct/index.js';
import type { Producer } from '../runtime/component.js';
import { ServicePipesError } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';
import type { RouterModule } from '../runtime/router-module.js';
import type { RouterServices } from '../runtime/services.js';
import { flowStepMetrics } from './flow-metrics.js';
import { routerMetrics } from '../observability/metrics.js';
import { egressPolicy } from '../security/egress-policy.js';
import { httpExtensions, protectExtension } from '../server/http-server.js';
import { apiSecurity } from '../server/openapi-common.js';
import { requestPath } from '../server/request-path.js';
import { asyncApiRouter, type AsyncCaller } from './api.js';
import { PRINCIPAL_PROPERTY, type Principal } from '../security/authenticate.js';
import { requestPrincipal } from '../security/http-guard.js';
import { routerSecurity } from '../security/index.js';
import { RUNS_ADMIN_PERMISSION } from '../security/permissions.js';
import { buildFlows } from './flow-builder.js';
import { FlowEngine } from './flow-engine.js';
import type { Flow } from './flow-model.js';
import { RedisRunStore } from './redis-run-store.js';
import { DEFAULT_RETENTION_MS, MemoryRunStore, type RetentionOptions, type RunStore } from './run-store.js';
import { jsonOutput } from './step-work.js';
import { defineState } from '../state/index.js';

const ENGINE = defineState<EngineState>('asyncengine', { scope: 'router' }, () => ({ flows: new Map(), producers: [], mounted: false, unprotect: [] }));

/** Exchange properties `direct:callAsyncEngine` reads and writes. */
export const AsyncEngineProperties = {
  /** In: the flow to start (required). */
  flowName: 'flowName',
  /** In (optional): where to call back when the run ends. */
  callbackUrl: 'callbackUrl',
  /** Out: the run's correlation id and status URL. */
  correlationId: 'asyncCorrelationId',
  statusUrl: 'asyncStatusUrl',
} as const;

/** Per-router state of the engine (router state, never a module global). */
interface EngineState {
  flows: Map<string, Flow>;
  producers: Producer[];
  engine?: FlowEngine;
  store?: RunStore;
  mounted: boolean;
  unregister?: () => void;
  unprotect: (() => void)[];
  /** Removes the held-runs gauge's reader of the running store. */
  unscrape?: () => void;
}

export function engineState(services: RouterServices): EngineState {
  return ENGINE.of(services);
}

/** The running engine of a router (tests, the CLI), once the router started. */
export function flowEngine(services: RouterServices): FlowEngine | undefined {
  return engineState(services).engine;
}

/** Exchange properties that are the router's own business, not the flow's. */
const INTERNAL_PROPERTY = /^(Camel|ServicePipes|async[A-Z])/;

/**
 * The async flow engine as a part of the router: builds the `- flow:` documents after the routes, serves
 * the async API, and while the router runs, works the step queues and answers `direct:callAsyncEngine`.
 */
export const asyncEngineModule: RouterModule = {
  name: 'async-engine',

  async afterBuild(routeSet, _routes, services) {
    const state = engineState(services);
    const built = await buildFlows(routeSet, services);
    state.flows = built.flows;
    state.producers = built.producers;
    if (!state.mounted) {
      state.mounted = true;
      mountApi(services, state);
    }
    return built.diagnostics;
  },

  async start(services) {
    const state = engineState(services);
    for (const producer of state.producers) await producer.start?.();
    const logger = services.logger.child({ component: 'async-engine' });
    const metrics = routerMetrics(services);
    const retention = { retentionMs: services.config.runRetentionMs ?? DEFAULT_RETENTION_MS, onEvicted: (count: number) => metrics.asyncRunsEvicted.inc(count) };
    const store: RunStore = services.config.redisUrl ? redisStore(services.config.redisUrl, logger, retention) : new MemoryRunStore(retention);
    state.unscrape = metrics.onScrape(async () => metrics.asyncRunsHeld.set(await store.count()));
    if (store.kind === 'memory' && state.flows.size > 0 && services.config.rabbitmqUrl) {
      logger.warn('Async runs are kept in memory (no REDIS_URL): status, idempotency keys and history are lost on restart and not shared with other routers');
    }
    const engine = new FlowEngine({
      flows: state.flows,
      store,
      // No flows, no queues: a router without flows never opens a broker connection for the engine.
      transport: state.flows.size > 0 ? services.transport() : lazyTransport(services),
      logger,
      instance: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      observer: flowStepMetrics(services),
      egress: egressPolicy(services),
      retentionMs: retention.retentionMs,
    });
    await engine.start();
    state.store = store;
    state.engine = engine;
    state.unregister = registerDirectConsumer(services, ASYNC_ENGINE_DIRECT_NAME, {
      routeId: 'async-engine',
      process: (exchange) => startFromRoute(engine, exchange),
    });
  },

  async stop(services) {
    const state = engineState(services);
    state.unregister?.();
    state.unregister = undefined;
    state.unscrape?.();
    state.unscrape = undefined;
    await state.engine?.stop();
    state.engine = undefined;
    await state.store?.close();
    state.store = undefined;
    for (const producer of state.producers) await producer.stop?.();
  },
};

/**
 * `to: direct:callAsyncEngine`: starts the flow named by the `flowName` property with the body as payload.
 * The reply replaces the body with `{correlationId, statusUrl}` (as the API answers), sets the properties
 * `asyncCorrelationId` / `asyncStatusUrl` and answers an HTTP caller with 202.
 */
async function startFromRoute(engine: FlowEngine, exchange: Exchange): Promise<void> {
  const flowName = exchange.properties[AsyncEngineProperties.flowName];
  if (typeof flowName !== 'string' || flowName.length === 0) {
    throw new ServicePipesError(
      'FLOW_NAME_MISSING',
      `direct:${ASYNC_ENGINE_DIRECT_NAME} needs the exchange property 'flowName' naming the flow to start; ` +
        'set it before the call: `- setProperty: {name: flowName, constant: <flow>}`',
      { httpStatus: 500 },
    );
  }
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exchange.properties)) {
    if (name === AsyncEngineProperties.flowName || name === AsyncEngineProperties.callbackUrl || INTERNAL_PROPERTY.test(name)) continue;
    if (isJsonValue(value)) properties[name] = value;
  }
  const idempotencyKey = exchange.getHeader('Idempotency-Key');
  const callbackUrl = exchange.properties[AsyncEngineProperties.callbackUrl];
  // The caller of the route owns the run (its Idempotency-Key is scoped to it), as through the API.
  const principal = exchange.properties[PRINCIPAL_PROPERTY] as Principal | undefined;
  const result = await engine.startRun(flowName, jsonOutput(exchange.body), {
    properties,
    ...(principal && typeof principal.id === 'string' ? { owner: principal.id } : {}),
    ...(typeof idempotencyKey === 'string' && idempotencyKey ? { idempotencyKey } : {}),
    ...(typeof callbackUrl === 'string' && callbackUrl ? { callbackUrl } : {}),
  });
  exchange.properties[AsyncEngineProperties.correlationId] = result.correlationId;
  exchange.properties[AsyncEngineProperties.statusUrl] = result.statusUrl;
  exchange.body = { correlationId: result.correlationId, statusUrl: result.statusUrl };
  exchange.setHeader('CamelHttpResponseCode', 202);
  exchange.setHeader('Content-Type', 'application/json');
}

function mountApi(services: RouterServices, state: EngineState): void {
  httpExtensions(services).use(
    asyncApiRouter({
      engine: () => state.engine,
      flows: () => state.flows,
      security: () => apiSecurity(services),
      bodyLimitBytes: services.config.bodyLimitBytes,
      logger: services.logger.child({ component: 'async-api' }),
      caller: (request) => asyncCaller(services, request),
    }),
  );
  state.unprotect.push(
    protectExtension(services, '/async/api', asyncApiPermission),
    protectExtension(services, '/async/specifications', () => undefined, { servesHtml: true }),
  );
}

/**
 * The caller of an async API request: its principal owns the runs it starts; `admin:runs` sees every
 * owner's runs. Without access control (tests, `--no-auth`) nobody owns a run and everything is visible.
 */
function asyncCaller(services: RouterServices, request: Request): AsyncCaller {
  const security = routerSecurity(services);
  if (!security) return { seesAllRuns: true };
  const principal = requestPrincipal(request);
  if (!principal) return { seesAllRuns: false };
  return { owner: principal.id, seesAllRuns: security.authorizer.isGranted(principal, RUNS_ADMIN_PERMISSION) };
}

/**
 * Who may call what: starting a flow, its runs and its dead letters need `flow:<name>`; listing runs of
 * every flow or reading a run without naming its flow needs `admin:runs`. The documentation is open.
 */
export function asyncApiPermission(request: Request): string | undefined {
  // The path the access guard and express read (src/server/request-path.ts), not a third reading.
  const segments = requestPath(request).split('/').filter(Boolean).map(decodeSegment);
  // segments: ['async', 'api', ...]
  const [, , resource, name] = segments;
  const flowQuery = typeof request.query.flowName === 'string' && request.query.flowName ? request.query.flowName : undefined;
  if (resource === 'start') return `flow:${flowQuery ?? ''}`;
  if (resource === 'flows') return name ? `flow:${name}` : RUNS_ADMIN_PERMISSION;
  if (resource === 'runs') return flowQuery ? `flow:${flowQuery}` : RUNS_ADMIN_PERMISSION;
  return RUNS_ADMIN_PERMISSION;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function redisStore(url: string, logger: RouterServices['logger'], retention: RetentionOptions): RunStore {
  const store = new RedisRunStore({ url, ...retention });
  let last = 0;
  store.onError((error) => {
    // ioredis reports every reconnect attempt; once every 10 s is enough to know.
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn('Redis run store unavailable; retrying', { error: error.message });
  });
  return store;
}

function lazyTransport(services: RouterServices): ReturnType<RouterServices['transport']> {
  return new Proxy({} as ReturnType<RouterServices['transport']>, {
    get: (_target, property) => {
      const transport = services.transport();
      const value = Reflect.get(transport, property, transport) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(transport) : value;
    },
  });
}

function isJsonValue(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Buffer.isBuffer(value) || typeof value !== 'object') return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
