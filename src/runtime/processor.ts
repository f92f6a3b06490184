import type { Exchange } from './exchange.js';

/** Everything a route does is a processor; an EIP is a processor that wraps child processors. */
export type Processor = (exchange: Exchange) => Promise<void>;

/**
 * What a processor returns when its work finished before it returned (set a header, validate, map): one
 * shared, already resolved promise. A pipeline that gets it back goes straight on to the next step, where
 * awaiting a fresh promise per step would cost an allocation and a turn of the microtask queue for every
 * step of every message. Wrappers that pass a step's promise on pass this one on unchanged.
 */
export const DONE: Promise<void> = Promise.resolve();

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
  const count = processors.length;
  /** The steps from `next` on, once a step is really waiting for something (a publish, a partner). */
  const resume = async (exchange: Exchange, waiting: Promise<void>, next: number): Promise<void> => {
    await waiting;
    for (let index = next; index < count; index++) {
      if (exchange.stopped) return;
      const running = processors[index]!(exchange);
      if (running !== DONE) await running;
    }
  };
  return (exchange) => {
    // Steps that finished when they returned run one after the other without a promise of the pipeline's.
    for (let index = 0; index < count; index++) {
      if (exchange.stopped) return DONE;
      let running: Promise<void>;
      try {
        running = processors[index]!(exchange);
      } catch (error) {
        return rejected(error);
      }
      if (running !== DONE) return resume(exchange, running, index + 1);
    }
    return DONE;
  };
}

export const noop: Processor = () => DONE;

/** Whether a value is a promise (or any thenable) to wait for, rather than the value itself. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A step that threw before returning its promise fails the pipeline the same way as one that rejected. */
// eslint-disable-next-line @typescript-eslint/require-await -- a processor reports failure by rejecting, never by throwing
async function rejected(error: unknown): Promise<never> {
  throw error;
}
