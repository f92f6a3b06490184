/**
 * S1 and S1b, HTTP ingest: POST → validate → map → confirmed persistent publish → 202, the router against
 * the hand-written node:http service (bench/baselines/http-service.ts). S1 posts a payment with a flat
 * mapping; S1b an order of line items with a mapping in the everyday style (block, variables, aggregation,
 * string functions, conditional defaults). Both processes run for the whole scenario; autocannon (a process of its
 * own) loads one at a time, A/B then B/A, full load (fixed connections) then half load (fixed rate at half
 * the throughput just measured).
 */
import { startRouterProcess, startWorker, freePort, type Child } from '../lib/children.js';
import type { HttpLoadReport } from '../workers/http-load.js';
import { ORDER_TEXT, PAYMENT_TEXT } from '../lib/payload.js';
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

interface Variant {
  id: 'S1' | 'S1b';
  title: string;
  routesDir: string;
  work: 'payment' | 'order';
  path: string;
  body: string;
}

const VARIANTS: Record<Variant['id'], Variant> = {
  S1: {
    id: 'S1',
    title: 'HTTP ingest: POST → validate → map → confirmed publish → 202',
    routesDir: 'bench/routes/s1',
    work: 'payment',
    path: '/payments',
    body: PAYMENT_TEXT,
  },
  S1b: {
    id: 'S1b',
    title: 'HTTP ingest, everyday mapping: POST order → validate → block/aggregate mapping → confirmed publish → 202',
    routesDir: 'bench/routes/s1b',
    work: 'order',
    path: '/orders',
    body: ORDER_TEXT,
  },
};

export function runS1(context: BenchContext): Promise<ScenarioResult> {
  return runIngest(context, VARIANTS.S1);
}

export function runS1b(context: BenchContext): Promise<ScenarioResult> {
  return runIngest(context, VARIANTS.S1b);
}

