/**
 * A partner that fails twice with 503 and then takes the payment: the route retries through the broker
 * (delay queues), the partner sees the payment three times, and it is delivered exactly once.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { eventually, uniqueName } from './rabbitmq-support.js';
import { testClient, connectorQueues, connectorRoute, deleteQueues, depth, logLines, publishPayment } from './connector-support.js';

const DELAY_MS = 300;
const FACTOR = 0.15;
const LEVELS = 4;

describe('connector: a partner answering 503, 503, 200', function () {
  this.timeout(60_000);
  let connection: Connection;
  let partner: StubPartner;
  let test: TestRouter;
  const exchange = uniqueName('retries-ex');
  const queue = uniqueName('retries');

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('connector retries test');
    partner = await startStubPartner({ script: [503, 503], then: 200 });
    test = await startRouter(
      {
        'routes/connector.yaml': connectorRoute({
          routeId: 'retrying-delivery',
          exchange,
          queue,
          partnerUrl: `${partner.url}/payments`,
          maximumRedeliveries: LEVELS,
          redeliveryDelayMs: DELAY_MS,
        }),
      },
      { rabbitmqUrl: brokerUrl(), http: false },
    );
  });

  after(async () => {
    await test?.stop();
    await partner?.close();
    if (connection) {
      await deleteQueues(connection, connectorQueues(queue, LEVELS), exchange);
      await connection.close();
    }
  });

  it('delivers the payment exactly once after three attempts, waiting out the back-off in between', async () => {
    const messageId = `pay-${Date.now()}`;
    await publishPayment(connection, exchange, messageId);
    await eventually(() => logLines(test.log, `delivered ${messageId}`).length === 1, 'the route logged the delivery');

    expect(partner.calls.map((call) => call.status)).to.deep.equal([503, 503, 200]);
    // Every attempt carries the message-id, so the partner can recognise a repeat too.
    expect(partner.calls.map((call) => call.headers['idempotency-key'])).to.deep.equal([messageId, messageId, messageId]);
    expect(partner.calls.every((call) => JSON.parse(call.body).entryId === messageId)).to.equal(true);

    // The delays asked for: exponential from 300 ms, with ±15 % jitter.
    const retries = logLines(test.log, 'message scheduled for a retry held by the broker');
    expect(retries.map((line) => line.attempt)).to.deep.equal([1, 2]);
    for (const line of retries) {
      const base = DELAY_MS * 2 ** ((line.attempt as number) - 1);
      expect(line.delayMs).to.be.within(Math.floor(base * (1 - FACTOR)), Math.ceil(base * (1 + FACTOR)));
    }
    // The broker held each delay: no attempt came before its delay was over.
    for (let i = 1; i < partner.calls.length; i++) {
      expect(partner.calls[i]!.at - partner.calls[i - 1]!.at).to.be.at.least(retries[i - 1]!.delayMs as number);
    }

    // Nothing left anywhere: not in the queue, not waiting for a retry, not dead-lettered.
    for (const name of connectorQueues(queue, LEVELS)) expect((await depth(connection, name)).messageCount, name).to.equal(0);
    expect(logLines(test.log, 'message dead-lettered')).to.have.length(0);
  });

  it('acks the same message again without delivering it a second time', async () => {
    const delivered = partner.calls.length;
    const messageId = partner.calls[0]!.headers['idempotency-key'] as string;
    await publishPayment(connection, exchange, messageId);
    await eventually(
      () => logLines(test.log, 'duplicate message skipped: this route already processed its message-id').length === 1,
      'the duplicate was recognised',
    );
    expect(partner.calls).to.have.length(delivered);
    expect((await depth(connection, queue)).messageCount).to.equal(0);
  });
});
