import express, { type Router } from 'express';
import { sharedState, type RouterServices } from '../runtime/services.js';
import { toError } from '../runtime/errors.js';

/** One readiness condition (broker connected, topology declared, ...): true when ready. */
export type ReadinessCheck = () =>
  boolean | { ready: boolean; detail?: string } | Promise<boolean | { ready: boolean; detail?: string }>;

/** The readiness checks of a router, by name. Ready = every check passes (no checks = ready). */
export function readinessChecks(services: RouterServices): Map<string, ReadinessCheck> {
  return sharedState(services, 'http.readiness', () => new Map<string, ReadinessCheck>());
}

/** Adds (or replaces) a named readiness check; returns the function that removes it. */
export function setReadinessCheck(services: RouterServices, name: string, check: ReadinessCheck): () => void {
  const checks = readinessChecks(services);
  checks.set(name, check);
  return () => {
    if (checks.get(name) === check) checks.delete(name);
  };
}

export async function readiness(
  services: RouterServices,
): Promise<{ ready: boolean; checks: Record<string, { ready: boolean; detail?: string }> }> {
  const results: Record<string, { ready: boolean; detail?: string }> = {};
  for (const [name, check] of readinessChecks(services)) {
    try {
      const outcome = await check();
      results[name] = typeof outcome === 'boolean' ? { ready: outcome } : outcome;
    } catch (error) {
      results[name] = { ready: false, detail: toError(error).message };
    }
  }
  return { ready: Object.values(results).every((r) => r.ready), checks: results };
}

/** `/health/live` (the process answers) and `/health/ready` (200 when every readiness check passes, else 503). */
export function healthRouter(services: RouterServices): Router {
  const router = express.Router();
  router.get('/health/live', (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ status: 'UP' });
  });
  router.get('/health/ready', async (_request, response) => {
    const { ready, checks } = await readiness(services);
    response
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'UP' : 'DOWN', checks });
  });
  return router;
}
