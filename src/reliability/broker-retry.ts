/**
 * Retries held by the broker and dead letters with their provenance, at transport level: anything that
 * consumes a work queue (a route's `spring-rabbitmq` consumer, an async-flow step worker) uses these so
 * retry queues, dead-letter queues and their headers look the same everywhere.
 *
 * The flow of one message:
 *   work queue ──(attempt n fails, retry wanted)──► `<work>.retry.<n>` (expiration = delay, no consumer)
 *        ▲                                              │ expires: dead-lettered through the default exchange
 *        └──────────────────────────────────────────────┘
 *   work queue ──(not retryable, or out of attempts)──► `<work>.dlq` (provenance headers)
 *
 * Ordering of the steps is the caller's part: publish the retry / dead letter, wait for the broker's
 * confirm, only then ack the original. When the publish fails, nack the original with requeue: it comes
 * back, and the work queue's quorum delivery limit bounds that loop (the broker then dead-letters it).
 */
import type {
  DeliveredMessage,
  OutboundMessage,
  QueueDeclaration,
  Topology,
  Transport,
} from '../transport/transport.js';
import { deadLetterQueueName, delayQueue, retryQueueName, routerQueue } from '../transport/topology-names.js';

/** AMQP header: failed attempts so far (absent on a first delivery). Raised each time a retry is scheduled. */
export const ATTEMPT_HEADER = 'x-pipes-attempt';

/** AMQP headers a dead letter carries, so an operator can tell where it came from and why. */
export const ProvenanceHeaders = {
  routeId: 'x-pipes-route-id',
  /** Flow and step, for dead letters of async-engine work queues. */
  flow: 'x-pipes-flow',
  step: 'x-pipes-step',
  /** The queue the message was consumed from (the one a redrive puts it back on). */
  sourceQueue: 'x-pipes-source-queue',
  /** Where the message was first published, kept across retries (dead-lettering from a delay queue loses it). */
  originalExchange: 'x-pipes-original-exchange',
  originalRoutingKey: 'x-pipes-original-routing-key',
  attempts: 'x-pipes-attempts',
  /** The Camel exception name (e.g. `org.apache.camel.component.jsonvalidator.JsonValidationException`). */
  errorClass: 'x-pipes-error-class',
  errorMessage: 'x-pipes-error-message',
  /** The router's error code (VALIDATION_FAILED, HTTP_OPERATION_FAILED, ...). */
  errorCode: 'x-pipes-error-code',
  /** Status code of the partner's answer, when the failure was an HTTP one. */
  httpStatus: 'x-pipes-http-status',
  /** ISO-8601 times; the first one is kept across retries. */
  firstFailureAt: 'x-pipes-first-failure-at',
  lastFailureAt: 'x-pipes-last-failure-at',
  correlationId: 'x-pipes-correlation-id',
  /** Where in the route it failed (step id or keyword and YAML path). */
  failedStep: 'x-pipes-failed-step',
} as const;

/** True for the headers this module maintains; consumers strip them before handing headers to routes. */
export function isPipesHeader(name: string): boolean {
  return name.toLowerCase().startsWith('x-pipes-');
}

/** What a dead letter says about its failure. */
export interface Provenance {
  routeId?: string;
  flow?: string;
  step?: string;
  sourceQueue?: string;
  originalExchange?: string;
  originalRoutingKey?: string;
  /** Attempts made, the failing one included. */
  attempts: number;
  errorClass: string;
  errorMessage: string;
  errorCode?: string;
  httpStatus?: number;
  firstFailureAt: string;
  lastFailureAt: string;
  correlationId?: string;
  failedStep?: string;
}

/** Longest error message kept in a header: enough to diagnose, small enough for any broker frame. */
const MAX_ERROR_MESSAGE = 2000;

export interface RetryTopology {
  workQueue: string;
  /** Attempt levels with a delay queue of their own; later attempts wait in the last level. */
  maxAttempts: number;
  deadLetterQueue: string;
  topology: Topology;
}

/**
 * The delay queues `<workQueue>.retry.1 .. .retry.<maxAttempts>` and the dead-letter queue of a work queue.
 *
 * Why one delay queue per attempt level and a per-message expiration: RabbitMQ expires messages only at
 * the head of a queue, so in a single delay queue a 1 s retry queued behind a 60 s one would wait 60 s.
 * Within one level every message asks for roughly the same delay (same base and backoff, differing by the
 * jitter only), so a message can be late by at most the jitter spread of its level (or by a partner's
 * longer `Retry-After` queued before it). One queue per distinct delay would remove even that, but the
 * delays are computed per message (jitter), which would mean an unbounded number of queues.
 */
