/**
 * A partner refusing a payment (400): dead-lettered after one attempt with its provenance, listed and
 * shown by `pipes dlq`, redriven once the partner is fixed, and a second redrive does nothing.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { eventually, uniqueName } from './rabbitmq-support.js';
import { testClient, connectorQueues, connectorRoute, deleteQueues, depth, logLines, publishPayment } from './connector-support.js';
import { pipes } from '../cli/support.js';

const LEVELS = 3;

describe('connector: a partner refusing a payment (400), dead letters and their redrive', function () {
  this.timeout(60_000);
  let connection: Connection;
  let partner: StubPartner;
  let test: TestRouter;
  const exchange = uniqueName('dlq-ex');
  const queue = uniqueName('dlq');
  const refused = `refused-${Date.now()}`;
  const other = `other-${Date.now()}`;
  let publishedAt: number;

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('connector dead letters test');
    partner = await startStubPartner({ then: 400 });
    test = await startRouter(
      {
        'routes/connector.yaml': connectorRoute({
          routeId: 'refused-delivery',
          exchange,
          queue,
          partnerUrl: `${partner.url}/payments`,
          maximumRedeliveries: LEVELS,
          redeliveryDelayMs: 200,
        }),
      },
      { rabbitmqUrl: brokerUrl() },
    );
    publishedAt = Date.now();
    await publishPayment(connection, exchange, refused);
    await publishPayment(connection, exchange, other);
    await eventually(async () => (await depth(connection, `${queue}.dlq`)).messageCount === 2, 'both payments were dead-lettered');
  });

  after(async () => {
    await test?.stop();
    await partner?.close();
    if (connection) {
      await deleteQueues(connection, connectorQueues(queue, LEVELS), exchange);
      await connection.close();
    }
  });

  const dlq = (...args: string[]) => pipes(['dlq', ...args, '--url', test.baseUrl]);

  it('dead-letters after one attempt (a 4xx is never retried), with its provenance', async () => {
    expect(partner.calls.map((call) => call.status)).to.deep.equal([400, 400]);
    expect(logLines(test.log, 'message scheduled for a retry held by the broker')).to.have.length(0);

    const answer = (await (await fetch(`${test.baseUrl}/admin/dead-letters?correlationId=corr-${refused}`)).json()) as {
      deadLetters: Record<string, unknown>[];
      queues: Record<string, unknown>[];
    };
    expect(answer.deadLetters).to.have.length(1);
    const letter = answer.deadLetters[0]!;
    expect(letter).to.include({
      id: refused,
      routeId: 'refused-delivery',
      queue,
      deadLetterQueue: `${queue}.dlq`,
      originalExchange: exchange,
      originalRoutingKey: 'payment.accepted',
      attempts: 1,
      errorClass: 'org.apache.camel.http.base.HttpOperationFailedException',
      httpStatus: 400,
      correlationId: `corr-${refused}`,
      redriveCount: 0,
    });
    expect(letter.errorMessage).to.match(/400/);
    for (const time of ['firstFailureAt', 'lastFailureAt']) {
      expect(Date.parse(letter[time] as string), time).to.be.at.least(publishedAt - 1000);
    }
    expect(letter.body).to.deep.include({ entryId: refused });
    expect(answer.queues).to.deep.equal([{ routeId: 'refused-delivery', queue, deadLetterQueue: `${queue}.dlq`, messages: 2 }]);
    // Listing read every dead letter and put it back.
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(2);
  });

  it('`pipes dlq list` shows it, and `pipes dlq show` tells its story', async () => {
    const list = await dlq('list', '--route', 'refused-delivery');
    expect(list.code, list.stderr).to.equal(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^ID\s+ROUTE\s+QUEUE\s+ATTEMPTS\s+ERROR\s+HTTP\s+LAST FAILURE\s+CORRELATION\s+MESSAGE$/);
    const row = lines.find((line) => line.startsWith(refused));
    expect(row).to.match(new RegExp(`^${refused}\\s+refused-delivery\\s+${queue.replace(/\./g, '\\.')}\\s+1\\s+HttpOperationFailedException\\s+400\\s`));
    expect(list.stdout).to.match(/2 shown; 2 dead letter\(s\) in 1 queue\(s\)/);

    const json = await dlq('list', '--correlation-id', `corr-${other}`, '--json');
    expect(json.code, json.stderr).to.equal(0);
    expect((JSON.parse(json.stdout) as { deadLetters: { id: string }[] }).deadLetters.map((d) => d.id)).to.deep.equal([other]);

    const show = await dlq('show', refused);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/original exchange:\s+e2e\.dlq-ex/);
    expect(show.stdout).to.match(/http status:\s+400/);
    expect(show.stdout).to.match(/attempts:\s+1/);
    expect(show.stdout).to.include(`"entryId": "${refused}"`);

    const missing = await fetch(`${test.baseUrl}/admin/dead-letters/no-such-id`);
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: string }).error).to.equal('DEAD_LETTER_NOT_FOUND');
  });

  it('a dry run changes nothing; after the fix the filtered redrive delivers it, and a second redrive does nothing', async () => {
    partner.answer([], 200);
    const dry = await dlq('redrive', '--correlation-id', `corr-${refused}`, '--dry-run');
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.match(/1 dead letter\(s\) would be redriven \(dry run, nothing changed\)/);
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(2);
    expect(partner.calls).to.have.length(2);

    const redrive = await dlq('redrive', '--correlation-id', `corr-${refused}`, '--rate', '5', '--json');
    expect(redrive.code, redrive.stderr).to.equal(0);
    const report = JSON.parse(redrive.stdout) as { redriven: { id: string }[]; queues: { remaining: number }[] };
    expect(report.redriven.map((r) => r.id)).to.deep.equal([refused]);
    await eventually(() => logLines(test.log, `delivered ${refused}`).length === 1, 'the redriven payment was delivered');
    expect(partner.calls.map((call) => call.status)).to.deep.equal([400, 400, 200]);
    // The one not selected stayed where it was.
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(1);

    const again = await dlq('redrive', '--correlation-id', `corr-${refused}`);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout.trim()).to.equal('0 dead letter(s) redriven');
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(1);
    expect(partner.calls).to.have.length(3);
  });

  it('a dead letter redriven after its message-id was delivered is not delivered again', async () => {
    // A second copy of the delivered payment ends up dead-lettered (e.g. a duplicate publish upstream).
    const copy = connection.createPublisher({ confirm: true });
    await copy.send(
      {
        exchange: '',
        routingKey: `${queue}.dlq`,
        messageId: refused,
        contentType: 'application/json',
        durable: true,
        headers: { 'x-pipes-error-class': 'org.apache.camel.http.base.HttpOperationFailedException', 'x-pipes-route-id': 'refused-delivery', 'x-pipes-source-queue': queue },
      },
      { entryId: refused, amount: '10.00', currency: 'EUR' },
    );
    await copy.close();
    const redrive = await fetch(`${test.baseUrl}/admin/dead-letters/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [refused] }),
    });
    expect(((await redrive.json()) as { redriven: unknown[] }).redriven).to.have.length(1);
    await eventually(
      () => logLines(test.log, 'duplicate message skipped: this route already processed its message-id').length === 1,
      'the route recognised the redriven duplicate',
    );
    expect(partner.calls).to.have.length(3);
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(1);
  });

  it('redrives with a limit; a payment refused again comes back with its redrive history', async () => {
    const redrive = async (body: Record<string, unknown>): Promise<{ redriven: { id: string }[] }> =>
      (await (
        await fetch(`${test.baseUrl}/admin/dead-letters/redrive`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { redriven: { id: string }[] };
    partner.answer([400], 200);
    expect((await redrive({ route: 'refused-delivery', limit: 1, ratePerSecond: 10 })).redriven.map((r) => r.id)).to.deep.equal([other]);
    await eventually(() => partner.calls.length === 4, 'the partner refused it again');
    await eventually(async () => (await depth(connection, `${queue}.dlq`)).messageCount === 1, 'dead-lettered again');

    const shown = (await (await fetch(`${test.baseUrl}/admin/dead-letters/${other}`)).json()) as Record<string, unknown>;
    expect(shown).to.include({ id: other, attempts: 1, httpStatus: 400, redriveCount: 1 });
    const history = shown.redriveHistory as Record<string, unknown>[];
    expect(history).to.have.length(1);
    expect(history[0]).to.include({ attempts: 1, httpStatus: 400, routeId: 'refused-delivery', originalExchange: exchange });
    expect(Date.parse(history[0]!.redrivenAt as string)).to.be.at.least(Date.parse(history[0]!.lastFailureAt as string));

    expect((await redrive({ route: 'refused-delivery' })).redriven.map((r) => r.id)).to.deep.equal([other]);
    await eventually(() => logLines(test.log, `delivered ${other}`).length === 1, 'the other payment was delivered');
    expect((await depth(connection, `${queue}.dlq`)).messageCount).to.equal(0);
    expect(partner.calls.map((call) => call.status)).to.deep.equal([400, 400, 200, 400, 200]);
    // The partner saw the same message-id as the first time: the redrive kept it.
    expect(partner.calls[4]!.headers['idempotency-key']).to.equal(other);
  });
});
