/**
 * End to end against RabbitMQ, through real route YAML: HTTP POST → validate → transform → confirmed
 * publish, seen by the test's own AMQP client; and an AMQP publisher's message consumed by a route and
 * published onward.
 */
import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, jsonBody, payment, postJson, uniqueName, Watcher } from './rabbitmq-support.js';

const SCHEMAS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

describe('e2e: HTTP → route → RabbitMQ → route → RabbitMQ', function () {
  this.timeout(60_000);
  let amqp: Connection;
  let router: TestRouter;
  const watchers: Watcher[] = [];
  const names = {
    intake: uniqueName('payments'),
    ledger: uniqueName('ledger'),
    queue: uniqueName('postings'),
  };

  before(async function () {
    await requireBrokerOrSkip(this);
    amqp = amqpClient();
    router = await startRouter(
      {
        'routes/intake.yaml': `
- route:
    id: e2e-intake
    from:
      uri: platform-http:/e2e/payments
      parameters: {httpMethodRestrict: POST, consumes: application/json}
      steps:
        - to: {uri: "json-validator:payment.schema.json"}
        - to: {uri: "jsonata:to-posting.jsonata"}
        - to:
            uri: spring-rabbitmq:${names.intake}
            pattern: InOnly
            parameters: {routingKey: payment.accepted, exchangeType: topic}
        - setBody:
            expression:
              language: {language: jsonata, expression: '{"status": "accepted", "entryId": entryId, "correlationId": $correlationId}'}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: e2e-forward
    from:
      uri: spring-rabbitmq:${names.intake}
      parameters: {queues: ${names.queue}, routingKey: "payment.*", exchangeType: topic}
      steps:
        - setHeader: {name: x-stage, constant: booked}
        - transform:
            expression:
              language: {language: jsonata, expression: '$merge([$, {"status": "booked"}])'}
        - to:
            uri: spring-rabbitmq:${names.ledger}
            parameters: {routingKey: posting.booked, exchangeType: topic}
`,
        'routes/to-posting.jsonata': `{
  "entryId": paymentId,
  "bookedAmount": instructedAmount.amount,
  "currency": instructedAmount.currency,
  "debit": debtor.iban,
  "credit": creditor.iban
}`,
      },
      { rabbitmqUrl: brokerUrl(), schemasDir: SCHEMAS, security: 'disabled' },
    );
  });

  after(async function () {
    for (const watcher of watchers) await watcher.delete();
    if (router) await router.stop();
    if (amqp) {
      for (const queue of [
        names.queue,
        `${names.queue}.dlq`,
        ...[1, 2, 3, 4, 5].map((n) => `${names.queue}.retry.${n}`),
      ]) {
        await amqp.queueDelete({ queue }).catch(() => undefined);
      }
      for (const exchange of [names.intake, names.ledger])
        await amqp.exchangeDelete({ exchange }).catch(() => undefined);
      await amqp.close();
    }
  });

  async function watch(exchange: string, routingKey: string): Promise<Watcher> {
    const watcher = await Watcher.on(amqp, { exchange, routingKey });
    watchers.push(watcher);
    return watcher.start();
  }

  it('a POST is validated, transformed and published persistent with correlation and message id, then answered 202', async function () {
    const watcher = await watch(names.intake, 'payment.accepted');
    const instruction = payment();
    const answer = await postJson(`${router.baseUrl}/e2e/payments`, instruction, {
      'Idempotency-Key': 'idem-e2e-1',
      'X-Correlation-Id': 'corr-e2e-1',
      Authorization: 'Bearer not-for-the-broker',
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    expect(answer.body).to.deep.equal({
      status: 'accepted',
      entryId: instruction.paymentId,
      correlationId: 'corr-e2e-1',
    });

    await watcher.until((received) => received.length >= 1, 'the published posting');
    const message = watcher.received[0]!;
    expect(jsonBody(message)).to.deep.equal({
      entryId: instruction.paymentId,
      bookedAmount: 1250.5,
      currency: 'EUR',
      debit: 'DE89370400440532013000',
      credit: 'FR1420041010050500013M02606',
    });
    expect(message.durable, 'persistent delivery mode').to.equal(true);
    expect(message.correlationId).to.equal('corr-e2e-1');
    // The caller's key scoped to (route, caller), so another caller's same key is another message.
    expect(message.messageId).to.match(/^idem-[\w-]{32}$/);
    expect(message.contentType).to.equal('application/json');
    expect(message.routingKey).to.equal('payment.accepted');
    // The caller's headers stop at the router (the route sets none): the ids travel as AMQP properties.
    expect(message.headers ?? {}).to.deep.equal({});
    const headerNames = Object.keys(message.headers ?? {}).map((name) => name.toLowerCase());
    for (const unwanted of ['authorization', 'host', 'content-length', 'content-type', 'camelhttpmethod']) {
      expect(headerNames).to.not.include(unwanted);
    }
  });

  it('an invalid POST is answered 400 and publishes nothing', async function () {
    const watcher = await watch(names.intake, 'payment.accepted');
    const invalid = await postJson(
      `${router.baseUrl}/e2e/payments`,
      payment({ debtor: { name: 'x', iban: 'nope' } }),
    );
    expect(invalid.status).to.equal(400);
    const valid = payment();
    expect((await postJson(`${router.baseUrl}/e2e/payments`, valid)).status).to.equal(202);
    await watcher.until((received) => received.length >= 1, 'the valid posting');
    // Publishes of one producer arrive in order: had the invalid one been published, it would come first.
    expect(jsonBody(watcher.received[0]!).entryId).to.equal(valid.paymentId);
  });

  it("an AMQP publisher's message to the entry exchange is consumed, routed and published onward", async function () {
    const watcher = await watch(names.ledger, 'posting.booked');
    const publisher = amqp.createPublisher({ confirm: true });
    try {
      await publisher.send(
        {
          exchange: names.intake,
          routingKey: 'payment.accepted',
          durable: true,
          messageId: 'amqp-msg-1',
          correlationId: 'amqp-corr-1',
          contentType: 'application/json',
          headers: { 'x-origin': 'core-banking' },
        },
        Buffer.from(JSON.stringify({ entryId: 'E-AMQP-1', bookedAmount: 10, currency: 'EUR' })),
      );
    } finally {
      await publisher.close();
    }
    await watcher.until(
      (received) => received.some((m) => jsonBody(m).entryId === 'E-AMQP-1'),
      'the forwarded posting',
    );
    const forwarded = watcher.received.find((m) => jsonBody(m).entryId === 'E-AMQP-1')!;
    expect(jsonBody(forwarded)).to.deep.equal({
      entryId: 'E-AMQP-1',
      bookedAmount: 10,
      currency: 'EUR',
      status: 'booked',
    });
    expect(forwarded.durable).to.equal(true);
    expect(forwarded.correlationId).to.equal('amqp-corr-1');
    // The consumed message's id is the exchange id, so a redelivery republishes with the same message-id.
    expect(forwarded.messageId).to.equal('amqp-msg-1');
    expect(forwarded.headers).to.include({ 'x-origin': 'core-banking', 'x-stage': 'booked' });
    expect(Object.keys(forwarded.headers ?? {}).some((name) => /^camel/i.test(name))).to.equal(false);
  });

  it('reports ready on /health/ready while connected', async function () {
    const response = await fetch(`${router.baseUrl}/health/ready`);
    const body = (await response.json()) as { checks: Record<string, { ready: boolean }> };
    expect(response.status).to.equal(200);
    expect(body.checks.broker).to.deep.equal({ ready: true });
  });
});
