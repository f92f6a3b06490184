/**
 * One suite, both run stores: compare-and-set transitions, idempotency keys, once-only completion marks,
 * chunk counters, claims and the dead-letter index behave the same in memory and in Redis.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { RedisRunStore } from '../../src/asyncengine/redis-run-store.js';
import { MemoryRunStore, type RunStore } from '../../src/asyncengine/run-store.js';
import { chunkCounts, payloadHash } from '../../src/asyncengine/flow-engine.js';
import { nominalDelay, retryDelay, isRetryable } from '../../src/reliability/retry-policy.js';
import { HttpOperationFailedError, JsonValidationError, TimeoutError } from '../../src/errors/index.js';
import { REDIS_URL, requireRedisOrSkip } from './support.js';

function describeStore(name: string, make: () => RunStore | Promise<RunStore>, setUp?: (context: Mocha.Context) => Promise<void>): void {
  describe(`${name} run store`, function () {
    let store: RunStore;
    const flow = `flow-${randomUUID().slice(0, 8)}`;

    before(async function () {
      await setUp?.(this);
      store = await make();
    });
    after(async () => {
      if (store instanceof RedisRunStore) await store.clear();
      await store?.close();
    });

    it('creates a queued run and moves it only from the states given (compare-and-set)', async () => {
      const id = randomUUID();
      const created = await store.createRun({ correlationId: id, flowName: flow, currentStep: 'a' });
      expect(created.outcome).to.equal('created');
      expect((await store.getRun(id))!.state).to.equal('queued');
      expect(await store.transition(id, ['queued'], 'running', { currentStep: 'a' })).to.include({ state: 'running' });
      const results = await Promise.all([
        store.transition(id, ['running'], 'succeeded', { output: { n: 1 }, finishedAt: 'now' }),
        store.transition(id, ['running'], 'succeeded', { output: { n: 2 }, finishedAt: 'now' }),
      ]);
      expect(results.filter(Boolean)).to.have.length(1);
      const run = (await store.getRun(id))!;
      expect(run.state).to.equal('succeeded');
      expect(run.output).to.deep.equal(results.find(Boolean)!.output);
      expect(await store.transition(id, ['queued', 'running', 'retrying'], 'failed')).to.equal(undefined);
      expect(await store.transition(randomUUID(), ['queued'], 'running')).to.equal(undefined);
    });

    it('keeps idempotency keys: same hash → existing, other hash → conflict, released → new', async () => {
      const key = randomUUID();
      const first = randomUUID();
      expect((await store.createRun({ correlationId: first, flowName: flow }, { key, payloadHash: 'h1', ttlMs: 60_000 })).outcome).to.equal('created');
      expect(await store.createRun({ correlationId: randomUUID(), flowName: flow }, { key, payloadHash: 'h1', ttlMs: 60_000 })).to.deep.equal({ outcome: 'existing', correlationId: first });
      expect(await store.createRun({ correlationId: randomUUID(), flowName: flow }, { key, payloadHash: 'h2', ttlMs: 60_000 })).to.deep.equal({ outcome: 'conflict', correlationId: first });
      await store.releaseIdempotencyKey(flow, key, first);
      expect((await store.createRun({ correlationId: randomUUID(), flowName: flow }, { key, payloadHash: 'h2', ttlMs: 60_000 })).outcome).to.equal('created');
    });

    it('marks steps done once, counts each chunk once, and leases work to one owner at a time', async () => {
      const id = randomUUID();
      await store.createRun({ correlationId: id, flowName: flow });
      expect(await store.markDone(id, 'a')).to.equal(true);
      expect(await store.markDone(id, 'a')).to.equal(false);
      expect(await store.isDone(id, 'a')).to.equal(true);
      const counts = { attempted: 10, succeeded: 7, skipped: 2, failed: 1 };
      const [one, duplicate, two] = await Promise.all([
        store.recordChunk(id, 'ingest', 0, counts),
        store.recordChunk(id, 'ingest', 0, counts),
        store.recordChunk(id, 'ingest', 1, counts),
      ]);
      expect([one.first, duplicate.first, two.first].filter(Boolean)).to.have.length(2);
      const progress = await store.recordChunk(id, 'ingest', 1, counts);
      expect(progress).to.deep.equal({ first: false, done: 2, totals: { attempted: 20, succeeded: 14, skipped: 4, failed: 2 } });
      expect(await store.claim(id, 'a', 'w1', 60_000)).to.equal(true);
      expect(await store.claim(id, 'a', 'w2', 60_000)).to.equal(false);
      await store.release(id, 'a', 'w2');
      expect(await store.claim(id, 'a', 'w2', 60_000)).to.equal(false);
      await store.release(id, 'a', 'w1');
      expect(await store.claim(id, 'a', 'w2', 60_000)).to.equal(true);
    });

    it('lists runs by flow and state, newest first, and keeps history in order', async () => {
      const other = `${flow}-list`;
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) {
        await store.createRun({ correlationId: id, flowName: other });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await store.transition(ids[1]!, ['queued'], 'dead-lettered', { error: { code: 'X', errorClass: 'E', message: 'm' } });
      expect((await store.listRuns({ flowName: other })).map((r) => r.correlationId)).to.deep.equal([...ids].reverse());
      expect((await store.listRuns({ flowName: other, state: 'dead-lettered' })).map((r) => r.correlationId)).to.deep.equal([ids[1]]);
      expect((await store.listRuns({ flowName: other, state: 'queued', limit: 1 })).map((r) => r.correlationId)).to.deep.equal([ids[2]]);
      for (const step of ['a', 'b']) {
        await store.appendHistory(ids[0]!, { step, attempt: 1, startedAt: 's', finishedAt: 'f', durationMs: 1, outcome: 'succeeded' });
      }
      expect((await store.getRun(ids[0]!))!.history.map((h) => h.step)).to.deep.equal(['a', 'b']);
      const redriven = await store.transition(ids[1]!, ['dead-lettered'], 'queued', { clearError: true, countRedrive: true });
      expect(redriven).to.include({ state: 'queued', redrives: 1 });
      expect(redriven!.error).to.equal(undefined);
    });

    it('lists a principal’s own runs only when asked by owner, newest first, up to the limit', async () => {
      const ownFlow = `${flow}-owners`;
      const ids: { id: string; owner: string }[] = [];
      for (let i = 0; i < 12; i++) {
        const id = randomUUID();
        const owner = i % 3 === 0 ? 'alice' : 'bob';
        ids.push({ id, owner });
        await store.createRun({ correlationId: id, flowName: ownFlow, currentStep: 'a', owner });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const alices = ids.filter((r) => r.owner === 'alice').map((r) => r.id).reverse();
      expect((await store.listRuns({ flowName: ownFlow, owner: 'alice' })).map((r) => r.correlationId)).to.deep.equal(alices);
      expect((await store.listRuns({ flowName: ownFlow, owner: 'alice', limit: 2 })).map((r) => r.correlationId)).to.deep.equal(alices.slice(0, 2));
      expect((await store.listRuns({ owner: 'alice' })).every((r) => r.owner === 'alice')).to.equal(true);
      expect(await store.listRuns({ flowName: ownFlow, owner: 'mallory' })).to.deep.equal([]);
      expect(await store.listRuns({ flowName: ownFlow })).to.have.length(12);
      expect((await store.getRun(alices[0]!))!.owner).to.equal('alice');
    });

    it('indexes dead letters per flow and removes those of a run', async () => {
      const id = randomUUID();
      const record = {
        correlationId: id, flowName: flow, step: 'a', attempts: 3, errorClass: 'E', errorMessage: 'boom',
        firstFailureAt: 't1', lastFailureAt: 't2', queue: 'q', deadLetterQueue: 'q.dlq', redrivable: true,
      };
      await store.putDeadLetter(record);
      await store.putDeadLetter({ ...record, chunk: 2, redrivable: false });
      expect((await store.listDeadLetters(flow)).filter((r) => r.correlationId === id)).to.have.length(2);
      await store.removeDeadLetters(flow, id);
      expect((await store.listDeadLetters(flow)).filter((r) => r.correlationId === id)).to.deep.equal([]);
    });
  });
}

describeStore('memory', () => new MemoryRunStore());
describeStore('redis', () => new RedisRunStore({ url: REDIS_URL, keyPrefix: `test:pipes:runs:${randomUUID().slice(0, 8)}:` }), requireRedisOrSkip);

describe('retry policy and chunk counting', () => {
  const policy = { maxAttempts: 6, initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000, jitter: 0.5 };

  it('backs off exponentially up to the cap, jitter only shortening, Retry-After honoured', () => {
    expect([1, 2, 3, 4].map((a) => nominalDelay(policy, a))).to.deep.equal([100, 300, 900, 1000]);
    expect(retryDelay(policy, 2, undefined, () => 0)).to.equal(300);
    expect(retryDelay(policy, 2, undefined, () => 1)).to.equal(150);
    const busy = new HttpOperationFailedError('https://p', 429, '', 800);
    expect(retryDelay(policy, 1, busy, () => 0)).to.equal(800);
  });

  it('retries network, timeout, 5xx, 408 and 429, never 4xx or validation errors', () => {
    expect(isRetryable(new TimeoutError('slow'))).to.equal(true);
    expect(isRetryable(new HttpOperationFailedError('u', 503, ''))).to.equal(true);
    expect(isRetryable(new HttpOperationFailedError('u', 408, ''))).to.equal(true);
    expect(isRetryable(new HttpOperationFailedError('u', 404, ''))).to.equal(false);
    expect(isRetryable(new JsonValidationError('bad', []))).to.equal(false);
    expect(isRetryable(new Error('bug'))).to.equal(false);
    expect(isRetryable(Object.assign(new Error('flaky'), { retryable: true }))).to.equal(true);
  });

  it('counts a chunk from what the step reported, exactly', () => {
    expect(chunkCounts({ skipped: 2, failed: 1 }, [1, 2, 3, 4, 5])).to.deep.equal({ attempted: 5, succeeded: 2, skipped: 2, failed: 1 });
    expect(chunkCounts('done', [1, 2])).to.deep.equal({ attempted: 2, succeeded: 2, skipped: 0, failed: 0 });
    expect(chunkCounts({ failed: 9 }, [1, 2])).to.deep.equal({ attempted: 2, succeeded: 0, skipped: 0, failed: 2 });
  });

  it('binds an idempotency key to the payload whatever the key order', () => {
    expect(payloadHash({ a: 1, b: [1, { c: 2, d: 3 }] })).to.equal(payloadHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(payloadHash({ a: 1 })).to.not.equal(payloadHash({ a: 2 }));
    expect(payloadHash({ a: 1 }, 'https://x')).to.not.equal(payloadHash({ a: 1 }));
  });
});
