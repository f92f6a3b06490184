/**
 * What both transports share about topology: how a declaration becomes queue arguments, how a
 * redeclaration that disagrees is reported, and the remembered topology re-declared after reconnects.
 */
import type { BindingDeclaration, ExchangeDeclaration, QueueDeclaration, Topology } from './transport.js';
import { transportError } from './transport-errors.js';
import type { TransportError } from '../errors/index.js';

export interface QueueDefaults {
  /** Type of a queue that does not say (and is neither exclusive nor auto-delete). Default quorum. */
  queueType: 'quorum' | 'classic';
  /** `x-delivery-limit` of a quorum queue that does not say; 0 = none. Default 20. */
  deliveryLimit: number;
}

export const DEFAULT_QUEUE_DEFAULTS: QueueDefaults = { queueType: 'quorum', deliveryLimit: 20 };

/** A queue declaration with every default applied, as it goes to the broker. */
export interface ResolvedQueue {
  name: string;
  type: 'quorum' | 'classic';
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: Record<string, unknown>;
}

export function resolveQueue(declaration: QueueDeclaration, defaults: QueueDefaults): ResolvedQueue {
  const { name } = declaration;
  if (!name) throw new Error('A queue declaration needs a name');
  const exclusive = declaration.exclusive ?? false;
  const autoDelete = declaration.autoDelete ?? false;
  const type = declaration.type ?? (exclusive || autoDelete ? 'classic' : defaults.queueType);
  if (type === 'quorum' && (exclusive || autoDelete || declaration.durable === false)) {
    throw transportError(
      'TOPOLOGY_MISMATCH',
      `Queue '${name}': a quorum queue is always durable and can be neither exclusive nor auto-delete; declare it with type: classic`,
      { details: { queue: name } },
    );
  }
  const args: Record<string, unknown> = { ...declaration.arguments, 'x-queue-type': type };
  if (declaration.maxLength !== undefined) {
    args['x-max-length'] = declaration.maxLength;
    args['x-overflow'] = declaration.overflow ?? 'reject-publish';
  } else if (declaration.overflow !== undefined) {
    args['x-overflow'] = declaration.overflow;
  }
  if (declaration.messageTtlMs !== undefined) args['x-message-ttl'] = declaration.messageTtlMs;
  if (declaration.deadLetterExchange !== undefined)
    args['x-dead-letter-exchange'] = declaration.deadLetterExchange;
  if (declaration.deadLetterRoutingKey !== undefined)
    args['x-dead-letter-routing-key'] = declaration.deadLetterRoutingKey;
  if (type === 'quorum') {
    const limit = declaration.deliveryLimit ?? defaults.deliveryLimit;
    if (limit > 0) args['x-delivery-limit'] = limit;
  } else if (declaration.deliveryLimit) {
    throw transportError('TOPOLOGY_MISMATCH', `Queue '${name}': deliveryLimit needs a quorum queue`, {
      details: { queue: name },
    });
  }
  return {
    name,
    type,
    durable: type === 'quorum' ? true : (declaration.durable ?? true),
    exclusive,
    autoDelete,
    arguments: args,
  };
}

/**
 * The error for "exists with other arguments", worded the same on both transports:
 * names the queue/exchange, the argument, what the broker has and what was asked for.
 */
export function topologyMismatchError(
  kind: 'queue' | 'exchange',
  name: string,
  argument: string,
  current: unknown,
  requested: unknown,
  brokerMessage?: string,
): TransportError {
  const shown = (value: unknown): string => (value === undefined ? 'none' : JSON.stringify(value));
  return transportError(
    'TOPOLOGY_MISMATCH',
    `${kind === 'queue' ? 'Queue' : 'Exchange'} '${name}' already exists with other arguments: ${argument} is ${shown(current)} ` +
      `on the broker but ${shown(requested)} was declared. Delete the ${kind} (after draining it) or declare it as it is.` +
      (brokerMessage ? ` Broker said: ${brokerMessage}` : ''),
    { details: { [kind]: name, argument, current, requested } },
  );
}

/**
 * Turns RabbitMQ's "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q' in vhost '/':
 * received '10' but current is '5'" into a topology mismatch error. The broker reports one argument only.
 */
export function fromPreconditionFailed(
  brokerMessage: string,
  fallbackKind: 'queue' | 'exchange',
  fallbackName: string,
): TransportError {
  const match =
    /inequivalent arg '([^']+)' for (queue|exchange) '([^']*)' in vhost '[^']*': received (.+?) but current is (.+)$/.exec(
      brokerMessage,
    );
  if (!match) {
    return transportError(
      'TOPOLOGY_MISMATCH',
      `${fallbackKind === 'queue' ? 'Queue' : 'Exchange'} '${fallbackName}' cannot be declared: ${brokerMessage}`,
      {
        details: { [fallbackKind]: fallbackName },
      },
    );
  }
  const [, argument = '', kind = fallbackKind, name = fallbackName, requested = '', current = ''] = match;
  return topologyMismatchError(
    kind as 'queue' | 'exchange',
    name,
    argument,
    unquote(current),
    unquote(requested),
    brokerMessage,
  );
}

/** The broker's rendering of a value: `none`, `'5'`, or `the value '' of type 'longstr'`. */
function unquote(value: string): unknown {
  if (value === 'none') return undefined;
  const quoted = /^'(.*)'$/.exec(value) ?? /^the value '(.*)' of type '[^']*'$/.exec(value);
  if (!quoted) return value;
  const inner = quoted[1] ?? '';
  return /^-?\d+(\.\d+)?$/.test(inner)
    ? Number(inner)
    : inner === 'true'
      ? true
      : inner === 'false'
        ? false
        : inner;
}

function bindingKey(binding: BindingDeclaration): string {
  return JSON.stringify([binding.exchange, binding.queue, binding.routingKey ?? '', binding.arguments ?? {}]);
}

/** The topology declared so far, in declaration order, deduplicated by name (the last one wins). */
export class RememberedTopology {
  private readonly exchanges = new Map<string, ExchangeDeclaration>();
  private readonly queues = new Map<string, QueueDeclaration>();
  private readonly bindings = new Map<string, BindingDeclaration>();

  remember(topology: Topology): void {
    for (const exchange of topology.exchanges ?? []) this.exchanges.set(exchange.name, exchange);
    for (const queue of topology.queues ?? []) this.queues.set(queue.name, queue);
    for (const binding of topology.bindings ?? []) this.bindings.set(bindingKey(binding), binding);
  }

  forgetQueue(name: string): void {
    this.queues.delete(name);
    for (const [key, binding] of this.bindings) if (binding.queue === name) this.bindings.delete(key);
  }

  forgetExchange(name: string): void {
    this.exchanges.delete(name);
    for (const [key, binding] of this.bindings) if (binding.exchange === name) this.bindings.delete(key);
  }

  queue(name: string): QueueDeclaration | undefined {
    return this.queues.get(name);
  }

  /** Bindings of one queue and the exchanges they name: what a consumer re-declares on its channel. */
  forQueue(name: string): Topology {
    const bindings = [...this.bindings.values()].filter((binding) => binding.queue === name);
    const exchangeNames = new Set(bindings.map((binding) => binding.exchange));
    const queue = this.queues.get(name);
    return {
      exchanges: [...this.exchanges.values()].filter((exchange) => exchangeNames.has(exchange.name)),
      queues: queue ? [queue] : [],
      bindings,
    };
  }

  all(): Required<Topology> {
    return {
      exchanges: [...this.exchanges.values()],
      queues: [...this.queues.values()],
      bindings: [...this.bindings.values()],
    };
  }
}
