/** Small statistics over the figures of several rounds. */

export function median(values: (number | undefined | null)[]): number | undefined {
  const known = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  if (known.length === 0) return undefined;
  const sorted = [...known].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function max(values: (number | undefined | null)[]): number | undefined {
  const known = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return known.length ? Math.max(...known) : undefined;
}

/**
 * Latencies in milliseconds kept for percentiles. Bounded: past `capacity` samples it keeps a uniform
 * random sample (reservoir sampling), so a long run cannot grow it without limit.
 */
export class LatencyRecorder {
  private samples: Float64Array;
  private count = 0;
  private seen = 0;
  private highest = 0;

  constructor(private readonly capacity = 500_000) {
    this.samples = new Float64Array(Math.min(capacity, 65_536));
  }

  record(ms: number): void {
    this.seen += 1;
    if (ms > this.highest) this.highest = ms;
    if (this.count < this.capacity) {
      if (this.count === this.samples.length) {
        const grown = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.count++] = ms;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = ms;
  }

  get size(): number {
    return this.seen;
  }

  summary(): LatencySummary | undefined {
    if (this.count === 0) return undefined;
    const sorted = this.samples.slice(0, this.count).sort();
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    return { p50: at(50), p99: at(99), max: this.highest };
  }

  reset(): void {
    this.count = 0;
    this.seen = 0;
    this.highest = 0;
  }
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
