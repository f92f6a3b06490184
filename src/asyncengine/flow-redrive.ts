import type { Logger } from '../observability/logger.js';
import { isPipesHeader, readProvenance, withoutBrokerHeaders } from '../reliability/broker-retry.js';
import { sweepQueue, type SweepDecision } from '../reliability/dead-letters.js';
import { deadLetterQueueName } from '../transport/topology-names.js';
import type { DeliveredMessage, Transport } from '../transport/transport.js';
import { envelopeMessage, readEnvelope, type FlowEnvelope } from './envelope.js';
import type { Flow, FlowStep } from './flow-model.js';
import { ACTIVE_STATES, type DeadLetterRecord, type RunState, type RunStore } from './run-store.js';

import { runError } from './flow-runs.js';

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

/** What the dead-letter view and redrive of the flows are given by their engine. */
export interface FlowRedriveContext {
  store: RunStore;
  transport: Transport;
  logger: Logger;
  requireFlow(flowName: string): Flow;
}

/** The flows' dead letters: listed from the store's index with the queues' depths, and redriven one by one. */
export class FlowRedrive {
  constructor(private readonly context: FlowRedriveContext) {}

  /** The dead letters of a flow; with `owner`, only those of runs that principal started. */
  async deadLetters(
    flowName: string,
    options: { owner?: string } = {},
  ): Promise<{ records: DeadLetterRecord[]; queues: { step: string; queue: string; messages: number }[] }> {
    const flow = this.context.requireFlow(flowName);
    const records = await this.ownedBy(options.owner, await this.context.store.listDeadLetters(flowName));
    records.sort((a, b) => a.lastFailureAt.localeCompare(b.lastFailureAt));
    const queues = [];
    for (const step of flow.steps) {
      const queue = deadLetterQueueName(step.queue);
      const info = await this.context.transport.queueInfo(queue).catch(() => ({ messageCount: 0 }));
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
    const flow = this.context.requireFlow(flowName);
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const wanted = options.correlationIds?.length ? new Set(options.correlationIds) : undefined;
    const report: RedriveReport = { flowName, dryRun: options.dryRun === true, redriven: [], skipped: [] };
    if (options.dryRun) {
      const listed = await this.ownedBy(options.owner, await this.context.store.listDeadLetters(flowName));
      const records = listed.filter((r) => r.redrivable && (!wanted || wanted.has(r.correlationId)));
      records.sort((a, b) => a.lastFailureAt.localeCompare(b.lastFailureAt));
      report.matched = records.slice(0, limit);
      return report;
    }
    for (const step of flow.steps) {
      if (report.redriven.length >= limit) break;
      await this.redriveQueue(flow, step, wanted, limit, report, options.owner);
    }
    this.context.logger.info('dead letters redriven', {
      flowName,
      redriven: report.redriven.length,
      skipped: report.skipped.length,
    });
    return report;
  }

  /** Records of runs `owner` started (all of them without an owner); others' runs are not mentioned at all. */
  private async ownedBy(owner: string | undefined, records: DeadLetterRecord[]): Promise<DeadLetterRecord[]> {
    if (owner === undefined) return records;
    const owners = new Map<string, string | undefined>();
    for (const id of new Set(records.map((r) => r.correlationId)))
      owners.set(id, (await this.context.store.getRun(id))?.owner);
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
    await sweepQueue(this.context.transport, dlq, (message) =>
      this.redriveOne(flow, step, message, wanted, limit, report, owner),
    );
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
    if ((wanted && !wanted.has(correlationId)) || report.redriven.length >= limit)
      return keep(correlationId, undefined);
    // Another principal's run is left alone and not named in the report.
    if (owner !== undefined && (await this.context.store.getRun(correlationId))?.owner !== owner)
      return keep(correlationId, undefined);
    if (envelope.chunk)
      return keep(
        correlationId,
        'a chunk of a run that went on without it (its items are counted as failed)',
      );
    const run = await this.context.store.getRun(correlationId);
    // A message the broker dead-lettered itself (delivery limit) has no provenance and its run was never parked.
    const parkedByBroker = readProvenance(message.headers) === undefined;
    const from: readonly RunState[] = parkedByBroker
      ? [...ACTIVE_STATES, 'dead-lettered']
      : ['dead-lettered'];
    if (!run || !from.includes(run.state))
      return keep(correlationId, `run is ${run?.state ?? 'unknown to the store'}`);
    const moved = await this.context.store.transition(correlationId, from, 'queued', {
      currentStep: step.name,
      clearError: true,
      countRedrive: true,
    });
    if (!moved) return keep(correlationId, 'run changed state meanwhile');
    try {
      const headers: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(withoutBrokerHeaders(message.headers)))
        if (!isPipesHeader(name)) headers[name] = value;
      await this.context.transport.publish({
        ...envelopeMessage(step.queue, envelope, `r${moved.redrives}`),
        headers,
      });
    } catch (error) {
      await this.context.store.transition(correlationId, ['queued'], 'dead-lettered', {
        error: run.error ?? runError(error, step.name),
      });
      throw error;
    }
    await this.context.store.removeDeadLetters(flow.name, correlationId);
    report.redriven.push({ correlationId, step: step.name });
    return 'take';
  }
}
