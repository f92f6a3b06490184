/**
 * Chunked work against the real broker and Redis: a 10,000-item payload split into chunks of 1,000, each
 * a message of its own (one of them failing once and retried), ends with exact counts.
 */
import { expect } from 'chai';
import { flowEngine } from '../../src/asyncengine/index.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { REDIS_URL, deleteQueues, flowQueueNames, requireRedisOrSkip, startRun, uniqueFlow, waitForRun } from '../asyncengine/support.js';

const INGEST = `
const failedOnce = new Set();
export default async function ingest(items, context) {
  // Chunk 3 fails once, transiently: its retry must not count its items twice.
  const key = context.correlationId + ':' + context.chunk.index;
  if (context.chunk.index === 3 && !failedOnce.has(key)) {
    failedOnce.add(key);
    throw Object.assign(new Error('ledger busy'), { retryable: true });
  }
  let skipped = 0;
  let failed = 0;
  for (const item of items) {
    if (item.i % 10 === 0) skipped++;
    else if (item.i % 7 === 0) failed++;
  }
  return { succeeded: items.length - skipped - failed, skipped, failed };
}`;

const SUMMARISE = `
export default async function summarise(counts, context) {
  return { ...counts, summarisedFor: context.correlationId };
}`;

describe('async engine chunked work (e2e, RabbitMQ + Redis)', function () {
  this.timeout(60_000);
  const flow = uniqueFlow('bulk');
  let test: TestRouter;
  let queues: string[] = [];

  before(async function () {
    await requireBrokerOrSkip(this);
    await requireRedisOrSkip(this);
    test = await startRouter(
      {
        'routes/bulk.yaml': `
- flow:
    name: ${flow}
    input: {type: object, required: [items], properties: {items: {type: array}}}
    steps:
      - name: ingest
        uri: "script:scripts/ingest.mjs"
        concurrency: 4
        chunk: {size: 1000, items: items}
        retry: {maxAttempts: 3, initialDelay: 50ms, jitter: 0}
      - name: summarise
        uri: "script:scripts/summarise.mjs"
`,
        'routes/scripts/ingest.mjs': INGEST,
        'routes/scripts/summarise.mjs': SUMMARISE,
      },
      { rabbitmqUrl: brokerUrl(), redisUrl: REDIS_URL, bodyLimitBytes: 4 * 1024 * 1024 },
    );
    queues = flowQueueNames(flowEngine(test.router.services)!.topology());
  });

  after(async () => {
    await test?.stop();
    await deleteQueues(queues);
  });

  it('splits 10,000 items into 10 chunks and reports exact counts once every chunk is done', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ i, account: `ACC-${i}` }));
    const started = await startRun(test.baseUrl, flow, { items });
    expect(started.status).to.equal(202);
    const correlationId = started.body.correlationId as string;
    const run = await waitForRun(test.baseUrl, correlationId, ['succeeded'], { timeoutMs: 40_000 });

    // skipped: multiples of 10 (1000); failed: multiples of 7 that are not multiples of 10 (1429 - 143).
    const expected = { attempted: 10_000, succeeded: 7714, skipped: 1000, failed: 1286 };
    expect(run.counts).to.deep.equal(expected);
    expect(run.output).to.deep.equal({ ...expected, summarisedFor: correlationId });
    expect(run.history.map((h) => `${h.step}:${h.outcome}${h.chunk === undefined ? '' : `#${h.chunk}`}`)).to.deep.equal([
      'ingest:retrying#3',
      'ingest:succeeded',
      'summarise:succeeded',
    ]);
    expect(run.history[1]).to.include({ chunks: 10 });
    expect(run.history[1]!.counts).to.deep.equal(expected);
  });

  it('refuses a payload that is not an array where the chunked first step expects one (400, nothing enqueued)', async () => {
    const started = await startRun(test.baseUrl, flow, { items: 'not a list' });
    expect(started.status).to.equal(400);
    expect(started.body.error).to.equal('VALIDATION_FAILED');
  });
});
