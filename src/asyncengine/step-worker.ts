import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { toError } from '../errors/index.js';
import { attemptsOf, deadLetter, readProvenance, scheduleRetry, withoutBrokerHeaders } from '../reliability/broker-retry.js';
import { sameMessage } from '../reliability/dead-letters.js';
import { deadLetterQueueName, retryQueueName } from '../transport/topology-names.js';
import type { DeliveredMessage, HandlerOutcome, Transport } from '../transport/transport.js';
import { CallbackDelivery } from './callbacks.js';
import { readEnvelope, type FlowEnvelope } from './envelope.js';
import type { ChunkCounts, Flow, FlowStep } from './flow-model.js';
import { outcomeOf } from '../reliability/failure-outcome.js';
import { isRetryable } from '../reliability/retry-policy.js';
import {
  ACTIVE_STATES,
  FINISHED_STATES,
  type RunError,
  type RunRecord,
  type RunStore,
  type StepAttempt,
} from './run-store.js';

import type { FlowStepEventKind } from './flow-model.js';
import { ZERO_COUNTS, chunkCounts, headerText, runError, withTimeout } from './flow-runs.js';

/** How long a claim outlives the step timeout, so a crashed worker's claim frees itself. */
const CLAIM_MARGIN_MS = 10_000;
/** Wait before looking again at a message the store could not be asked about (Redis down). */
const INFRASTRUCTURE_RECHECK_MS = 2000;

/** What a step worker is given by its engine. */
export interface StepWorkerContext {
  store: RunStore;
  transport: Transport;
  /** Names this router in run histories and claims. */
  instance: string;
  callbacks: CallbackDelivery;
  /** Publishes a step's input (one message, or one per chunk). */
  enqueue(step: FlowStep, envelope: FlowEnvelope, suffix: string): Promise<void>;
  observe(
    flow: string,
    step: FlowStep,
    kind: FlowStepEventKind,
    extra?: { count?: number; durationMs?: number },
  ): void;
}

/**
 * Runs one step message: claim it in the run store, do the step's work within its timeout, then either
 * publish the next step's message (confirmed before this one is acked), finish the run, or settle the
 * failure through the one failure-outcome table (retry held by the broker, or dead letter).
 */
export class StepWorker {
  constructor(private readonly context: StepWorkerContext) {}

  async handleStep(
    flow: Flow,
    step: FlowStep,
    message: DeliveredMessage,
    logger: Logger,
  ): Promise<HandlerOutcome> {
    let envelope: FlowEnvelope;
    try {
      envelope = readEnvelope(message);
    } catch (error) {
      logger.error('Not a flow message; dead-lettered', {
        messageId: message.messageId,
        error: toError(error).message,
      });
      return this.parkUnreadable(flow, step, message, error);
    }
    const { correlationId } = envelope;
    const doneKey = envelope.chunk ? `${step.name}#${envelope.chunk.index}` : step.name;
    const attempt = attemptsOf(message.headers) + 1;
    const owner = `${this.context.instance}:${randomUUID()}`;
    let claimed = false;
    try {
      let run = await this.context.store.getRun(correlationId);
      if (!run) {
        // A memory store forgets runs on restart while the broker kept their messages: carry on under a new record.
        logger.warn('Run not in the store; recording it again', { correlationId });
        await this.context.store.createRun({ correlationId, flowName: flow.name, currentStep: step.name });
        run = await this.context.store.getRun(correlationId);
        if (!run) return 'requeue';
      }
      if (FINISHED_STATES.includes(run.state)) {
        if (run.callback?.state === 'pending' && run.callbackUrl) await this.context.callbacks.enqueue(run);
        return 'ack';
      }
      if (run.state === 'dead-lettered') return 'ack';
      if (await this.context.store.isDone(correlationId, doneKey)) {
        if (envelope.chunk && !(await this.context.store.isDone(correlationId, step.name))) {
          const progress = await this.context.store.recordChunk(
            correlationId,
            step.name,
            envelope.chunk.index,
            ZERO_COUNTS,
          );
          if (progress.done >= envelope.chunk.count)
            await this.chunkedStepDone(flow, step, envelope, progress.totals, logger);
        }
        return 'ack';
      }
      claimed = await this.context.store.claim(
        correlationId,
        doneKey,
        owner,
        step.timeoutMs + CLAIM_MARGIN_MS,
      );
      if (!claimed) {
        // Another worker has it (a duplicate delivery): look again once its claim could have expired.
        await this.recheckLater(step.queue, message, step.timeoutMs + CLAIM_MARGIN_MS);
        return 'ack';
      }
      const running = await this.context.store.transition(correlationId, ACTIVE_STATES, 'running', {
        currentStep: step.name,
      });
      if (!running) return 'ack';
      const startedAt = new Date();
      if (envelope.chunk)
        await this.context.store.chunkStartedAt(correlationId, step.name, startedAt.toISOString());
      this.context.observe(flow.name, step, 'started');
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
        this.context.observe(flow.name, step, 'failed', { durationMs: Date.now() - startedAt.getTime() });
        return await this.stepFailed(flow, step, envelope, message, attempt, startedAt, error, run, logger);
      }
      this.context.observe(flow.name, step, 'succeeded', { durationMs: Date.now() - startedAt.getTime() });
      try {
        if (envelope.chunk) {
          const counts = chunkCounts(output, envelope.payload);
          const progress = await this.context.store.recordChunk(
            correlationId,
            step.name,
            envelope.chunk.index,
            counts,
          );
          if (progress.first && progress.done >= envelope.chunk.count)
            await this.chunkedStepDone(flow, step, envelope, progress.totals, logger);
          return 'ack';
        }
        await this.context.store.appendHistory(
          correlationId,
          this.attemptRecord(step, attempt, startedAt, 'succeeded'),
        );
        await this.advance(flow, step, envelope, output, run, logger);
        await this.context.store.markDone(correlationId, step.name);
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
      if (claimed) await this.context.store.release(correlationId, doneKey, owner).catch(() => undefined);
    }
  }

