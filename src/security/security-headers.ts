import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface SecurityHeadersOptions {
  /**
   * Path prefixes that serve HTML with scripts (Swagger UI) and so get a CSP that allows same-origin
   * scripts and styles instead of `default-src 'none'`. A function is asked per request, for prefixes
   * declared after the middleware was built.
   */
  htmlPathPrefixes?: string[] | (() => readonly string[]);
}

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/**
 * Response headers for an API that serves JSON to machines: no sniffing, no framing, no referrer,
 * no caching of answers by shared caches, and no `X-Powered-By`. HSTS is left to the TLS terminator,
 * which knows whether the service is reached over HTTPS. `servesHtml` selects the page policy.
 */
export function setSecurityHeaders(response: ServerResponse, servesHtml: boolean): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Content-Security-Policy', servesHtml ? PAGE_POLICY : API_POLICY);
}

/** Whether a path is under one of the prefixes that serve pages (a plain prefix test, as express's `req.path`). */
export function servesHtml(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path.startsWith(prefix));
}

/** {@link setSecurityHeaders} as express middleware. */
export function securityHeaders(options: SecurityHeadersOptions = {}): RequestHandler {
  const given = options.htmlPathPrefixes ?? [];
  const htmlPrefixes = typeof given === 'function' ? given : () => given;
  return function applySecurityHeaders(req: Request, res: Response, next: NextFunction): void {
    res.removeHeader('X-Powered-By');
    setSecurityHeaders(res, servesHtml(req.path, htmlPrefixes()));
    next();
  };
}
