import { setTimeout as sleep } from 'node:timers/promises';
import { routerMetrics } from '../observability/metrics.js';
import type { RouterServices } from './services.js';

/**
 * Waits for `shutdown` at most `timeoutMs`; resolves true when it finished in time. On false, exchanges
 * still running were not acknowledged: their messages go back to their queues when the connection closes
 * (the CLI exits right after), so nothing accepted is lost; at worst one is processed again.
 */
export async function drainWithin(
  shutdown: Promise<void>,
  timeoutMs: number,
  services: RouterServices,
): Promise<boolean> {
  const deadline = new AbortController();
  const finished = await Promise.race([
    shutdown.then(() => true),
    sleep(timeoutMs, false, { signal: deadline.signal }).catch(() => false),
  ]);
  deadline.abort();
  if (!finished) {
    services.logger.warn(
      'drain bound reached: exchanges still running are returned to their queues when the connection closes',
      {
        timeoutMs,
        inFlight: await inFlightRoutes(services),
      },
    );
    // Closing the connection hands every unacknowledged message back to its queue.
    void shutdown.catch(() => undefined);
  }
  return finished;
}

/** Exchanges in flight per route, from the router's own gauge: what the bound cut short. */
async function inFlightRoutes(services: RouterServices): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { value, labels } of (await routerMetrics(services).routeInflight.get()).values) {
    if (value > 0) counts[String(labels.route)] = value;
  }
  return counts;
}
