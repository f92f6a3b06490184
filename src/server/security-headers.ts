import type { NextFunction, Request, Response } from 'express';

/** Headers on every answer: no MIME sniffing, no framing, no referrer leaks. */
export function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/** For API answers (route entries, errors, health): never cached, never rendered as a page. */
export function apiAnswerHeaders(response: Response): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
}