  /** Hands a finished step's output on: the next step's message, or the end of the run. */
  private async advance(
    flow: Flow,
    step: FlowStep,
    envelope: FlowEnvelope,
    output: unknown,
    run: RunRecord,
    logger: Logger,
    counts?: ChunkCounts,
  ): Promise<void> {
    const next = flow.steps[step.index + 1];
    const { correlationId } = envelope;
    if (next) {
      // Recorded before the publish: the next worker may start (and record `running`) before the confirm arrives.
      await this.context.store.transition(correlationId, ACTIVE_STATES, 'queued', {
        currentStep: next.name,
        ...(counts ? { counts } : {}),
      });
      await this.context.enqueue(
        next,
        {
          correlationId,
          flowName: flow.name,
          step: next.name,
          payload: output,
          properties: envelope.properties,
        },
        '1',
      );
      return;
    }
    const finished = await this.context.store.transition(correlationId, ACTIVE_STATES, 'succeeded', {
      output,
      finishedAt: new Date().toISOString(),
      ...(counts ? { counts } : {}),
      ...(run.callbackUrl ? { callback: { state: 'pending', attempts: 0 } } : {}),
    });
    if (finished) {
      logger.info('flow run succeeded', { correlationId });
      if (finished.callbackUrl) await this.context.callbacks.enqueue(finished);
    }
  }

