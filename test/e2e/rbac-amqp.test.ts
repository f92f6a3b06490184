/**
 * RBAC on an AMQP entry route: with `amqp.requireUserId: true`, a message is processed only when its
 * `user_id` (which RabbitMQ checks against the publishing connection's user) names a principal granted the
 * route. A refused message is dead-lettered with the reason, never acked away and never retried.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'rabbitmq-client';
import { deadLetterQueueName } from '../../src/transport/topology-names.js';
import { ProvenanceHeaders } from '../../src/reliability/broker-retry.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, consumerQueues, eventually, uniqueName, Watcher } from './rabbitmq-support.js';

describe('e2e: RBAC on an AMQP entry (user_id)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('rbac-in');
  const queue = uniqueName('rbac-q');
  const onward = uniqueName('rbac-out');
  let router: TestRouter | undefined;
  let client: Connection;
  let watcher: Watcher;

  const routes = `
- route:
    id: amqp-orders-in
    from:
      uri: spring-rabbitmq:${exchange}
      parameters: {queues: ${queue}, routingKey: orders, exchangeType: topic}
      steps:
        - to: {uri: "spring-rabbitmq:${onward}", parameters: {routingKey: accepted, exchangeType: topic}}
`;
  // guest is the broker user of this test's connection; 'someone-else' is known but not granted.
  const rbac = `
version: 1
roles:
  order-publisher: {permissions: [route:amqp-orders-in]}
  reader: {permissions: [route:nothing-*]}
principals:
  - {id: guest, roles: [order-publisher]}
  - {id: someone-else, roles: [reader]}
amqp:
  requireUserId: true
`;

  before(async function () {
    await requireBrokerOrSkip(this);
    client = amqpClient('rbac-amqp test');
    watcher = (await Watcher.on(client, { exchange: onward, routingKey: '#' })).start();
    router = await startRouter({ 'routes/orders.yaml': routes }, { rabbitmqUrl: brokerUrl(), rbac, http: false });
  });

  after(async () => {
    await router?.stop();
    if (!client) return;
    await watcher?.delete();
    for (const name of consumerQueues(queue)) await client.queueDelete({ queue: name }).catch(() => undefined);
    for (const name of [exchange, onward]) await client.exchangeDelete({ exchange: name }).catch(() => undefined);
    await client.close();
  });

  async function publish(userId: string | undefined, id: string): Promise<void> {
    const publisher = client.createPublisher({ confirm: true });
    await publisher.send(
      { exchange, routingKey: 'orders', messageId: id, durable: true, contentType: 'application/json', ...(userId ? { userId } : {}) },
      { orderId: id },
    );
    await publisher.close();
  }

  async function deadLetters(): Promise<{ messageId?: string; headers: Record<string, unknown> }[]> {
    const found: { messageId?: string; headers: Record<string, unknown> }[] = [];
    for (;;) {
      const message = await client.basicGet({ queue: deadLetterQueueName(queue), noAck: true });
      if (!message) return found;
      found.push({ messageId: message.messageId, headers: message.headers ?? {} });
    }
  }

  it('processes a message whose user_id is granted, dead-letters the others with the reason', async () => {
    const granted = `granted-${randomUUID()}`;
    const missing = `missing-${randomUUID()}`;
    await publish('guest', granted);
    await publish(undefined, missing);

    await watcher.until((received) => received.some((m) => m.messageId === granted), 'the granted message onward');
    const letters: { messageId?: string; headers: Record<string, unknown> }[] = [];
    await eventually(
      async () => {
        letters.push(...(await deadLetters()));
        return letters.some((l) => l.messageId === missing);
      },
      'the message without user_id in the dead-letter queue',
    );
    const refused = letters.find((l) => l.messageId === missing)!;
    expect(refused.headers[ProvenanceHeaders.errorClass]).to.equal('org.apache.camel.CamelAuthorizationException');
    expect(String(refused.headers[ProvenanceHeaders.errorMessage])).to.contain('missing-user-id');
    expect(Number(refused.headers[ProvenanceHeaders.attempts])).to.equal(1);
    expect(watcher.received.some((m) => m.messageId === missing)).to.equal(false);
  });

  it('RabbitMQ itself refuses a user_id that is not the connection user, so it cannot be forged', async () => {
    let refused: unknown;
    try {
      await publish('someone-else', `forged-${randomUUID()}`);
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(/PRECONDITION_FAILED|user_id/i);
  });
});
