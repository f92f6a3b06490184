/**
 * The admin API for operators (and `pipes dlq`):
 *
 *   GET  /admin/dead-letters                 list, filtered: route, queue, correlationId, errorClass, since, until, limit
 *   GET  /admin/dead-letters/:id             one dead letter (by message-id) with its body and headers; filtered by
 *                                             route, queue; 409 DEAD_LETTER_AMBIGUOUS listing the places when the
 *                                             id is in several dead-letter queues
 *   POST /admin/dead-letters/redrive         {route?, queue?, correlationId?, errorClass?, since?, until?, ids?,
 *                                             dryRun?, limit?, ratePerSecond?}
 *   GET  /admin/breakers                     every circuit breaker: state, settings, statistics
 *
 * Guarded by `admin:dead-letters` and `admin:breakers` (see module.ts).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../observability/logger.js';
import { HttpRequestError } from '../errors/index.js';
import type { BreakerRegistry } from '../reliability/breakers.js';
import { apiOperation, runningService } from '../server/api-handlers.js';
import { sendError } from '../server/error-response.js';
import type { DeadLetterFilter, DeadLetterMatch, RouteDeadLetters } from './route-dead-letters.js';

export const DEAD_LETTERS_PATH = '/admin/dead-letters';
export const BREAKERS_PATH = '/admin/breakers';

const MAX_LIST_LIMIT = 1000;

export function adminApiRouter(options: {
  deadLetters: () => RouteDeadLetters | undefined;
  breakers: () => BreakerRegistry;
  logger: Logger;
}): Router {
  const router = express.Router();
  const readJson = express.json({ limit: 64 * 1024, strict: false, type: () => true });
  const deadLetters = runningService(options.deadLetters, 'The router is not running');
  const handle = apiOperation;

  router.get(
    DEAD_LETTERS_PATH,
    handle(async (request, response) => {
      const filter = filterFrom((name) => queryText(request, name));
      const limit = wholeNumber(queryText(request, 'limit'), 'limit', 1, MAX_LIST_LIMIT) ?? 100;
      const service = deadLetters();
      const list = await service.list(filter, limit);
      response.json({ deadLetters: list, queues: await service.queues(filter) });
    }),
  );

  router.post(
    `${DEAD_LETTERS_PATH}/redrive`,
    readJson,
    handle(async (request, response) => {
      const body = (request.body ?? {}) as unknown;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpRequestError(400, 'BAD_REQUEST', 'The body is a JSON object');
      }
      const fields = body as Record<string, unknown>;
      const text = (name: string): string | undefined => {
        const value = fields[name];
        if (value === undefined || value === null) return undefined;
        if (typeof value !== 'string' || value === '') throw new HttpRequestError(400, 'BAD_REQUEST', `${name} is a non-empty string`);
        return value;
      };
      const filter = filterFrom(text);
      const ids = fields.ids;
      if (ids !== undefined) {
        if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
          throw new HttpRequestError(400, 'BAD_REQUEST', 'ids is a list of message-ids');
        }
        filter.ids = ids;
      }
      if (fields.dryRun !== undefined && typeof fields.dryRun !== 'boolean') {
        throw new HttpRequestError(400, 'BAD_REQUEST', 'dryRun is true or false');
      }
      const limit = wholeNumber(fields.limit, 'limit', 1, Number.MAX_SAFE_INTEGER);
      const rate = positiveNumber(fields.ratePerSecond, 'ratePerSecond');
      const report = await deadLetters().redrive({
        filter,
        dryRun: fields.dryRun === true,
        ...(limit !== undefined ? { limit } : {}),
        ...(rate !== undefined ? { ratePerSecond: rate } : {}),
      });
      response.json(report);
    }),
  );

  router.get(
    `${DEAD_LETTERS_PATH}/:id`,
    handle(async (request, response) => {
      const id = String(request.params.id);
      const found = await deadLetters().show(id, filterFrom((name) => queryText(request, name)));
      if (found.length === 0) throw new HttpRequestError(404, 'DEAD_LETTER_NOT_FOUND', `No dead letter with message-id '${id}'`);
      if (found.length > 1) {
        // One message that failed in several routes: showing any one of them would hide the others.
        const matches = found.map(({ view }) => ({ id: view.id, routeId: view.routeId, queue: view.queue, deadLetterQueue: view.deadLetterQueue }));
        response.status(409).json({
          error: 'DEAD_LETTER_AMBIGUOUS',
          message: `Message-id '${id}' is in ${matches.length} dead-letter queues (${matches.map((m) => m.deadLetterQueue).join(', ')}): give queue= or route= to choose one`,
          matches,
        });
        return;
      }
      const [{ view, copies }] = found as [DeadLetterMatch];
      response.json(copies > 1 ? { ...view, copies } : view);
    }),
  );

  router.get(BREAKERS_PATH, (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ breakers: options.breakers().list() });
  });

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  router.use(['/admin/dead-letters', '/admin/breakers'], (error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    sendError(response, bodyError(error), options.logger);
  });
  return router;
}

/** The filter fields, from a query string or a JSON body; times must parse. */
function filterFrom(read: (name: string) => string | undefined): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  const route = read('route') ?? read('routeId');
  if (route) filter.routeId = route;
  const queue = read('queue');
  if (queue) filter.queue = queue;
  const correlationId = read('correlationId');
  if (correlationId) filter.correlationId = correlationId;
  const errorClass = read('errorClass');
  if (errorClass) filter.errorClass = errorClass;
  for (const name of ['since', 'until'] as const) {
    const value = read(name);
    if (value === undefined) continue;
    if (Number.isNaN(Date.parse(value))) throw new HttpRequestError(400, 'BAD_REQUEST', `${name} is an ISO-8601 time`);
    filter[name] = new Date(value).toISOString();
  }
  return filter;
}

function wholeNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new HttpRequestError(400, 'BAD_REQUEST', `${name} is a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  }
  return number;
}

function positiveNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HttpRequestError(400, 'BAD_REQUEST', `${name} is a number above 0`);
  }
  return value;
}

function queryText(request: Request, name: string): string | undefined {
  const value = request.query[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** body-parser's refusals as router errors. */
function bodyError(error: unknown): unknown {
  const { type } = (error ?? {}) as { type?: string };
  if (type === 'entity.too.large') return new HttpRequestError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large');
  if (type === 'entity.parse.failed') return new HttpRequestError(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  return error;
}