async function runIngest(context: BenchContext, variant: Variant): Promise<ScenarioResult> {
  const { amqp, sizes, sampler } = context;
  const BODY = variant.body;
  // Nobody consumes the sink: it keeps the newest messages only, so it cannot fill the broker.
  await amqp.call('setup', {
    exchanges: [{ name: EXCHANGE, type: 'topic' }],
    queues: [{ name: SINK, arguments: { 'x-max-length': 10_000, 'x-overflow': 'drop-head' } }],
    bindings: [{ exchange: EXCHANGE, queue: SINK, routingKey: ROUTING_KEY }],
  });
  const load = await startWorker('autocannon', 'workers/http-load.ts');
  const basePort = await freePort();
  const [router, baseline] = await Promise.all([
    startRouterProcess({ name: `router (${variant.id})`, routesDir: variant.routesDir, rabbitmqUrl: context.rabbitmqUrl, cpuProfileDir: context.profileDir }),
    startWorker(`baseline http-service (${variant.id})`, 'baselines/http-service.ts', {
      PORT: String(basePort),
      RABBITMQ_URL: context.rabbitmqUrl,
      EXCHANGE,
      ROUTING_KEY,
      WORK: variant.work,
      ENTRY_PATH: variant.path,
    }, context.profileDir),
  ]);
  const sides: Side[] = [
    { name: 'router', child: router, url: `${router.baseUrl}${variant.path}` },
    { name: 'baseline', child: baseline, url: `http://127.0.0.1:${basePort}${variant.path}` },
  ];
  const rounds: Record<string, SideRound[]> = { router: [], baseline: [] };
  const notes: string[] = [];
  let brokerFloor: { p50: number; p99: number; max: number } | undefined;
  try {
    for (const side of sides) sampler.watch(side.child.pid);
    for (const side of sides) {
      const check = await fetch(side.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      if (check.status !== 202) throw new Error(`${variant.id} ${side.name} answered ${check.status}: ${await check.text()}`);
      await load.call('run', { url: side.url, body: BODY, connections: sizes.connections, durationSeconds: sizes.warmupSeconds });
    }
    for (let round = 0; round < sizes.rounds; round += 1) {
      for (const side of alternate(round, sides[0]!, sides[1]!)) {
        const full = await load.call<HttpLoadReport>('run', {
          url: side.url,
          body: BODY,
          connections: sizes.connections,
          durationSeconds: sizes.fullSeconds,
        });
        const cpu = sampler.cpuBetween(side.child.pid, full.startedAt, full.endedAt);
        const brokerCpu = sampler.cpuBetween(context.brokerPid, full.startedAt, full.endedAt);
        const half = await load.call<HttpLoadReport>('run', {
          url: side.url,
          body: BODY,
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
        context.log(`${variant.id} round ${round + 1} ${side.name}: ${full.rate.toFixed(0)} msg/s, half-load p99 ${half.latency.p99.toFixed(1)} ms`);
      }
      // Latency at one offered rate for both: the faster side once more at the slower side's half load.
      const [routerRound, baselineRound] = [rounds.router!.at(-1)!, rounds.baseline!.at(-1)!];
      const sameRate = Math.min(routerRound.half.rate ?? 0, baselineRound.half.rate ?? 0);
      const faster = (routerRound.half.rate ?? 0) > (baselineRound.half.rate ?? 0) ? 0 : 1;
      const again = await load.call<HttpLoadReport>('run', {
        url: sides[faster]!.url,
        body: BODY,
        connections: sizes.connections,
        durationSeconds: sizes.halfSeconds,
        rate: Math.max(1, Math.round(sameRate)),
      });
      const slowerRound = faster === 0 ? baselineRound : routerRound;
      const fasterRound = faster === 0 ? routerRound : baselineRound;
      slowerRound.sameRate = slowerRound.half;
      fasterRound.sameRate = { rate: again.rate, ...again.latency };
      context.log(
        `${variant.id} round ${round + 1} at one rate (${Math.round(sameRate)}/s): router p99 ${routerRound.sameRate!.p99?.toFixed(1)} ms, baseline p99 ${baselineRound.sameRate!.p99?.toFixed(1)} ms`,
      );
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
  const baseline50 = summarise(rounds.baseline!);
  // The router must keep up with the hand-written service, and its tail at half load stay within 2 ms of
  // it. The tail is compared at one offered rate (the slower side's half load): at each side's own half
  // load the faster side is judged at a higher rate, where the broker alone waits longer for confirms.
  const gap = (a: number | undefined, b: number | undefined): number | undefined =>
    a !== undefined && b !== undefined ? a - b : undefined;
  const ownHalfGap = gap(router50?.half.p99, baseline50?.half.p99);
  const p99Gap = gap(router50?.sameRate?.p99, baseline50?.sameRate?.p99);
  const met = ratio === undefined || p99Gap === undefined ? undefined : ratio >= 1.0 && p99Gap <= 2;
  const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)} ms`;
  if (p99Gap !== undefined)
    notes.push(
      `half-load p99 at one rate (${(router50?.sameRate?.rate ?? 0).toFixed(0)}/s, the slower side's half load): router ${signed(p99Gap)} against the baseline (router ${router50?.sameRate?.p99?.toFixed(1)} ms, baseline ${baseline50?.sameRate?.p99?.toFixed(1)} ms)`,
    );
  if (ownHalfGap !== undefined)
    notes.push(`half-load p99, each side at half its own throughput: router ${signed(ownHalfGap)} against the baseline`);
  return {
    id: variant.id,
    title: variant.title,
    router: router50,
    baseline: baseline50,
    baselineName: 'node:http+ajv+jsonata',
    ratio,
    ratios: each,
    targets: ['router/baseline ≥ 1.0', 'router p99 at half load (one rate for both) ≤ baseline p99 + 2 ms'],
    met,
    notes,
    raw: { router: rounds.router!, baseline: rounds.baseline!, brokerFloor },
  };
}
