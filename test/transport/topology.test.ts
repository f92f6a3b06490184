import { expect } from 'chai';
import {
  DEFAULT_QUEUE_DEFAULTS,
  fromPreconditionFailed,
  resolveQueue,
} from '../../src/transport/topology.js';
import {
  deadLetterQueueName,
  delayQueue,
  retryQueueName,
  routeQueueName,
  routerQueue,
} from '../../src/transport/topology-names.js';

describe('transport topology', function () {
  it('maps a queue declaration onto RabbitMQ arguments, quorum with a delivery limit by default', function () {
    const resolved = resolveQueue(
      { name: 'q', maxLength: 10, messageTtlMs: 500, deadLetterExchange: '', deadLetterRoutingKey: 'dlq' },
      DEFAULT_QUEUE_DEFAULTS,
    );
    expect(resolved).to.deep.include({
      name: 'q',
      type: 'quorum',
      durable: true,
      exclusive: false,
      autoDelete: false,
    });
    expect(resolved.arguments).to.deep.equal({
      'x-queue-type': 'quorum',
      'x-max-length': 10,
      'x-overflow': 'reject-publish',
      'x-message-ttl': 500,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'dlq',
      'x-delivery-limit': DEFAULT_QUEUE_DEFAULTS.deliveryLimit,
    });
    expect(resolveQueue({ name: 'tmp', exclusive: true }, DEFAULT_QUEUE_DEFAULTS).type).to.equal('classic');
    expect(() =>
      resolveQueue({ name: 'bad', type: 'quorum', autoDelete: true }, DEFAULT_QUEUE_DEFAULTS),
    ).to.throw(/quorum/);
  });

  it("turns RabbitMQ's PRECONDITION_FAILED text into a mismatch naming both values", function () {
    const error = fromPreconditionFailed(
      "QueueDeclare: PRECONDITION_FAILED - inequivalent arg 'x-dead-letter-exchange' for queue 'orders' in vhost '/': received none but current is the value '' of type 'longstr'",
      'queue',
      'orders',
    );
    expect(error.code).to.equal('TOPOLOGY_MISMATCH');
    expect(error.details).to.deep.include({
      queue: 'orders',
      argument: 'x-dead-letter-exchange',
      current: '',
      requested: undefined,
    });
  });

  it('names router-owned queues in one scheme', function () {
    expect(routeQueueName('orders in')).to.equal('pipes.route.orders_in');
    expect(retryQueueName('pipes.route.a', 2)).to.equal('pipes.route.a.retry.2');
    expect(() => retryQueueName('pipes.route.a', 0)).to.throw(RangeError);
    expect(deadLetterQueueName('pipes.route.a')).to.equal('pipes.route.a.dlq');
    expect(routerQueue('x')).to.deep.include({ type: 'quorum', overflow: 'reject-publish' });
    expect(delayQueue('work', 3)).to.deep.include({
      name: 'work.retry.3',
      deadLetterExchange: '',
      deadLetterRoutingKey: 'work',
    });
  });
});
