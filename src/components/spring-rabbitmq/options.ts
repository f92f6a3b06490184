import type { JsonSchema } from '../../runtime/json-schema.js';
import { durationOption } from '../../runtime/duration.js';

/** Endpoint options of `spring-rabbitmq:exchangeName`, named as Camel names them. */
export interface SpringRabbitOptions {
  routingKey?: string;
  queues?: string;
  exchangeType: 'direct' | 'fanout' | 'topic' | 'headers';
  autoDeclare: boolean;
  autoDeclareProducer?: boolean;
  concurrentConsumers: number;
  prefetchCount?: number;
  queueType: 'quorum' | 'classic';
  deliveryLimit?: number;
  maxLength: number;
  maximumRetryAttempts: number;
  deadLetterExchange?: string;
  deadLetterExchangeType: 'direct' | 'fanout' | 'topic' | 'headers';
  deadLetterQueue?: string;
  deadLetterRoutingKey?: string;
  replyTo?: string;
  replyTimeout: number | string;
  disableReplyTo: boolean;
  exchangePattern?: 'InOnly' | 'InOut';
  mandatory: boolean;
  idempotentConsumer: boolean;
  /** `arg.queue.x-...`, `arg.exchange.x-...`, `arg.binding.x-...`, as Camel spells them. */
  [argument: `arg.${string}`]: unknown;
}

const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'];

export const springRabbitOptionSchema: Record<string, JsonSchema> = {
  routingKey: {
    type: 'string',
    description:
      'Producer: the routing key to publish with (header CamelSpringRabbitmqRoutingOverrideKey overrides it). ' +
      'Consumer: the binding key of the queues on the exchange.',
  },
  queues: {
    type: 'string',
    description: 'Consumer: the queue(s) to consume, comma-separated; bound to the exchange with routingKey.',
  },
  exchangeType: {
    type: 'string',
    enum: EXCHANGE_TYPES,
    default: 'direct',
    description: 'Type of the exchange when the router declares it.',
  },
  autoDeclare: {
    type: 'boolean',
    default: true,
    description:
      "Declare the exchange, queues and bindings this endpoint names at start. The router's own retry and " +
      'dead-letter queues are always declared.',
  },
  autoDeclareProducer: {
    type: 'boolean',
    description: 'Producer: declare the exchange at start (default: the value of autoDeclare).',
  },
  concurrentConsumers: {
    type: 'integer',
    minimum: 1,
    default: 1,
    description: 'Consumer: messages handled at once, per queue.',
  },
  prefetchCount: {
    type: 'integer',
    minimum: 1,
    description:
      'Consumer: unacknowledged messages held, per queue (default 2 × concurrentConsumers; concurrentConsumers ' +
      'for a route calling through a circuit breaker, so pausing it hands no unstarted message back).',
  },
  queueType: {
    type: 'string',
    enum: ['quorum', 'classic'],
    default: 'quorum',
    description: 'Consumer: type of the queues the router declares. Quorum queues carry a delivery limit.',
  },
  deliveryLimit: {
    type: 'integer',
    minimum: 0,
    description:
      'Consumer: quorum x-delivery-limit; a message redelivered more often is dead-lettered (default 20; 0 = none).',
  },
  maxLength: {
    type: 'integer',
    minimum: 1,
    default: 100_000,
    description:
      'Consumer: x-max-length of the declared queues, with reject-publish: a full queue refuses new messages ' +
      '(publishers get 503), it never drops any.',
  },
  maximumRetryAttempts: {
    type: 'integer',
    minimum: 1,
    default: 5,
    description:
      'Consumer: retry delay levels declared per queue (`<queue>.retry.1..n`); later retries wait in the last level.',
  },
  deadLetterExchange: {
    type: 'string',
    description:
      "Consumer: where failed messages go instead of the router's `<queue>.dlq` (x-dead-letter-exchange of the queue).",
  },
  deadLetterExchangeType: {
    type: 'string',
    enum: EXCHANGE_TYPES,
    default: 'direct',
    description: 'Consumer: type of the dead-letter exchange when the router declares it.',
  },
  deadLetterQueue: {
    type: 'string',
    description: 'Consumer: queue bound to deadLetterExchange with deadLetterRoutingKey.',
  },
  deadLetterRoutingKey: {
    type: 'string',
    description: 'Consumer: routing key of dead letters on deadLetterExchange (default: the queue name).',
  },
  replyTo: {
    type: 'string',
    description:
      'Producer: queue that receives replies. Request-reply happens only with this option AND `pattern: InOut` ' +
      '(or exchangePattern=InOut); otherwise every publish is fire-and-forget.',
  },
  replyTimeout: durationOption(30_000, 'Producer: how long a request-reply waits for its reply.'),
  disableReplyTo: {
    type: 'boolean',
    default: false,
    description: 'Producer: never wait for a reply, whatever the exchange pattern.',
  },
  exchangePattern: {
    type: 'string',
    enum: ['InOnly', 'InOut'],
    description:
      "Camel's endpoint-level exchange pattern; InOut together with replyTo asks for request-reply.",
  },
  mandatory: {
    type: 'boolean',
    default: true,
    description: 'Producer: a message no queue receives fails the publish (UNROUTABLE) instead of vanishing.',
  },
  idempotentConsumer: {
    type: 'boolean',
    default: true,
    description:
      'Consumer: skip a message whose message-id this route already processed successfully (acked without ' +
      'running the route again). Kept in memory, or in Redis when REDIS_URL is set, for 24 hours.',
  },
};

export const springRabbitOptionPatterns: Record<string, JsonSchema> = {
  '^arg\\.(queue|exchange|binding)\\.': {
    type: ['string', 'number', 'boolean'],
    description: 'Declaration arguments, e.g. `arg.queue.x-message-ttl=60000`, `arg.binding.x-match=any`.',
  },
};

/** The `arg.<kind>.*` options as declaration arguments; numbers and booleans written in a URI are typed. */
export function declarationArguments(
  options: SpringRabbitOptions,
  kind: 'queue' | 'exchange' | 'binding',
): Record<string, unknown> {
  const prefix = `arg.${kind}.`;
  const args: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options as object) as [string, unknown][]) {
    if (!name.startsWith(prefix)) continue;
    args[name.slice(prefix.length)] =
      typeof value !== 'string'
        ? value
        : /^-?\d+(\.\d+)?$/.test(value)
          ? Number(value)
          : value === 'true'
            ? true
            : value === 'false'
              ? false
              : value;
  }
  return args;
}

/** Camel's `default` is the default exchange; the Camel 3 form `rabbitmq://host:port/name` keeps the name. */
export function exchangeNameOf(path: string): string {
  const name = path.startsWith('//') ? (path.split('/').pop() ?? '') : path;
  return name === 'default' ? '' : name;
}

export function queueList(queues: string | undefined): string[] {
  return (queues ?? '')
    .split(',')
    .map((queue) => queue.trim())
    .filter(Boolean);
}