export function retryTopology(
  workQueue: string,
  maxAttempts: number,
  overrides: {
    delayQueue?: Partial<Omit<QueueDeclaration, 'name'>>;
    deadLetterQueue?: Partial<Omit<QueueDeclaration, 'name'>>;
  } = {},
): RetryTopology {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(
      `retryTopology(${workQueue}): maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`,
    );
  }
  const queues: QueueDeclaration[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++)
    queues.push(delayQueue(workQueue, attempt, overrides.delayQueue));
  const deadLetterQueue = deadLetterQueueName(workQueue);
  queues.push(routerQueue(deadLetterQueue, overrides.deadLetterQueue));
  return { workQueue, maxAttempts, deadLetterQueue, topology: { queues } };
}

/** Failed attempts recorded on a message (0 on a first delivery). */
export function attemptsOf(headers: Record<string, unknown>): number {
  const value = Number(headers[ATTEMPT_HEADER] ?? 0);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The same message again: body, properties and id unchanged, so consumers can deduplicate it. */
export function republished(
  message: DeliveredMessage,
  target: { exchange: string; routingKey: string },
  headers: Record<string, unknown>,
): OutboundMessage {
  return {
    exchange: target.exchange,
    routingKey: target.routingKey,
    body: message.body,
    contentType: message.contentType,
    contentEncoding: message.contentEncoding,
    headers,
    messageId: message.messageId,
    correlationId: message.correlationId,
    replyTo: message.replyTo,
    type: message.type,
    timestamp: message.timestamp,
  };
}

/** Headers the broker adds on dead-lettering and redelivery: carrying them into a new publish only confuses. */
const BROKER_HEADERS = new Set([
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-delivery-count',
]);

/** The message's own headers, without the broker's bookkeeping (BROKER_HEADERS). */
export function withoutBrokerHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers))
    if (!BROKER_HEADERS.has(name.toLowerCase())) kept[name] = value;
  return kept;
}

/** Where the message was published first: its own headers after a retry, the delivery itself before. */
function origin(message: DeliveredMessage): { exchange: string; routingKey: string } {
  const exchange = message.headers[ProvenanceHeaders.originalExchange];
  const routingKey = message.headers[ProvenanceHeaders.originalRoutingKey];
  return typeof exchange === 'string' && typeof routingKey === 'string'
    ? { exchange, routingKey }
    : { exchange: message.exchange, routingKey: message.routingKey };
}

export interface ScheduleRetryRequest {
  workQueue: string;
  message: DeliveredMessage;
  /** The attempt that just failed (1 = the first delivery). */
  attempt: number;
  delayMs: number;
  /** Levels declared by {@link retryTopology}; attempts beyond wait in the last level. */
  maxAttempts: number;
  /** Time of this failure (default now). */
  failedAt?: Date;
}

/**
 * Publishes the message to the delay queue of its attempt level with `x-pipes-attempt` = `attempt`;
 * resolves once the broker confirmed. The caller acks the original only then.
 */
export async function scheduleRetry(transport: Transport, request: ScheduleRetryRequest): Promise<void> {
  const { workQueue, message, attempt, maxAttempts } = request;
  const failedAt = (request.failedAt ?? new Date()).toISOString();
  const level = Math.min(Math.max(1, Math.floor(attempt)), maxAttempts);
  const { exchange, routingKey } = origin(message);
  const headers: Record<string, unknown> = {
    ...withoutBrokerHeaders(message.headers),
    [ATTEMPT_HEADER]: Math.max(1, Math.floor(attempt)),
    [ProvenanceHeaders.originalExchange]: exchange,
    [ProvenanceHeaders.originalRoutingKey]: routingKey,
    [ProvenanceHeaders.firstFailureAt]:
      stringHeader(message.headers[ProvenanceHeaders.firstFailureAt]) ?? failedAt,
  };
  await transport.publish({
    ...republished(message, { exchange: '', routingKey: retryQueueName(workQueue, level) }, headers),
    // At least 1 ms: an expiration of 0 would make the broker drop-or-deliver at once, not delay.
    expirationMs: Math.max(1, Math.round(request.delayMs)),
  });
}

