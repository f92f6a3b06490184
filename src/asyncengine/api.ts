import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { HttpRequestError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import { apiOperation, runningService } from '../server/api-handlers.js';
import { sendError } from '../server/error-response.js';
import { parseJsonBody } from '../components/shared/json-body.js';
import type { FlowEngine } from './flow-engine.js';
import type { Flow } from './flow-model.js';
import type { ApiSecurity } from '../server/openapi-common.js';
import { OPENAPI_PATH, ROUTES_OPENAPI_PATH, SWAGGER_UI_PATH, openApiDocument } from './openapi.js';
import { isRunState, type RunRecord } from './run-store.js';

/** Longest Idempotency-Key accepted (keys become store keys). */
const MAX_IDEMPOTENCY_KEY = 200;

/**
 * The async API (`/async/api/...`) and its documentation (`/async/specifications/...`). `engine()` is read
 * per request: the engine exists only once the router started, and the API answers 503 until then.
 */
/** Who is asking: the principal that owns what it starts, and whether it may see every caller's runs. */
export interface AsyncCaller {
  owner?: string;
  /** Holds `admin:runs` (or access control is off): sees runs of every owner. */
  seesAllRuns: boolean;
}

export function asyncApiRouter(options: {
  engine: () => FlowEngine | undefined;
  flows: () => Map<string, Flow>;
  /** How callers authenticate now (the documents offer only what the server accepts). */
  security: () => ApiSecurity;
  bodyLimitBytes: number;
  logger: Logger;
  /** Default: nobody owns anything and everybody sees everything (a router without access control). */
  caller?: (request: Request) => AsyncCaller;
}): Router {
  const callerOf = options.caller ?? ((): AsyncCaller => ({ seesAllRuns: true }));
  const router = express.Router();
  const readRaw = express.raw({ limit: options.bodyLimitBytes, type: () => true });
  // The same checks as HTTP entries (UTF-8, nesting depth, prototype-pollution keys); no body reads as {}.
  const readJson = (request: Request, response: Response, next: NextFunction): void => {
    readRaw(request, response, (error?: unknown) => {
      if (error) return next(error);
      try {
        const raw: unknown = request.body;
        request.body = Buffer.isBuffer(raw) && raw.length > 0 ? parseJsonBody(raw) : {};
        next();
      } catch (refused) {
        next(refused);
      }
    });
  };
  const engine = runningService(options.engine, 'The async engine is not running');
  const handle = apiOperation;

  router.post(
    '/async/api/start',
    (request, response, next) => {
      if (!request.is('application/json') && !request.is('+json')) {
        next(new HttpRequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the payload as application/json'));
        return;
      }
      readJson(request, response, next);
    },
    handle(async (request, response) => {
      const flowName = queryText(request, 'flowName');
      if (!flowName) throw new HttpRequestError(400, 'FLOW_NAME_MISSING', 'Give the flow to start: POST /async/api/start?flowName=<flow>');
      const idempotencyKey = request.get('idempotency-key');
      if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)) {
        throw new HttpRequestError(400, 'BAD_IDEMPOTENCY_KEY', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`);
      }
      const callbackUrl = queryText(request, 'callbackUrl');
      const { owner } = callerOf(request);
      const result = await engine().startRun(flowName, request.body as unknown, {
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(owner !== undefined ? { owner } : {}),
        ...(callbackUrl ? { callbackUrl } : {}),
      });
      response
        .status(202)
        .location(result.statusUrl)
        .set(result.replayed ? { 'Idempotent-Replayed': 'true' } : {})
        .json({ correlationId: result.correlationId, statusUrl: result.statusUrl });
    }),
  );

  router.get(
    '/async/api/flows',
    (_request, response) => {
      response.set('Cache-Control', 'no-store').json({ flows: [...options.flows().values()].map(describeFlow) });
    },
  );

  router.get(
    '/async/api/runs',
    handle(async (request, response) => {
      const state = queryText(request, 'state');
      if (state !== undefined && !isRunState(state)) throw new HttpRequestError(400, 'BAD_STATE', `state must be one of queued, running, retrying, succeeded, failed, dead-lettered`);
      const limitText = queryText(request, 'limit');
      const limit = limitText === undefined ? 100 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpRequestError(400, 'BAD_LIMIT', 'limit must be a whole number from 1 to 1000');
      const flowName = queryText(request, 'flowName');
      const caller = callerOf(request);
      // A caller without admin:runs lists only the runs it started.
      const owner = caller.seesAllRuns ? undefined : (caller.owner ?? '');
      const runs = await engine().listRuns({ ...(flowName ? { flowName } : {}), ...(state ? { state } : {}), ...(owner !== undefined ? { owner } : {}), limit });
      response.json({ runs: runs.map(withoutHistory) });
    }),
  );

  router.get(
    '/async/api/runs/:correlationId',
    handle(async (request, response) => {
      const run = await engine().getRun(String(request.params.correlationId));
      const flowName = queryText(request, 'flowName');
      const caller = callerOf(request);
      // A caller allowed one flow asks with ?flowName=; runs of other flows, and runs other principals
      // started (unless it holds admin:runs), do not exist for it.
      if (!run || (flowName !== undefined && run.flowName !== flowName) || (!caller.seesAllRuns && run.owner !== caller.owner)) {
        throw new HttpRequestError(404, 'RUN_NOT_FOUND', `No run with correlation id '${String(request.params.correlationId)}'`);
      }
      response.json(run);
    }),
  );

  router.get(
    '/async/api/flows/:flowName/dead-letters',
    handle(async (request, response) => {
      const caller = callerOf(request);
      const { records, queues } = await engine().deadLetters(String(request.params.flowName), caller.seesAllRuns ? {} : { owner: caller.owner ?? '' });
      response.json({ deadLetters: records, queues });
    }),
  );

  router.post(
    '/async/api/flows/:flowName/dead-letters/redrive',
    readJson,
    handle(async (request, response) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) throw new HttpRequestError(400, 'BAD_REQUEST', 'The body is a JSON object');
      const ids = body.correlationIds;
      if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))) {
        throw new HttpRequestError(400, 'BAD_REQUEST', 'correlationIds is a list of strings');
      }
      if (body.limit !== undefined && (!Number.isInteger(body.limit) || (body.limit as number) < 1)) {
        throw new HttpRequestError(400, 'BAD_REQUEST', 'limit is a whole number ≥ 1');
      }
      const caller = callerOf(request);
      const report = await engine().redrive(String(request.params.flowName), {
        ...(ids ? { correlationIds: ids } : {}),
        ...(caller.seesAllRuns ? {} : { owner: caller.owner ?? '' }),
        dryRun: body.dryRun === true,
        ...(typeof body.limit === 'number' ? { limit: body.limit } : {}),
      });
      response.json(report);
    }),
  );

  router.get(OPENAPI_PATH, (_request, response) => {
    response.set('Cache-Control', 'no-store').json(openApiDocument(options.flows().values(), options.security()));
  });
  // swagger-ui-express reads swaggerUrl at the top level of its options (given inside swaggerOptions it
  // ends up as `"swaggerUrl": {}` in swagger-ui-init.js and the browser fetches `[object Object]`).
  // swaggerOptions are handed to Swagger UI as they are: `urls` offers both documents in the top bar.
  const uiOptions = {
    swaggerUrl: OPENAPI_PATH,
    explorer: true,
    swaggerOptions: {
      urls: [
        { url: OPENAPI_PATH, name: 'Async engine' },
        { url: ROUTES_OPENAPI_PATH, name: 'Routes (platform-http, rest)' },
      ],
      'urls.primaryName': 'Async engine',
    },
  };
  router.get(['/async/specifications/swagger-ui', '/async/specifications/swagger-ui/'], (_request, response) => {
    response.redirect(302, SWAGGER_UI_PATH);
  });
  // Before the static assets: swagger-ui-dist ships an index.html of its own (the pet store).
  router.get(SWAGGER_UI_PATH, swaggerUi.setup(undefined, { ...uiOptions, customSiteTitle: 'service-pipes API' }));
  router.use('/async/specifications/swagger-ui', swaggerUi.serveFiles(undefined, uiOptions));

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  router.use(['/async/api', '/async/specifications'], (error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    sendError(response, bodyError(error), options.logger);
  });
  return router;
}

function withoutHistory(run: RunRecord): Omit<RunRecord, 'history'> {
  const summary: Partial<RunRecord> = { ...run };
  delete summary.history;
  return summary as Omit<RunRecord, 'history'>;
}

function describeFlow(flow: Flow): Record<string, unknown> {
  return {
    name: flow.name,
    ...(flow.description ? { description: flow.description } : {}),
    ...(flow.inputSchema ? { inputSchema: flow.inputSchema } : {}),
    callbacks: flow.callback.secret !== undefined,
    steps: flow.steps.map((step) => ({
      name: step.name,
      uri: step.uri.startsWith('script:') ? step.uri : redactUri(step.uri),
      queue: step.queue,
      concurrency: step.concurrency,
      maxQueueLength: step.maxQueueLength,
      timeoutMs: step.timeoutMs,
      retry: step.retry,
      ...(step.chunk ? { chunk: step.chunk } : {}),
    })),
  };
}

/** Endpoint URIs may hold credentials in their query: only the scheme and path are shown. */
function redactUri(uri: string): string {
  const query = uri.indexOf('?');
  return query >= 0 ? uri.slice(0, query) : uri;
}

function queryText(request: Request, name: string): string | undefined {
  const value = request.query[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** body-parser's refusals as router errors. */
function bodyError(error: unknown): unknown {
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  if (type === 'entity.too.large') return new HttpRequestError(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this router accepts');
  if (type === 'entity.parse.failed') return new HttpRequestError(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  if (typeof status === 'number' && status >= 400 && status < 500 && type) return new HttpRequestError(status, 'BAD_REQUEST', 'The request body could not be read');
  return error;
}
