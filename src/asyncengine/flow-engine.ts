import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { EgressPolicy, EgressRefusedError } from '../security/egress-policy.js';
import {
  HttpOperationFailedError,
  HttpRequestError,
  JsonValidationError,
  ServicePipesError,
  TimeoutError,
  UnrecoverableError,
  camelHierarchy,
  toError,
  type ValidationIssue,
} from '../errors/index.js';
import {
  ATTEMPT_HEADER,
  attemptsOf,
  deadLetter,
  isPipesHeader,
  readProvenance,
  retryTopology,
  scheduleRetry,
} from '../reliability/broker-retry.js';
import { sameMessage, sweepQueue, withoutBrokerHeaders, type SweepDecision } from '../reliability/dead-letters.js';
import { deadLetterQueueName, retryQueueName, routerQueue } from '../transport/topology-names.js';
import type { DeliveredMessage, HandlerOutcome, OutboundMessage, QueueDeclaration, Subscription, Topology, Transport } from '../transport/transport.js';
import { CallbackDelivery, callbackQueueName } from './callbacks.js';
import { envelopeMessage, readEnvelope, type FlowEnvelope } from './envelope.js';
import type { ChunkCounts, Flow, FlowStep } from './flow-model.js';
import { outcomeOf } from '../reliability/failure-outcome.js';
import { isRetryable } from '../reliability/retry-policy.js';
import {
  ACTIVE_STATES,
  DEFAULT_RETENTION_MS,
  FINISHED_STATES,
  type DeadLetterRecord,
  type RunError,
  type RunListFilter,
  type RunRecord,
  type RunState,
  type RunStore,
  type StepAttempt,
} from './run-store.js';

/** How long a claim outlives the step timeout, so a crashed worker's claim frees itself. */
const CLAIM_MARGIN_MS = 10_000;
/** Wait before looking again at a message the store could not be asked about (Redis down). */
const INFRASTRUCTURE_RECHECK_MS = 2000;

export interface FlowEngineOptions {
  flows: Map<string, Flow>;
  store: RunStore;
  transport: Transport;
  logger: Logger;
  /** Names this router in run histories and claims. */
  instance: string;
  /** Path under which runs are served; `statusUrl` = `<base>/<correlationId>?flowName=<flow>`. */
  statusPath?: string;
  /** Told of every step message's life (the router's metrics); must not throw. */
  observer?: FlowStepObserver;
  /** Where callbacks may go (callbackUrl); default: the policy with no allow-list and the system resolver. */
  egress?: EgressPolicy;
  /**
   * How long an Idempotency-Key is remembered from the start (the store keeps finished runs as long from
   * their end, so a key never outlives its run). Default {@link DEFAULT_RETENTION_MS} (7 days).
   */
  retentionMs?: number;
}

export type FlowStepEventKind = 'submitted' | 'started' | 'succeeded' | 'failed' | 'retried' | 'dead_lettered';

/** `count`: messages (a chunked step submits several); `durationMs`: the step's work, when it ran. */
export type FlowStepObserver = (event: { flow: string; step: string; kind: FlowStepEventKind; count?: number; durationMs?: number }) => void;

export interface StartOptions {
  idempotencyKey?: string;
  /**
   * Who starts the run (the principal id). Recorded on the run, and the scope of its Idempotency-Key: the
   * same key from two principals is two runs, and neither learns of the other's.
   */
  owner?: string;
  callbackUrl?: string;
  /** Additional properties carried in every step's envelope (JSON values). */
  properties?: Record<string, unknown>;
}

export interface StartResult {
  correlationId: string;
  statusUrl: string;
  /** True when an Idempotency-Key matched a run started before (nothing new was enqueued). */
  replayed: boolean;
}

export interface RedriveOptions {
  correlationIds?: string[];
  /** Only dead letters of runs this principal started (a caller without admin:runs). */
  owner?: string;
  dryRun?: boolean;
  limit?: number;
}

export interface RedriveReport {
  flowName: string;
  dryRun: boolean;
  redriven: { correlationId: string; step: string }[];
  skipped: { correlationId: string; step: string; reason: string }[];
  /** Dry runs: what a redrive would take (from the dead-letter index). */
  matched?: DeadLetterRecord[];
}

