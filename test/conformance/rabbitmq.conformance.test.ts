import { RabbitMqTransport } from '../../src/transport/rabbitmq/rabbitmq-transport.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { describeTransportConformance, quietLogger } from './transport.suite.js';

describe('rabbitmq broker', function () {
  before(async function () {
    await requireBrokerOrSkip(this);
  });

  describeTransportConformance(
    'rabbitmq',
    () =>
      new RabbitMqTransport({
        url: brokerUrl(),
        logger: quietLogger(),
        connectionName: 'service-pipes conformance',
        retryLowMs: 200,
        retryHighMs: 2000,
      }),
  );
});
