/**
 * routes/partner-delivery.yaml as shipped, with the stub partner of examples/stub-partner.ts, as
 * docs/connectors.md runs them: a payment POSTed to /payments reaches the partner, through a retry.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import type { Router } from '../../src/runtime/router.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startExampleRouter } from '../helpers/example-router.js';
import type { CapturedLog } from '../helpers/router.js';
import { eventually, payment, postJson } from './rabbitmq-support.js';
import { connectorQueues, deleteQueues, depth, logLines, testClient } from './connector-support.js';
import { httpPort } from '../../src/server/http-server-module.js';

const EXAMPLE_QUEUES = ['partner-deliveries', 'ledger-postings', 'ledger-bookings'].flatMap((queue) => connectorQueues(queue, 5));

describe('example: routes/partner-delivery.yaml with the stub partner', function () {
  this.timeout(60_000);
  let connection: Connection;
  let partner: StubPartner;
  let router: Router;
  let log: CapturedLog;

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('connector example test');
    await deleteQueues(connection, EXAMPLE_QUEUES);
    partner = await startStubPartner({ script: [503], then: 200 });
    ({ router, log } = await startExampleRouter({
      rabbitmqUrl: brokerUrl(),
      security: 'disabled',
      logLevel: 'info',
      properties: { PARTNER_URL: `${partner.url}/payments` },
    }));
  });

  after(async () => {
    await router?.stop();
    await partner?.close();
    if (connection) {
      await deleteQueues(connection, EXAMPLE_QUEUES);
      await connection.close();
    }
  });

  it('delivers an accepted payment to the partner, retrying its 503, with the message-id as Idempotency-Key', async () => {
    const answer = await postJson(`http://127.0.0.1:${httpPort(router.services)}/payments`, payment());
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    await partner.until((calls) => calls.some((call) => call.status === 200));
    expect(partner.calls.map((call) => call.status)).to.deep.equal([503, 200]);
    const [first, second] = partner.calls;
    expect(first!.method).to.equal('POST');
    expect(first!.path).to.equal('/payments');
    expect(JSON.parse(second!.body)).to.include({ entryId: answer.body.entryId });
    expect(second!.headers['idempotency-key']).to.be.a('string').and.equal(first!.headers['idempotency-key']);
    await eventually(() => logLines(log, 'message scheduled for a retry held by the broker').length === 1, 'one retry');
    await eventually(async () => (await depth(connection, 'partner-deliveries.retry.1')).messageCount === 0, 'retry queue empty');
    expect((await depth(connection, 'partner-deliveries.dlq')).messageCount).to.equal(0);
  });
});
