/**
 * The HTTP load generator: autocannon in a process of its own, full load (a fixed number of connections as
 * fast as the server answers) or a fixed overall rate (latency corrected for coordinated omission).
 */
import autocannon from 'autocannon';
import { serve } from '../lib/ipc.js';
import { nowMs } from '../lib/stats.js';

export interface HttpLoadReport {
  requests: number;
  ok: number;
  failed: number;
  durationSeconds: number;
  rate: number;
  latency: { p50: number; p99: number; max: number };
  startedAt: number;
  endedAt: number;
}

serve({
  async run(args) {
    const body = String(args.body);
    const sentAtInBody = Boolean(args.sentAtInBody);
    const startedAt = nowMs();
    const result = await autocannon({
      url: String(args.url),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: Number(args.connections ?? 16),
      ...(args.durationSeconds !== undefined ? { duration: Number(args.durationSeconds) } : {}),
      ...(args.amount !== undefined ? { amount: Number(args.amount) } : {}),
      ...(args.rate !== undefined ? { overallRate: Number(args.rate) } : {}),
      timeout: 10,
      // S4's flow carries its start time in the payload, so the partner can time whole runs.
      ...(sentAtInBody
        ? { requests: [{ setupRequest: (request) => ({ ...request, body: `{"sentAt":${nowMs()},${body.trimStart().slice(1)}` }) }] }
        : {}),
    });
    const endedAt = nowMs();
    const ok = result['2xx'];
    return {
      requests: result.requests.total,
      ok,
      failed: result.non2xx + result.errors + result.timeouts,
      durationSeconds: result.duration,
      rate: ok / result.duration,
      latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      startedAt,
      endedAt,
    } satisfies HttpLoadReport;
  },
});
