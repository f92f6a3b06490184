/**
 * A partner down for a while: the breaker opens, the consuming route pauses (the payments wait in the
 * queue, no attempt is counted for them, nothing is dead-lettered), and once the partner is back every
 * payment is delivered.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import type { BreakerInfo } from '../../src/reliability/breakers.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { eventually, uniqueName } from './rabbitmq-support.js';
import { testClient, connectorQueues, connectorRoute, deleteQueues, depth, logLines, publishPayment } from './connector-support.js';

const LEVELS = 10;
const PAYMENTS = 12;

describe('connector: a partner down for a while, behind an open circuit breaker', function () {
  this.timeout(60_000);
  let connection: Connection;
  let partner: StubPartner;
  let test: TestRouter;
  const exchange = uniqueName('breaker-ex');
  const queue = uniqueName('breaker');
  const ids = Array.from({ length: PAYMENTS }, (_, i) => `down-${Date.now()}-${i}`);

  const breaker = async (): Promise<BreakerInfo> => {
    const answer = (await (await fetch(`${test.baseUrl}/admin/breakers`)).json()) as { breakers: BreakerInfo[] };
    return answer.breakers.find((b) => b.name === 'down-delivery-partner')!;
  };

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('connector breaker test');
    // Started to learn a free port, then stopped: calls to it are refused until it is back.
    partner = await startStubPartner();
    await partner.close();
    test = await startRouter(
      {
        'routes/connector.yaml': connectorRoute({
          routeId: 'down-delivery',
          exchange,
          queue,
          partnerUrl: `${partner.url}/payments`,
          maximumRedeliveries: LEVELS,
          redeliveryDelayMs: 200,
          minimumNumberOfCalls: 3,
          waitDurationInOpenState: 1,
          // Several at once: while a half-open trial decides, the others are refused by the breaker.
          concurrentConsumers: 4,
        }),
      },
      { rabbitmqUrl: brokerUrl() },
    );
  });

  after(async () => {
    await test?.stop();
    await partner?.close().catch(() => undefined);
    if (connection) {
      await deleteQueues(connection, connectorQueues(queue, LEVELS), exchange);
      await connection.close();
    }
  });

  it('opens the breaker, pauses the consumer and keeps every payment in RabbitMQ, none dead-lettered', async () => {
    for (const id of ids) await publishPayment(connection, exchange, id);
    await eventually(async () => (await breaker()).state !== 'closed', 'the breaker opened', 20_000);
    await eventually(
      () => logLines(test.log, 'circuit breaker open: consuming paused, messages wait in their queues').length > 0,
      'the consumer paused',
    );
    // While open, nobody consumes the queue: the payments wait there.
    await eventually(async () => {
      const info = await depth(connection, queue);
      return (await breaker()).state === 'open' && info.consumerCount === 0 && info.messageCount > 0;
    }, 'the queue holds payments and has no consumer while the breaker is open');
    // The partner stays down through several half-open trials: each failed trial pauses the route again.
    await eventually(
      () => logLines(test.log, 'circuit breaker open: consuming paused, messages wait in their queues').length >= 3,
      'the route paused again after failed trials',
    );
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(0);
    expect(logLines(test.log, 'message dead-lettered')).to.have.length(0);
  });

  it('delivers every payment once the partner is back, and counted only real calls as failed attempts', async () => {
    partner = await startStubPartner({ port: partner.port });
    await partner.until((calls) => new Set(calls.map((c) => c.headers['idempotency-key'])).size === PAYMENTS, 45_000);
    await eventually(
      () => ids.every((id) => logLines(test.log, `delivered ${id}`).length === 1),
      'the route logged every delivery',
    );
    expect(partner.calls.every((call) => call.status === 200)).to.equal(true);
    expect(partner.calls.map((call) => call.headers['idempotency-key']).sort()).to.deep.equal([...ids].sort());
    for (const name of connectorQueues(queue, LEVELS)) expect((await depth(connection, name)).messageCount, name).to.equal(0);
    expect(logLines(test.log, 'message dead-lettered')).to.have.length(0);

    // Every retry scheduled stands for a call that reached the partner's address and failed; the
    // payments the open breaker refused were handed back without an attempt.
    const info = await breaker();
    expect(info.stats.shortCircuited).to.be.greaterThan(0);
    expect(logLines(test.log, 'message scheduled for a retry held by the broker')).to.have.length(info.stats.failures);
    expect(logLines(test.log, 'circuit breaker lets calls through again: consuming resumed').length).to.be.greaterThan(0);
    expect(info.state).to.equal('closed');
  });
});
