import type { RouteDefinition, SourceLocation, StepDefinition } from '../../runtime/definitions.js';
import { isHttpEntryScheme, type ComponentSpec, type Consumer, type Endpoint, type Producer } from '../../runtime/component.js';
import { parseEndpointUri } from '../../runtime/endpoint-uri.js';
import type { BuildContext } from '../../runtime/step.js';
import { createSpringRabbitConsumer } from './consumer.js';
import { createSpringRabbitProducer } from './producer.js';
import {
  queueList,
  springRabbitOptionPatterns,
  springRabbitOptionSchema,
  type SpringRabbitOptions,
} from './options.js';

export { SpringRabbitHeaders, IDEMPOTENCY_HEADER, outboundHeaders, isSentHeader } from './message-mapping.js';
export { consumerTopology, producerTopology } from './endpoint-topology.js';
export { READINESS_CHECK } from './readiness.js';
export type { SpringRabbitOptions } from './options.js';

export const RABBITMQ_ALIAS_WARNING =
  '`rabbitmq:` is the Camel 3 component, removed in Camel 4; it is read as `spring-rabbitmq:` ' +
  '(`queue` becomes `queues`, `declare`/`skipQueueDeclare` become `autoDeclare`; `autoAck`, `durable` and `autoDelete` ' +
  'are ignored: messages are acknowledged after the route, router queues are durable). Write `spring-rabbitmq:` instead.';

/** Camel 3 `rabbitmq:` options onto `spring-rabbitmq:` ones. */
function fromCamel3Options(options: Record<string, unknown>): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    switch (name) {
      case 'queue':
        mapped.queues = value;
        break;
      case 'declare':
        mapped.autoDeclare = value;
        break;
      case 'skipQueueDeclare':
        mapped.autoDeclare = String(value) !== 'true';
        break;
      case 'autoAck':
      case 'durable':
      case 'autoDelete':
      case 'prefetchEnabled':
      case 'prefetchSize':
      case 'prefetchGlobal':
        break;
      default:
        mapped[name] = value;
    }
  }
  return mapped;
}


/** The step of `route` at `loc` (the one that names this endpoint), searching nested step lists too. */
function stepAt(route: RouteDefinition, loc: SourceLocation): StepDefinition | undefined {
  const isStep = (value: unknown): value is StepDefinition =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StepDefinition).keyword === 'string' &&
    typeof (value as StepDefinition).loc === 'object';
  const search = (value: unknown, depth: number): StepDefinition | undefined => {
    if (depth > 50 || typeof value !== 'object' || value === null) return undefined;
    if (isStep(value)) {
      if (value.loc.file === loc.file && value.loc.line === loc.line && value.loc.col === loc.col)
        return value;
      return search(value.options, depth + 1);
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      const found = search(item, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return search(route.steps, 0);
}

/**
 * Decides at load whether this producer may do request-reply, and warns where Camel would behave
 * differently: an HTTP-triggered route's exchange is InOut, which in Camel turns a `to` without a pattern
 * into a request-reply that waits for an answer. Here it stays fire-and-forget.
 */
function requestReplyAllowed(endpoint: Endpoint<SpringRabbitOptions>, context: BuildContext): boolean {
  const { options } = endpoint;
  const step = context.route ? stepAt(context.route, endpoint.loc) : undefined;
  const stepPattern = step?.options.pattern;
  const explicitInOut =
    stepPattern === 'InOut' || (stepPattern === undefined && options.exchangePattern === 'InOut');
  const allowed = !options.disableReplyTo && options.replyTo !== undefined && explicitInOut;
  if (options.replyTo !== undefined && !allowed && !options.disableReplyTo) {
    context.report({
      severity: 'warning',
      message: `${endpoint.uri}: replyTo is set but the \`to\` does not say \`pattern: InOut\`, so the router publishes without waiting for a reply`,
      loc: endpoint.loc,
      snippet: `to:\n  uri: ${endpoint.uri}\n  pattern: InOut`,
    });
  }
  const fromScheme = context.route ? parseEndpointUri(context.route.from.uri).scheme : undefined;
  if (
    fromScheme &&
    isHttpEntryScheme(context.services.registry, fromScheme) &&
    step?.keyword === 'to' &&
    stepPattern === undefined &&
    options.exchangePattern === undefined &&
    !options.disableReplyTo
  ) {
    context.report({
      severity: 'warning',
      message:
        `${endpoint.uri} in HTTP-triggered route '${context.routeId}' has no pattern: the router publishes ` +
        "fire-and-forget (the caller's answer waits only for the broker's confirm), but Apache Camel would " +
        'make this InOut exchange a request-reply that waits for a reply',
      loc: endpoint.loc,
      hint: 'Write `pattern: InOnly` so the route means the same in Camel and here.',
      snippet: `to:\n  uri: ${endpoint.uri}\n  pattern: InOnly`,
    });
  }
  return allowed;
}

export const springRabbitComponent: ComponentSpec<SpringRabbitOptions> = {
  scheme: 'spring-rabbitmq',
  aliases: [{ scheme: 'rabbitmq', warning: RABBITMQ_ALIAS_WARNING, mapOptions: fromCamel3Options }],
  syntax: 'spring-rabbitmq:exchangeName',
  entry: 'amqp',
  pathParameter: 'exchangeName',
  pathRequired: true,
  summary:
    'RabbitMQ: publish to an exchange (confirmed by the broker before the route goes on), or consume queues ' +
    'bound to it (acked only after the route and all it published are confirmed). `default` is the default exchange.',
  options: springRabbitOptionSchema,
  optionPatterns: springRabbitOptionPatterns,

  declareConsumer(endpoint, context) {
    if (queueList(endpoint.options.queues).length === 0) {
      context.report({
        severity: 'error',
        message: `${endpoint.uri}: a consumer needs the queue(s) to consume`,
        loc: endpoint.loc,
        expected: 'queues=<name>[,<name>...]',
        snippet: `from:\n  uri: spring-rabbitmq:${endpoint.path}\n  parameters:\n    queues: my-queue\n    routingKey: my.key`,
      });
    }
    if (endpoint.options.queueType === 'classic' && endpoint.options.deliveryLimit) {
      context.report({
        severity: 'error',
        message: `${endpoint.uri}: deliveryLimit needs queueType=quorum (classic queues have no delivery limit)`,
        loc: endpoint.loc,
      });
    }
  },

  createProducer(endpoint, context): Producer {
    return createSpringRabbitProducer(endpoint, context, requestReplyAllowed(endpoint, context));
  },

  createConsumer(endpoint, context): Consumer {
    return createSpringRabbitConsumer(endpoint, context);
  },
};
