import type { ChunkCounts } from './flow-model.js';

/**
 * Where runs live: state, history, step completions, chunk counters, claims, idempotency keys and the
 * dead-letter index. In memory by default; Redis (REDIS_URL) so several routers share them. Every
 * operation that decides something (a state change, a first completion) is atomic in the store, so two
 * workers racing on duplicates of one message cannot both win.
 */

export const RUN_STATES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'dead-lettered'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States a run never leaves (a dead-lettered run can still be redriven). */
export const FINISHED_STATES: readonly RunState[] = ['succeeded', 'failed'];
/** States in which a run's messages are still being worked on. */
export const ACTIVE_STATES: readonly RunState[] = ['queued', 'running', 'retrying'];

export function isRunState(value: unknown): value is RunState {
  return typeof value === 'string' && (RUN_STATES as readonly string[]).includes(value);
}

export interface RunError {
  step?: string;
  code: string;
  /** The Camel exception name of the error (for `onException`-style matching in tooling). */
  errorClass: string;
  message: string;
  httpStatus?: number;
}

/** One attempt of one step (or, for a chunked step, the step as a whole once every chunk is done). */
export interface StepAttempt {
  step: string;
  attempt: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'succeeded' | 'retrying' | 'dead-lettered' | 'failed';
  error?: RunError;
  /** Which router instance ran it. */
  instance?: string;
  /** Chunked steps: how many chunks, and what they counted. */
  chunks?: number;
  counts?: ChunkCounts;
}

export interface CallbackStatus {
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
  at?: string;
}

export interface RunRecord {
  correlationId: string;
  flowName: string;
  state: RunState;
  currentStep?: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  idempotencyKey?: string;
  /** Who started the run (the principal id); a caller sees only its own runs unless it holds `admin:runs`. */
  owner?: string;
  callbackUrl?: string;
  callback?: CallbackStatus;
  error?: RunError;
  /** The last step's output payload, once the run succeeded. */
  output?: unknown;
  /** Counts of the last chunked step, when the flow has one. */
  counts?: ChunkCounts;
  redrives: number;
  history: StepAttempt[];
}

export type NewRun = Pick<RunRecord, 'correlationId' | 'flowName' | 'idempotencyKey' | 'owner' | 'callbackUrl' | 'currentStep'>;

/** Fields a transition may set along with the state. */
export type RunUpdate = Partial<Pick<RunRecord, 'currentStep' | 'error' | 'output' | 'counts' | 'finishedAt' | 'callback'>> & {
  /** Drop the recorded error (a redriven run starts clean). */
  clearError?: boolean;
  countRedrive?: boolean;
};

export type CreateOutcome =
  | { outcome: 'created'; run: RunRecord }
  /** Same idempotency key, same payload: the run started before. */
  | { outcome: 'existing'; correlationId: string }
  /** Same idempotency key, other payload. */
  | { outcome: 'conflict'; correlationId: string };

export interface DeadLetterRecord {
  correlationId: string;
  flowName: string;
  step: string;
  chunk?: number;
  attempts: number;
  errorClass: string;
  errorCode?: string;
  errorMessage: string;
  httpStatus?: number;
  firstFailureAt: string;
  lastFailureAt: string;
  queue: string;
  deadLetterQueue: string;
  /** Chunk dead letters are kept for analysis; their run went on, so they are not redriven into it. */
  redrivable: boolean;
}

export interface ChunkProgress {
  /** True the first time this chunk is recorded (a duplicate delivery gets false). */
  first: boolean;
  done: number;
  totals: ChunkCounts;
}

export interface RunListFilter {
  flowName?: string;
  state?: RunState;
  /** Only the runs this principal started. */
  owner?: string;
  /** Newest first; default 100. */
  limit?: number;
}

