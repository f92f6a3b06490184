import { Redis } from 'ioredis';
import type { ChunkCounts } from './flow-model.js';
import {
  DEFAULT_RETENTION_MS,
  RUN_STATES,
  type RetentionOptions,
  deadLetterKey,
  type ChunkProgress,
  type CreateOutcome,
  type DeadLetterRecord,
  type NewRun,
  type RunListFilter,
  type RunRecord,
  type RunState,
  type RunStore,
  type RunUpdate,
  type StepAttempt,
} from './run-store.js';

/** How many run hashes one pipeline reads while filtering by owner. */
const BATCH = 200;

/** Fields of a run hash stored as JSON; the others are plain strings. */
const JSON_FIELDS = new Set(['callback', 'error', 'output', 'counts']);

/**
 * Atomic transitions run as Lua in Redis, so every router sharing the store sees one order of events.
 * The index keys are derived inside the scripts from the flow name (single Redis, not Cluster).
 */
const CREATE = `
if ARGV[3] == '1' then
  local v = redis.call('GET', KEYS[2])
  if v then
    local sep = string.find(v, ' ', 1, true)
    local hash = string.sub(v, 1, sep - 1)
    local cid = string.sub(v, sep + 1)
    if hash == ARGV[4] then return {'existing', cid} end
    return {'conflict', cid}
  end
  redis.call('SET', KEYS[2], ARGV[4] .. ' ' .. ARGV[6], 'PX', ARGV[5])
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {'duplicate', ARGV[6]} end
for i = 9, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', ARGV[1] .. ARGV[7] .. ':queued', ARGV[8], ARGV[6])
redis.call('SADD', ARGV[2], ARGV[7])
return {'created', ARGV[6]}
`;

const TRANSITION = `
-- KEYS: run hash, history list, done set, chunk-steps set. ARGV: index prefix, to, from (comma list),
-- clearError, countRedrive, retention ms (set on the run's keys when it finishes), chunk key prefix, fields...
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
local allowed = false
for s in string.gmatch(ARGV[3], '[^,]+') do if s == state then allowed = true end end
if not allowed then return false end
local flow = redis.call('HGET', KEYS[1], 'flowName')
local created = redis.call('HGET', KEYS[1], 'createdAtMs')
local cid = redis.call('HGET', KEYS[1], 'correlationId')
redis.call('HSET', KEYS[1], 'state', ARGV[2])
for i = 8, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], 'error') end
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[1], 'redrives', 1) end
if state ~= ARGV[2] then
  redis.call('ZREM', ARGV[1] .. flow .. ':' .. state, cid)
  redis.call('ZADD', ARGV[1] .. flow .. ':' .. ARGV[2], created, cid)
end
if ARGV[2] == 'succeeded' or ARGV[2] == 'failed' then
  local ttl = tonumber(ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
  for _, step in ipairs(redis.call('SMEMBERS', KEYS[4])) do redis.call('PEXPIRE', ARGV[7] .. step, ttl) end
  redis.call('PEXPIRE', KEYS[4], ttl)
end
return redis.call('HGETALL', KEYS[1])
`;

/** A write to a run's history, step marks or chunk counters after it finished keeps the run's expiry. */
const FOLLOW_TTL = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end end
`;

const MARK_DONE = `
local added = redis.call('SADD', KEYS[2], ARGV[1])
${FOLLOW_TTL}
return added
`;

const APPEND_HISTORY = `
redis.call('RPUSH', KEYS[2], ARGV[1])
${FOLLOW_TTL}
return 1
`;

const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[1] == '1' then redis.call('HDEL', KEYS[1], 'error') end
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'redrives', 1) end
return 1
`;

