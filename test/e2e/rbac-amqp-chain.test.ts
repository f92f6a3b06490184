/**
 * `amqp.requireUserId: true` on a router whose routes feed each other through an exchange: what the router
 * publishes itself carries its connection's user as `user_id` (the only value RabbitMQ lets it set), so
 * the next route accepts it when that user is granted the route; a publisher without `user_id`
 * (`amqp-publish` of amqp-tools) is still refused into the dead-letter queue.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'rabbitmq-client';
import { deadLetterQueueName } from '../../src/transport/topology-names.js';
import { ProvenanceHeaders } from '../../src/reliability/broker-retry.js';
import { amqpPublish } from '../helpers/amqp-tools.js';
import { startPartner, type Partner } from '../components/http-partner.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { createRegistry } from '../../src/app/catalog.js';
import { createRouter } from '../../src/app/create-router.js';
import { defaultConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { captureLog, startRouter, writeFiles, type TestRouter } from '../helpers/router.js';
import { amqpClient, consumerQueues, eventually, jsonBody, uniqueName, Watcher } from './rabbitmq-support.js';

describe('e2e: requireUserId on a route fed by another route of the same router', function () {
  this.timeout(60_000);
  const entry = uniqueName('chain-in');
  const middle = uniqueName('chain-mid');
  const onward = uniqueName('chain-out');
  const entryQueue = uniqueName('chain-in-q');
  const middleQueue = uniqueName('chain-mid-q');
  const retried = uniqueName('chain-retry');
  const retriedQueue = uniqueName('chain-retry-q');
  let partner: Partner;
  let router: TestRouter | undefined;
  let client: Connection;
  let watcher: Watcher;

  const routes = (partnerUrl = 'http://127.0.0.1:9/unused'): string => `
- route:
    id: chain-first
    from:
      uri: spring-rabbitmq:${entry}
      parameters: {queues: ${entryQueue}, routingKey: orders, exchangeType: topic}
      steps:
        - to: {uri: "spring-rabbitmq:${middle}", parameters: {routingKey: accepted, exchangeType: topic}}
- route:
    id: chain-second
    from:
      uri: spring-rabbitmq:${middle}
      parameters: {queues: ${middleQueue}, routingKey: accepted, exchangeType: topic}
      steps:
        - to: {uri: "spring-rabbitmq:${onward}", parameters: {routingKey: done, exchangeType: topic}}
- route:
    id: chain-retry
    errorHandler:
      defaultErrorHandler:
        redeliveryPolicy: {maximumRedeliveries: 3, redeliveryDelay: 100}
    from:
      uri: spring-rabbitmq:${retried}
      parameters: {queues: ${retriedQueue}, routingKey: orders, exchangeType: topic, maximumRetryAttempts: 3}
      steps:
        - to: {uri: "${partnerUrl}/orders"}
`;
  // guest is the user the router (and this test's client) log in as: granted both routes.
  const rbac = `
version: 1
roles:
  pipeline: {permissions: [route:chain-first, route:chain-second, route:chain-retry]}
principals:
  - {id: guest, roles: [pipeline]}
amqp:
  requireUserId: true
`;

  before(async function () {
    await requireBrokerOrSkip(this);
    client = amqpClient('rbac-amqp-chain test');
    watcher = (await Watcher.on(client, { exchange: onward, routingKey: '#' })).start();
    // Fails the first call: the retry is a copy the router publishes itself.
    partner = await startPartner({ status: 503, body: 'busy' }, { status: 200, body: { ok: true } });
    router = await startRouter({ 'routes/chain.yaml': routes(partner.url) }, { rabbitmqUrl: brokerUrl(), rbac, http: false });
  });

  after(async () => {
    await router?.stop();
    await partner?.close();
    if (!client) return;
    await watcher?.delete();
    for (const queue of [entryQueue, middleQueue, retriedQueue]) {
      for (const name of consumerQueues(queue)) await client.queueDelete({ queue: name }).catch(() => undefined);
    }
    for (const name of [entry, middle, onward, retried]) await client.exchangeDelete({ exchange: name }).catch(() => undefined);
    await client.close();
  });

  async function deadLetters(queue: string): Promise<{ body: string; headers: Record<string, unknown> }[]> {
    const found: { body: string; headers: Record<string, unknown> }[] = [];
    for (;;) {
      const message = await client.basicGet({ queue: deadLetterQueueName(queue), noAck: true });
      if (!message) return found;
      const body: unknown = message.body;
      found.push({ body: Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body), headers: message.headers ?? {} });
    }
  }

  it("the second route takes what the first route published, carrying the router's user as user_id", async () => {
    const id = `chained-${randomUUID()}`;
    const publisher = client.createPublisher({ confirm: true });
    await publisher.send(
      { exchange: entry, routingKey: 'orders', messageId: id, durable: true, contentType: 'application/json', userId: 'guest' },
      { orderId: id },
    );
    await publisher.close();

    await watcher.until((received) => received.some((m) => m.messageId === id), 'the message through both routes');
    const arrived = watcher.received.find((m) => m.messageId === id)!;
    expect(jsonBody(arrived)).to.deep.equal({ orderId: id });
    expect(arrived.userId).to.equal('guest');
    // Nothing the router published itself was refused on the way.
    expect(await deadLetters(middleQueue)).to.deep.equal([]);
    expect(await deadLetters(entryQueue)).to.deep.equal([]);
  });

  it('a message amqp-publish sends to the second route without user_id is still dead-lettered', async () => {
    const token = `cli-${randomUUID()}`;
    await amqpPublish({ exchange: middle, routingKey: 'accepted', contentType: 'application/json', body: JSON.stringify({ token }) });

    const letters: { body: string; headers: Record<string, unknown> }[] = [];
    await eventually(async () => {
      letters.push(...(await deadLetters(middleQueue)));
      return letters.some((l) => l.body.includes(token));
    }, 'the amqp-publish message in the dead-letter queue');
    const refused = letters.find((l) => l.body.includes(token))!;
    expect(refused.headers[ProvenanceHeaders.errorClass]).to.equal('org.apache.camel.CamelAuthorizationException');
    expect(String(refused.headers[ProvenanceHeaders.errorMessage])).to.contain('missing-user-id');
    expect(watcher.received.some((m) => JSON.stringify(jsonBody(m)).includes(token))).to.equal(false);
  });

  it("a retry the router schedules itself is admitted again (it carries the router's user), not dead-lettered", async () => {
    const id = `retried-${randomUUID()}`;
    const publisher = client.createPublisher({ confirm: true });
    await publisher.send(
      { exchange: retried, routingKey: 'orders', messageId: id, durable: true, contentType: 'application/json', userId: 'guest' },
      { orderId: id },
    );
    await publisher.close();
    await partner.until(() => partner.requests.length === 2, 20_000);
    await eventually(
      () => router!.log.lines.some((l) => l.message === 'message scheduled for a retry held by the broker'),
      'the retry was scheduled',
    );
    expect(partner.requests.map((r) => JSON.parse(r.body) as unknown)).to.deep.equal([{ orderId: id }, { orderId: id }]);
    expect(await deadLetters(retriedQueue)).to.deep.equal([]);
  });

  it('warns at load about each AMQP entry the router\'s own broker user may not enter, and not about the others', async () => {
    expect(router!.router.diagnostics.filter((d) => d.message.includes('requireUserId'))).to.deep.equal([]);

    // The same routes, the router logging in as pipes-router, which is granted only the first route.
    const dir = writeFiles({
      'routes/chain.yaml': routes(),
      'rbac.yaml': rbac.replace('{id: guest, roles: [pipeline]}', '{id: pipes-router, roles: [first-only]}').replace(
        'roles:\n',
        'roles:\n  first-only: {permissions: [route:chain-first]}\n',
      ),
    });
    try {
      const built = await createRouter({
        config: {
          ...defaultConfig({}),
          routes: [path.join(dir, 'routes')],
          rbacFile: path.join(dir, 'rbac.yaml'),
          security: 'enforced',
          rabbitmqUrl: 'amqp://pipes-router:secret@127.0.0.1:5672',
        },
        registry: createRegistry(),
        logger: createLogger({ level: 'error', stream: captureLog().stream }),
      });
      const warnings = built.diagnostics.filter((d) => d.message.includes('requireUserId'));
      // The first route is granted; the second (fed by the first) and the retrying one are not.
      expect(warnings.map((d) => [d.severity, d.loc?.line])).to.deep.equal([['warning', 12], ['warning', 22]]);
      expect(warnings[1]!.message).to.contain("Route 'chain-retry'");
      expect(warnings[0]!.message).to.contain("Route 'chain-second'").and.contain("'pipes-router'").and.contain('not-granted');
      expect(warnings[0]!.hint).to.contain('route:chain-second');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