/**
 * The async flow engine of one router: declares each step's queue, retry queues and dead-letter queue,
 * runs the step workers, starts runs and redrives dead letters. All run state is in the RunStore, so
 * any number of routers can share one broker and one store.
 *
 * The order that keeps runs whole: a worker publishes the next step's message and waits for the broker's
 * confirm before acking its own; duplicates (a redelivery after a crash in between) are absorbed by the
 * store's per-step completion marks and the compare-and-set on the final state.
 */
export class FlowEngine {
  private readonly subscriptions: Subscription[] = [];
  private readonly callbacks: CallbackDelivery;
  private readonly statusPath: string;
  private readonly egress: EgressPolicy;
  private readonly retentionMs: number;
  private pruneTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: FlowEngineOptions) {
    this.statusPath = options.statusPath ?? '/async/api/runs';
    this.egress = options.egress ?? new EgressPolicy();
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.callbacks = new CallbackDelivery({
      egress: this.egress,
      store: options.store,
      transport: options.transport,
      logger: options.logger.child({ component: 'async-callbacks' }),
      statusUrl: (run) => this.statusUrl(run.flowName, run.correlationId),
    });
  }

  get flows(): Map<string, Flow> {
    return this.options.flows;
  }

  get store(): RunStore {
    return this.options.store;
  }

  private get transport(): Transport {
    return this.options.transport;
  }

  statusUrl(flowName: string, correlationId: string): string {
    return `${this.statusPath}/${encodeURIComponent(correlationId)}?flowName=${encodeURIComponent(flowName)}`;
  }

  /** Every queue of every flow: step queues (bounded, reject-publish), retry levels, dead letters, callbacks. */
  topology(): Topology {
    const queues: QueueDeclaration[] = [];
    for (const flow of this.flows.values()) {
      for (const step of flow.steps) {
        queues.push(stepQueue(step.queue, step.maxQueueLength));
        queues.push(...(retryTopology(step.queue, step.retry.maxAttempts).topology.queues ?? []));
      }
      const callbackQueue = callbackQueueName(flow.name);
      queues.push(stepQueue(callbackQueue, 100_000));
      queues.push(...(retryTopology(callbackQueue, flow.callback.retry.maxAttempts).topology.queues ?? []));
    }
    return { queues };
  }

  /** Declares the topology and starts one worker per step (and per flow's callbacks). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.flows.size === 0) return;
    // Finished runs and expired keys are forgotten after the retention; looked at a few times per retention.
    const every = Math.min(60_000, Math.max(1000, Math.floor(this.retentionMs / 10)));
    this.pruneTimer = setInterval(() => {
      this.store.prune().catch((error: unknown) => this.options.logger.warn('Could not prune finished runs', { error: toError(error).message }));
    }, every);
    this.pruneTimer.unref();
    await this.transport.declare(this.topology());
    for (const flow of this.flows.values()) {
      for (const step of flow.steps) {
        const logger = this.options.logger.child({ flowName: flow.name, step: step.name });
        this.subscriptions.push(
          await this.transport.consume(
            { queue: step.queue, concurrency: step.concurrency, prefetch: step.concurrency * 2 },
            (message) => this.handleStep(flow, step, message, logger),
          ),
        );
      }
      this.subscriptions.push(
        await this.transport.consume({ queue: callbackQueueName(flow.name), concurrency: 4, prefetch: 8 }, (message) =>
          this.callbacks.handle(flow, message),
        ),
      );
    }
    this.options.logger.info('async engine started', { flows: [...this.flows.keys()], store: this.store.kind });
  }

  /** Stops taking messages and waits for the steps in flight. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    await Promise.allSettled(this.subscriptions.splice(0).map((subscription) => subscription.close()));
  }

  // ---- starting runs ------------------------------------------------------------------------------------

  /**
   * Starts a run: validates the payload against the flow's input schema (nothing is enqueued when it
   * fails), records the run, publishes the first step's message and resolves once the broker confirmed.
   */
  async startRun(flowName: string, payload: unknown, options: StartOptions = {}): Promise<StartResult> {
    const flow = this.flows.get(flowName);
    if (!flow) {
      throw new HttpRequestError(404, 'FLOW_NOT_FOUND', `No flow named '${flowName}'`, { known: [...this.flows.keys()] });
    }
    const first = flow.steps[0];
    if (!first) throw new HttpRequestError(404, 'FLOW_NOT_FOUND', `Flow '${flowName}' has no steps`);
    validateInput(flow, payload);
    if (first.chunk) chunkItems(first, payload, (message) => new JsonValidationError(message, [{ instancePath: first.chunk?.items ? `/${first.chunk.items}` : '', message: 'must be array', keyword: 'type' }]));
    if (options.callbackUrl !== undefined) await checkCallbackUrl(flow, options.callbackUrl, this.egress);

    const correlationId = randomUUID();
    const idempotency = options.idempotencyKey
      ? { key: idempotencyScope(options.owner, options.idempotencyKey), payloadHash: payloadHash(payload, options.callbackUrl), ttlMs: this.retentionMs }
      : undefined;
    const created = await this.store.createRun(
      {
        correlationId,
        flowName,
        currentStep: first.name,
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        ...(options.owner !== undefined ? { owner: options.owner } : {}),
        ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
      },
      idempotency,
    );
    if (created.outcome === 'existing') {
      return { correlationId: created.correlationId, statusUrl: this.statusUrl(flowName, created.correlationId), replayed: true };
    }
    if (created.outcome === 'conflict') {
      throw new HttpRequestError(
        409,
        'IDEMPOTENCY_CONFLICT',
        'This Idempotency-Key was used for a start with another payload',
        { correlationId: created.correlationId },
      );
    }
    const envelope: FlowEnvelope = { correlationId, flowName, step: first.name, payload, properties: options.properties ?? {} };
    try {
      await this.enqueue(first, envelope, '1');
    } catch (error) {
      // Not accepted: the caller is told to come back (503); the key must not point at a run that never ran.
      await this.store.transition(correlationId, ACTIVE_STATES, 'failed', {
        error: runError(error, first.name),
        finishedAt: new Date().toISOString(),
      });
      if (idempotency) await this.store.releaseIdempotencyKey(flowName, idempotency.key, correlationId);
      throw error;
    }
    this.options.logger.info('flow run started', { flowName, correlationId, step: first.name });
    return { correlationId, statusUrl: this.statusUrl(flowName, correlationId), replayed: false };
  }

  /** Publishes a step's input: one message, or one per chunk when the step splits its payload. */
  private async enqueue(step: FlowStep, envelope: FlowEnvelope, suffix: string): Promise<void> {
    if (!step.chunk) {
      await this.transport.publish(envelopeMessage(step.queue, envelope, suffix));
      this.observe(envelope.flowName, step, 'submitted');
      return;
    }
    const items = chunkItems(step, envelope.payload, (message) => new UnrecoverableError(message));
    const size = step.chunk.size;
    const count = Math.max(1, Math.ceil(items.length / size));
    const messages: OutboundMessage[] = [];
    for (let index = 0; index < count; index++) {
      const chunk = { index, count, offset: index * size };
      messages.push(envelopeMessage(step.queue, { ...envelope, payload: items.slice(index * size, (index + 1) * size), chunk }, suffix));
    }
    await Promise.all(messages.map((message) => this.transport.publish(message)));
    this.observe(envelope.flowName, step, 'submitted', { count: messages.length });
  }

  private observe(flow: string, step: FlowStep, kind: FlowStepEventKind, extra: { count?: number; durationMs?: number } = {}): void {
    this.options.observer?.({ flow, step: step.name, kind, ...extra });
  }

  // ---- step workers -------------------------------------------------------------------------------------

  private async handleStep(flow: Flow, step: FlowStep, message: DeliveredMessage, logger: Logger): Promise<HandlerOutcome> {
    let envelope: FlowEnvelope;
    try {
      envelope = readEnvelope(message);
    } catch (error) {
      logger.error('Not a flow message; dead-lettered', { messageId: message.messageId, error: toError(error).message });
      return this.parkUnreadable(flow, step, message, error);
    }
    const { correlationId } = envelope;
    const doneKey = envelope.chunk ? `${step.name}#${envelope.chunk.index}` : step.name;
    const attempt = attemptsOf(message.headers) + 1;
    const owner = `${this.options.instance}:${randomUUID()}`;
    let claimed = false;
    try {
      let run = await this.store.getRun(correlationId);
      if (!run) {
        // A memory store forgets runs on restart while the broker kept their messages: carry on under a new record.
        logger.warn('Run not in the store; recording it again', { correlationId });
        await this.store.createRun({ correlationId, flowName: flow.name, currentStep: step.name });
        run = await this.store.getRun(correlationId);
        if (!run) return 'requeue';
      }
      if (FINISHED_STATES.includes(run.state)) {
        if (run.callback?.state === 'pending' && run.callbackUrl) await this.callbacks.enqueue(run);
        return 'ack';
      }
      if (run.state === 'dead-lettered') return 'ack';
      if (await this.store.isDone(correlationId, doneKey)) {
        if (envelope.chunk && !(await this.store.isDone(correlationId, step.name))) {
          const progress = await this.store.recordChunk(correlationId, step.name, envelope.chunk.index, ZERO_COUNTS);
          if (progress.done >= envelope.chunk.count) await this.chunkedStepDone(flow, step, envelope, progress.totals, logger);
        }
        return 'ack';
      }
      claimed = await this.store.claim(correlationId, doneKey, owner, step.timeoutMs + CLAIM_MARGIN_MS);
      if (!claimed) {
        // Another worker has it (a duplicate delivery): look again once its claim could have expired.
        await this.recheckLater(step.queue, message, step.timeoutMs + CLAIM_MARGIN_MS);
        return 'ack';
      }
      const running = await this.store.transition(correlationId, ACTIVE_STATES, 'running', { currentStep: step.name });
      if (!running) return 'ack';
      const startedAt = new Date();
      if (envelope.chunk) await this.store.chunkStartedAt(correlationId, step.name, startedAt.toISOString());
      this.observe(flow.name, step, 'started');
      let output: unknown;
      try {
        output = await withTimeout(
          (signal) =>
            step.work(envelope.payload, {
              correlationId,
              flowName: flow.name,
              step: step.name,
              attempt,
              properties: envelope.properties,
              signal,
              ...(envelope.chunk ? { chunk: envelope.chunk } : {}),
            }),
          step.timeoutMs,
          `Step ${step.name} of flow ${flow.name}`,
        );
      } catch (error) {
        this.observe(flow.name, step, 'failed', { durationMs: Date.now() - startedAt.getTime() });
        return await this.stepFailed(flow, step, envelope, message, attempt, startedAt, error, run, logger);
      }
      this.observe(flow.name, step, 'succeeded', { durationMs: Date.now() - startedAt.getTime() });
      try {
        if (envelope.chunk) {
          const counts = chunkCounts(output, envelope.payload);
          const progress = await this.store.recordChunk(correlationId, step.name, envelope.chunk.index, counts);
          if (progress.first && progress.done >= envelope.chunk.count) await this.chunkedStepDone(flow, step, envelope, progress.totals, logger);
          return 'ack';
        }
        await this.store.appendHistory(correlationId, this.attemptRecord(step, attempt, startedAt, 'succeeded'));
        await this.advance(flow, step, envelope, output, run, logger);
        await this.store.markDone(correlationId, step.name);
        return 'ack';
      } catch (error) {
        // The work is done but its result could not be handed on (next queue full, broker down): retry the step.
        return await this.stepFailed(flow, step, envelope, message, attempt, startedAt, error, run, logger);
      }
    } catch (error) {
      logger.warn('Could not process a flow message (store or broker unavailable); trying again later', {
        correlationId,
        error: toError(error).message,
      });
      try {
        await this.recheckLater(step.queue, message, INFRASTRUCTURE_RECHECK_MS);
        return 'ack';
      } catch {
        return 'requeue';
      }
    } finally {
      if (claimed) await this.store.release(correlationId, doneKey, owner).catch(() => undefined);
    }
  }

  /** Hands a finished step's output on: the next step's message, or the end of the run. */
  private async advance(flow: Flow, step: FlowStep, envelope: FlowEnvelope, output: unknown, run: RunRecord, logger: Logger, counts?: ChunkCounts): Promise<void> {
    const next = flow.steps[step.index + 1];
    const { correlationId } = envelope;
    if (next) {
      // Recorded before the publish: the next worker may start (and record `running`) before the confirm arrives.
      await this.store.transition(correlationId, ACTIVE_STATES, 'queued', { currentStep: next.name, ...(counts ? { counts } : {}) });
      await this.enqueue(next, { correlationId, flowName: flow.name, step: next.name, payload: output, properties: envelope.properties }, '1');
      return;
    }
    const finished = await this.store.transition(correlationId, ACTIVE_STATES, 'succeeded', {
      output,
      finishedAt: new Date().toISOString(),
      ...(counts ? { counts } : {}),
      ...(run.callbackUrl ? { callback: { state: 'pending', attempts: 0 } } : {}),
    });
    if (finished) {
      logger.info('flow run succeeded', { correlationId });
      if (finished.callbackUrl) await this.callbacks.enqueue(finished);
    }
  }

  /** Every chunk of a step is done (succeeded or failed for good): record the step and go on with the counts. */
  private async chunkedStepDone(flow: Flow, step: FlowStep, envelope: FlowEnvelope, totals: ChunkCounts, logger: Logger): Promise<void> {
    const { correlationId } = envelope;
    const run = await this.store.getRun(correlationId);
    if (!run || FINISHED_STATES.includes(run.state)) return;
    const now = new Date();
    const startedAt = await this.store.chunkStartedAt(correlationId, step.name, now.toISOString());
    await this.store.appendHistory(correlationId, {
      step: step.name,
      attempt: 1,
      startedAt,
      finishedAt: now.toISOString(),
      durationMs: now.getTime() - Date.parse(startedAt),
      outcome: 'succeeded',
      instance: this.options.instance,
      chunks: envelope.chunk?.count ?? 1,
      counts: totals,
    });
    logger.info('chunked step done', { correlationId, ...totals });
    await this.advance(flow, step, envelope, totals, run, logger, totals);
    await this.store.markDone(correlationId, step.name);
  }

  private async stepFailed(
    flow: Flow,
    step: FlowStep,
    envelope: FlowEnvelope,
    message: DeliveredMessage,
    attempt: number,
    startedAt: Date,
    error: unknown,
    run: RunRecord,
    logger: Logger,
  ): Promise<HandlerOutcome> {
    const { correlationId } = envelope;
    const failure = runError(error, step.name);
    const chunk = envelope.chunk;
    // The one table of what becomes of a failure, shared with the route consumer.
    const outcome = outcomeOf(error, { attempt, policy: step.retry });
    if (outcome.kind === 'retry') {
      const { delayMs } = outcome;
      logger.warn('step failed; retrying through the broker', { correlationId, attempt, delayMs, error: failure.message, code: failure.code });
      await this.store.transition(correlationId, ACTIVE_STATES, 'retrying', { error: failure, currentStep: step.name });
      await this.store.appendHistory(correlationId, this.attemptRecord(step, attempt, startedAt, 'retrying', failure, chunk?.index));
      await scheduleRetry(this.transport, { workQueue: step.queue, message, attempt, delayMs, maxAttempts: step.retry.maxAttempts });
      this.observe(flow.name, step, 'retried');
      return 'ack';
    }
    logger.error('step failed for good; dead-lettered', { correlationId, attempt, error: failure.message, code: failure.code, retryable: isRetryable(error) });
    const now = new Date().toISOString();
    const provenance = readProvenance(message.headers);
    await deadLetter(this.transport, {
      workQueue: step.queue,
      message,
      provenance: {
        flow: flow.name,
        step: step.name,
        attempts: attempt,
        errorClass: failure.errorClass,
        errorMessage: failure.message,
        errorCode: failure.code,
        correlationId,
        ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}),
      },
    });
    this.observe(flow.name, step, 'dead_lettered');
    await this.store.putDeadLetter({
      correlationId,
      flowName: flow.name,
      step: step.name,
      ...(chunk ? { chunk: chunk.index } : {}),
      attempts: attempt,
      errorClass: failure.errorClass,
      errorCode: failure.code,
      errorMessage: failure.message,
      ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}),
      firstFailureAt: headerText(message.headers['x-pipes-first-failure-at']) ?? provenance?.firstFailureAt ?? now,
      lastFailureAt: now,
      queue: step.queue,
      deadLetterQueue: deadLetterQueueName(step.queue),
      redrivable: !chunk,
    });
    await this.store.appendHistory(correlationId, this.attemptRecord(step, attempt, startedAt, 'dead-lettered', failure, chunk?.index));
    if (chunk) {
      // A chunk that cannot be processed counts its items as failed; the run goes on with the others.
      const size = Array.isArray(envelope.payload) ? envelope.payload.length : 0;
      const progress = await this.store.recordChunk(correlationId, step.name, chunk.index, { attempted: size, succeeded: 0, skipped: 0, failed: size });
      if (progress.first && progress.done >= chunk.count) await this.chunkedStepDone(flow, step, envelope, progress.totals, logger);
      return 'ack';
    }
    const parked = await this.store.transition(correlationId, ACTIVE_STATES, 'dead-lettered', {
      error: failure,
      currentStep: step.name,
      ...(run.callbackUrl ? { callback: { state: 'pending', attempts: 0 } } : {}),
    });
    if (parked?.callbackUrl) await this.callbacks.enqueue(parked);
    return 'ack';
  }

  private attemptRecord(step: FlowStep, attempt: number, startedAt: Date, outcome: StepAttempt['outcome'], error?: RunError, chunk?: number): StepAttempt {
    const finishedAt = new Date();
    return {
      step: step.name,
      attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      outcome,
      instance: this.options.instance,
      ...(error ? { error } : {}),
      ...(chunk !== undefined ? { chunk } : {}),
    };
  }

  /** Puts a message back on its queue after `delayMs` (through the first retry level) without counting an attempt. */
  private async recheckLater(queue: string, message: DeliveredMessage, delayMs: number): Promise<void> {
    await this.transport.publish({
      ...sameMessage(message, retryQueueName(queue, 1), withoutBrokerHeaders(message.headers)),
      expirationMs: Math.max(1, Math.round(delayMs)),
    });
  }

  private async parkUnreadable(flow: Flow, step: FlowStep, message: DeliveredMessage, error: unknown): Promise<HandlerOutcome> {
    const failure = runError(error, step.name);
    try {
      await deadLetter(this.transport, {
        workQueue: step.queue,
        message,
        provenance: { flow: flow.name, step: step.name, errorClass: failure.errorClass, errorMessage: failure.message, errorCode: failure.code },
      });
      this.observe(flow.name, step, 'dead_lettered');
      return 'ack';
    } catch {
      return 'requeue';
    }
  }

  // ---- runs and dead letters ----------------------------------------------------------------------------

  getRun(correlationId: string): Promise<RunRecord | undefined> {
    return this.store.getRun(correlationId);
  }

  listRuns(filter: RunListFilter): Promise<RunRecord[]> {
    return this.store.listRuns(filter);
  }

  /** The dead letters of a flow; with `owner`, only those of runs that principal started. */
  async deadLetters(flowName: string, options: { owner?: string } = {}): Promise<{ records: DeadLetterRecord[]; queues: { step: string; queue: string; messages: number }[] }> {
    const flow = this.requireFlow(flowName);
    const records = await this.ownedBy(options.owner, await this.store.listDeadLetters(flowName));
    records.sort((a, b) => a.lastFailureAt.localeCompare(b.lastFailureAt));
    const queues = [];
    for (const step of flow.steps) {
      const queue = deadLetterQueueName(step.queue);
      const info = await this.transport.queueInfo(queue).catch(() => ({ messageCount: 0 }));
      queues.push({ step: step.name, queue, messages: info.messageCount });
    }
    return { records, queues };
  }

  /**
   * Moves dead letters of a flow back onto the queue of the step that failed, so their runs continue
   * from there (attempts start again at 1). Safe to repeat: a dead letter is taken off its dead-letter
   * queue when redriven, and a run is redriven only from the `dead-lettered` state (compare-and-set).
   * Dead letters not selected (filter, limit, or a run that moved on) are put back on the dead-letter queue.
   */
  async redrive(flowName: string, options: RedriveOptions = {}): Promise<RedriveReport> {
    const flow = this.requireFlow(flowName);
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const wanted = options.correlationIds?.length ? new Set(options.correlationIds) : undefined;
    const report: RedriveReport = { flowName, dryRun: options.dryRun === true, redriven: [], skipped: [] };
    if (options.dryRun) {
      const listed = await this.ownedBy(options.owner, await this.store.listDeadLetters(flowName));
      const records = listed.filter((r) => r.redrivable && (!wanted || wanted.has(r.correlationId)));
      records.sort((a, b) => a.lastFailureAt.localeCompare(b.lastFailureAt));
      report.matched = records.slice(0, limit);
      return report;
    }
    for (const step of flow.steps) {
      if (report.redriven.length >= limit) break;
      await this.redriveQueue(flow, step, wanted, limit, report, options.owner);
    }
    this.options.logger.info('dead letters redriven', { flowName, redriven: report.redriven.length, skipped: report.skipped.length });
    return report;
  }

  /** Records of runs `owner` started (all of them without an owner); others' runs are not mentioned at all. */
  private async ownedBy(owner: string | undefined, records: DeadLetterRecord[]): Promise<DeadLetterRecord[]> {
    if (owner === undefined) return records;
    const owners = new Map<string, string | undefined>();
    for (const id of new Set(records.map((r) => r.correlationId))) owners.set(id, (await this.store.getRun(id))?.owner);
    return records.filter((r) => owners.get(r.correlationId) === owner);
  }

  private async redriveQueue(
    flow: Flow,
    step: FlowStep,
    wanted: Set<string> | undefined,
    limit: number,
    report: RedriveReport,
    owner: string | undefined,
  ): Promise<void> {
    const dlq = deadLetterQueueName(step.queue);
    await sweepQueue(this.transport, dlq, (message) => this.redriveOne(flow, step, message, wanted, limit, report, owner));
  }

  /** One dead letter of a sweep: moved back onto its step queue (`take`), or left where it is (`keep`). */
  private async redriveOne(
    flow: Flow,
    step: FlowStep,
    message: DeliveredMessage,
    wanted: Set<string> | undefined,
    limit: number,
    report: RedriveReport,
    owner: string | undefined,
  ): Promise<SweepDecision> {
    const keep = (correlationId: string, reason: string | undefined): SweepDecision => {
      if (reason) report.skipped.push({ correlationId, step: step.name, reason });
      return 'keep';
    };
    let envelope: FlowEnvelope;
    try {
      envelope = readEnvelope(message);
    } catch {
      return keep(message.correlationId ?? '?', 'not a flow message');
    }
    const { correlationId } = envelope;
    if ((wanted && !wanted.has(correlationId)) || report.redriven.length >= limit) return keep(correlationId, undefined);
    // Another principal's run is left alone and not named in the report.
    if (owner !== undefined && (await this.store.getRun(correlationId))?.owner !== owner) return keep(correlationId, undefined);
    if (envelope.chunk) return keep(correlationId, 'a chunk of a run that went on without it (its items are counted as failed)');
    const run = await this.store.getRun(correlationId);
    // A message the broker dead-lettered itself (delivery limit) has no provenance and its run was never parked.
    const parkedByBroker = readProvenance(message.headers) === undefined;
    const from: readonly RunState[] = parkedByBroker ? [...ACTIVE_STATES, 'dead-lettered'] : ['dead-lettered'];
    if (!run || !from.includes(run.state)) return keep(correlationId, `run is ${run?.state ?? 'unknown to the store'}`);
    const moved = await this.store.transition(correlationId, from, 'queued', { currentStep: step.name, clearError: true, countRedrive: true });
    if (!moved) return keep(correlationId, 'run changed state meanwhile');
    try {
      const headers: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(withoutBrokerHeaders(message.headers))) if (!isPipesHeader(name)) headers[name] = value;
      await this.transport.publish({ ...envelopeMessage(step.queue, envelope, `r${moved.redrives}`), headers });
    } catch (error) {
      await this.store.transition(correlationId, ['queued'], 'dead-lettered', { error: run.error ?? runError(error, step.name) });
      throw error;
    }
    await this.store.removeDeadLetters(flow.name, correlationId);
    report.redriven.push({ correlationId, step: step.name });
    return 'take';
  }

  private requireFlow(flowName: string): Flow {
    const flow = this.flows.get(flowName);
    if (!flow) throw new HttpRequestError(404, 'FLOW_NOT_FOUND', `No flow named '${flowName}'`);
    return flow;
  }
}

