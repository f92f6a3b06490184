import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { sendUnpooled } from '../components/http/http-client.js';
import { EgressRefusedError, type EgressPolicy } from '../security/egress-policy.js';
import { attemptsOf, deadLetter, scheduleRetry } from '../reliability/broker-retry.js';
import { flowStepQueueName } from '../transport/topology-names.js';
import type { DeliveredMessage, HandlerOutcome, Transport } from '../transport/transport.js';
import type { Flow } from './flow-model.js';
import { retryDelay } from '../reliability/retry-policy.js';
import { FINISHED_STATES, type RunRecord, type RunStore } from './run-store.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Pipes-Signature';
/** Header with the run's correlation id (also in the body). */
export const CALLBACK_CORRELATION_HEADER = 'X-Pipes-Correlation-Id';

/** The internal queue of a flow's completion callbacks (step names cannot start with `_`, so no clash). */
export function callbackQueueName(flowName: string): string {
  return flowStepQueueName(flowName, '_callbacks');
}

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers (and tests): checks a signature header against the raw body in constant time. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** What the receiver gets: the run's end as the status API shows it, without the step history. */
export interface CallbackBody {
  event: 'run.succeeded' | 'run.failed';
  correlationId: string;
  flowName: string;
  state: RunRecord['state'];
  finishedAt?: string;
  output?: unknown;
  counts?: RunRecord['counts'];
  error?: RunRecord['error'];
  statusUrl: string;
  sentAt: string;
}

/**
 * Calls the `callbackUrl` of a run once it ended (succeeded, failed, or dead-lettered), from a queue of its
 * own, so a slow or failing receiver never holds up a step worker. 5xx, 408, 429 and network errors are
 * retried through the broker with the flow's callback retry policy; other answers end the attempt.
 */
export class CallbackDelivery {
  constructor(
    private readonly options: {
      store: RunStore;
      transport: Transport;
      logger: Logger;
      statusUrl: (run: RunRecord) => string;
      /** Where callbacks may go: checked again at every delivery, and the call connects to the checked address. */
      egress: EgressPolicy;
    },
  ) {}

  async enqueue(run: RunRecord): Promise<void> {
    await this.options.transport.publish({
      exchange: '',
      routingKey: callbackQueueName(run.flowName),
      body: Buffer.from(JSON.stringify({ correlationId: run.correlationId, flowName: run.flowName, state: run.state, redrives: run.redrives })),
      contentType: 'application/json',
      messageId: `${run.correlationId}:callback:${run.state}:${run.redrives}`,
      correlationId: run.correlationId,
      type: 'pipes.flow.callback',
    });
  }

  async handle(flow: Flow, message: DeliveredMessage): Promise<HandlerOutcome> {
    const { store, transport, logger } = this.options;
    let request: { correlationId?: string };
    try {
      request = JSON.parse(message.body.toString('utf8')) as { correlationId?: string };
    } catch {
      return 'dead-letter';
    }
    const run = request.correlationId ? await store.getRun(request.correlationId) : undefined;
    if (!run?.callbackUrl || !run.callback || run.callback.state !== 'pending') return 'ack';
    if (!FINISHED_STATES.includes(run.state) && run.state !== 'dead-lettered') return 'ack';
    const secret = flow.callback.secret;
    const attempt = attemptsOf(message.headers) + 1;
    const body: CallbackBody = {
      event: run.state === 'succeeded' ? 'run.succeeded' : 'run.failed',
      correlationId: run.correlationId,
      flowName: run.flowName,
      state: run.state,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
      ...(run.output !== undefined ? { output: run.output } : {}),
      ...(run.counts ? { counts: run.counts } : {}),
      ...(run.error ? { error: run.error } : {}),
      statusUrl: this.options.statusUrl(run),
      sentAt: new Date().toISOString(),
    };
    const raw = JSON.stringify(body);
    let outcome: PostOutcome;
    if (!secret) {
      outcome = { ok: false, retryable: false, error: 'the flow has no callback signing secret' };
    } else {
      outcome = await post(this.options.egress, run.callbackUrl, raw, secret, run.correlationId, flow.callback.timeoutMs);
      if (!outcome.ok && outcome.detail) {
        logger.warn('callback not delivered', { flowName: flow.name, correlationId: run.correlationId, attempt, detail: outcome.detail });
      }
    }
    if (outcome.ok) {
      await store.update(run.correlationId, { callback: { state: 'delivered', attempts: attempt, at: new Date().toISOString() } });
      logger.info('callback delivered', { flowName: flow.name, correlationId: run.correlationId, attempt });
      return 'ack';
    }
    const policy = flow.callback.retry;
    if (outcome.retryable && attempt < policy.maxAttempts) {
      await store.update(run.correlationId, { callback: { state: 'pending', attempts: attempt, lastError: outcome.error } });
      await scheduleRetry(transport, {
        workQueue: callbackQueueName(flow.name),
        message,
        attempt,
        delayMs: retryDelay(policy, attempt),
        maxAttempts: policy.maxAttempts,
      });
      logger.warn('callback failed; retrying', { flowName: flow.name, correlationId: run.correlationId, attempt, error: outcome.error });
      return 'ack';
    }
    await deadLetter(transport, {
      workQueue: callbackQueueName(flow.name),
      message,
      provenance: { flow: flow.name, step: '_callbacks', attempts: attempt, errorClass: 'java.io.IOException', errorMessage: outcome.error, correlationId: run.correlationId },
    });
    await store.update(run.correlationId, { callback: { state: 'failed', attempts: attempt, lastError: outcome.error, at: new Date().toISOString() } });
    logger.error('callback failed for good', { flowName: flow.name, correlationId: run.correlationId, attempt, error: outcome.error });
    return 'ack';
  }
}

type PostOutcome = { ok: true } | { ok: false; retryable: boolean; error: string; detail?: string };

/**
 * What the run status says when nothing answered. The same words whether the egress policy refused the
 * address, the name did not resolve, or the connection failed, so the status is no oracle of what
 * listens where; the detail goes to the router's log only.
 */
export const CALLBACK_UNREACHABLE = 'the receiver could not be reached';

async function post(egress: EgressPolicy, url: string, body: string, secret: string, correlationId: string, timeoutMs: number): Promise<PostOutcome> {
  try {
    // Checked at every delivery (DNS may have changed since the start), then connected to that address.
    const target = await egress.target(url, 'callback');
    const answer = await sendUnpooled({
      url: target.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER.toLowerCase()]: signBody(secret, body),
        [CALLBACK_CORRELATION_HEADER.toLowerCase()]: correlationId,
        'user-agent': 'service-pipes-async-engine',
      },
      body,
      connectTimeoutMs: timeoutMs,
      responseTimeoutMs: timeoutMs,
      displayUrl: `${target.url.origin}${target.url.pathname}`,
      connectTo: { address: target.address, family: target.family },
    });
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    const retryable = answer.status >= 500 || answer.status === 408 || answer.status === 429;
    return { ok: false, retryable, error: `the receiver answered ${answer.status}` };
  } catch (error) {
    const detail = error instanceof EgressRefusedError ? `refused by the egress policy: ${error.reason}` : (error as Error).message;
    return { ok: false, retryable: true, error: CALLBACK_UNREACHABLE, detail };
  }
}