  /** Every chunk of a step is done (succeeded or failed for good): record the step and go on with the counts. */
  private async chunkedStepDone(
    flow: Flow,
    step: FlowStep,
    envelope: FlowEnvelope,
    totals: ChunkCounts,
    logger: Logger,
  ): Promise<void> {
    const { correlationId } = envelope;
    const run = await this.context.store.getRun(correlationId);
    if (!run || FINISHED_STATES.includes(run.state)) return;
    const now = new Date();
    const startedAt = await this.context.store.chunkStartedAt(correlationId, step.name, now.toISOString());
    await this.context.store.appendHistory(correlationId, {
      step: step.name,
      attempt: 1,
      startedAt,
      finishedAt: now.toISOString(),
      durationMs: now.getTime() - Date.parse(startedAt),
      outcome: 'succeeded',
      instance: this.context.instance,
      chunks: envelope.chunk?.count ?? 1,
      counts: totals,
    });
    logger.info('chunked step done', { correlationId, ...totals });
    await this.advance(flow, step, envelope, totals, run, logger, totals);
    await this.context.store.markDone(correlationId, step.name);
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
      logger.warn('step failed; retrying through the broker', {
        correlationId,
        attempt,
        delayMs,
        error: failure.message,
        code: failure.code,
      });
      await this.context.store.transition(correlationId, ACTIVE_STATES, 'retrying', {
        error: failure,
        currentStep: step.name,
      });
      await this.context.store.appendHistory(
        correlationId,
        this.attemptRecord(step, attempt, startedAt, 'retrying', failure, chunk?.index),
      );
      await scheduleRetry(this.context.transport, {
        workQueue: step.queue,
        message,
        attempt,
        delayMs,
        maxAttempts: step.retry.maxAttempts,
      });
      this.context.observe(flow.name, step, 'retried');
      return 'ack';
    }
    logger.error('step failed for good; dead-lettered', {
      correlationId,
      attempt,
      error: failure.message,
      code: failure.code,
      retryable: isRetryable(error),
    });
    const now = new Date().toISOString();
    const provenance = readProvenance(message.headers);
    await deadLetter(this.context.transport, {
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
    this.context.observe(flow.name, step, 'dead_lettered');
    await this.context.store.putDeadLetter({
      correlationId,
      flowName: flow.name,
      step: step.name,
      ...(chunk ? { chunk: chunk.index } : {}),
      attempts: attempt,
      errorClass: failure.errorClass,
      errorCode: failure.code,
      errorMessage: failure.message,
      ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}),
      firstFailureAt:
        headerText(message.headers['x-pipes-first-failure-at']) ?? provenance?.firstFailureAt ?? now,
      lastFailureAt: now,
      queue: step.queue,
      deadLetterQueue: deadLetterQueueName(step.queue),
      redrivable: !chunk,
    });
    await this.context.store.appendHistory(
      correlationId,
      this.attemptRecord(step, attempt, startedAt, 'dead-lettered', failure, chunk?.index),
    );
    if (chunk) {
      // A chunk that cannot be processed counts its items as failed; the run goes on with the others.
      const size = Array.isArray(envelope.payload) ? envelope.payload.length : 0;
      const progress = await this.context.store.recordChunk(correlationId, step.name, chunk.index, {
        attempted: size,
        succeeded: 0,
        skipped: 0,
        failed: size,
      });
      if (progress.first && progress.done >= chunk.count)
        await this.chunkedStepDone(flow, step, envelope, progress.totals, logger);
      return 'ack';
    }
    const parked = await this.context.store.transition(correlationId, ACTIVE_STATES, 'dead-lettered', {
      error: failure,
      currentStep: step.name,
      ...(run.callbackUrl ? { callback: { state: 'pending', attempts: 0 } } : {}),
    });
    if (parked?.callbackUrl) await this.context.callbacks.enqueue(parked);
    return 'ack';
  }

  private attemptRecord(
    step: FlowStep,
    attempt: number,
    startedAt: Date,
    outcome: StepAttempt['outcome'],
    error?: RunError,
    chunk?: number,
  ): StepAttempt {
    const finishedAt = new Date();
    return {
      step: step.name,
      attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      outcome,
      instance: this.context.instance,
      ...(error ? { error } : {}),
      ...(chunk !== undefined ? { chunk } : {}),
    };
  }

  /** Puts a message back on its queue after `delayMs` (through the first retry level) without counting an attempt. */
  private async recheckLater(queue: string, message: DeliveredMessage, delayMs: number): Promise<void> {
    await this.context.transport.publish({
      ...sameMessage(message, retryQueueName(queue, 1), withoutBrokerHeaders(message.headers)),
      expirationMs: Math.max(1, Math.round(delayMs)),
    });
  }

  private async parkUnreadable(
    flow: Flow,
    step: FlowStep,
    message: DeliveredMessage,
    error: unknown,
  ): Promise<HandlerOutcome> {
    const failure = runError(error, step.name);
    try {
      await deadLetter(this.context.transport, {
        workQueue: step.queue,
        message,
        provenance: {
          flow: flow.name,
          step: step.name,
          errorClass: failure.errorClass,
          errorMessage: failure.message,
          errorCode: failure.code,
        },
      });
      this.context.observe(flow.name, step, 'dead_lettered');
      return 'ack';
    } catch {
      return 'requeue';
    }
  }

  // ---- runs and dead letters ----------------------------------------------------------------------------
}
