import { sharedState, type RouterServices } from '../../runtime/services.js';

/**
 * Wire taps still running, per router. The main route never waits for them; a graceful stop can, so a tap
 * started just before shutdown is not cut off silently.
 */
export function inFlightWireTaps(services: RouterServices): Set<Promise<void>> {
  return sharedState(services, 'eips.wireTap.inFlight', () => new Set<Promise<void>>());
}

/** Resolves when every wire tap running now has finished (successfully or not). */
export async function drainWireTaps(services: RouterServices): Promise<void> {
  await Promise.allSettled([...inFlightWireTaps(services)]);
}
