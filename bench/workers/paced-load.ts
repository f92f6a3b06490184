/**
 * Load at a fixed rate with evenly spaced arrivals (open loop), for the half-load latency figures.
 *
 * autocannon's `overallRate` is a per-second quota per connection: each connection sends as fast as the
 * server answers until its quota is used, then waits for the next second. At "half load" the server thus
 * sees half of every second at full speed and the other half idle, and the p99 read is the tail of a burst,
 * not of the steady rate asked for. Here request i is due at start + i / rate; it goes out on one of a fixed
 * number of keep-alive connections (queued in the agent when all are busy), and its latency runs from when
 * it was due, so a slow answer that holds back later requests is counted in theirs too (no coordinated
 * omission).
 */
import http from 'node:http';
import { LatencyRecorder, nowMs, type LatencySummary } from '../lib/stats.js';

export interface PacedLoad {
  url: string;
  /** The request body, or a function of the due time (S4 carries its start time in the payload). */
  body: string | ((dueAt: number) => string);
  connections: number;
  rate: number;
  durationSeconds: number;
  /** Milliseconds to wait for the answers still open when the last request is due. */
  drainMs?: number;
}

export interface PacedResult {
  requests: number;
  ok: number;
  failed: number;
  latency: LatencySummary;
  startedAt: number;
  endedAt: number;
}

export function pacedLoad(load: PacedLoad): Promise<PacedResult> {
  const target = new URL(load.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.connections });
  const total = Math.max(1, Math.round(load.rate * load.durationSeconds));
  const interval = 1000 / load.rate;
  const recorder = new LatencyRecorder();
  let sent = 0;
  let answered = 0;
  let ok = 0;
  let failed = 0;
  const startedAt = nowMs();

  return new Promise((resolve) => {
    let drainTimer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (drainTimer) clearTimeout(drainTimer);
      agent.destroy();
      // Requests still unanswered when the drain time ran out count as failed, with no latency.
      failed += sent - answered;
      resolve({
        requests: sent,
        ok,
        failed,
        latency: recorder.summary() ?? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
        startedAt,
        endedAt: startedAt + total * interval,
      });
    };
    const settle = (dueAt: number, success: boolean): void => {
      if (finished) return;
      answered += 1;
      if (success) {
        ok += 1;
        recorder.record(nowMs() - dueAt);
      } else {
        failed += 1;
      }
      if (answered === total) finish();
    };
    const send = (dueAt: number): void => {
      const body = typeof load.body === 'string' ? load.body : load.body(dueAt);
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const success =
            response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300;
          response.resume();
          response.on('end', () => settle(dueAt, success));
          response.on('error', () => settle(dueAt, false));
        },
      );
      request.on('error', () => settle(dueAt, false));
      request.end(body);
    };
    const tick = (): void => {
      const now = nowMs();
      // Everything due by now goes out; a late timer sends the backlog at once, as the arrivals would be.
      while (sent < total && startedAt + sent * interval <= now) {
        send(startedAt + sent * interval);
        sent += 1;
      }
      if (sent < total) {
        setTimeout(tick, Math.max(0, startedAt + sent * interval - nowMs()));
      } else if (answered < total) {
        drainTimer = setTimeout(finish, load.drainMs ?? 10_000);
      }
    };
    tick();
  });
}