const ZERO_COUNTS: ChunkCounts = { attempted: 0, succeeded: 0, skipped: 0, failed: 0 };

/** A step queue: quorum, bounded with reject-publish; the broker's own dead-lettering (delivery limit) lands in its DLQ. */
function stepQueue(name: string, maxLength: number): QueueDeclaration {
  return routerQueue(name, {
    maxLength,
    deadLetterExchange: '',
    deadLetterRoutingKey: deadLetterQueueName(name),
    arguments: { 'x-dead-letter-strategy': 'at-least-once' },
  });
}

function validateInput(flow: Flow, payload: unknown): void {
  const validate = flow.validateInput;
  if (!validate || validate(payload)) return;
  const issues: ValidationIssue[] = (validate.errors ?? []).map((error) => ({
    instancePath: error.instancePath,
    message: error.message ?? 'is invalid',
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
  }));
  throw new JsonValidationError(
    `The payload does not match the input schema of flow '${flow.name}' (${issues.length} error${issues.length === 1 ? '' : 's'})`,
    issues,
    { details: { flowName: flow.name } },
  );
}

/** The array a chunked step splits: the payload itself, or its `items` field. */
function chunkItems(step: FlowStep, payload: unknown, fail: (message: string) => Error): unknown[] {
  const field = step.chunk?.items;
  const items = field ? (payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[field] : undefined) : payload;
  if (!Array.isArray(items)) {
    throw fail(`Step '${step.name}' processes its payload in chunks, so ${field ? `the payload's '${field}' field` : 'the payload'} must be an array`);
  }
  return items;
}

/**
 * What a chunk counted. A step may answer `{succeeded?, skipped?, failed?}` for its chunk; any other answer
 * means every item of the chunk succeeded. `attempted` is always the chunk's size, so totals are exact.
 */
export function chunkCounts(output: unknown, chunk: unknown): ChunkCounts {
  const size = Array.isArray(chunk) ? chunk.length : 0;
  const reported = output && typeof output === 'object' && !Array.isArray(output) ? (output as Record<string, unknown>) : undefined;
  const count = (key: string): number | undefined => {
    const value = reported?.[key];
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, size) : undefined;
  };
  const skipped = count('skipped');
  const failed = count('failed');
  if (skipped === undefined && failed === undefined && count('succeeded') === undefined) {
    return { attempted: size, succeeded: size, skipped: 0, failed: 0 };
  }
  const s = skipped ?? 0;
  const f = Math.min(failed ?? 0, size - s);
  return { attempted: size, succeeded: size - s - f, skipped: s, failed: f };
}

