import { setReadinessCheck } from '../../runtime/readiness.js';
import type { RouterServices } from '../../runtime/services.js';
import { defineState } from '../../state/index.js';
import { isTransportError, transportError } from '../../transport/transport-errors.js';
import type { Transport } from '../../transport/transport.js';
import type { Endpoint } from '../../runtime/component.js';
import { toError } from '../../errors/index.js';

export const READINESS_CHECK = 'broker';

interface BrokerWatch {
  /** The last topology error the transport reported since it was last ready. */
  topologyError?: string;
}

/**
 * Registers (once per router) the readiness check "broker": not ready while the transport is disconnected,
 * has not declared its topology, or the broker refuses publishes (resource alarm).
 */
export function watchBroker(services: RouterServices): Transport {
  const transport = services.transport();
  BROKER_WATCH.of(services);
  return transport;
}

/** The broker watch is the router's: registered once, whatever route set runs. */
const BROKER_WATCH = defineState('spring-rabbitmq.readiness', { scope: 'router' }, (services: RouterServices) => {
  const transport = services.transport();
  const watch: BrokerWatch = {};
  transport.on('topology-error', (error) => (watch.topologyError = error.message));
  transport.on('ready', () => (watch.topologyError = undefined));
  setReadinessCheck(services, READINESS_CHECK, () => {
    if (transport.isBlocked()) return { ready: false, detail: 'the broker blocks publishing (resource alarm)' };
    if (!transport.isReady()) return { ready: false, detail: watch.topologyError ?? `${transport.kind} transport not connected` };
    return { ready: true };
  });
  return watch;
});

/**
 * Declares what an endpoint needs; a queue or exchange that exists with other arguments stops the start
 * with a message naming the route, the endpoint and what differs.
 */
export async function declareFor(
  transport: Transport,
  endpoint: Endpoint<unknown>,
  routeId: string,
  topology: Parameters<Transport['declare']>[0],
): Promise<void> {
  if (!topology.exchanges?.length && !topology.queues?.length && !topology.bindings?.length) return;
  try {
    await transport.declare(topology);
  } catch (error) {
    if (isTransportError(error)) {
      throw transportError(
        error.code as Parameters<typeof transportError>[0],
        `Route '${routeId}' cannot start ${endpoint.scheme}:${endpoint.path}: ${error.message}`,
        { cause: error, details: error.details },
      );
    }
    throw toError(error);
  }
}
