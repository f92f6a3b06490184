import type { ServerResponse } from 'node:http';

// The headers on every answer (nosniff, framing, referrer, CSP) come from src/security/security-headers.ts.

/** For API answers (route entries, errors, health): never cached, never rendered as a page. */
export function apiAnswerHeaders(response: ServerResponse): void {
  response.setHeader('Cache-Control', 'no-store');
  // Most answers already carry it from the security headers: setting a header again costs its checks again.
  if (response.getHeader('content-security-policy') !== API_POLICY)
    response.setHeader('Content-Security-Policy', API_POLICY);
}

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