export interface RunStore {
  readonly kind: 'memory' | 'redis';
  /** Creates a run (state `queued`), or finds the one started before with the same idempotency key. */
  createRun(run: NewRun, idempotency?: { key: string; payloadHash: string; ttlMs: number }): Promise<CreateOutcome>;
  getRun(correlationId: string): Promise<RunRecord | undefined>;
  /** Runs without their history, newest first. */
  listRuns(filter: RunListFilter): Promise<RunRecord[]>;
  /**
   * Compare-and-set: moves the run to `to` when its state is one of `from`, setting `update` with it.
   * Resolves with the updated run, or undefined when the run is missing or in another state.
   */
  transition(correlationId: string, from: readonly RunState[], to: RunState, update?: RunUpdate): Promise<RunRecord | undefined>;
  /** Sets fields without a state change (callback progress). */
  update(correlationId: string, update: RunUpdate): Promise<void>;
  appendHistory(correlationId: string, attempt: StepAttempt): Promise<void>;
  /** Records that a step (or chunk: `step#3`) finished; true the first time only. */
  markDone(correlationId: string, key: string): Promise<boolean>;
  isDone(correlationId: string, key: string): Promise<boolean>;
  /** Records one chunk's counts once, however often it is delivered; returns the step's progress. */
  recordChunk(correlationId: string, step: string, index: number, counts: ChunkCounts): Promise<ChunkProgress>;
  /** When the first chunk of a step started (set once). */
  chunkStartedAt(correlationId: string, step: string, at: string): Promise<string>;
  /** An exclusive lease on a piece of work so duplicates are not worked on at once; expires after `ttlMs`. */
  claim(correlationId: string, key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(correlationId: string, key: string, owner: string): Promise<void>;
  /** Forgets an idempotency key (the start it belonged to was not accepted). */
  releaseIdempotencyKey(flowName: string, key: string, correlationId: string): Promise<void>;
  putDeadLetter(record: DeadLetterRecord): Promise<void>;
  removeDeadLetters(flowName: string, correlationId: string): Promise<void>;
  listDeadLetters(flowName: string): Promise<DeadLetterRecord[]>;
  /**
   * Forgets finished runs (succeeded, failed) older than the retention, with their history, step marks
   * and chunk counters, and expired idempotency keys and claims. Resolves with how many runs went.
   * (Redis expires the keys itself; its prune drops the index entries of runs that expired.)
   */
  prune(now?: number): Promise<number>;
  /** How many runs the store holds now (the `pipes_async_runs_held` gauge). */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** How long a store keeps what ended. */
export interface RetentionOptions {
  /** Finished runs are kept this long after `finishedAt`. Default 7 days. */
  retentionMs?: number;
  /** Told how many runs were evicted (the `pipes_async_runs_evicted_total` counter). */
  onEvicted?: (count: number) => void;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;

export function deadLetterKey(record: Pick<DeadLetterRecord, 'correlationId' | 'step' | 'chunk'>): string {
  return `${record.correlationId}|${record.step}${record.chunk === undefined ? '' : `#${record.chunk}`}`;
}

/** Applies a transition's fields to a run (both stores use this, so they agree on the meaning). */
export function applyUpdate(run: RunRecord, update: RunUpdate, now: string): void {
  if (update.currentStep !== undefined) run.currentStep = update.currentStep;
  if (update.error !== undefined) run.error = update.error;
  if (update.clearError) delete run.error;
  if (update.output !== undefined) run.output = update.output;
  if (update.counts !== undefined) run.counts = update.counts;
  if (update.finishedAt !== undefined) run.finishedAt = update.finishedAt;
  if (update.callback !== undefined) run.callback = update.callback;
  if (update.countRedrive) run.redrives += 1;
  run.updatedAt = now;
}

/** The in-memory store: the default, for one router; keeps nothing across restarts. */
export class MemoryRunStore implements RunStore {
  readonly kind = 'memory' as const;
  private readonly runs = new Map<string, RunRecord>();
  private readonly done = new Map<string, Set<string>>();
  private readonly chunks = new Map<string, { counts: ChunkCounts; done: number; startedAt?: string }>();
  private readonly claims = new Map<string, { owner: string; until: number }>();
  private readonly idempotency = new Map<string, { payloadHash: string; correlationId: string; until: number }>();
  private readonly deadLetters = new Map<string, Map<string, DeadLetterRecord>>();
  private readonly retentionMs: number;
  private lastPrune = Date.now();

  constructor(private readonly options: RetentionOptions = {}) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  createRun(run: NewRun, idempotency?: { key: string; payloadHash: string; ttlMs: number }): Promise<CreateOutcome> {
    // Pruned as runs come in too (at most once a minute), so a router without the engine's timer stays bounded.
    if (Date.now() - this.lastPrune > Math.min(60_000, this.retentionMs)) void this.prune();
    if (idempotency) {
      const key = `${run.flowName}\u0000${idempotency.key}`;
      const existing = this.idempotency.get(key);
      if (existing && existing.until > Date.now()) {
        return Promise.resolve(
          existing.payloadHash === idempotency.payloadHash
            ? { outcome: 'existing', correlationId: existing.correlationId }
            : { outcome: 'conflict', correlationId: existing.correlationId },
        );
      }
      this.idempotency.set(key, { payloadHash: idempotency.payloadHash, correlationId: run.correlationId, until: Date.now() + idempotency.ttlMs });
    }
    const now = new Date().toISOString();
    const record: RunRecord = { ...withoutUndefined(run), state: 'queued', createdAt: now, updatedAt: now, redrives: 0, history: [] };
    this.runs.set(run.correlationId, record);
    return Promise.resolve({ outcome: 'created', run: structuredClone(record) });
  }

  getRun(correlationId: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(correlationId);
    return Promise.resolve(run ? structuredClone(run) : undefined);
  }

  listRuns(filter: RunListFilter): Promise<RunRecord[]> {
    const limit = filter.limit ?? 100;
    const found: RunRecord[] = [];
    for (const run of [...this.runs.values()].reverse()) {
      if (filter.flowName !== undefined && run.flowName !== filter.flowName) continue;
      if (filter.state !== undefined && run.state !== filter.state) continue;
      if (filter.owner !== undefined && run.owner !== filter.owner) continue;
      found.push({ ...structuredClone(run), history: [] });
      if (found.length >= limit) break;
    }
    return Promise.resolve(found);
  }

  transition(correlationId: string, from: readonly RunState[], to: RunState, update: RunUpdate = {}): Promise<RunRecord | undefined> {
    const run = this.runs.get(correlationId);
    if (!run || !from.includes(run.state)) return Promise.resolve(undefined);
    run.state = to;
    applyUpdate(run, update, new Date().toISOString());
    return Promise.resolve(structuredClone(run));
  }

  update(correlationId: string, update: RunUpdate): Promise<void> {
    const run = this.runs.get(correlationId);
    if (run) applyUpdate(run, update, new Date().toISOString());
    return Promise.resolve();
  }

  appendHistory(correlationId: string, attempt: StepAttempt): Promise<void> {
    this.runs.get(correlationId)?.history.push(structuredClone(attempt));
    return Promise.resolve();
  }

  markDone(correlationId: string, key: string): Promise<boolean> {
    let set = this.done.get(correlationId);
    if (!set) this.done.set(correlationId, (set = new Set()));
    if (set.has(key)) return Promise.resolve(false);
    set.add(key);
    return Promise.resolve(true);
  }

  isDone(correlationId: string, key: string): Promise<boolean> {
    return Promise.resolve(this.done.get(correlationId)?.has(key) ?? false);
  }

  async recordChunk(correlationId: string, step: string, index: number, counts: ChunkCounts): Promise<ChunkProgress> {
    const first = await this.markDone(correlationId, `${step}#${index}`);
    const progress = this.chunkState(correlationId, step);
    if (first) {
      progress.done += 1;
      for (const key of COUNT_KEYS) progress.counts[key] += counts[key];
    }
    return { first, done: progress.done, totals: { ...progress.counts } };
  }

  chunkStartedAt(correlationId: string, step: string, at: string): Promise<string> {
    const progress = this.chunkState(correlationId, step);
    progress.startedAt ??= at;
    return Promise.resolve(progress.startedAt);
  }

  private chunkState(correlationId: string, step: string): { counts: ChunkCounts; done: number; startedAt?: string } {
    const key = `${correlationId}\u0000${step}`;
    let progress = this.chunks.get(key);
    if (!progress) this.chunks.set(key, (progress = { counts: { attempted: 0, succeeded: 0, skipped: 0, failed: 0 }, done: 0 }));
    return progress;
  }

  claim(correlationId: string, key: string, owner: string, ttlMs: number): Promise<boolean> {
    const id = `${correlationId}\u0000${key}`;
    const current = this.claims.get(id);
    if (current && current.until > Date.now() && current.owner !== owner) return Promise.resolve(false);
    this.claims.set(id, { owner, until: Date.now() + ttlMs });
    return Promise.resolve(true);
  }

  release(correlationId: string, key: string, owner: string): Promise<void> {
    const id = `${correlationId}\u0000${key}`;
    if (this.claims.get(id)?.owner === owner) this.claims.delete(id);
    return Promise.resolve();
  }

  releaseIdempotencyKey(flowName: string, key: string, correlationId: string): Promise<void> {
    const id = `${flowName}\u0000${key}`;
    if (this.idempotency.get(id)?.correlationId === correlationId) this.idempotency.delete(id);
    return Promise.resolve();
  }

  putDeadLetter(record: DeadLetterRecord): Promise<void> {
    let flow = this.deadLetters.get(record.flowName);
    if (!flow) this.deadLetters.set(record.flowName, (flow = new Map<string, DeadLetterRecord>()));
    flow.set(deadLetterKey(record), structuredClone(record));
    return Promise.resolve();
  }

  removeDeadLetters(flowName: string, correlationId: string): Promise<void> {
    const flow = this.deadLetters.get(flowName);
    for (const key of [...(flow?.keys() ?? [])]) if (key.startsWith(`${correlationId}|`)) flow!.delete(key);
    return Promise.resolve();
  }

  listDeadLetters(flowName: string): Promise<DeadLetterRecord[]> {
    return Promise.resolve([...(this.deadLetters.get(flowName)?.values() ?? [])].map((r) => structuredClone(r)));
  }

  prune(now = Date.now()): Promise<number> {
    this.lastPrune = now;
    let evicted = 0;
    for (const [id, run] of this.runs) {
      if (!FINISHED_STATES.includes(run.state)) continue;
      const ended = Date.parse(run.finishedAt ?? run.updatedAt);
      if (!(ended + this.retentionMs <= now)) continue;
      this.runs.delete(id);
      this.done.delete(id);
      for (const key of this.chunks.keys()) if (key.startsWith(`${id}\u0000`)) this.chunks.delete(key);
      // Chunk dead letters stay with their run (they are not redriven): they go with it.
      const deadLetters = this.deadLetters.get(run.flowName);
      for (const key of [...(deadLetters?.keys() ?? [])]) if (key.startsWith(`${id}|`)) deadLetters!.delete(key);
      evicted++;
    }
    for (const [key, entry] of this.idempotency) if (entry.until <= now) this.idempotency.delete(key);
    for (const [key, claim] of this.claims) if (claim.until <= now) this.claims.delete(key);
    if (evicted > 0) this.options.onEvicted?.(evicted);
    return Promise.resolve(evicted);
  }

  count(): Promise<number> {
    return Promise.resolve(this.runs.size);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const COUNT_KEYS = ['attempted', 'succeeded', 'skipped', 'failed'] as const;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
