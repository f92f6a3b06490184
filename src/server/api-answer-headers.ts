import type { ServerResponse } from 'node:http';

// The headers on every answer (nosniff, framing, referrer, CSP) come from src/security/security-headers.ts.

/** For API answers (route entries, errors, health): never cached, never rendered as a page. */
export function apiAnswerHeaders(response: ServerResponse): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
}
