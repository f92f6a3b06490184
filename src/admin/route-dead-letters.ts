/**
 * The dead letters of routes that consume RabbitMQ queues: where they are (`<queue>.dlq`, or the route's
 * own `deadLetterQueue`), what each says about its failure, and their redrive to the work queue.
 *
 * A redrive republishes the dead letter to the queue it failed on, with the same message-id (so the
 * route's duplicate check recognises a message delivered meanwhile), the attempt count reset and the
 * failure moved into the `x-pipes-redriven-*` history; only once the broker confirmed is the dead letter
 * acked. Dead letters not selected go back untouched. Running it twice is safe: what the first redrive
 * took is gone from the dead-letter queue, and a message-id the route already processed is skipped by
 * the route (see the spring-rabbitmq consumer).
 */
import type { Logger } from '../observability/logger.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../components/shared/json-body.js';
import type { BuiltRoute } from '../runtime/built-route.js';
import { readProvenance, type Provenance } from '../reliability/broker-retry.js';
import {
  pacer,
  redriveHistory,
  redrivenHeaders,
  RedriveHeaders,
  sameMessage,
  sweepQueue,
  type RedriveHistoryEntry,
} from '../reliability/dead-letters.js';
import { isTransportError } from '../transport/transport-errors.js';
import type { DeliveredMessage, Transport } from '../transport/transport.js';
import { deadLetterQueueName } from '../transport/topology-names.js';
import { queueList, type SpringRabbitOptions } from '../components/spring-rabbitmq/options.js';

/** A work queue of a route and the queue its dead letters land in. */
export interface DeadLetterSource {
  routeId: string;
  queue: string;
  deadLetterQueue: string;
}

export interface DeadLetterFilter {
  routeId?: string;
  queue?: string;
  correlationId?: string;
  /** Camel exception name; matches the full name or its last segment (`HttpOperationFailedException`). */
  errorClass?: string;
  /** Message-ids to select. */
  ids?: readonly string[];
  /** ISO times: the last failure at or after `since`, before `until`. */
  since?: string;
  until?: string;
}

export interface DeadLetterView extends Partial<Provenance> {
  /** The message-id: what `show` and `redrive --id` take. */
  id: string;
  routeId: string;
  queue: string;
  deadLetterQueue: string;
  /** Why the broker dead-lettered it, for dead letters the broker made itself (delivery limit). */
  brokerReason?: string;
  redriveCount: number;
  redriveHistory: RedriveHistoryEntry[];
  contentType?: string;
  headers: Record<string, unknown>;
  /** The body: parsed JSON, text, or base64 for other bytes (cut at 64 KiB). */
  body?: unknown;
  bodyEncoding?: 'json' | 'text' | 'base64';
  bodyBytes: number;
  /** Shown by message-id: how many dead letters with this id its dead-letter queue holds, when more than one. */
  copies?: number;
}

/** A dead letter found by message-id in one dead-letter queue, and how many there carry that id. */
export interface DeadLetterMatch {
  view: DeadLetterView;
  copies: number;
}

export interface RedriveOptions {
  filter?: DeadLetterFilter;
  dryRun?: boolean;
  /** At most this many dead letters are redriven. */
  limit?: number;
  /** At most this many redriven a second. */
  ratePerSecond?: number;
}

export interface RedriveReport {
  dryRun: boolean;
  /** Redriven (or, in a dry run, that would be). */
  redriven: { id: string; routeId: string; queue: string; correlationId?: string }[];
  queues: { routeId: string; queue: string; deadLetterQueue: string; remaining: number }[];
}

const MAX_BODY_SHOWN = 64 * 1024;
/** Dead letters a listing reads per queue at most (it reads all of them, each once). */
const MAX_LISTED_PER_QUEUE = 10_000;

