import type { Exchange } from './exchange.js';

/** Everything a route does is a processor; an EIP is a processor that wraps child processors. */
export type Processor = (exchange: Exchange) => Promise<void>;

/** Runs processors in order; a `stop` (exchange.stopped) ends the pipeline successfully. */
export function pipeline(processors: readonly Processor[]): Processor {
  if (processors.length === 0) return noop;
  if (processors.length === 1) {
    const only = processors[0]!;
    return async (exchange) => {
      if (!exchange.stopped) await only(exchange);
    };
  }
  return async (exchange) => {
    for (const processor of processors) {
      if (exchange.stopped) return;
      await processor(exchange);
    }
  };
}

export const noop: Processor = async () => {};
