/** S3, connector: queue → circuitBreaker → HTTP POST to a stub partner, against a bare consume → POST. */
import { freePort, startRouterProcess, startWorker } from '../lib/children.js';
import type { ScenarioResult } from '../lib/report.js';
import type { BenchContext } from './context.js';
import { drainResult, drainRounds, inputQueue, routerSideQueues } from './drain.js';

const ROUTER_QUEUE = 'bench.s3.router.in';
const PUMP_QUEUE = 'bench.s3.pump.in';
const CONCURRENCY = 8;

export async function runS3(context: BenchContext): Promise<ScenarioResult> {
  await context.amqp.call('setup', { queues: [inputQueue(ROUTER_QUEUE), inputQueue(PUMP_QUEUE)] });
  const port = await freePort();
  const partner = await startWorker('stub partner', 'workers/partner.ts', { PORT: String(port) });
  const partnerUrl = `http://127.0.0.1:${port}/payments`;
  try {
    const pump = (coalesce: boolean) => () =>
      startWorker('baseline amqp-http-pump', 'baselines/amqp-http-pump.ts', {
        RABBITMQ_URL: context.rabbitmqUrl,
        QUEUE: PUMP_QUEUE,
        PARTNER_URL: partnerUrl,
        CONCURRENCY: String(CONCURRENCY),
        COALESCE_WRITES: coalesce ? '1' : '0',
      }, context.profileDir);
    const { rounds, notes } = await drainRounds(context, {
      id: 'S3',
      count: context.sizes.connectorPreload,
      far: partner,
      sides: [
        {
          name: 'router',
          queue: ROUTER_QUEUE,
          start: () =>
            startRouterProcess({
              name: 'router (S3)',
              routesDir: 'bench/routes/s3',
              rabbitmqUrl: context.rabbitmqUrl,
              cpuProfileDir: context.profileDir,
              env: { BENCH_PARTNER_URL: partnerUrl },
            }),
        },
        { name: 'baseline', queue: PUMP_QUEUE, start: pump(false) },
      ],
      reference: { name: 'reference', queue: PUMP_QUEUE, start: pump(true), halfLoad: false },
    });
    return drainResult(rounds, notes, {
      id: 'S3',
      title: 'connector: queue → circuitBreaker → HTTP POST to a stub partner',
      baselineName: 'consume → POST',
      referenceName: 'consume → POST, writes coalesced',
      atLeast: 0.8,
      referenceAtLeast: 0.9,
    });
  } finally {
    await partner.stop();
    await context.amqp.call('cleanup', { queues: [...routerSideQueues(ROUTER_QUEUE), PUMP_QUEUE] });
  }
}