/** The dead-letter queues of the built routes that consume spring-rabbitmq queues. */
export function deadLetterSources(routes: readonly BuiltRoute[]): DeadLetterSource[] {
  const sources: DeadLetterSource[] = [];
  for (const route of routes) {
    if (route.component.scheme !== 'spring-rabbitmq') continue;
    const options = route.from.options as unknown as SpringRabbitOptions;
    for (const queue of queueList(options.queues)) {
      const deadLetterQueue =
        options.deadLetterExchange === undefined ? deadLetterQueueName(queue) : options.deadLetterQueue;
      // A route that dead-letters to an exchange of the operator's without a queue we know: not ours to read.
      if (deadLetterQueue) sources.push({ routeId: route.definition.id, queue, deadLetterQueue });
    }
  }
  return sources;
}

export class RouteDeadLetters {
  constructor(
    private readonly transport: () => Transport,
    private readonly sources: () => readonly DeadLetterSource[],
    private readonly logger: Logger,
  ) {}

  /** The known dead-letter queues and how many messages each holds. */
  async queues(filter: DeadLetterFilter = {}): Promise<(DeadLetterSource & { messages: number })[]> {
    const result = [];
    for (const source of this.selected(filter)) {
      result.push({ ...source, messages: await this.depth(source.deadLetterQueue) });
    }
    return result;
  }

  /** The dead letters matching `filter`, oldest failure first, at most `limit`. Each is read once and put back. */
  async list(filter: DeadLetterFilter = {}, limit = 100): Promise<DeadLetterView[]> {
    const found: DeadLetterView[] = [];
    for (const source of this.selected(filter)) {
      if ((await this.depth(source.deadLetterQueue)) === 0) continue;
      await sweepQueue(
        this.transport(),
        source.deadLetterQueue,
        (message) => {
          const view = viewOf(message, source);
          if (matches(view, filter)) found.push(view);
          return Promise.resolve('keep');
        },
        { maxMessages: MAX_LISTED_PER_QUEUE },
      );
    }
    found.sort((a, b) => (a.lastFailureAt ?? '').localeCompare(b.lastFailureAt ?? ''));
    return found.slice(0, limit);
  }

  /**
   * The dead letters with this message-id, at most one per dead-letter queue (the first there), in the
   * order of the queues. More than one means one message failed in several routes (a fan-out), and which
   * one the caller means is theirs to say (`queue` or `route` in the filter); a copy of the same
   * message-id within one queue is counted in `copies`.
   */
  async show(id: string, filter: DeadLetterFilter = {}): Promise<DeadLetterMatch[]> {
    const found: DeadLetterMatch[] = [];
    for (const source of this.selected(filter)) {
      if ((await this.depth(source.deadLetterQueue)) === 0) continue;
      let match: DeadLetterMatch | undefined;
      await sweepQueue(
        this.transport(),
        source.deadLetterQueue,
        (message) => {
          if (message.messageId === id) {
            if (match) match.copies++;
            else match = { view: viewOf(message, source), copies: 1 };
          }
          return Promise.resolve('keep');
        },
        { maxMessages: MAX_LISTED_PER_QUEUE },
      );
      if (match) found.push(match);
    }
    return found;
  }

  async redrive(options: RedriveOptions = {}): Promise<RedriveReport> {
    const filter = options.filter ?? {};
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const dryRun = options.dryRun === true;
    const pace = pacer(dryRun ? undefined : options.ratePerSecond);
    const report: RedriveReport = { dryRun, redriven: [], queues: [] };
    const transport = this.transport();
    for (const source of this.selected(filter)) {
      if (report.redriven.length < limit && (await this.depth(source.deadLetterQueue)) > 0) {
        await sweepQueue(
          transport,
          source.deadLetterQueue,
          async (message) => {
            if (report.redriven.length >= limit) return 'keep';
            const view = viewOf(message, source);
            if (!matches(view, filter)) return 'keep';
            const entry = { id: view.id, routeId: source.routeId, queue: view.queue, ...(view.correlationId ? { correlationId: view.correlationId } : {}) };
            if (dryRun) {
              report.redriven.push(entry);
              return 'keep';
            }
            await pace();
            await transport.publish(sameMessage(message, view.queue, redrivenHeaders(message)));
            report.redriven.push(entry);
            this.logger.info('dead letter redriven', {
              routeId: source.routeId,
              queue: view.queue,
              messageId: view.id,
              correlationId: view.correlationId,
            });
            return 'take';
          },
          { enough: () => report.redriven.length >= limit },
        );
      }
      report.queues.push({ ...source, remaining: await this.depth(source.deadLetterQueue) });
    }
    if (!dryRun) this.logger.info('dead letters redriven', { redriven: report.redriven.length, filter });
    return report;
  }