export interface HandBackRequest {
  workQueue: string;
  message: DeliveredMessage;
  /** 0: straight back onto the work queue; more: through the first delay level, back after this long. */
  delayMs: number;
}

/**
 * Puts a message back for later without counting a failed attempt (its `x-pipes-attempt` is unchanged):
 * for a message that was not tried at all (an open circuit breaker, a duplicate still in progress
 * elsewhere). A fresh publish, not a requeue, because quorum queues count requeues toward their delivery
 * limit. Resolves once confirmed; the caller acks the original only then.
 */
export async function handBack(transport: Transport, request: HandBackRequest): Promise<void> {
  const { workQueue, message } = request;
  const { exchange, routingKey } = origin(message);
  const headers: Record<string, unknown> = {
    ...withoutBrokerHeaders(message.headers),
    [ProvenanceHeaders.originalExchange]: exchange,
    [ProvenanceHeaders.originalRoutingKey]: routingKey,
  };
  const delayed = request.delayMs > 0;
  await transport.publish({
    ...republished(message, { exchange: '', routingKey: delayed ? retryQueueName(workQueue, 1) : workQueue }, headers),
    ...(delayed ? { expirationMs: Math.max(1, Math.round(request.delayMs)) } : {}),
  });
}

export interface DeadLetterRequest {
  workQueue: string;
  message: DeliveredMessage;
  /** What went wrong; `attempts`, times, origin and correlation id default from the message itself. */
  provenance: Partial<Provenance> & Pick<Provenance, 'errorClass' | 'errorMessage'>;
  /**
   * Where to publish instead of `deadLetterQueueName(workQueue)` through the default exchange (a route's own
   * `deadLetterExchange` / `deadLetterRoutingKey`).
   */
  target?: { exchange: string; routingKey: string };
}

/** Publishes the message to `deadLetterQueueName(workQueue)` (or `target`) with its provenance; resolves once confirmed. */
export async function deadLetter(transport: Transport, request: DeadLetterRequest): Promise<void> {
  const { workQueue, message } = request;
  const now = new Date().toISOString();
  const { exchange, routingKey } = origin(message);
  const provenance: Provenance = {
    sourceQueue: workQueue,
    originalExchange: exchange,
    originalRoutingKey: routingKey,
    attempts: attemptsOf(message.headers) + 1,
    firstFailureAt: stringHeader(message.headers[ProvenanceHeaders.firstFailureAt]) ?? now,
    lastFailureAt: now,
    correlationId: message.correlationId,
    ...request.provenance,
  };
  const headers = { ...withoutBrokerHeaders(message.headers), ...provenanceHeaders(provenance) };
  await transport.publish(
    republished(
      message,
      request.target ?? { exchange: '', routingKey: deadLetterQueueName(workQueue) },
      headers,
    ),
  );
}

/** Provenance as AMQP headers (absent facts are left out). */
export function provenanceHeaders(provenance: Provenance): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ProvenanceHeaders) as [keyof Provenance, string][]) {
    const value = provenance[key];
    if (value === undefined || value === null) continue;
    headers[name] = key === 'errorMessage' ? String(value).slice(0, MAX_ERROR_MESSAGE) : value;
  }
  return headers;
}

/** Reads the provenance back from a dead letter's headers; undefined when it has none (not ours). */
export function readProvenance(headers: Record<string, unknown>): Provenance | undefined {
  const errorClass = stringHeader(headers[ProvenanceHeaders.errorClass]);
  if (errorClass === undefined) return undefined;
  const provenance: Provenance = {
    attempts: Number(headers[ProvenanceHeaders.attempts] ?? 0),
    errorClass,
    errorMessage: stringHeader(headers[ProvenanceHeaders.errorMessage]) ?? '',
    firstFailureAt: stringHeader(headers[ProvenanceHeaders.firstFailureAt]) ?? '',
    lastFailureAt: stringHeader(headers[ProvenanceHeaders.lastFailureAt]) ?? '',
  };
  for (const key of [
    'routeId',
    'flow',
    'step',
    'sourceQueue',
    'originalExchange',
    'originalRoutingKey',
    'errorCode',
    'correlationId',
    'failedStep',
  ] as const) {
    const value = stringHeader(headers[ProvenanceHeaders[key]]);
    if (value !== undefined) provenance[key] = value;
  }
  const status = headers[ProvenanceHeaders.httpStatus];
  if (status !== undefined && Number.isFinite(Number(status))) provenance.httpStatus = Number(status);
  return provenance;
}

function stringHeader(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
