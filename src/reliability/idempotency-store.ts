/**
 * Where the router remembers what it already did, so a duplicate is answered instead of done again:
 * `Idempotency-Key` on HTTP entries (the first answer is replayed) and AMQP message-ids on consuming
 * routes (a message delivered before is acked without running the route again).
 *
 * One key goes through two states. `claim` reserves it (`in-progress`, with a lease so a crashed holder
 * does not block it forever); the holder then either `complete`s it (`done`, kept for the retention time,
 * optionally with the answer to replay) or `release`s it (the work failed and may be tried again). Only
 * the holder's token can complete or release a claim, so a late holder whose lease ran out cannot undo
 * the work of the one that took over.
 *
 * In memory by default (bounded, per process); in Redis when `REDIS_URL` is set, so every router sharing
 * the Redis sees the same keys (`pipes:idem:*`). The async engine keeps its own run-level keys.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { DoneKeyWindow } from './done-key-window.js';
import type { Logger } from '../observability/logger.js';
import type { RouterServices } from '../runtime/services.js';
import { defineState } from '../state/index.js';

export type IdempotencyRecord =
  | { state: 'in-progress'; fingerprint: string; token: string }
  | { state: 'done'; fingerprint: string; result?: unknown };

export type ClaimOutcome = { claimed: true; token: string } | { claimed: false; record: IdempotencyRecord };

export interface IdempotencyStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Reserves `key` for `leaseMs` when nobody holds it and it was not done; otherwise returns what is there.
   * `fingerprint` says what the key was used for (a hash of the request), so a reuse for something else shows.
   */
  claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome>;
  /** Marks a claimed key done for `retentionMs`, with an optional JSON result to hand to duplicates. */
  complete(key: string, token: string, retentionMs: number, result?: unknown): Promise<void>;
  /** Gives a claimed key up (the work failed and may be tried again). A key held by another token is left. */
  release(key: string, token: string): Promise<void>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  close(): Promise<void>;
}

/** How long a done key is remembered unless a caller says otherwise. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long an in-progress claim holds before another holder may take over. */
export const DEFAULT_LEASE_MS = 2 * 60 * 1000;

interface MemoryEntry {
  record: IdempotencyRecord;
  expiresAt: number;
  /** The key's digest, worked out at the claim for the done window. */
  digest?: Uint32Array;
}

/**
 * Three bounded parts, each holding up to `maxEntries` keys:
 * - keys done without a result, with no fingerprint or a 64-bit one (what a consuming route records for
 *   each message-id with a digest of its body, the bulk) in a {@link DoneKeyWindow}: typed arrays allocated once, ~34 bytes per key, no per-key objects
 *   for V8 to promote and collect; the keys of the last `maxEntries` completions;
 * - HTTP Idempotency-Key answers (done with a fingerprint and a result) in an LRU (lru-cache): the key
 *   written longest ago goes first; reads peek, so a duplicate check never makes a key newer;
 * - claims in progress in a Map: as many as messages and requests are being worked on; beyond
 *   `maxEntries` (claims nobody completes or releases) the oldest is dropped.
 * Expiry is checked on access; an expired key still takes a place until it is dropped as the oldest.
 * (Claims are not kept in the LRU: it is emptied with one delete per message, and lru-cache resets all
 * its `max`-sized arrays whenever its last entry goes.)
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory';
  private readonly claims = new Map<string, MemoryEntry>();
  private readonly answers: LRUCache<string, MemoryEntry>;
  private readonly done: DoneKeyWindow;
  /** Tokens only need to be unique within this store; a counter is cheaper than a UUID per message. */
  private readonly tokenPrefix = `${randomUUID()}:`;
  private tokens = 0;

  constructor(private readonly maxEntries = 100_000) {
    this.answers = new LRUCache({ max: maxEntries });
    this.done = new DoneKeyWindow(maxEntries);
  }

  get size(): number {
    return this.claims.size + this.answers.size + this.done.size;
  }

  claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    const digest = DoneKeyWindow.digest(key);
    const existing = this.lookup(key, digest);
    if (existing) return Promise.resolve({ claimed: false, record: existing });
    const token = `${this.tokenPrefix}${++this.tokens}`;
    this.claims.set(key, {
      record: { state: 'in-progress', fingerprint, token },
      expiresAt: expiry(leaseMs),
      digest,
    });
    if (this.claims.size > this.maxEntries) this.claims.delete(this.claims.keys().next().value!);
    return Promise.resolve({ claimed: true, token });
  }

  complete(key: string, token: string, retentionMs: number, result?: unknown): Promise<void> {
    const claim = this.liveClaim(key);
    if (claim) {
      // A holder whose lease ran out and was overtaken leaves the newer claim alone.
      if (claim.record.state !== 'in-progress' || claim.record.token !== token) return Promise.resolve();
      this.claims.delete(key);
    }
    const digest = claim?.digest ?? DoneKeyWindow.digest(key);
    // Done already (by a holder whose lease had lapsed): the first completion stands.
    if (!claim && this.lookup(key, digest)) return Promise.resolve();
    const fingerprint = claim?.record.fingerprint ?? '';
    if (result === undefined && DoneKeyWindow.holds(fingerprint)) this.done.add(digest, expiry(retentionMs), fingerprint);
    else {
      const record: IdempotencyRecord = {
        state: 'done',
        fingerprint,
        ...(result === undefined ? {} : { result }),
      };
      // set moves the key to the newest end; beyond max the oldest is dropped.
      this.answers.set(key, { record, expiresAt: expiry(retentionMs) });
    }
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    const claim = this.liveClaim(key);
    if (claim?.record.state === 'in-progress' && claim.record.token === token) this.claims.delete(key);
    return Promise.resolve();
  }

  get(key: string): Promise<IdempotencyRecord | undefined> {
    return Promise.resolve(this.lookup(key, DoneKeyWindow.digest(key)));
  }

  close(): Promise<void> {
    this.claims.clear();
    this.answers.clear();
    this.done.clear();
    return Promise.resolve();
  }

  /** What the store holds for a key: done (either kind) before a claim in progress. */
  private lookup(key: string, digest: Uint32Array): IdempotencyRecord | undefined {
    const fingerprint = this.done.fingerprintOf(digest, Date.now());
    if (fingerprint !== undefined) return { state: 'done', fingerprint };
    const answer = this.answers.peek(key);
    if (answer) {
      if (answer.expiresAt > Date.now()) return answer.record;
      this.answers.delete(key);
    }
    return this.liveClaim(key)?.record;
  }

  private liveClaim(key: string): MemoryEntry | undefined {
    const claim = this.claims.get(key);
    if (claim && claim.expiresAt <= Date.now()) {
      this.claims.delete(key);
      return undefined;
    }
    return claim;
  }
}

