/** What every scenario gets from the bench run: the broker, the AMQP load worker, the sampler, the sizes. */
import type { Worker } from '../lib/children.js';
import type { Sampler } from '../lib/sampler.js';

export interface Sizes {
  rounds: number;
  /** HTTP scenarios: seconds of warm-up, full load and half load per side and round. */
  warmupSeconds: number;
  fullSeconds: number;
  halfSeconds: number;
  /** AMQP scenarios: messages pre-loaded per side and round, measured after the warm-up ones. */
  preload: number;
  /**
   * AMQP scenarios: messages pre-loaded before those, consumed by the fresh process but not measured (its
   * JIT warm-up, as S1's seconds of warm-up are).
   */
  warmupMessages: number;
  /** S3: messages pre-loaded (the partner round trip makes it slower). */
  connectorPreload: number;
  /** S4: runs started per round. */
  flowRuns: number;
  /** autocannon connections at full load. */
  connections: number;
}

export const FULL: Sizes = {
  rounds: 4,
  warmupSeconds: 3,
  fullSeconds: 10,
  halfSeconds: 8,
  preload: 12_000,
  warmupMessages: 4000,
  connectorPreload: 8000,
  flowRuns: 2000,
  connections: 16,
};

export const QUICK: Sizes = {
  rounds: 1,
  warmupSeconds: 1,
  fullSeconds: 3,
  halfSeconds: 3,
  preload: 3000,
  warmupMessages: 1000,
  connectorPreload: 2000,
  flowRuns: 500,
  connections: 16,
};

export interface BenchContext {
  rabbitmqUrl: string;
  sizes: Sizes;
  /** Where `--cpu-prof` writes the router's profiles, when asked for. */
  profileDir?: string;
  sampler: Sampler;
  brokerPid?: number;
  /** bench/workers/amqp-load.ts: declarations, pre-loading, fixed-rate publishing, the sink. */
  amqp: Worker;
  log(line: string): void;
}

/** The order of the two sides in round `index`: A/B, then B/A, and so on. */
export function alternate<T>(index: number, a: T, b: T): [T, T] {
  return index % 2 === 0 ? [a, b] : [b, a];
}

/**
 * A/B alternating as above, with a reference side (if any) between the two: A R B, then B R A. The reference
 * is measured next to each side in turn rather than always next to the same one, so a drift of the machine's
 * speed over a round does not side with one of the two ratios taken against it.
 */
export function roundOrder<T>(index: number, pair: [T, T], reference?: T): T[] {
  const [first, second] = alternate(index, ...pair);
  return reference === undefined ? [first, second] : [first, reference, second];
}

export const perThousand = (cpuSeconds: number | undefined, messages: number): number | undefined =>
  cpuSeconds === undefined || messages <= 0 ? undefined : (cpuSeconds / messages) * 1000;
