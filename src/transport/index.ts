import type { RouterConfig } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Transport } from './transport.js';
import { MemoryTransport, type MemoryTransportOptions } from './memory/memory-transport.js';
import { RabbitMqTransport, type RabbitMqTransportOptions } from './rabbitmq/rabbitmq-transport.js';

export type TransportOptions = Partial<Omit<RabbitMqTransportOptions, 'url' | 'logger'>> &
  Partial<Omit<MemoryTransportOptions, 'logger'>>;

/**
 * RabbitMQ when `config.rabbitmqUrl` is set, the embedded in-memory transport otherwise.
 * The RabbitMQ transport connects in the background: watch `isReady()` / the `ready` event.
 */
export function createTransport(
  config: RouterConfig,
  logger: Logger,
  options: TransportOptions = {},
): Transport {
  const { defaultMaxLength, ...rabbitOptions } = options;
  if (config.rabbitmqUrl) {
    return new RabbitMqTransport({
      ...rabbitOptions,
      url: config.rabbitmqUrl,
      quorumGroupSize: rabbitOptions.quorumGroupSize ?? config.quorumGroupSize,
      logger: logger.child({ transport: 'rabbitmq' }),
    });
  }
  return new MemoryTransport({
    queueDefaults: options.queueDefaults,
    defaultMaxLength,
    logger: logger.child({ transport: 'memory' }),
  });
}

export type { Transport } from './transport.js';
export { MemoryTransport } from './memory/memory-transport.js';
export { RabbitMqTransport } from './rabbitmq/rabbitmq-transport.js';
