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
      store = kind === 'memory' ? new MemoryIdempotencyStore() : new RedisIdempotencyStore(REDIS_URL, 'pipes:idem:test:');
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
        expect((claim as { record: { state: string; fingerprint: string } }).record).to.include({ state: 'in-progress', fingerprint: 'fp' });
      }
    });

    it('keeps a completed key with its result, and refuses to claim it again', async () => {
      const k = key();
      const claim = await store.claim(k, 'fp-1', 10_000);
      if (!claim.claimed) throw new Error('first claim refused');
      await store.complete(k, claim.token, 10_000, { status: 202, body: 'e30=' });
      expect(await store.get(k)).to.deep.equal({ state: 'done', fingerprint: 'fp-1', result: { status: 202, body: 'e30=' } });
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
});
