/**
 * The shape of the AMQP scenarios (S2, S3): per round and side, messages are pre-loaded into the side's
 * input queue while nothing consumes it, the consumer process is started, and the time from the last
 * warm-up arrival (the first `warmupMessages` are the fresh process's JIT warm-up, as S1's seconds of
 * warm-up) to the last arrival at the far end (the sink queue, the stub partner) gives the throughput; CPU
 * is read for that same interval, so start-up and warm-up are not counted. Then, with the process warm, messages are published at a
 * fixed rate of half that throughput and their end-to-end latency is taken from the send time they carry.
 * Both sides get the same queue kind: a quorum queue declared by the bench, as the router declares its own.
 */
import type { Child, Worker } from '../lib/children.js';
import { memory } from '../lib/proc-stats.js';
import { ratios, summarise, type ScenarioResult, type SideRound } from '../lib/report.js';
import type { ArrivalReport } from '../workers/arrivals.js';
import { perThousand, roundOrder, type BenchContext } from './context.js';

export interface DrainSide {
  name: string;
  queue: string;
  start(): Promise<Child>;
  /** Default true; a reference side is measured at full load only. */
  halfLoad?: boolean;
}

/** The router's own work queues are quorum queues with a length limit and a delivery limit. */
export function inputQueue(name: string): { name: string; arguments: Record<string, unknown> } {
  return {
    name,
    arguments: { 'x-queue-type': 'quorum', 'x-max-length': 200_000, 'x-overflow': 'reject-publish', 'x-delivery-limit': 20 },
  };
}

/** The queues a router consumer declares beside its input queue (retry level 1, dead letters). */
export function routerSideQueues(queue: string): string[] {
  return [queue, `${queue}.dlq`, ...Array.from({ length: 5 }, (_, index) => `${queue}.retry.${index + 1}`)];
}

export async function drainRounds(
  context: BenchContext,
  options: { id: string; count: number; sides: [DrainSide, DrainSide]; reference?: DrainSide; far: Worker },
): Promise<{ rounds: Record<string, SideRound[]>; notes: string[] }> {
  const { amqp, sampler, sizes } = context;
  const all = options.reference ? [...options.sides, options.reference] : options.sides;
  const rounds: Record<string, SideRound[]> = Object.fromEntries(all.map((side) => [side.name, []]));
  const notes: string[] = [];
  for (let round = 0; round < sizes.rounds; round += 1) {
    for (const side of roundOrder(round, options.sides, options.reference)) {
      const warmup = sizes.warmupMessages;
      await amqp.call('purge', { queue: side.queue });
      await options.far.call('reset', { warmup });
      await amqp.call('preload', { queue: side.queue, count: warmup + options.count });
      const child = await side.start();
      sampler.watch(child.pid);
      try {
        const total = warmup + options.count;
        const drained = await options.far.call<ArrivalReport>('arrivals', { count: total, timeoutMs: 300_000 });
        if (drained.count < total) notes.push(`round ${round + 1} ${side.name}: only ${drained.count} of ${total} arrived in time`);
        // Measured from the last warm-up arrival on: the steady state of a warm process, as in S1.
        const from = warmup > 0 ? (drained.warmedAt ?? 0) : drained.firstAt;
        const measured = drained.count - Math.max(warmup, 1);
        const seconds = from > 0 ? (drained.lastAt - from) / 1000 : 0;
        const rate = seconds > 0 && measured > 0 ? measured / seconds : undefined;
        const cpu = sampler.cpuBetween(child.pid, from, drained.lastAt);
        const brokerCpu = sampler.cpuBetween(context.brokerPid, from, drained.lastAt);
        let half: SideRound['half'] = { note: 'not measured' };
        if (rate && side.halfLoad !== false) {
          await options.far.call('reset');
          const { sent } = await amqp.call<{ sent: number }>('publishAtRate', {
            queue: side.queue,
            rate: Math.max(1, Math.round(rate / 2)),
            durationMs: sizes.halfSeconds * 1000,
          });
          const arrived = await options.far.call<ArrivalReport>('arrivals', { count: sent, timeoutMs: 60_000 });
          if (arrived.count < sent) notes.push(`round ${round + 1} ${side.name}: half load, ${arrived.count} of ${sent} arrived in time`);
          half = { rate: arrived.count / sizes.halfSeconds, ...arrived.latency };
        }
        rounds[side.name]!.push({
          full: { rate, note: 'pre-loaded queue: latency at full load is the wait in the queue, not reported' },
          half,
          cpuPer1k: perThousand(cpu, measured),
          brokerCpuPer1k: perThousand(brokerCpu, measured),
          peakRssMiB: memory(child.pid)?.peakRssMiB,
        });
        context.log(`${options.id} round ${round + 1} ${side.name}: ${rate?.toFixed(0) ?? '–'} msg/s, half-load p99 ${half.p99?.toFixed(1) ?? '–'} ms`);
      } finally {
        sampler.forget(child.pid);
        await child.stop();
      }
    }
  }
  return { rounds, notes };
}

/**
 * An AMQP scenario's result from its rounds: medians per side, router ÷ baseline against `atLeast` and
 * router ÷ reference (the pump that coalesces its writes as the router does) against `referenceAtLeast`. The
 * verdict needs both: a router that only beats the plain pump by coalescing would otherwise pass.
 */
export function drainResult(
  rounds: Record<string, SideRound[]>,
  notes: string[],
  scenario: {
    id: string;
    title: string;
    baselineName: string;
    referenceName: string;
    atLeast: number;
    referenceAtLeast: number;
  },
): ScenarioResult {
  const router = rounds.router!;
  const baseline = rounds.baseline!;
  const reference = rounds.reference;
  const { ratio, ratios: each } = ratios(router, baseline);
  const against = reference && { name: scenario.referenceName, side: summarise(reference), ...ratios(router, reference) };
  const met =
    ratio === undefined || against?.ratio === undefined
      ? undefined
      : ratio >= scenario.atLeast && against.ratio >= scenario.referenceAtLeast;
  return {
    id: scenario.id,
    title: scenario.title,
    router: summarise(router),
    baseline: summarise(baseline),
    baselineName: scenario.baselineName,
    ratio,
    ratios: each,
    targets: [`router/baseline ≥ ${scenario.atLeast}`, `router/${scenario.referenceName} ≥ ${scenario.referenceAtLeast}`],
    met,
    reference: against,
    notes,
    raw: { router, baseline, reference },
  };
}
