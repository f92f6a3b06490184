/**
 * Samples CPU time and resident memory of the processes under test every `intervalMs`, so CPU spent
 * between two instants (the first and last message of a drain, say) can be read afterwards without
 * counting the process's start-up.
 */
import { cpuSeconds, memory } from './proc-stats.js';
import { nowMs } from './stats.js';

interface Sample {
  at: number;
  cpu: number;
  rssMiB: number;
}

export class Sampler {
  private readonly series = new Map<number, Sample[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 100) {}

  watch(pid: number | undefined): void {
    if (pid === undefined || this.series.has(pid)) return;
    this.series.set(pid, []);
    this.sample(pid);
    this.timer ??= setInterval(() => {
      for (const watched of this.series.keys()) this.sample(watched);
    }, this.intervalMs);
  }

  forget(pid: number | undefined): void {
    if (pid !== undefined) this.series.delete(pid);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(pid: number): void {
    const cpu = cpuSeconds(pid);
    const mem = memory(pid);
    if (cpu === undefined || mem === undefined) return;
    const samples = this.series.get(pid)!;
    samples.push({ at: nowMs(), cpu, rssMiB: mem.rssMiB });
    // Ten minutes of samples at most per process.
    if (samples.length > 6000) samples.splice(0, samples.length - 6000);
  }

  /** CPU seconds `pid` spent between two instants (linear between samples); undefined without samples. */
  cpuBetween(pid: number | undefined, from: number, to: number): number | undefined {
    if (pid === undefined) return undefined;
    this.sample(pid);
    const samples = this.series.get(pid);
    if (!samples?.length) return undefined;
    const at = (time: number): number | undefined => {
      let previous: Sample | undefined;
      for (const sample of samples) {
        if (sample.at >= time) {
          if (!previous) return sample.cpu;
          const share = (time - previous.at) / (sample.at - previous.at || 1);
          return previous.cpu + share * (sample.cpu - previous.cpu);
        }
        previous = sample;
      }
      return previous?.cpu;
    };
    const start = at(from);
    const end = at(to);
    return start === undefined || end === undefined ? undefined : end - start;
  }

  /** Latest resident memory of `pid`, MiB. */
  rssNow(pid: number | undefined): number | undefined {
    return pid === undefined ? undefined : memory(pid)?.rssMiB;
  }
}
