import type { Exchange } from './exchange.js';

/** Everything a route does is a processor; an EIP is a processor that wraps child processors. */
export type Processor = (exchange: Exchange) => Promise<void>;

/** Runs processors in order; a `stop` (exchange.stopped) ends the pipeline successfully. */
export function pipeline(processors: readonly Processor[]): Processor {
  if (processors.length === 0) return noop;
  if (processors.length === 1) {
    const only = processors[0]!;
    // The step's own promise, not an async wrapper around it: this runs for every message of every route.
    return (exchange) => {
      if (exchange.stopped) return DONE;
      try {
        return only(exchange);
      } catch (error) {
        return Promise.reject(error);
      }
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

const DONE: Promise<void> = Promise.resolve();
