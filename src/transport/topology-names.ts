/**
 * Names of the queues and exchanges the router owns, in one place, so routes, the async engine, the
 * dead-letter tooling and operators agree on them. Every name starts with the router's prefix so a
 * shared broker shows at a glance what belongs to whom.
 */
import type { QueueDeclaration } from './transport.js';

export const NAME_PREFIX = 'pipes';

/** Characters RabbitMQ accepts in names, minus the ones that make names awkward in URLs and shells. */
function part(value: string): string {
  if (!value) throw new Error('A topology name part must not be empty');
  return value.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/** The work queue a route consumes from. */
export function routeQueueName(routeId: string): string {
  return `${NAME_PREFIX}.route.${part(routeId)}`;
}

/**
 * Where messages of `queue` wait out the delay after failed attempt `attempt` (1 = the first delivery)
 * before the broker dead-letters them back to `queue`. One queue per attempt level, not per delay: see
 * src/reliability/broker-retry.ts for why.
 */
export function retryQueueName(queue: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`A retry attempt level is a whole number ≥ 1, got ${attempt}`);
  return `${part(queue)}.retry.${attempt}`;
}

/** Where messages of `queue` go once they may not be retried any more. */
export function deadLetterQueueName(queue: string): string {
  return `${part(queue)}.dlq`;
}

/** The exchange dead letters are published on (direct, routed by the dead-letter queue's name). */
export const DEAD_LETTER_EXCHANGE = `${NAME_PREFIX}.dead-letter`;

/** The exchange retries go through on their way to delay queues (direct, routed by the delay queue's name). */
export const RETRY_EXCHANGE = `${NAME_PREFIX}.retry`;

/** The queue of one step of an async flow. */
export function flowStepQueueName(flowName: string, stepName: string): string {
  return `${NAME_PREFIX}.flow.${part(flowName)}.${part(stepName)}`;
}

/** Default size of a router-owned queue: large enough for bursts, small enough to push back. */
export const DEFAULT_ROUTER_QUEUE_MAX_LENGTH = 100_000;

/**
 * A router-owned work queue: quorum (the transport adds its delivery limit), bounded with
 * reject-publish so a full queue turns into backpressure, never into dropped messages.
 */
export function routerQueue(
  name: string,
  overrides: Partial<Omit<QueueDeclaration, 'name'>> = {},
): QueueDeclaration {
  return {
    name,
    type: 'quorum',
    maxLength: DEFAULT_ROUTER_QUEUE_MAX_LENGTH,
    overflow: 'reject-publish',
    ...overrides,
  };
}

/**
 * The delay queue of one attempt level: nobody consumes it; each message carries its own expiration (the
 * delay asked for) and the broker dead-letters it back to `targetQueue` through the default exchange.
 * Quorum dead-lettering is made at-least-once (it needs reject-publish overflow, which router queues
 * have), so a message on its way back is never dropped, even when the work queue is full for a while.
 */
export function delayQueue(
  targetQueue: string,
  attempt: number,
  overrides: Partial<Omit<QueueDeclaration, 'name'>> = {},
): QueueDeclaration {
  return routerQueue(retryQueueName(targetQueue, attempt), {
    deadLetterExchange: '',
    deadLetterRoutingKey: targetQueue,
    arguments: { 'x-dead-letter-strategy': 'at-least-once' },
    ...overrides,
  });
}
