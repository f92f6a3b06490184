/**
 * What the backpressure tests share (npm test's full queue in test/e2e/ and the blocked broker in
 * test/faults/): a router whose HTTP door publishes into a bounded quorum queue nobody consumes, as a slow
 * downstream would leave it, and the test's own AMQP client to look into that queue.
 */
import type { Connection } from 'rabbitmq-client';
import { amqpClient, uniqueName } from '../e2e/rabbitmq-support.js';
import { brokerUrl } from './broker.js';
import { startRouter, type TestRouter } from './router.js';

/** Where the router accepts orders: each POST is published into the bounded queue and answered 202. */
export const BOUNDED_INTAKE_PATH = '/bp/orders';

export interface BoundedIntake {
  router: TestRouter;
  amqp: Connection;
  queue: string;
  /** Stops the router, deletes the queue and exchange, closes the test's client. */
  stop(): Promise<void>;
}

/**
 * Starts the router and declares the queue (3 messages at most, `reject-publish` beyond). `prefix` keeps
 * the names of one test file apart from another's; `clientName` names the test's connection on the broker.
 */
export async function startBoundedIntake(prefix: string, clientName: string): Promise<BoundedIntake> {
  const exchange = uniqueName(prefix);
  const queue = uniqueName(`${prefix}-bounded`);
  const amqp = amqpClient(clientName);
  let router: TestRouter | undefined;
  const stop = async (): Promise<void> => {
    await router?.stop();
    await amqp.queueDelete({ queue }).catch(() => undefined);
    await amqp.exchangeDelete({ exchange }).catch(() => undefined);
    await amqp.close();
  };
  try {
    router = await startRouter(
      {
        'routes/bounded.yaml': `
- route:
    id: bounded-intake
    from:
      uri: platform-http:${BOUNDED_INTAKE_PATH}
      steps:
        - to: {uri: "spring-rabbitmq:${exchange}?routingKey=order", pattern: InOnly}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
`,
      },
      { rabbitmqUrl: brokerUrl(), security: 'disabled', logLevel: 'warn' },
    );
    await amqp.queueDeclare({
      queue,
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': 3, 'x-overflow': 'reject-publish' },
    });
    await amqp.queueBind({ exchange, queue, routingKey: 'order' });
  } catch (error) {
    // The caller's after() has nothing to stop when this throws: clean up here, then fail the suite.
    await stop().catch(() => undefined);
    throw error;
  }
  return { router, amqp, queue, stop };
}
