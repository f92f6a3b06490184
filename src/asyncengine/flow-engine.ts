import type { FlowStepEventKind } from './flow-model.js';
import type { RedriveOptions, RedriveReport } from './flow-redrive.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { EgressPolicy } from '../security/egress-policy.js';
import { HttpRequestError, JsonValidationError, UnrecoverableError, toError } from '../errors/index.js';
import { ATTEMPT_HEADER, retryTopology } from '../reliability/broker-retry.js';
import type {
  OutboundMessage,
  QueueDeclaration,
  Subscription,
  Topology,
  Transport,
} from '../transport/transport.js';
import { CallbackDelivery, callbackQueueName } from './callbacks.js';
import { envelopeMessage, type FlowEnvelope } from './envelope.js';
import type { Flow, FlowStep } from './flow-model.js';
import {
  ACTIVE_STATES,
  DEFAULT_RETENTION_MS,
  type RunListFilter,
  type RunRecord,
  type RunStore,
} from './run-store.js';

import { FlowRedrive } from './flow-redrive.js';
import {
  chunkItems,
  checkCallbackUrl,
  idempotencyScope,
  payloadHash,
  runError,
  stepQueue,
  validateInput,
} from './flow-runs.js';
import { StepWorker } from './step-worker.js';
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

/** `count`: messages (a chunked step submits several); `durationMs`: the step's work, when it ran. */
export type FlowStepObserver = (event: {
  flow: string;
  step: string;
  kind: FlowStepEventKind;
  count?: number;
  durationMs?: number;
}) => void;

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
  private readonly worker: StepWorker;
  private readonly deadLetterView: FlowRedrive;
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
    this.worker = new StepWorker({
      store: options.store,
      transport: options.transport,
      instance: options.instance,
      callbacks: this.callbacks,
      enqueue: (step, envelope, suffix) => this.enqueue(step, envelope, suffix),
      observe: (flow, step, kind, extra) => this.observe(flow, step, kind, extra),
    });
    this.deadLetterView = new FlowRedrive({
      store: options.store,
      transport: options.transport,
      logger: options.logger,
      requireFlow: (flowName) => this.requireFlow(flowName),
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
      this.store
        .prune()
        .catch((error: unknown) =>
          this.options.logger.warn('Could not prune finished runs', { error: toError(error).message }),
        );
    }, every);
    this.pruneTimer.unref();
    await this.transport.declare(this.topology());
    for (const flow of this.flows.values()) {
      for (const step of flow.steps) {
        const logger = this.options.logger.child({ flowName: flow.name, step: step.name });
        this.subscriptions.push(
          await this.transport.consume(
            { queue: step.queue, concurrency: step.concurrency, prefetch: step.concurrency * 2 },
            (message) => this.worker.handleStep(flow, step, message, logger),
          ),
        );
      }
      this.subscriptions.push(
        await this.transport.consume(
          { queue: callbackQueueName(flow.name), concurrency: 4, prefetch: 8 },
          (message) => this.callbacks.handle(flow, message),
        ),
      );
    }
    this.options.logger.info('async engine started', {
      flows: [...this.flows.keys()],
      store: this.store.kind,
    });
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
      throw new HttpRequestError(404, 'FLOW_NOT_FOUND', `No flow named '${flowName}'`, {
        known: [...this.flows.keys()],
      });
    }
    const first = flow.steps[0];
    if (!first) throw new HttpRequestError(404, 'FLOW_NOT_FOUND', `Flow '${flowName}' has no steps`);
    validateInput(flow, payload);
    if (first.chunk)
      chunkItems(
        first,
        payload,
        (message) =>
          new JsonValidationError(message, [
            {
              instancePath: first.chunk?.items ? `/${first.chunk.items}` : '',
              message: 'must be array',
              keyword: 'type',
            },
          ]),
      );
    if (options.callbackUrl !== undefined) await checkCallbackUrl(flow, options.callbackUrl, this.egress);

    const correlationId = randomUUID();
    const idempotency = options.idempotencyKey
      ? {
          key: idempotencyScope(options.owner, options.idempotencyKey),
          payloadHash: payloadHash(payload, options.callbackUrl),
          ttlMs: this.retentionMs,
        }
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
      return {
        correlationId: created.correlationId,
        statusUrl: this.statusUrl(flowName, created.correlationId),
        replayed: true,
      };
    }
    if (created.outcome === 'conflict') {
      throw new HttpRequestError(
        409,
        'IDEMPOTENCY_CONFLICT',
        'This Idempotency-Key was used for a start with another payload',
        { correlationId: created.correlationId },
      );
    }
    const envelope: FlowEnvelope = {
      correlationId,
      flowName,
      step: first.name,
      payload,
      properties: options.properties ?? {},
    };
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
      messages.push(
        envelopeMessage(
          step.queue,
          { ...envelope, payload: items.slice(index * size, (index + 1) * size), chunk },
          suffix,
        ),
      );
    }
    await Promise.all(messages.map((message) => this.transport.publish(message)));
    this.observe(envelope.flowName, step, 'submitted', { count: messages.length });
  }

  private observe(
    flow: string,
    step: FlowStep,
    kind: FlowStepEventKind,
    extra: { count?: number; durationMs?: number } = {},
  ): void {
    this.options.observer?.({ flow, step: step.name, kind, ...extra });
  }

  getRun(correlationId: string): Promise<RunRecord | undefined> {
    return this.store.getRun(correlationId);
  }

  listRuns(filter: RunListFilter): Promise<RunRecord[]> {
    return this.store.listRuns(filter);
  }

  /** The dead letters of a flow; with `owner`, only those of runs that principal started. */
  deadLetters(flowName: string, options: { owner?: string } = {}): ReturnType<FlowRedrive['deadLetters']> {
    return this.deadLetterView.deadLetters(flowName, options);
  }

  /** Redrives dead letters of a flow back to their steps (see FlowRedrive). */
  redrive(flowName: string, options: RedriveOptions = {}): Promise<RedriveReport> {
    return this.deadLetterView.redrive(flowName, options);
  }

  private requireFlow(flowName: string): Flow {
    const flow = this.flows.get(flowName);
    if (!flow) throw new HttpRequestError(404, 'FLOW_NOT_FOUND', `No flow named '${flowName}'`);
    return flow;
  }
}

export { ATTEMPT_HEADER };
export { chunkCounts, idempotencyScope, payloadHash, runError } from './flow-runs.js';

export type { FlowStepEventKind } from './flow-model.js';
export type { RedriveOptions, RedriveReport } from './flow-redrive.js';
