/**
 * CPU time and memory of a process, read from /proc: what a process really spent, whatever the load
 * generator believes. Linux only; elsewhere every figure is undefined and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, or undefined when it is gone or /proc is not there. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface Memory {
  /** Resident set now, MiB. */
  rssMiB: number;
  /** Peak resident set since the process started (VmHWM), MiB. */
  peakRssMiB: number;
}

export function memory(pid: number | undefined): Memory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** The RabbitMQ node's Erlang VM on this machine: the oldest beam.smp (rabbitmqctl runs short-lived ones). */
export function brokerPid(): number | undefined {
  try {
    const pids = execFileSync('pgrep', ['-o', 'beam.smp'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    return pids.length === 1 ? Number(pids[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds several processes spend between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before: (number | undefined)[];

  constructor(private readonly pids: (number | undefined)[]) {
    this.before = pids.map(cpuSeconds);
  }

  /** Seconds spent by each process since construction (undefined where it could not be read). */
  read(): (number | undefined)[] {
    return this.pids.map((pid, index) => {
      const now = cpuSeconds(pid);
      const then = this.before[index];
      return now === undefined || then === undefined ? undefined : now - then;
    });
  }
}
