/**
 * Backpressure at the HTTP door when the broker blocks publishers (memory alarm): 503 with Retry-After while
 * it lasts, 202 again once it clears, and what was accepted before is all still there. The alarm blocks every
 * publisher on the broker, so this runs in `npm run test:faults` only; the watermark is always put back.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { brokerUrl, rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, eventually, jsonBody, postJson, uniqueName, Watcher } from '../e2e/rabbitmq-support.js';
import { awaitBroker } from './harness/broker-faults.js';

describe('faults: backpressure while the broker blocks publishers', function () {
  this.timeout(60_000);
  const names = { exchange: uniqueName('bp-alarm'), queue: uniqueName('bp-alarm-bounded') };
  let router: TestRouter;
  let amqp: Connection;

  before(async function () {
    await requireBrokerOrSkip(this);
    await awaitBroker();
    amqp = amqpClient('faults backpressure');
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

  it('a blocked broker (memory alarm) answers 503 with Retry-After, and accepts again once it clears', async function () {
    await amqp.queuePurge({ queue: names.queue });
    const before = await postJson(`${router.baseUrl}/bp/orders`, { n: 'before' });
    expect(before.status).to.equal(202);
    const watermark =
      (await rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim() || '0.4';
    let blocked: Awaited<ReturnType<typeof postJson>> | undefined;
    try {
      await rabbitmqctl('set_vm_memory_high_watermark', '0.0000001');
      blocked = await postJson(`${router.baseUrl}/bp/orders`, { n: 'blocked' });
    } finally {
      await rabbitmqctl('set_vm_memory_high_watermark', /^\d+(\.\d+)?$/.test(watermark) ? watermark : '0.4');
    }
    expect(blocked.status).to.equal(503);
    expect(Number(blocked.headers.get('retry-after'))).to.be.greaterThan(0);
    await eventually(
      async () => (await postJson(`${router.baseUrl}/bp/orders`, { n: 'after' })).status === 202,
      'accepting again',
      30_000,
    );
    const watcher = new Watcher(amqp, names.queue).start();
    try {
      await watcher.until(
        (received) => received.some((message) => jsonBody(message).n === 'after'),
        'the message accepted after the alarm',
      );
      const values = watcher.received.map((message) => jsonBody(message).n);
      expect(values[0]).to.equal('before');
      // A publish refused for want of a confirm may still have reached the broker (503 "may or may not have
      // been taken"): callers retry with the same Idempotency-Key and the duplicate is recognisable. Never lost.
      expect(values.filter((value) => value === 'blocked').length).to.be.at.most(1);
      expect(values[values.length - 1]).to.equal('after');
    } finally {
      await watcher.close();
    }
  });
});