const RECORD_CHUNK = `
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 1 then
  redis.call('HINCRBY', KEYS[2], 'attempted', ARGV[2])
  redis.call('HINCRBY', KEYS[2], 'succeeded', ARGV[3])
  redis.call('HINCRBY', KEYS[2], 'skipped', ARGV[4])
  redis.call('HINCRBY', KEYS[2], 'failed', ARGV[5])
  redis.call('HINCRBY', KEYS[2], 'done', 1)
end
local v = redis.call('HMGET', KEYS[2], 'done', 'attempted', 'succeeded', 'skipped', 'failed')
return {added, v[1] or '0', v[2] or '0', v[3] or '0', v[4] or '0', v[5] or '0'}
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const RELEASE_IDEMPOTENCY = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, -string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface Scripts {
  pipesCreateRun(...args: (string | number)[]): Promise<[string, string]>;
  pipesTransition(...args: (string | number)[]): Promise<string[] | null>;
  pipesUpdate(...args: (string | number)[]): Promise<number>;
  pipesRecordChunk(...args: (string | number)[]): Promise<(string | number)[]>;
  pipesRelease(...args: (string | number)[]): Promise<number>;
  pipesReleaseIdempotency(...args: (string | number)[]): Promise<number>;
  pipesMarkDone(...args: (string | number)[]): Promise<number>;
  pipesAppendHistory(...args: (string | number)[]): Promise<number>;
}

export interface RedisRunStoreOptions extends RetentionOptions {
  url: string;
  /** Default `pipes:runs:`. Tests give each run its own. */
  keyPrefix?: string;
}

/**
 * Runs in Redis (ioredis), shared by every router on the same REDIS_URL. Layout under `pipes:runs:`:
 * `run:<id>` hash, `history:<id>` list, `done:<id>` set of finished steps and chunks, `chunks:<id>:<step>`
 * counters (their step names in `chunksteps:<id>`); a finished run's keys expire after the retention, `claim:<id>:<key>` leases, `idem:<flow>:<key>`, `index:<flow>:<state>` sorted sets (by start
 * time), `flows` set, `dead:<flow>` hash of dead-letter records.
 */
export class RedisRunStore implements RunStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis & Scripts;
  private readonly prefix: string;
  private readonly retentionMs: number;

  constructor(private readonly options: RedisRunStoreOptions) {
    this.prefix = options.keyPrefix ?? 'pipes:runs:';
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    const redis = new Redis(options.url, { maxRetriesPerRequest: 3, enableOfflineQueue: true, lazyConnect: false });
    redis.defineCommand('pipesCreateRun', { numberOfKeys: 2, lua: CREATE });
    redis.defineCommand('pipesTransition', { numberOfKeys: 4, lua: TRANSITION });
    redis.defineCommand('pipesMarkDone', { numberOfKeys: 2, lua: MARK_DONE });
    redis.defineCommand('pipesAppendHistory', { numberOfKeys: 2, lua: APPEND_HISTORY });
    redis.defineCommand('pipesUpdate', { numberOfKeys: 1, lua: UPDATE });
    redis.defineCommand('pipesRecordChunk', { numberOfKeys: 2, lua: RECORD_CHUNK });
    redis.defineCommand('pipesRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('pipesReleaseIdempotency', { numberOfKeys: 1, lua: RELEASE_IDEMPOTENCY });
    this.redis = redis as Redis & Scripts;
  }

  /** Registers a listener for connection problems (the engine logs them). */
  onError(listener: (error: Error) => void): void {
    this.redis.on('error', listener);
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async createRun(run: NewRun, idempotency?: { key: string; payloadHash: string; ttlMs: number }): Promise<CreateOutcome> {
    const now = new Date();
    const record: RunRecord = {
      ...run,
      state: 'queued',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      redrives: 0,
      history: [],
    };
    const fields = [...encodeRun(record), 'createdAtMs', String(now.getTime())];
    const [outcome, correlationId] = await this.redis.pipesCreateRun(
      this.key('run', run.correlationId),
      idempotency ? this.key('idem', run.flowName, idempotency.key) : this.key('idem', '-'),
      this.key('index', ''),
      this.key('flows'),
      idempotency ? '1' : '0',
      idempotency?.payloadHash ?? '',
      idempotency?.ttlMs ?? 0,
      run.correlationId,
      run.flowName,
      now.getTime(),
      ...fields,
    );
    if (outcome === 'existing' || outcome === 'conflict') return { outcome, correlationId };
    if (outcome === 'duplicate') throw new Error(`A run with correlation id ${correlationId} exists already`);
    return { outcome: 'created', run: record };
  }

  async getRun(correlationId: string): Promise<RunRecord | undefined> {
    const [[, hash], [, history]] = (await this.redis
      .multi()
      .hgetall(this.key('run', correlationId))
      .lrange(this.key('history', correlationId), 0, -1)
      .exec()) as [[unknown, Record<string, string>], [unknown, string[]]];
    if (!hash || Object.keys(hash).length === 0) return undefined;
    const run = decodeRun(hash);
    run.history = history.map((line) => JSON.parse(line) as StepAttempt);
    return run;
  }

  async listRuns(filter: RunListFilter): Promise<RunRecord[]> {
    const limit = filter.limit ?? 100;
    const flows = filter.flowName !== undefined ? [filter.flowName] : await this.redis.smembers(this.key('flows'));
    const states = filter.state !== undefined ? [filter.state] : [...RUN_STATES];
    const ranked: { id: string; score: number; index: string }[] = [];
    const pipeline = this.redis.pipeline();
    const indexes: string[] = [];
    // With an owner, the newest `limit` of each index may all be others': read the indexes whole (retention bounds them).
    const window = filter.owner === undefined ? limit - 1 : -1;
    for (const flow of flows) {
      for (const state of states) {
        const index = this.key('index', flow, state);
        indexes.push(index);
        pipeline.zrevrange(index, 0, window, 'WITHSCORES');
      }
    }
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([, reply], position) => {
      const items = reply as string[];
      for (let i = 0; i < items.length; i += 2) ranked.push({ id: items[i]!, score: Number(items[i + 1]), index: indexes[position]! });
    });
    ranked.sort((a, b) => b.score - a.score);
    const runs: RunRecord[] = [];
    const gone: { id: string; index: string }[] = [];
    for (let from = 0; from < ranked.length && runs.length < limit; from += BATCH) {
      const batch = ranked.slice(from, filter.owner === undefined ? limit : from + BATCH);
      const fetch = this.redis.pipeline();
      for (const { id } of batch) fetch.hgetall(this.key('run', id));
      const hashes = (await fetch.exec()) ?? [];
      hashes.forEach(([, hash], position) => {
        const fields = hash as Record<string, string>;
        if (!fields || Object.keys(fields).length === 0) {
          gone.push(batch[position]!);
          return;
        }
        if (runs.length >= limit) return;
        if (filter.owner !== undefined && fields.owner !== filter.owner) return;
        runs.push(decodeRun(fields));
      });
      if (filter.owner === undefined) break;
    }
    // Runs whose keys expired (retention) leave their id in the index: drop it now.
    if (gone.length > 0) await this.dropFromIndexes(gone);
    return runs;
  }

  private async dropFromIndexes(gone: { id: string; index: string }[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const { id, index } of gone) pipeline.zrem(index, id);
    const replies = (await pipeline.exec()) ?? [];
    const removed = replies.reduce((sum, [, count]) => sum + Number(count ?? 0), 0);
    if (removed > 0) this.options.onEvicted?.(removed);
  }

  async transition(correlationId: string, from: readonly RunState[], to: RunState, update: RunUpdate = {}): Promise<RunRecord | undefined> {
    const reply = await this.redis.pipesTransition(
      this.key('run', correlationId),
      this.key('history', correlationId),
      this.key('done', correlationId),
      this.key('chunksteps', correlationId),
      this.key('index', ''),
      to,
      from.join(','),
      update.clearError ? '1' : '0',
      update.countRedrive ? '1' : '0',
      this.retentionMs,
      this.key('chunks', correlationId, ''),
      ...encodeUpdate(update),
    );
    if (!reply) return undefined;
    const hash: Record<string, string> = {};
    for (let i = 0; i < reply.length; i += 2) hash[reply[i]!] = reply[i + 1]!;
    return decodeRun(hash);
  }

  async update(correlationId: string, update: RunUpdate): Promise<void> {
    await this.redis.pipesUpdate(
      this.key('run', correlationId),
      update.clearError ? '1' : '0',
      update.countRedrive ? '1' : '0',
      ...encodeUpdate(update),
    );
  }

  async appendHistory(correlationId: string, attempt: StepAttempt): Promise<void> {
    await this.redis.pipesAppendHistory(this.key('run', correlationId), this.key('history', correlationId), JSON.stringify(attempt));
  }

  async markDone(correlationId: string, key: string): Promise<boolean> {
    return (await this.redis.pipesMarkDone(this.key('run', correlationId), this.key('done', correlationId), key)) === 1;
  }

  async isDone(correlationId: string, key: string): Promise<boolean> {
    return (await this.redis.sismember(this.key('done', correlationId), key)) === 1;
  }

  async recordChunk(correlationId: string, step: string, index: number, counts: ChunkCounts): Promise<ChunkProgress> {
    await this.redis.sadd(this.key('chunksteps', correlationId), step);
    const reply = await this.redis.pipesRecordChunk(
      this.key('done', correlationId),
      this.key('chunks', correlationId, step),
      `${step}#${index}`,
      counts.attempted,
      counts.succeeded,
      counts.skipped,
      counts.failed,
    );
    const [added, done, attempted, succeeded, skipped, failed] = reply.map(Number) as [number, number, number, number, number, number];
    return { first: added === 1, done, totals: { attempted, succeeded, skipped, failed } };
  }

  async chunkStartedAt(correlationId: string, step: string, at: string): Promise<string> {
    const key = this.key('chunks', correlationId, step);
    await this.redis.sadd(this.key('chunksteps', correlationId), step);
    await this.redis.hsetnx(key, 'startedAt', at);
    return (await this.redis.hget(key, 'startedAt')) ?? at;
  }

  async claim(correlationId: string, key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key('claim', correlationId, key), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async release(correlationId: string, key: string, owner: string): Promise<void> {
    await this.redis.pipesRelease(this.key('claim', correlationId, key), owner);
  }

  async releaseIdempotencyKey(flowName: string, key: string, correlationId: string): Promise<void> {
    await this.redis.pipesReleaseIdempotency(this.key('idem', flowName, key), ` ${correlationId}`);
  }

  async putDeadLetter(record: DeadLetterRecord): Promise<void> {
    await this.redis.hset(this.key('dead', record.flowName), deadLetterKey(record), JSON.stringify(record));
  }

  async removeDeadLetters(flowName: string, correlationId: string): Promise<void> {
    const key = this.key('dead', flowName);
    const fields = (await this.redis.hkeys(key)).filter((field) => field.startsWith(`${correlationId}|`));
    if (fields.length > 0) await this.redis.hdel(key, ...fields);
  }

  async listDeadLetters(flowName: string): Promise<DeadLetterRecord[]> {
    return (await this.redis.hvals(this.key('dead', flowName))).map((value) => JSON.parse(value) as DeadLetterRecord);
  }

  /**
   * Redis expires finished runs itself (PEXPIRE when a run finishes); this drops the index entries those
   * runs left behind, so listings and the held-runs gauge stay exact, and counts them as evicted.
   */
  async prune(now = Date.now()): Promise<number> {
    const flows = await this.redis.smembers(this.key('flows'));
    const gone: { id: string; index: string }[] = [];
    for (const flow of flows) {
      for (const state of ['succeeded', 'failed'] as const) {
        const index = this.key('index', flow, state);
        // Index scores are start times: only runs started longer ago than the retention can have expired.
        const ids = await this.redis.zrangebyscore(index, '-inf', now - this.retentionMs);
        for (let from = 0; from < ids.length; from += BATCH) {
          const batch = ids.slice(from, from + BATCH);
          const pipeline = this.redis.pipeline();
          for (const id of batch) pipeline.exists(this.key('run', id));
          const replies = (await pipeline.exec()) ?? [];
          replies.forEach(([, exists], position) => {
            if (Number(exists) === 0) gone.push({ id: batch[position]!, index });
          });
        }
      }
    }
    if (gone.length === 0) return 0;
    await this.dropFromIndexes(gone);
    // Chunk dead letters stay with their run (they are not redriven): they go with it.
    for (const flow of flows) {
      const ids = new Set(gone.filter((entry) => entry.index.startsWith(this.key('index', flow, ''))).map((entry) => entry.id));
      if (ids.size === 0) continue;
      const key = this.key('dead', flow);
      const fields = (await this.redis.hkeys(key)).filter((field) => ids.has(field.slice(0, field.indexOf('|'))));
      if (fields.length > 0) await this.redis.hdel(key, ...fields);
    }
    return gone.length;
  }

  async count(): Promise<number> {
    const flows = await this.redis.smembers(this.key('flows'));
    const pipeline = this.redis.pipeline();
    for (const flow of flows) for (const state of RUN_STATES) pipeline.zcard(this.key('index', flow, state));
    return ((await pipeline.exec()) ?? []).reduce((sum, [, count]) => sum + Number(count ?? 0), 0);
  }

  /** Deletes every key under this store's prefix (tests). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function encodeRun(run: RunRecord): string[] {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(run)) {
    if (value === undefined || name === 'history') continue;
    fields.push(name, JSON_FIELDS.has(name) ? JSON.stringify(value) : String(value as string | number));
  }
  return fields;
}

function encodeUpdate(update: RunUpdate): string[] {
  const fields: string[] = ['updatedAt', new Date().toISOString()];
  for (const name of ['currentStep', 'error', 'output', 'counts', 'finishedAt', 'callback'] as const) {
    const value = update[name];
    if (value === undefined) continue;
    fields.push(name, typeof value === 'string' && !JSON_FIELDS.has(name) ? value : JSON.stringify(value));
  }
  return fields;
}

function decodeRun(hash: Record<string, string>): RunRecord {
  const run: Record<string, unknown> = { history: [] };
  for (const [name, value] of Object.entries(hash)) {
    if (name === 'createdAtMs') continue;
    if (name === 'redrives') run[name] = Number(value);
    else run[name] = JSON_FIELDS.has(name) ? (JSON.parse(value) as unknown) : value;
  }
  run.redrives ??= 0;
  return run as unknown as RunRecord;
}