/** The one answer for a callbackUrl the router will not call: refused and unresolvable read the same. */
const CALLBACK_REFUSED =
  'callbackUrl is not allowed: the router calls back only http(s) hosts on the public internet ' +
  '(not loopback, private, link-local or reserved addresses, unless the operator allow-listed them)';

async function checkCallbackUrl(flow: Flow, url: string, egress: EgressPolicy): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpRequestError(400, 'BAD_CALLBACK_URL', 'callbackUrl is not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new HttpRequestError(400, 'BAD_CALLBACK_URL', 'callbackUrl must be an http or https URL');
  }
  if (!flow.callback.secret) {
    throw new HttpRequestError(
      400,
      'CALLBACK_NOT_CONFIGURED',
      `Flow '${flow.name}' has no callback signing secret (flow.callback.secret or PIPES_CALLBACK_SECRET), so it cannot call back`,
    );
  }
  // Before anything is recorded or any connection is made: resolve once and check every address.
  try {
    await egress.target(parsed, 'callback');
  } catch (error) {
    const code = error instanceof ServicePipesError ? error.details.code : undefined;
    if (error instanceof EgressRefusedError || code === 'ENOTFOUND') throw new HttpRequestError(400, 'BAD_CALLBACK_URL', CALLBACK_REFUSED);
    throw new HttpRequestError(503, 'CALLBACK_CHECK_UNAVAILABLE', 'The callbackUrl could not be checked now (name resolution failed); try again');
  }
}