function expiry(ttlMs: number): number {
  return Date.now() + Math.max(1, ttlMs);
}

const COMPLETE = `
local v = redis.call('GET', KEYS[1])
if v then
  local ok, record = pcall(cjson.decode, v)
  if not ok or record.state ~= 'in-progress' or record.token ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

const RELEASE = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, record = pcall(cjson.decode, v)
if ok and record.state == 'in-progress' and record.token == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

interface Scripts {
  pipesIdemComplete(key: string, token: string, value: string, ttlMs: number): Promise<number>;
  pipesIdemRelease(key: string, token: string): Promise<number>;
}

/** Keys in Redis under `pipes:idem:`; a claim is one `SET NX PX`, so routers sharing the Redis agree. */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly kind = 'redis';
  private readonly redis: Redis & Scripts;

  constructor(
    url: string,
    private readonly prefix = 'pipes:idem:',
  ) {
    const redis = new Redis(url, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
    redis.defineCommand('pipesIdemComplete', { numberOfKeys: 1, lua: COMPLETE });
    redis.defineCommand('pipesIdemRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as Redis & Scripts;
  }

  onError(listener: (error: Error) => void): void {
    this.redis.on('error', listener);
  }

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    const token = randomUUID();
    const value = JSON.stringify({ state: 'in-progress', fingerprint, token });
    // Two rounds: the key may expire between a refused SET and the GET that reads it.
    for (let round = 0; round < 2; round++) {
      const set = await this.redis.set(
        this.prefix + key,
        value,
        'PX',
        Math.max(1, Math.round(leaseMs)),
        'NX',
      );
      if (set === 'OK') return { claimed: true, token };
      const record = await this.get(key);
      if (record) return { claimed: false, record };
    }
    return { claimed: false, record: { state: 'in-progress', fingerprint, token: '' } };
  }

  async complete(key: string, token: string, retentionMs: number, result?: unknown): Promise<void> {
    const existing = await this.get(key);
    const fingerprint = existing?.fingerprint ?? '';
    const value = JSON.stringify({ state: 'done', fingerprint, ...(result === undefined ? {} : { result }) });
    await this.redis.pipesIdemComplete(this.prefix + key, token, value, Math.max(1, Math.round(retentionMs)));
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.pipesIdemRelease(this.prefix + key, token);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const value = await this.redis.get(this.prefix + key);
    if (value === null) return undefined;
    try {
      const record = JSON.parse(value) as IdempotencyRecord;
      return record.state === 'in-progress' || record.state === 'done' ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

interface SharedStore {
  store?: IdempotencyStore;
  users: number;
}

/** One store (one Redis connection) per router, shared by its route sets. */
const IDEMPOTENCY_STORE = defineState<SharedStore>('idempotency-store', { scope: 'router' }, () => ({ users: 0 }));

/**
 * The store of one router, shared by its HTTP door and its consumers, opened by the first user and closed
 * when the last one lets go (`release`), so a stopped router leaves no Redis connection behind.
 */
export function useIdempotencyStore(
  services: RouterServices,
  logger: Logger = services.logger,
): { store: IdempotencyStore; release(): Promise<void> } {
  const shared = IDEMPOTENCY_STORE.of(services);
  shared.store ??= createStore(services, logger);
  shared.users++;
  const store = shared.store;
  let released = false;
  return {
    store,
    async release() {
      if (released) return;
      released = true;
      shared.users--;
      if (shared.users > 0 || shared.store !== store) return;
      shared.store = undefined;
      await store.close();
    },
  };
}

function createStore(services: RouterServices, logger: Logger): IdempotencyStore {
  const url = services.config.redisUrl;
  if (!url) return new MemoryIdempotencyStore();
  const store = new RedisIdempotencyStore(url);
  let last = 0;
  store.onError((error) => {
    // ioredis reports every reconnect attempt; once every 10 s is enough to know.
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn('Redis idempotency store unavailable; retrying', { error: error.message });
  });
  return store;
}
