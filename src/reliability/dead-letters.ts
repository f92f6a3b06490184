/**
 * Reading and redriving dead-letter queues, shared by the admin API (route dead letters) and the async
 * engine (flow dead letters). The queue is the truth: nothing here keeps an index of its own.
 *
 * RabbitMQ has no "browse", and a quorum queue counts every requeue toward its delivery limit (a dead
 * letter requeued often enough would be dropped). So a sweep takes each message once and either keeps it
 * (publishes it again, unchanged, to the back of the same queue and acks the original only after the
 * broker confirmed) or hands it to the caller, who moves it elsewhere (confirmed) before it is acked.
 * A sweep visits the messages that were in the queue when it started, in order, and puts the kept ones
 * back in the same order, so listing leaves the queue as it was.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveredMessage, HandlerOutcome, OutboundMessage, Transport } from '../transport/transport.js';
import { toError } from '../errors/index.js';
import {
  ATTEMPT_HEADER,
  ProvenanceHeaders,
  readProvenance,
  republished,
  withoutBrokerHeaders,
  type Provenance,
} from './broker-retry.js';

/** What a sweep does with one message. `take`: the visitor moved it (confirmed); it is acked. */
export type SweepDecision = 'keep' | 'take';

export interface SweepOptions {
  /** Stop visiting after this many messages (the rest stay untouched). */
  maxMessages?: number;
  /** Checked after each visit: true ends the sweep early (the rest stay untouched). */
  enough?: () => boolean;
  /**
   * How long to wait for the next delivery before deciding the queue holds fewer messages than counted
   * (another consumer took some). Default 3 s.
   */
  idleMs?: number;
}

/** The same message, to `queue` through the default exchange, with `headers`. */
export function sameMessage(
  message: DeliveredMessage,
  queue: string,
  headers: Record<string, unknown> = withoutBrokerHeaders(message.headers),
): OutboundMessage {
  return republished(message, { exchange: '', routingKey: queue }, headers);
}

/**
 * Visits the messages of `queue` once each. Resolves with how many were visited. A visitor that throws
 * stops the sweep; its message goes back to the queue (kept) first, so nothing is lost.
 */
export async function sweepQueue(
  transport: Transport,
  queue: string,
  visit: (message: DeliveredMessage) => Promise<SweepDecision>,
  options: SweepOptions = {},
): Promise<number> {
  const { messageCount } = await transport.queueInfo(queue);
  const wanted = Math.min(messageCount, options.maxMessages ?? Number.MAX_SAFE_INTEGER);
  if (wanted <= 0) return 0;
  const idleMs = options.idleMs ?? 3000;
  let seen = 0;
  let failure: unknown;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let idle: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(finish, idleMs);
  };
  const keep = async (message: DeliveredMessage): Promise<HandlerOutcome> => {
    try {
      await transport.publish(sameMessage(message, queue));
      return 'ack';
    } catch (error) {
      // Not copied back: the original stays (a requeue counts toward the delivery limit, but loses nothing).
      failure ??= error;
      finish();
      return 'requeue';
    }
  };
  touch();
  const subscription = await transport.consume({ queue, concurrency: 1, prefetch: 1 }, async (message) => {
    // Deliveries after the last one wanted (prefetched before the sweep closed) are kept as they are.
    if (seen >= wanted || failure !== undefined || options.enough?.()) return keep(message);
    seen += 1;
    touch();
    try {
      const decision = await visit(message);
      return decision === 'take' ? 'ack' : await keep(message);
    } catch (error) {
      failure ??= error;
      return await keep(message);
    } finally {
      if (seen >= wanted || failure !== undefined || options.enough?.()) finish();
    }
  });
  await finished;
  clearTimeout(idle);
  await subscription.close();
  if (failure !== undefined) throw toError(failure);
  return seen;
}

/** Paces work to at most `perSecond` items a second (no limit when undefined or ≤ 0). */
export function pacer(perSecond: number | undefined): () => Promise<void> {
  if (!perSecond || perSecond <= 0) return () => Promise.resolve();
  const gapMs = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = Date.now();
    if (next > now) await sleep(next - now);
    next = Math.max(now, next) + gapMs;
  };
}

/** History headers a redriven message carries, so its earlier failures stay visible. */
export const RedriveHeaders = {
  count: 'x-pipes-redriven-count',
  lastAt: 'x-pipes-redriven-at',
  /** JSON list of the provenance of each earlier dead-lettering, oldest first (the last 10). */
  history: 'x-pipes-redriven-history',
} as const;

const MAX_HISTORY = 10;

export interface RedriveHistoryEntry extends Provenance {
  redrivenAt: string;
}

export function redriveHistory(headers: Record<string, unknown>): RedriveHistoryEntry[] {
  const raw = headers[RedriveHeaders.history];
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (typeof text !== 'string') return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as RedriveHistoryEntry[]) : [];
  } catch {
    return [];
  }
}

/** Provenance headers that describe one failure episode: dropped on redrive (they move into the history). */
const EPISODE_HEADERS = new Set<string>([
  ATTEMPT_HEADER,
  ProvenanceHeaders.attempts,
  ProvenanceHeaders.errorClass,
  ProvenanceHeaders.errorMessage,
  ProvenanceHeaders.errorCode,
  ProvenanceHeaders.httpStatus,
  ProvenanceHeaders.firstFailureAt,
  ProvenanceHeaders.lastFailureAt,
  ProvenanceHeaders.failedStep,
]);

/**
 * The headers of a dead letter going back to its work queue: a fresh start (no attempt count, no failure
 * of this episode), where it was first published kept, and the episode added to the redrive history.
 */
export function redrivenHeaders(message: DeliveredMessage, now = new Date()): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(withoutBrokerHeaders(message.headers)))
    if (!EPISODE_HEADERS.has(name.toLowerCase())) headers[name] = value;
  const provenance = readProvenance(message.headers);
  const history = redriveHistory(message.headers);
  const redrivenAt = now.toISOString();
  if (provenance) history.push({ ...provenance, redrivenAt });
  headers[RedriveHeaders.count] = Number(message.headers[RedriveHeaders.count] ?? 0) + 1;
  headers[RedriveHeaders.lastAt] = redrivenAt;
  headers[RedriveHeaders.history] = JSON.stringify(history.slice(-MAX_HISTORY));
  return headers;
}
