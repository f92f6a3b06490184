/**
 * The HTTP load generator, in a process of its own: full load is autocannon (a fixed number of connections as
 * fast as the server answers); a fixed rate is `pacedLoad`, evenly spaced arrivals with latency from each
 * request's due time (autocannon's rate sends each second's quota in a burst).
 */
import autocannon from 'autocannon';
import { serve } from '../lib/ipc.js';
import { nowMs } from '../lib/stats.js';
import { pacedLoad } from './paced-load.js';

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
    // S4's flow carries its start time in the payload, so the partner can time whole runs.
    const withSentAt = (at: number): string => `{"sentAt":${at},${body.trimStart().slice(1)}`;
    if (args.rate !== undefined) {
      const durationSeconds = Number(args.durationSeconds);
      const paced = await pacedLoad({
        url: String(args.url),
        body: sentAtInBody ? withSentAt : body,
        connections: Number(args.connections ?? 16),
        rate: Number(args.rate),
        durationSeconds,
      });
      return {
        requests: paced.requests,
        ok: paced.ok,
        failed: paced.failed,
        durationSeconds,
        rate: paced.ok / durationSeconds,
        latency: paced.latency,
        startedAt: paced.startedAt,
        endedAt: paced.endedAt,
      } satisfies HttpLoadReport;
    }
    const startedAt = nowMs();
    const result = await autocannon({
      url: String(args.url),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: Number(args.connections ?? 16),
      ...(args.durationSeconds !== undefined ? { duration: Number(args.durationSeconds) } : {}),
      ...(args.amount !== undefined ? { amount: Number(args.amount) } : {}),
      timeout: 10,
      ...(sentAtInBody ? { requests: [{ setupRequest: (request) => ({ ...request, body: withSentAt(nowMs()) }) }] } : {}),
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
