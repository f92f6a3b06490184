import { defineState, type StateHolder } from '../state/index.js';

const WIRE_TAPS = defineState('wire-taps.in-flight', { scope: 'router' }, () => new Set<Promise<void>>());

/**
 * Wire taps still running, per router. The main route never waits for them; a graceful stop can, so a tap
 * started just before shutdown is not cut off silently.
 */
export function inFlightWireTaps(services: StateHolder): Set<Promise<void>> {
  return WIRE_TAPS.of(services);
}

/** Resolves when every wire tap running now has finished (successfully or not). */
export async function drainWireTaps(services: StateHolder): Promise<void> {
  await Promise.allSettled([...inFlightWireTaps(services)]);
}
