import type { Exchange } from '../runtime/exchange.js';

/**
 * An AbortSignal travelling with an exchange, set by the EIP that gave up on a call (the circuit breaker's
 * time limit) and honoured by producers that can cancel their work (the http producer closes the socket).
 * Kept in an exchange property, so it follows copies made inside the block and never leaves the router.
 */
const CALL_SIGNAL_PROPERTY = 'ServicePipesCallSignal';

export function callSignalOf(exchange: Exchange): AbortSignal | undefined {
  const value = exchange.properties[CALL_SIGNAL_PROPERTY];
  return value instanceof AbortSignal ? value : undefined;
}

/** Sets the signal for the calls made on `exchange`, combined with any signal already there (an outer block). */
export function setCallSignal(exchange: Exchange, signal: AbortSignal): void {
  const outer = callSignalOf(exchange);
  exchange.properties[CALL_SIGNAL_PROPERTY] = outer ? AbortSignal.any([outer, signal]) : signal;
}

export function clearCallSignal(exchange: Exchange, previous: AbortSignal | undefined): void {
  if (previous) exchange.properties[CALL_SIGNAL_PROPERTY] = previous;
  else delete exchange.properties[CALL_SIGNAL_PROPERTY];
}
