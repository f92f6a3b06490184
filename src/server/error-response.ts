import type { ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import {
  AuthorizationError,
  JsonValidationError,
  ServicePipesError,
  TransportError,
  toError,
} from '../errors/index.js';
import { AUTH_ERROR_BODIES } from '../security/http-guard.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  errors?: unknown[];
  /** With `truncated`: how many validation issues there were; `errors` lists the first of them. */
  errorCount?: number;
  truncated?: true;
  exchangeId?: string;
}

/** Public wording for server-side failures: partner URLs, queue names and causes stay in the log. */
const PUBLIC_MESSAGE: Record<number, string> = {
  500: 'Internal error',
  502: 'A downstream service failed',
  503: 'Service temporarily unavailable; retry later',
  504: 'A downstream service timed out',
};

/**
 * How an error answers an HTTP caller. An AuthorizationError is a plain 403 `forbidden`. Router errors keep their status and code; client errors (4xx) keep
 * their message, validation errors list every problem; server-side errors (5xx) get a fixed wording so
 * nothing internal leaks; anything that is not a router error is a bare 500 INTERNAL.
 */
export function errorAnswer(
  error: unknown,
  exchangeId?: string,
): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (error instanceof AuthorizationError) {
    // A refusal inside the route (policy step) answers like the guard's: which check failed is in the audit line.
    return { status: 403, headers, body: { ...AUTH_ERROR_BODIES[403] } };
  }
  if (!(error instanceof ServicePipesError)) {
    return {
      status: 500,
      headers,
      body: withId({ error: 'INTERNAL', message: PUBLIC_MESSAGE[500]! }, exchangeId),
    };
  }
  const status = error.httpStatus >= 400 && error.httpStatus <= 599 ? error.httpStatus : 500;
  const message = status < 500 ? error.message : (PUBLIC_MESSAGE[status] ?? PUBLIC_MESSAGE[500]!);
  const body: ErrorBody = { error: error.code, message };
  if (error instanceof JsonValidationError) {
    body.errors = error.errors.map((issue) => ({ ...issue }));
    if (error.truncated) {
      body.errorCount = error.errorCount;
      body.truncated = true;
    }
  }
  if (error instanceof TransportError)
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return { status, headers, body: withId(body, exchangeId) };
}

/** Writes the error answer, logging server-side failures with their full detail. */
export function sendError(
  response: ServerResponse,
  error: unknown,
  logger: Logger,
  fields: Record<string, unknown> = {},
): void {
  const answer = errorAnswer(error, fields.exchangeId as string | undefined);
  if (answer.status >= 500) {
    const detail = toError(error);
    logger.error(`HTTP ${answer.status}: ${detail.message}`, {
      ...fields,
      status: answer.status,
      errorName: detail.name,
      code: error instanceof ServicePipesError ? error.code : undefined,
      stack: detail.stack,
    });
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.setHeader('Cache-Control', 'no-store');
  writeJson(response, answer.status, answer.body);
}

/** A JSON answer as express's `res.status(n).json(body)` writes it, on a plain node:http response. */
export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.end(text);
}

function withId(body: ErrorBody, exchangeId: string | undefined): ErrorBody {
  return exchangeId ? { ...body, exchangeId } : body;
}
