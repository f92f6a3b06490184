/**
 * S1, HTTP ingest: POST a payment → validate → map → confirmed persistent publish → 202, the router against
 * the hand-written express service. Both processes run for the whole scenario; autocannon (a process of its
 * own) loads one at a time, A/B then B/A, full load (fixed connections) then half load (fixed rate at half
 * the throughput just measured).
 */
import { startRouterProcess, startWorker, freePort, type Child } from '../lib/children.js';
import type { HttpLoadReport } from '../workers/http-load.js';
import { PAYMENT_TEXT } from '../lib/payload.js';
import { memory } from '../lib/proc-stats.js';
import { ratios, summarise, type ScenarioResult, type SideRound } from '../lib/report.js';
import { alternate, perThousand, type BenchContext } from './context.js';

const EXCHANGE = 'bench.s1';
const ROUTING_KEY = 'payment.accepted';
const SINK = 'bench.s1.sink';

interface Side {
  name: string;
  child: Child;
  url: string;
}

export async function runS1(context: BenchContext): Promise<ScenarioResult> {
  const { amqp, sizes, sampler } = context;
  // Nobody consumes the sink: it keeps the newest messages only, so it cannot fill the broker.
  await amqp.call('setup', {
    exchanges: [{ name: EXCHANGE, type: 'topic' }],
    queues: [{ name: SINK, arguments: { 'x-max-length': 10_000, 'x-overflow': 'drop-head' } }],
    bindings: [{ exchange: EXCHANGE, queue: SINK, routingKey: ROUTING_KEY }],
  });
  const load = await startWorker('autocannon', 'workers/http-load.ts');
  const basePort = await freePort();
  const [router, baseline] = await Promise.all([
    startRouterProcess({ name: 'router (S1)', routesDir: 'bench/routes/s1', rabbitmqUrl: context.rabbitmqUrl, cpuProfileDir: context.profileDir }),
    startWorker('baseline http-service', 'baselines/http-service.ts', {
      PORT: String(basePort),
      RABBITMQ_URL: context.rabbitmqUrl,
      EXCHANGE,
      ROUTING_KEY,
    }, context.profileDir),
  ]);
  const sides: Side[] = [
    { name: 'router', child: router, url: `${router.baseUrl}/payments` },
    { name: 'baseline', child: baseline, url: `http://127.0.0.1:${basePort}/payments` },
  ];
  const rounds: Record<string, SideRound[]> = { router: [], baseline: [] };
  const notes: string[] = [];
  let brokerFloor: { p50: number; p99: number; max: number } | undefined;
  try {
    for (const side of sides) sampler.watch(side.child.pid);
    for (const side of sides) {
      const check = await fetch(side.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PAYMENT_TEXT });
      if (check.status !== 202) throw new Error(`S1 ${side.name} answered ${check.status}: ${await check.text()}`);
      await load.call('run', { url: side.url, body: PAYMENT_TEXT, connections: sizes.connections, durationSeconds: sizes.warmupSeconds });
    }
    for (let round = 0; round < sizes.rounds; round += 1) {
      for (const side of alternate(round, sides[0]!, sides[1]!)) {
        const full = await load.call<HttpLoadReport>('run', {
          url: side.url,
          body: PAYMENT_TEXT,
          connections: sizes.connections,
          durationSeconds: sizes.fullSeconds,
        });
        const cpu = sampler.cpuBetween(side.child.pid, full.startedAt, full.endedAt);
        const brokerCpu = sampler.cpuBetween(context.brokerPid, full.startedAt, full.endedAt);
        const half = await load.call<HttpLoadReport>('run', {
          url: side.url,
          body: PAYMENT_TEXT,
          connections: sizes.connections,
          durationSeconds: sizes.halfSeconds,
          rate: Math.max(1, Math.round(full.rate / 2)),
        });
        if (full.failed || half.failed) notes.push(`round ${round + 1} ${side.name}: ${full.failed + half.failed} requests failed (non-2xx, errors or timeouts)`);
        rounds[side.name]!.push({
          full: { rate: full.rate, ...full.latency },
          half: { rate: half.rate, ...half.latency },
          cpuPer1k: perThousand(cpu, full.ok),
          brokerCpuPer1k: perThousand(brokerCpu, full.ok),
          peakRssMiB: memory(side.child.pid)?.peakRssMiB,
        });
        context.log(`S1 round ${round + 1} ${side.name}: ${full.rate.toFixed(0)} msg/s, half-load p99 ${half.latency.p99} ms`);
      }
    }
    // The same publish straight from a client at the router's half-load rate: the broker's share of the tail.
    const halfRate = Math.max(1, Math.round((summarise(rounds.router!)?.full.rate ?? 0) / 2));
    const floor = await amqp.call<{ sent: number; failed: number; latency?: { p50: number; p99: number; max: number } }>(
      'confirmLatency',
      { exchange: EXCHANGE, routingKey: ROUTING_KEY, rate: halfRate, durationMs: sizes.halfSeconds * 1000 },
    );
    if (floor.latency) {
      brokerFloor = floor.latency;
      notes.push(
        `broker floor: a client publishing the same message (persistent, confirmed) at ${halfRate}/s waits ` +
          `${floor.latency.p50.toFixed(1)} / ${floor.latency.p99.toFixed(1)} / ${floor.latency.max.toFixed(1)} ms (p50/p99/max) for the confirm alone`,
      );
    }
  } finally {
    for (const side of sides) sampler.forget(side.child.pid);
    await Promise.all([router.stop(), baseline.stop(), load.stop()]);
    await amqp.call('cleanup', { queues: [SINK], exchanges: [EXCHANGE] });
  }
  const { ratio, ratios: each } = ratios(rounds.router!, rounds.baseline!);
  const router50 = summarise(rounds.router!);
  const met = ratio === undefined ? undefined : ratio >= 0.9 && (router50?.half.p99 ?? Infinity) <= 10;
  return {
    id: 'S1',
    title: 'HTTP ingest: POST → validate → map → confirmed publish → 202',
    router: router50,
    baseline: summarise(rounds.baseline!),
    baselineName: 'express+ajv+jsonata',
    ratio,
    ratios: each,
    targets: ['router/baseline ≥ 0.9', 'router p99 at half load ≤ 10 ms'],
    met,
    notes,
    raw: { router: rounds.router!, baseline: rounds.baseline!, brokerFloor },
  };
}