/**
 * The store key of an Idempotency-Key: scoped by the principal that sent it. The owner is base64url
 * encoded (no `.` in it), so no owner/key pair can spell another's.
 */
export function idempotencyScope(owner: string | undefined, key: string): string {
  return owner === undefined ? key : `${Buffer.from(owner, 'utf8').toString('base64url')}.${key}`;
}

/** The hash an Idempotency-Key is bound to: the payload (key order does not matter) and the callback URL. */
export function payloadHash(payload: unknown, callbackUrl?: string): string {
  return createHash('sha256').update(stableJson(payload)).update('\u0000').update(callbackUrl ?? '').digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function runError(error: unknown, step?: string): RunError {
  const failure = toError(error);
  return {
    ...(step ? { step } : {}),
    code: error instanceof ServicePipesError ? error.code : failure.name || 'Error',
    errorClass: camelHierarchy(error)[0] ?? 'java.lang.Exception',
    message: failure.message,
    ...(error instanceof HttpOperationFailedError ? { httpStatus: error.statusCode } : {}),
  };
}

/**
 * Runs the work with a deadline. At the deadline the attempt fails with a TimeoutError and the work's
 * signal is aborted with it, so the work stops too (an HTTP call is cancelled, its socket closed) instead
 * of running on beside the retry that follows.
 */
function withTimeout<T>(start: (signal: AbortSignal) => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`${what} did not finish within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  let work: Promise<T>;
  try {
    work = start(controller.signal);
  } catch (error) {
    clearTimeout(timer);
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  // The work may still settle after the deadline; its late rejection must not go unhandled.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

export { ATTEMPT_HEADER };
