import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import {
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  type IdempotencyStore,
} from '../../src/reliability/idempotency-store.js';
import { REDIS_URL, requireRedisOrSkip } from '../asyncengine/support.js';

for (const kind of ['memory', 'redis'] as const) {
  describe(`idempotency store (${kind})`, function () {
    let store: IdempotencyStore;
    const key = (): string => `test:${randomUUID()}`;

    before(async function () {
      if (kind === 'redis') await requireRedisOrSkip(this);
      store =
        kind === 'memory'
          ? new MemoryIdempotencyStore()
          : new RedisIdempotencyStore(REDIS_URL, 'pipes:idem:test:');
    });

    after(async () => {
      await store?.close();
    });

    it('lets exactly one of many concurrent claims of a key win', async () => {
      const k = key();
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claim(k, 'fp', 10_000)));
      expect(claims.filter((c) => c.claimed)).to.have.length(1);
      for (const claim of claims.filter((c) => !c.claimed)) {
        expect(claim).to.deep.include({ claimed: false });
        expect((claim as { record: { state: string; fingerprint: string } }).record).to.include({
          state: 'in-progress',
          fingerprint: 'fp',
        });
      }
    });

    it('keeps a completed key with its result, and refuses to claim it again', async () => {
      const k = key();
      const claim = await store.claim(k, 'fp-1', 10_000);
      if (!claim.claimed) throw new Error('first claim refused');
      await store.complete(k, claim.token, 10_000, { status: 202, body: 'e30=' });
      expect(await store.get(k)).to.deep.equal({
        state: 'done',
        fingerprint: 'fp-1',
        result: { status: 202, body: 'e30=' },
      });
      const again = await store.claim(k, 'fp-1', 10_000);
      expect(again.claimed).to.equal(false);
    });

    it('frees a released key for the next claim; a release with another token changes nothing', async () => {
      const k = key();
      const claim = await store.claim(k, 'fp', 10_000);
      if (!claim.claimed) throw new Error('first claim refused');
      await store.release(k, 'not-the-holder');
      expect((await store.get(k))?.state).to.equal('in-progress');
      await store.release(k, claim.token);
      expect(await store.get(k)).to.equal(undefined);
      expect((await store.claim(k, 'fp', 10_000)).claimed).to.equal(true);
    });

    it('lets a claim lapse after its lease, and a holder overtaken since cannot complete it', async () => {
      const k = key();
      const stale = await store.claim(k, 'fp', 50);
      if (!stale.claimed) throw new Error('first claim refused');
      await sleep(120);
      const fresh = await store.claim(k, 'fp', 10_000);
      expect(fresh.claimed).to.equal(true);
      await store.complete(k, stale.token, 10_000, 'stale');
      expect((await store.get(k))?.state).to.equal('in-progress');
    });
  });
}

describe('idempotency store (memory): bounded', () => {
  it('drops the oldest keys beyond its size', async () => {
    const store = new MemoryIdempotencyStore(10);
    for (let i = 0; i < 25; i++) {
      const claim = await store.claim(`k${i}`, '', 60_000);
      if (claim.claimed) await store.complete(`k${i}`, claim.token, 60_000);
    }
    expect(store.size).to.equal(10);
    expect(await store.get('k0')).to.equal(undefined);
    expect((await store.get('k24'))?.state).to.equal('done');
  });

  it('drops the message-id completed longest ago: a duplicate check does not keep a key, completing it again does', async () => {
    const store = new MemoryIdempotencyStore(3);
    const complete = async (key: string): Promise<void> => {
      const claim = await store.claim(key, '', 60_000);
      if (!claim.claimed) throw new Error(`${key} not claimed`);
      await store.complete(key, claim.token, 60_000);
    };
    for (const key of ['a', 'b', 'c']) await complete(key);
    // Looking at 'a' (a duplicate arriving) does not make it newer.
    expect((await store.claim('a', '', 60_000)).claimed).to.equal(false);
    await complete('d');
    expect(await store.get('a')).to.equal(undefined);
    expect((await store.get('b'))?.state).to.equal('done');
    await complete('e');
    expect(await store.get('b')).to.equal(undefined);
    expect((await store.get('c'))?.state).to.equal('done');
    expect(store.size).to.equal(3);
  });

  it('keeps HTTP answers (with results) in an LRU: a duplicate check does not keep a key, completing it does', async () => {
    const store = new MemoryIdempotencyStore(3);
    const answer = async (key: string): Promise<void> => {
      const claim = await store.claim(key, `fp-${key}`, 60_000);
      if (!claim.claimed) throw new Error(`${key} not claimed`);
      await store.complete(key, claim.token, 60_000, { status: 201, key });
    };
    for (const key of ['a', 'b', 'c']) await answer(key);
    expect((await store.claim('a', 'fp-a', 60_000)).claimed).to.equal(false);
    await answer('d');
    expect(await store.get('a')).to.equal(undefined);
    expect(await store.get('b')).to.deep.equal({
      state: 'done',
      fingerprint: 'fp-b',
      result: { status: 201, key: 'b' },
    });
    expect(store.size).to.equal(3);
  });

  it('drops the oldest claim in progress beyond its size (claims nobody completes or releases)', async () => {
    const store = new MemoryIdempotencyStore(3);
    for (const key of ['a', 'b', 'c', 'd'])
      expect((await store.claim(key, 'fp', 60_000)).claimed).to.equal(true);
    expect(await store.get('a')).to.equal(undefined);
    for (const key of ['b', 'c', 'd']) expect((await store.get(key))?.state).to.equal('in-progress');
    expect(store.size).to.equal(3);
  });

  it('a message-id done and then past its retention can be claimed and completed again', async () => {
    const store = new MemoryIdempotencyStore(3);
    const first = await store.claim('m', '', 60_000);
    if (!first.claimed) throw new Error('m not claimed');
    await store.complete('m', first.token, 30);
    expect((await store.claim('m', '', 60_000)).claimed).to.equal(false);
    await sleep(60);
    expect(await store.get('m')).to.equal(undefined);
    const second = await store.claim('m', '', 60_000);
    if (!second.claimed) throw new Error('m not claimed after its retention');
    await store.complete('m', second.token, 60_000);
    expect(await store.get('m')).to.deep.equal({ state: 'done', fingerprint: '' });
    // A late completion by the first holder changes nothing.
    await store.complete('m', first.token, 60_000, 'late');
    expect(await store.get('m')).to.deep.equal({ state: 'done', fingerprint: '' });
  });

  it('keeps its size and order past it: 120,000 claims through a store of 50,000 keys', async () => {
    const store = new MemoryIdempotencyStore(50_000);
    for (let i = 0; i < 120_000; i++) {
      const claim = await store.claim(`m${i}`, '', 60_000);
      if (!claim.claimed) throw new Error(`m${i} not claimed`);
      await store.complete(`m${i}`, claim.token, 60_000);
    }
    expect(store.size).to.equal(50_000);
    expect(await store.get('m69999')).to.equal(undefined);
    expect((await store.get('m70000'))?.state).to.equal('done');
    expect((await store.get('m119999'))?.state).to.equal('done');
  });

  it('never hands out the same token twice', async () => {
    const store = new MemoryIdempotencyStore();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const claim = await store.claim(`t${i}`, '', 60_000);
      if (!claim.claimed) throw new Error('not claimed');
      seen.add(claim.token);
      await store.release(`t${i}`, claim.token);
    }
    expect(seen.size).to.equal(1000);
  });
});
