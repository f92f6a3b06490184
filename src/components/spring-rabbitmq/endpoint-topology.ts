/**
 * The exchanges, queues and bindings an endpoint names, as declarations: what the router declares at
 * start for a `spring-rabbitmq` producer (its exchange) and consumer (exchange, queues, bindings, and the
 * router's own retry and dead-letter queues per queue).
 */
import { retryTopology } from '../../reliability/broker-retry.js';
import { deadLetterQueueName, routerQueue } from '../../transport/topology-names.js';
import type { ExchangeDeclaration, QueueDeclaration, Topology } from '../../transport/transport.js';
import { declarationArguments, exchangeNameOf, queueList, type SpringRabbitOptions } from './options.js';

/** Exchanges the broker owns: declaring them is refused (`amq.*`) or meaningless (the default exchange). */
export function isPredeclared(exchange: string): boolean {
  return exchange === '' || exchange.startsWith('amq.');
}

export function exchangeDeclaration(name: string, options: SpringRabbitOptions): ExchangeDeclaration {
  return {
    name,
    type: options.exchangeType,
    durable: true,
    arguments: declarationArguments(options, 'exchange'),
  };
}

export function producerTopology(path: string, options: SpringRabbitOptions): Topology {
  const exchange = exchangeNameOf(path);
  const declare = options.autoDeclareProducer ?? options.autoDeclare;
  return declare && !isPredeclared(exchange) ? { exchanges: [exchangeDeclaration(exchange, options)] } : {};
}

/** Where a consumer sends a message that failed for good. */
export interface DeadLetterTarget {
  exchange: string;
  routingKey: string;
}

export function deadLetterTarget(queue: string, options: SpringRabbitOptions): DeadLetterTarget {
  if (options.deadLetterExchange !== undefined) {
    return { exchange: options.deadLetterExchange, routingKey: options.deadLetterRoutingKey ?? queue };
  }
  return { exchange: '', routingKey: deadLetterQueueName(queue) };
}

export function workQueueDeclaration(queue: string, options: SpringRabbitOptions): QueueDeclaration {
  const target = deadLetterTarget(queue, options);
  const args = declarationArguments(options, 'queue');
  // With at-least-once dead-lettering a message over the delivery limit is kept until its dead-letter
  // queue confirmed it (quorum queues; needs reject-publish overflow, which router queues have).
  if (options.queueType === 'quorum' && args['x-dead-letter-strategy'] === undefined)
    args['x-dead-letter-strategy'] = 'at-least-once';
  return routerQueue(queue, {
    type: options.queueType,
    maxLength: options.maxLength,
    overflow: 'reject-publish',
    deadLetterExchange: target.exchange,
    deadLetterRoutingKey: target.routingKey,
    ...(options.queueType === 'quorum' && options.deliveryLimit !== undefined
      ? { deliveryLimit: options.deliveryLimit }
      : {}),
    arguments: args,
  });
}

/**
 * What a consumer declares. `autoDeclare=false` leaves the exchange, the queues and their bindings to the
 * operator; the router's own retry and dead-letter queues are declared either way.
 */
export function consumerTopology(path: string, options: SpringRabbitOptions): Topology {
  const exchange = exchangeNameOf(path);
  const queues = queueList(options.queues);
  const topology: Required<Topology> = { exchanges: [], queues: [], bindings: [] };
  if (options.autoDeclare) {
    if (!isPredeclared(exchange)) topology.exchanges.push(exchangeDeclaration(exchange, options));
    for (const queue of queues) {
      topology.queues.push(workQueueDeclaration(queue, options));
      if (exchange !== '') {
        topology.bindings.push({
          exchange,
          queue,
          routingKey: options.routingKey ?? '',
          arguments: declarationArguments(options, 'binding'),
        });
      }
    }
    if (options.deadLetterExchange && !isPredeclared(options.deadLetterExchange)) {
      topology.exchanges.push({
        name: options.deadLetterExchange,
        type: options.deadLetterExchangeType,
        durable: true,
      });
    }
    if (options.deadLetterExchange !== undefined && options.deadLetterQueue) {
      topology.queues.push(routerQueue(options.deadLetterQueue, { type: options.queueType }));
      if (options.deadLetterExchange !== '') {
        for (const queue of queues) {
          topology.bindings.push({
            exchange: options.deadLetterExchange,
            queue: options.deadLetterQueue,
            routingKey: deadLetterTarget(queue, options).routingKey,
          });
        }
      }
    }
  }
  for (const queue of queues)
    topology.queues.push(...(retryTopology(queue, options.maximumRetryAttempts).topology.queues ?? []));
  return topology;
}
