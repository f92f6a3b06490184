import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface SecurityHeadersOptions {
  /**
   * Path prefixes that serve HTML with scripts (Swagger UI) and so get a CSP that allows same-origin
   * scripts and styles instead of `default-src 'none'`. A function is asked per request, for prefixes
   * declared after the middleware was built.
   */
  htmlPathPrefixes?: string[] | (() => readonly string[]);
}

/**
 * Response headers for an API that serves JSON to machines: no sniffing, no framing, no referrer,
 * no caching of answers by shared caches, and no `X-Powered-By`. HSTS is left to the TLS terminator,
 * which knows whether the service is reached over HTTPS.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): RequestHandler {
  const given = options.htmlPathPrefixes ?? [];
  const htmlPrefixes = typeof given === 'function' ? given : () => given;
  return function setSecurityHeaders(req: Request, res: Response, next: NextFunction): void {
    res.removeHeader('X-Powered-By');
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('X-Frame-Options', 'DENY');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Cross-Origin-Resource-Policy', 'same-origin');
    const html = htmlPrefixes().some((prefix) => req.path.startsWith(prefix));
    res.set(
      'Content-Security-Policy',
      html
        ? "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        : "default-src 'none'; frame-ancestors 'none'",
    );
    next();
  };
}
