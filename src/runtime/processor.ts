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
        return rejected(error);
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

/** A step that threw before returning its promise fails the pipeline the same way as one that rejected. */
// eslint-disable-next-line @typescript-eslint/require-await -- a processor reports failure by rejecting, never by throwing
async function rejected(error: unknown): Promise<never> {
  throw error;
}
