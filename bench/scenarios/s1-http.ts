/**
 * S1 and S1b, HTTP ingest: POST → validate → map → confirmed persistent publish → 202, the router against
 * the hand-written node:http service (bench/baselines/http-service.ts). S1 posts a payment with a flat
 * mapping; S1b an order of line items with a mapping in the everyday style (block, variables, aggregation,
 * string functions, conditional defaults). Both processes run for the whole scenario; the load process loads
 * one at a time: full load (autocannon, fixed connections) in A B B A slices, A/B first in odd rounds and B/A
 * in even ones, then half load (evenly spaced requests at half the throughput just measured).
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
      const pair = alternate(round, sides[0]!, sides[1]!);
      // Full load in slices of half the time, A B B A: this machine's speed drifts within a round (CPU per
      // request moves by half within a minute, for both sides and the broker alike), and one A then one B
      // would hand a drift to one side; A B B A cancels a steady one.
      const full = new Map<Side, FullLoad>(pair.map((side) => [side, emptyFullLoad()]));
      for (const side of [pair[0], pair[1], pair[1], pair[0]]) {
        const slice = await load.call<HttpLoadReport>('run', {
          url: side.url,
          body: BODY,
          connections: sizes.connections,
          durationSeconds: sizes.fullSeconds / 2,
        });
        addSlice(full.get(side)!, slice, {
          cpu: sampler.cpuBetween(side.child.pid, slice.startedAt, slice.endedAt),
          brokerCpu: sampler.cpuBetween(context.brokerPid, slice.startedAt, slice.endedAt),
        });
      }
      for (const side of pair) {
        const sideFull = full.get(side)!;
        const rate = sideFull.ok / sideFull.seconds;
        const half = await load.call<HttpLoadReport>('run', {
          url: side.url,
          body: BODY,
          connections: sizes.connections,
          durationSeconds: sizes.halfSeconds,
          rate: Math.max(1, Math.round(rate / 2)),
        });
        if (sideFull.failed || half.failed) notes.push(`round ${round + 1} ${side.name}: ${sideFull.failed + half.failed} requests failed (non-2xx, errors or timeouts)`);
        rounds[side.name]!.push({
          full: { rate, ...sideFull.latency },
          half: { rate: half.rate, ...half.latency },
          cpuPer1k: sideFull.cpuMissing ? undefined : perThousand(sideFull.cpu, sideFull.ok),
          brokerCpuPer1k: sideFull.cpuMissing ? undefined : perThousand(sideFull.brokerCpu, sideFull.ok),
          peakRssMiB: memory(side.child.pid)?.peakRssMiB,
        });
        context.log(`${variant.id} round ${round + 1} ${side.name}: ${rate.toFixed(0)} msg/s, half-load p99 ${half.latency.p99.toFixed(1)} ms`);
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

/** One side's full load in a round, summed over its slices. */
interface FullLoad {
  ok: number;
  failed: number;
  seconds: number;
  cpu: number;
  brokerCpu: number;
  cpuMissing: boolean;
  /** p50: the mean of the slices'; p99 and max: the highest slice's (percentiles of parts do not add up). */
  latency: { p50: number; p99: number; max: number };
  slices: number;
}

function emptyFullLoad(): FullLoad {
  return { ok: 0, failed: 0, seconds: 0, cpu: 0, brokerCpu: 0, cpuMissing: false, latency: { p50: 0, p99: 0, max: 0 }, slices: 0 };
}

function addSlice(into: FullLoad, slice: HttpLoadReport, used: { cpu: number | undefined; brokerCpu: number | undefined }): void {
  into.ok += slice.ok;
  into.failed += slice.failed;
  into.seconds += slice.durationSeconds;
  if (used.cpu === undefined || used.brokerCpu === undefined) into.cpuMissing = true;
  into.cpu += used.cpu ?? 0;
  into.brokerCpu += used.brokerCpu ?? 0;
  into.latency.p50 = (into.latency.p50 * into.slices + slice.latency.p50) / (into.slices + 1);
  into.latency.p99 = Math.max(into.latency.p99, slice.latency.p99);
  into.latency.max = Math.max(into.latency.max, slice.latency.max);
  into.slices += 1;
}