  private selected(filter: DeadLetterFilter): DeadLetterSource[] {
    return this.sources().filter(
      (source) =>
        (filter.routeId === undefined || source.routeId === filter.routeId) &&
        (filter.queue === undefined || source.queue === filter.queue || source.deadLetterQueue === filter.queue),
    );
  }

  private async depth(queue: string): Promise<number> {
    try {
      return (await this.transport().queueInfo(queue)).messageCount;
    } catch (error) {
      // Not declared yet (the route never started here): nothing dead-lettered.
      if (isTransportError(error, 'NOT_FOUND')) return 0;
      throw error;
    }
  }
}

function viewOf(message: DeliveredMessage, source: DeadLetterSource): DeadLetterView {
  const provenance = readProvenance(message.headers);
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (name.toLowerCase() === 'x-death') continue;
    headers[name] = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  }
  const brokerReason = message.headers['x-first-death-reason'];
  return {
    ...(provenance ?? {}),
    id: message.messageId ?? '',
    routeId: provenance?.routeId ?? source.routeId,
    queue: provenance?.sourceQueue ?? source.queue,
    deadLetterQueue: source.deadLetterQueue,
    ...(provenance?.correlationId === undefined && message.correlationId ? { correlationId: message.correlationId } : {}),
    ...(!provenance && typeof brokerReason === 'string' ? { brokerReason } : {}),
    redriveCount: Number(message.headers[RedriveHeaders.count] ?? 0),
    redriveHistory: redriveHistory(message.headers),
    ...(message.contentType ? { contentType: message.contentType } : {}),
    headers,
    ...bodyOf(message),
  };
}

function bodyOf(message: DeliveredMessage): Pick<DeadLetterView, 'body' | 'bodyEncoding' | 'bodyBytes'> {
  const bytes = message.body.length;
  const shown = message.body.subarray(0, MAX_BODY_SHOWN);
  const type = (message.contentType ?? '').toLowerCase();
  // A document nested deeper than any entry accepts is shown as text: parsed, it would overflow the stack
  // when the listing is serialised, and one such dead letter would make the whole listing answer 500.
  if (/json/.test(type) && bytes <= MAX_BODY_SHOWN && !nestsDeeperThan(shown.toString('utf8'), MAX_JSON_DEPTH)) {
    try {
      return { body: JSON.parse(shown.toString('utf8')) as unknown, bodyEncoding: 'json', bodyBytes: bytes };
    } catch {
      // shown as text below
    }
  }
  if (/json|^text\//.test(type) || (!type && !shown.includes(0))) {
    return { body: shown.toString('utf8'), bodyEncoding: 'text', bodyBytes: bytes };
  }
  return { body: shown.toString('base64'), bodyEncoding: 'base64', bodyBytes: bytes };
}

export function matches(view: DeadLetterView, filter: DeadLetterFilter): boolean {
  if (filter.routeId !== undefined && view.routeId !== filter.routeId) return false;
  if (filter.queue !== undefined && view.queue !== filter.queue && view.deadLetterQueue !== filter.queue) return false;
  if (filter.correlationId !== undefined && view.correlationId !== filter.correlationId) return false;
  if (filter.ids && filter.ids.length > 0 && !filter.ids.includes(view.id)) return false;
  if (filter.errorClass !== undefined) {
    const name = view.errorClass ?? '';
    if (name !== filter.errorClass && name.split('.').pop() !== filter.errorClass) return false;
  }
  const at = view.lastFailureAt ?? '';
  if (filter.since !== undefined && !(at && Date.parse(at) >= Date.parse(filter.since))) return false;
  if (filter.until !== undefined && !(at && Date.parse(at) < Date.parse(filter.until))) return false;
  return true;
}
