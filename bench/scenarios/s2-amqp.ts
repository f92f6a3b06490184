/** S2, AMQP hop: queue → route (validate, map) → confirmed publish to another exchange, against a bare pump. */
import { startRouterProcess, startWorker } from '../lib/children.js';
import type { ScenarioResult } from '../lib/report.js';
import type { BenchContext } from './context.js';
import { drainResult, drainRounds, inputQueue, routerSideQueues } from './drain.js';

export const S2 = {
  routerQueue: 'bench.s2.router.in',
  pumpQueue: 'bench.s2.pump.in',
  exchange: 'bench.s2.out',
  routingKey: 'posting.booked',
  sink: 'bench.s2.sink',
  concurrency: 8,
};

export async function setUpS2(context: BenchContext): Promise<void> {
  await context.amqp.call('setup', {
    exchanges: [{ name: S2.exchange, type: 'topic' }],
    queues: [inputQueue(S2.routerQueue), inputQueue(S2.pumpQueue), { name: S2.sink }],
    bindings: [{ exchange: S2.exchange, queue: S2.sink, routingKey: S2.routingKey }],
  });
  await context.amqp.call('sink', { queue: S2.sink });
}

export async function cleanUpS2(context: BenchContext): Promise<void> {
  await context.amqp.call('close');
  await context.amqp.call('cleanup', {
    queues: [...routerSideQueues(S2.routerQueue), S2.pumpQueue, S2.sink],
    exchanges: [S2.exchange],
  });
}

export function startS2Router(context: BenchContext, name = 'router (S2)') {
  return startRouterProcess({ name, routesDir: 'bench/routes/s2', rabbitmqUrl: context.rabbitmqUrl, cpuProfileDir: context.profileDir });
}

export async function runS2(context: BenchContext): Promise<ScenarioResult> {
  await setUpS2(context);
  try {
    const pump = (coalesce: boolean) => () =>
      startWorker('baseline amqp-pump', 'baselines/amqp-pump.ts', {
        RABBITMQ_URL: context.rabbitmqUrl,
        QUEUE: S2.pumpQueue,
        EXCHANGE: S2.exchange,
        ROUTING_KEY: S2.routingKey,
        CONCURRENCY: String(S2.concurrency),
        COALESCE_WRITES: coalesce ? '1' : '0',
      }, context.profileDir);
    const { rounds, notes } = await drainRounds(context, {
      id: 'S2',
      count: context.sizes.preload,
      far: context.amqp,
      sides: [
        { name: 'router', queue: S2.routerQueue, start: () => startS2Router(context) },
        { name: 'baseline', queue: S2.pumpQueue, start: pump(false) },
      ],
      reference: { name: 'reference', queue: S2.pumpQueue, start: pump(true), halfLoad: false },
    });
    return drainResult(rounds, notes, {
      id: 'S2',
      title: 'AMQP hop: queue → validate → map → confirmed publish',
      baselineName: 'bare pump',
      referenceName: 'bare pump, writes coalesced',
      atLeast: 0.8,
      referenceAtLeast: 0.9,
    });
  } finally {
    await cleanUpS2(context);
  }
}
