/** Messages or requests arriving at the end of a scenario, with their latencies. */
import { LatencyRecorder, nowMs } from '../lib/stats.js';

export class Arrivals {
  count = 0;
  firstAt = 0;
  lastAt = 0;
  /** Arrivals counted as warm-up (see reset), and when the last of them arrived. */
  private warmup = 0;
  warmedAt = 0;
  latency = new LatencyRecorder();
  private waiters: { count: number; resolve: () => void }[] = [];

  add(sentAt: unknown): void {
    const now = nowMs();
    if (this.count === 0) this.firstAt = now;
    this.lastAt = now;
    this.count += 1;
    if (this.count === this.warmup) this.warmedAt = now;
    if (typeof sentAt === 'number') this.latency.record(now - sentAt);
    else if (typeof sentAt === 'string' && sentAt !== '') this.latency.record(now - Number(sentAt));
    if (this.waiters.length) {
      this.waiters = this.waiters.filter((waiter) => {
        if (this.count < waiter.count) return true;
        waiter.resolve();
        return false;
      });
    }
  }

  /** Forgets what arrived; the first `warmup` arrivals of what comes next are marked as warm-up. */
  reset(warmup = 0): void {
    this.count = 0;
    this.firstAt = 0;
    this.lastAt = 0;
    this.warmup = warmup;
    this.warmedAt = 0;
    this.latency.reset();
  }

  /** Resolves when `count` arrived or after `timeoutMs`, with what arrived by then. */
  async wait(count: number, timeoutMs: number): Promise<ArrivalReport> {
    if (this.count < count) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.report();
  }

  report(): ArrivalReport {
    return {
      count: this.count,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      ...(this.warmup > 0 ? { warmedAt: this.warmedAt } : {}),
      latency: this.latency.summary(),
    };
  }
}

export interface ArrivalReport {
  count: number;
  firstAt: number;
  lastAt: number;
  /** When the last warm-up arrival came (reset with a warm-up count). */
  warmedAt?: number;
  latency: { p50: number; p99: number; max: number } | undefined;
}

