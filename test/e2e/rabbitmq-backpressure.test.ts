/**
 * Backpressure at the HTTP door: a full queue (reject-publish) turns into 503 with Retry-After, and what
 * was accepted before is all still there. The blocked broker (memory alarm) blocks every publisher on the
 * broker, so it is in test/faults/backpressure.faults.ts (`npm run test:faults`).
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, jsonBody, postJson, uniqueName, Watcher } from './rabbitmq-support.js';

describe('e2e: backpressure', function () {
  this.timeout(60_000);
  const names = { exchange: uniqueName('bp'), queue: uniqueName('bp-bounded') };
  let router: TestRouter;
  let amqp: Connection;

  before(async function () {
    await requireBrokerOrSkip(this);
    amqp = amqpClient('e2e backpressure');
    router = await startRouter(
      {
        'routes/bounded.yaml': `
- route:
    id: bounded-intake
    from:
      uri: platform-http:/bp/orders
      steps:
        - to: {uri: "spring-rabbitmq:${names.exchange}?routingKey=order", pattern: InOnly}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
`,
      },
      { rabbitmqUrl: brokerUrl(), security: 'disabled', logLevel: 'warn' },
    );
    // A bounded queue nobody consumes, as a slow downstream would leave it.
    await amqp.queueDeclare({
      queue: names.queue,
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': 3, 'x-overflow': 'reject-publish' },
    });
    await amqp.queueBind({ exchange: names.exchange, queue: names.queue, routingKey: 'order' });
  });

  after(async function () {
    await router?.stop();
    if (amqp) {
      await amqp.queueDelete({ queue: names.queue }).catch(() => undefined);
      await amqp.exchangeDelete({ exchange: names.exchange }).catch(() => undefined);
      await amqp.close();
    }
  });

  it('a full queue answers 503 with Retry-After, and every accepted message is still in the queue', async function () {
    const accepted: number[] = [];
    const refused: { status: number; retryAfter: string | null }[] = [];
    for (let n = 0; n < 8; n++) {
      const answer = await postJson(`${router.baseUrl}/bp/orders`, { n });
      if (answer.status === 202) accepted.push(n);
      else refused.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') });
    }
    // RabbitMQ's quorum queues take one message past the limit before refusing.
    expect(accepted.length).to.be.within(3, 4);
    expect(refused).to.have.length(8 - accepted.length);
    for (const answer of refused) {
      expect(answer.status).to.equal(503);
      expect(Number(answer.retryAfter)).to.be.greaterThan(0);
    }
    const watcher = new Watcher(amqp, names.queue).start();
    try {
      await watcher.until((received) => received.length >= accepted.length, 'the accepted messages');
      expect(watcher.received.map((message) => Number(jsonBody(message).n))).to.deep.equal(accepted);
    } finally {
      await watcher.close();
    }
  });
});
