/**
 * Finished runs do not stay forever: both stores forget a finished run (and its history, marks and
 * idempotency key) after the retention, keep active and dead-lettered ones, and count what they evicted;
 * Redis sets the expiry on the run's keys itself. And a step's timeout stops the step's work: the http
 * producer's call is cancelled (the partner, a local server, sees its connection closed).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisRunStore } from '../../src/asyncengine/redis-run-store.js';
import { MemoryRunStore, type RunStore } from '../../src/asyncengine/run-store.js';
import { defaultConfig } from '../../src/config.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { REDIS_URL, requireRedisOrSkip, startRun, waitForRun } from './support.js';

const RETENTION_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeRetention(name: string, make: (onEvicted: (count: number) => void) => RunStore, setUp?: (context: Mocha.Context) => Promise<void>): void {
  describe(`${name} run store: retention`, function () {
    let store: RunStore;
    const evicted: number[] = [];
    const flow = `flow-${randomUUID().slice(0, 8)}`;

    before(async function () {
      await setUp?.(this);
      store = make((count) => evicted.push(count));
    });
    after(async () => {
      if (store instanceof RedisRunStore) await store.clear();
      await store?.close();
    });

    it('forgets finished runs and their keys after the retention, keeps active and dead-lettered ones', async () => {
      const [done, active, parked, keyed] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const hash = { key: 'k-1', payloadHash: 'h', ttlMs: RETENTION_MS };
      await store.createRun({ correlationId: done, flowName: flow, currentStep: 'a' });
      await store.appendHistory(done, { step: 'a', attempt: 1, startedAt: 't', finishedAt: 't', durationMs: 1, outcome: 'succeeded' });
      await store.transition(done, ['queued'], 'succeeded', { output: { ok: true }, finishedAt: new Date().toISOString() });
      await store.markDone(done, 'a');
      await store.createRun({ correlationId: active, flowName: flow, currentStep: 'a' });
      await store.createRun({ correlationId: parked, flowName: flow, currentStep: 'a' });
      await store.transition(parked, ['queued'], 'dead-lettered', {});
      expect((await store.createRun({ correlationId: keyed, flowName: flow, currentStep: 'a' }, hash)).outcome).to.equal('created');
      expect(await store.count()).to.be.at.least(4);
      const deadLetter = { flowName: flow, step: 'a', attempts: 1, errorClass: 'E', errorMessage: 'boom', firstFailureAt: 't', lastFailureAt: 't', queue: 'q', deadLetterQueue: 'q.dlq' };
      await store.putDeadLetter({ ...deadLetter, correlationId: done, chunk: 0, redrivable: false });
      await store.putDeadLetter({ ...deadLetter, correlationId: parked, redrivable: true });

      if (store instanceof RedisRunStore) {
        const redis = new Redis(REDIS_URL);
        try {
          const prefix = (store as unknown as { prefix: string }).prefix;
          for (const key of ['run', 'history', 'done']) {
            const ttl = await redis.pttl(`${prefix}${key}:${done}`);
            expect(ttl, key).to.be.greaterThan(0).and.at.most(RETENTION_MS);
          }
          expect(await redis.pttl(`${prefix}run:${active}`)).to.equal(-1);
        } finally {
          redis.disconnect();
        }
        await sleep(RETENTION_MS + 150);
        expect(await store.prune()).to.equal(1);
      } else {
        expect(await store.prune(Date.now() + RETENTION_MS + 1)).to.equal(1);
      }

      expect(await store.getRun(done)).to.equal(undefined);
      expect(await store.isDone(done, 'a')).to.equal(false);
      expect((await store.listRuns({ flowName: flow })).map((r) => r.correlationId)).to.have.members([active, parked, keyed]);
      expect(await store.count()).to.equal(3);
      expect((await store.listDeadLetters(flow)).map((r) => r.correlationId)).to.deep.equal([parked]);
      expect(evicted.reduce((a, b) => a + b, 0)).to.equal(1);
      // The key expired with the retention: the same key starts a new run.
      if (store instanceof RedisRunStore) await sleep(10);
      expect((await store.createRun({ correlationId: randomUUID(), flowName: flow, currentStep: 'a' }, hash)).outcome).to.equal('created');
    });
  });
}

describeRetention('memory', (onEvicted) => new MemoryRunStore({ retentionMs: RETENTION_MS, onEvicted }));
describeRetention(
  'redis',
  (onEvicted) => new RedisRunStore({ url: REDIS_URL, keyPrefix: `test:pipes:runs:${randomUUID().slice(0, 8)}:`, retentionMs: RETENTION_MS, onEvicted }),
  requireRedisOrSkip,
);

describe('retention configuration', () => {
  it('reads ASYNC_RUN_RETENTION as a duration, default 7 days in the engine', () => {
    expect(defaultConfig({ ASYNC_RUN_RETENTION: '48h' }).runRetentionMs).to.equal(48 * 3_600_000);
    expect(defaultConfig({}).runRetentionMs).to.equal(undefined);
  });
});

describe('async engine: a step timeout cancels the step’s work', function () {
  this.timeout(20_000);
  let test: TestRouter;
  let server: http.Server;
  const closed: number[] = [];
  const arrived: number[] = [];

  before(async () => {
    // A partner that never answers, and tells when the router hung up.
    server = http.createServer((request) => {
      arrived.push(Date.now());
      request.socket.once('close', () => closed.push(Date.now()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    test = await startRouter({
      'routes/flows.yaml': `
- flow:
    name: slow-partner
    steps:
      - name: call
        uri: "http://127.0.0.1:${port}/slow?responseTimeout=60s"
        timeout: 300ms
        retry: {maxAttempts: 1}
`,
    });
  });
  after(async () => {
    await test?.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes the partner call when the step times out, not when the call would have', async () => {
    const started = await startRun(test.baseUrl, 'slow-partner', { n: 1 });
    expect(started.status).to.equal(202);
    const run = await waitForRun(test.baseUrl, started.body.correlationId as string, ['dead-lettered', 'failed']);
    expect(run.error?.code).to.equal('TIMEOUT');
    const deadline = Date.now() + 3000;
    while (closed.length === 0 && Date.now() < deadline) await sleep(20);
    expect(arrived).to.have.length(1);
    expect(closed, 'the router closed the call').to.have.length(1);
    // Closed at the step's timeout (300 ms), far from the call's own 60 s.
    expect(closed[0]! - arrived[0]!).to.be.lessThan(2000);
  });
});
