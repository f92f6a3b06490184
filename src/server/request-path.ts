/**
 * The one reading of a request's path. The access guard, express routing, the entry table and the async
 * API's permission all decide on the path; if any two of them read it differently (a WHATWG URL resolves
 * `\` and `..`, express does not), a request can be checked as one endpoint and served by another. So the
 * first middleware refuses every path whose readings could differ, and every reader asks
 * {@link requestPath} for the same text, which is then exactly what express routes on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../observability/logger.js';
import { HttpRequestError } from '../errors/index.js';
import { sendError } from './error-response.js';
import { apiAnswerHeaders } from './api-answer-headers.js';

const QUERY_OR_FRAGMENT = /[?#]/;
const paths = new WeakMap<IncomingMessage, string>();

/**
 * The request's path as checked by {@link requestPathGuard}: still percent-encoded (an encoded `/` stays
 * inside its segment), without the query, never with `\`, dot segments, empty inner segments or
 * control characters. For a request the guard did not see, the raw path up to `?`.
 */
export function requestPath(request: IncomingMessage): string {
  return paths.get(request) ?? rawPath(request.url ?? '/');
}

/** Why a request target is refused, or undefined for one every reader reads the same way. */
export function pathProblem(target: string): string | undefined {
  if (!target.startsWith('/')) return 'the request target must be a path (origin form: /path?query)';
  return problemOfPath(rawPath(target));
}

/**
 * A path of unreserved and sub-delimiter characters only (what almost every caller sends) decodes to
 * itself, so only its empty and dot segments need looking at: one regular expression instead of a split
 * and a decode per segment.
 */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/**
 * Whether a request target is a plain path without query (see PLAIN_PATH): a WHATWG URL would read it as
 * exactly this text, so readers that need only the path and query can skip parsing one.
 */
export function isPlainPath(target: string): boolean {
  return target.charCodeAt(0) === 0x2f && PLAIN_PATH.test(target);
}

function problemOfPath(path: string): string | undefined {
  if (PLAIN_PATH.test(path)) {
    // The first bad segment names the problem, as the reading segment by segment would.
    const empty = path.indexOf('//');
    const dot = DOT_SEGMENT.exec(path)?.index ?? -1;
    if (empty >= 0 && (dot < 0 || empty < dot)) return 'the path contains an empty segment (//)';
    if (dot >= 0) return 'the path contains a dot segment (. or ..)';
    return undefined;
  }
  if (/[\\\0-\x1f\x7f]/.test(path)) return 'the path contains a backslash or a control character';
  const segments = path.slice(1).split('/');
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    // A trailing slash (`/payments/`) is the one empty segment every reader agrees on.
    if (segment === '' && index < segments.length - 1) return 'the path contains an empty segment (//)';
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'the path is not valid percent-encoding';
    }
    if (decoded === '.' || decoded === '..') return 'the path contains a dot segment (. or ..)';
    if (/[\\\0-\x1f\x7f]/.test(decoded)) return 'the path contains an encoded backslash or control character';
    // Decoded once, a segment must not still hold an encoded dot, slash, backslash or NUL: a second decode
    // further on (a partner, a file name) would turn it into a separator or a dot segment.
    if (/%(2e|2f|5c|00)/i.test(decoded)) return 'the path contains double-encoded characters';
  }
  return undefined;
}

/**
 * Express middleware, the first of the server: refuses with 400 JSON a path that two readers could read
 * differently (see {@link pathProblem}) and records the path every later reader uses.
 */
export function requestPathGuard(logger: Logger) {
  return function checkRequestPath(request: Request, response: Response, next: NextFunction): void {
    if (admitRequestPath(request, response, logger)) next();
  };
}

/**
 * The check of {@link requestPathGuard} for the route-entry door: records the path and returns true, or
 * answers 400 BAD_PATH and returns false. A request checked once is not checked again.
 */
export function admitRequestPath(
  request: IncomingMessage,
  response: ServerResponse,
  logger: Logger,
): boolean {
  if (paths.has(request)) return true;
  const target = request.url ?? '';
  const path = target.startsWith('/') ? rawPath(target) : undefined;
  const problem =
    path === undefined ? 'the request target must be a path (origin form: /path?query)' : problemOfPath(path);
  if (problem) {
    apiAnswerHeaders(response);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    sendError(
      response,
      new HttpRequestError(400, 'BAD_PATH', `The request path is refused: ${problem}`),
      logger,
    );
    return false;
  }
  paths.set(request, path!);
  return true;
}

function rawPath(target: string): string {
  const query = target.search(QUERY_OR_FRAGMENT);
  return query < 0 ? target : target.slice(0, query);
}
