import { toError } from '../errors/index.js';
import { defineState, type StateHolder } from '../state/index.js';

/** The readiness checks of a router: the router's own, whatever route set runs. */
const CHECKS = defineState('readiness', { scope: 'router' }, () => new Map<string, ReadinessCheck>());

/** One readiness condition (broker connected, topology declared, ...): true when ready. */
export type ReadinessCheck = () =>
  boolean | { ready: boolean; detail?: string } | Promise<boolean | { ready: boolean; detail?: string }>;

/** The readiness checks of a router, by name. Ready = every check passes (no checks = ready). */
export function readinessChecks(services: StateHolder): Map<string, ReadinessCheck> {
  return CHECKS.of(services);
}

/** Adds (or replaces) a named readiness check; returns the function that removes it. */
export function setReadinessCheck(services: StateHolder, name: string, check: ReadinessCheck): () => void {
  const checks = readinessChecks(services);
  checks.set(name, check);
  return () => {
    if (checks.get(name) === check) checks.delete(name);
  };
}

export async function readiness(
  services: StateHolder,
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
