/**
 * S4, flow: a three-step flow (map, price, notify the partner) started over the async API. Throughput of
 * completed runs: a burst of starts, timed from the first start to the partner receiving the last run;
 * then starts at half that rate, with the start-to-completion time of each run. There is no hand-written
 * baseline for a durable multi-step flow engine, so no ratio.
 */
import { freePort, startRouterProcess, startWorker } from '../lib/children.js';
import { PAYMENT_TEXT } from '../lib/payload.js';
import { memory } from '../lib/proc-stats.js';
import { summarise, type ScenarioResult, type SideRound } from '../lib/report.js';
import type { ArrivalReport } from '../workers/arrivals.js';
import type { HttpLoadReport } from '../workers/http-load.js';
import { perThousand, type BenchContext } from './context.js';

const FLOW = 'bench-settlement';
const STEPS = ['map', 'price', 'notify'];

/** The flow's step queues and the engine's callback queue, each with its dead letters and retry levels. */
function flowQueues(): string[] {
  return [...STEPS, '_callbacks'].flatMap((step) => {
    const queue = `pipes.flow.${FLOW}.${step}`;
    return [queue, `${queue}.dlq`, ...Array.from({ length: 10 }, (_, index) => `${queue}.retry.${index + 1}`)];
  });
}

export async function runS4(context: BenchContext): Promise<ScenarioResult> {
  const { sizes, sampler } = context;
  const port = await freePort();
  const partner = await startWorker('stub partner', 'workers/partner.ts', { PORT: String(port), SENT_AT_IN_BODY: '1' });
  const load = await startWorker('autocannon', 'workers/http-load.ts');
  const rounds: SideRound[] = [];
  const notes: string[] = [];
  let router;
  try {
    router = await startRouterProcess({
      name: 'router (S4)',
      routesDir: 'bench/routes/s4',
      rabbitmqUrl: context.rabbitmqUrl,
      cpuProfileDir: context.profileDir,
      env: { BENCH_PARTNER_URL: `http://127.0.0.1:${port}/settlements` },
    });
    sampler.watch(router.pid);
    const url = `${router.baseUrl}/async/api/start?flowName=${FLOW}`;
    const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PAYMENT_TEXT });
    if (probe.status !== 202) throw new Error(`S4 start answered ${probe.status}: ${await probe.text()}`);
    await partner.call('arrivals', { count: 1, timeoutMs: 30_000 });
    for (let round = 0; round < sizes.rounds; round += 1) {
      await partner.call('reset');
      const burst = await load.call<HttpLoadReport>('run', { url, body: PAYMENT_TEXT, connections: sizes.connections, amount: sizes.flowRuns, sentAtInBody: true });
      const done = await partner.call<ArrivalReport>('arrivals', { count: burst.ok, timeoutMs: 300_000 });
      if (done.count < burst.ok) notes.push(`round ${round + 1}: ${done.count} of ${burst.ok} started runs completed in time`);
      if (burst.failed) notes.push(`round ${round + 1}: ${burst.failed} starts failed`);
      const seconds = (done.lastAt - burst.startedAt) / 1000;
      const rate = done.count / seconds;
      const cpu = sampler.cpuBetween(router.pid, burst.startedAt, done.lastAt);
      const brokerCpu = sampler.cpuBetween(context.brokerPid, burst.startedAt, done.lastAt);
      await partner.call('reset');
      const steady = await load.call<HttpLoadReport>('run', {
        url,
        body: PAYMENT_TEXT,
        connections: sizes.connections,
        durationSeconds: sizes.halfSeconds,
        rate: Math.max(1, Math.round(rate / 2)),
        sentAtInBody: true,
      });
      const completed = await partner.call<ArrivalReport>('arrivals', { count: steady.ok, timeoutMs: 120_000 });
      rounds.push({
        full: { rate, ...done.latency, note: 'full load: a burst of starts; latency is start → partner, queueing included' },
        half: { rate: completed.count / sizes.halfSeconds, ...completed.latency },
        cpuPer1k: perThousand(cpu, done.count),
        brokerCpuPer1k: perThousand(brokerCpu, done.count),
        peakRssMiB: memory(router.pid)?.peakRssMiB,
      });
      context.log(`S4 round ${round + 1}: ${rate.toFixed(0)} runs/s, half-load p99 ${completed.latency?.p99.toFixed(1) ?? '–'} ms`);
    }
  } finally {
    sampler.forget(router?.pid);
    await router?.stop();
    await Promise.all([partner.stop(), load.stop()]);
    await context.amqp.call('cleanup', { queues: flowQueues() });
  }
  return {
    id: 'S4',
    title: 'flow: 3-step async flow started over the API (completed runs/s)',
    router: summarise(rounds),
    notes: ['no baseline: figures are completed runs'].concat(notes),
    raw: { router: rounds, baseline: [] },
  };
}
