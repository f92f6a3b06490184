import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { Partner } from '../components/http-partner.js';
import { deleteQueues, testClient } from '../e2e/connector-support.js';
import { consumerQueues, uniqueName } from '../e2e/rabbitmq-support.js';
import { sha256Hex } from './helpers.js';
import { rawRequest } from './red-team/raw-http.js';
import { httpPort } from '../../src/server/http-server-module.js';

/**
 * The red-team rows about AMQP (findings 1 and 10) against the real RabbitMQ: a publisher's `Camel*` headers
 * must not steer the partner call, and one deeply nested dead letter must not break the dead-letter listing.
 * The rest of the suite is test/security/red-team.test.ts (memory transport).
 */
const OPS_KEY = 'rt-broker-operator-key-4e0a9c7d2b5f1368';
const PARTNER_TOKEN = 'rt-broker-partner-token-7b2d9e4c1a0f5836';

describe('security: red-team suite against RabbitMQ (findings 1, 10)', function () {
  this.timeout(30_000);
  const calls = uniqueName('rt-calls');
  const orders = uniqueName('rt-orders');
  const partner = new Partner();
  const other = new Partner();
  let app: TestRouter | undefined;
  let client: Connection | undefined;
  const publish = async (envelope: Record<string, unknown>, body: Buffer): Promise<void> => {
    const publisher = client!.createPublisher({ confirm: true, maxAttempts: 2 });
    try {
      await publisher.send({ durable: true, ...envelope }, body);
    } finally {
      await publisher.close();
    }
  };

  before(async function () {
    await requireBrokerOrSkip(this);
    await partner.start();
    await other.start();
    client = testClient('red-team-broker');
    app = await startRouter(
      {
        'routes/broker.yaml': `
- route:
    id: partner-calls
    from:
      uri: spring-rabbitmq:${calls}
      parameters: {queues: ${calls}, routingKey: calls}
      steps:
        - to: mock:partner-calls
        - to:
            uri: "${partner.url}/collect"
            parameters: {httpMethod: POST, authBearerToken: "${PARTNER_TOKEN}"}
- route:
    id: orders-in
    from:
      uri: spring-rabbitmq:${orders}
      parameters: {queues: ${orders}, routingKey: orders}
      steps:
        - to: mock:orders-in
`,
      },
      {
        rabbitmqUrl: brokerUrl(),
        rbac: `roles:\n  operator: ['admin:*']\nprincipals:\n  - {id: ops, roles: [operator], apiKeySha256: ${sha256Hex(OPS_KEY)}}\n`,
      },
    );
  });

  after(async () => {
    await app?.stop();
    if (client) {
      await deleteQueues(client, [...consumerQueues(calls), ...consumerQueues(orders)]);
      await client.exchangeDelete({ exchange: calls }).catch(() => undefined);
      await client.exchangeDelete({ exchange: orders }).catch(() => undefined);
      await client.close();
    }
    await partner.close();
    await other.close();
  });

  it('F1 Camel* headers on an AMQP message do not send the partner token to another origin', async () => {
    await publish(
      { exchange: calls, routingKey: 'calls', contentType: 'application/json', headers: { CamelHttpUri: `${other.url}/steal`, CamelHttpMethod: 'DELETE', CamelHttpPath: '/steal', CamelSpringRabbitmqRoutingOverrideKey: 'orders' } },
      Buffer.from('{"n":1}'),
    );
    await mockEndpoint(app!.router.services, 'partner-calls').waitFor(1, 10_000);
    for (let i = 0; i < 100 && partner.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(other.requests).to.deep.equal([]);
    expect(partner.requests[0]).to.include({ method: 'POST', url: '/collect' });
    expect(partner.requests[0]!.headers.authorization).to.equal(`Bearer ${PARTNER_TOKEN}`);
    expect(mockEndpoint(app!.router.services, 'orders-in').received).to.deep.equal([]);
  });

  it('F10 a 6,000-deep JSON dead letter is listed as text and the listing answers 200', async () => {
    const deep = '['.repeat(6000) + ']'.repeat(6000);
    await publish({ exchange: '', routingKey: `${orders}.dlq`, contentType: 'application/json', messageId: 'rt-broker-deep' }, Buffer.from(deep));
    const port = httpPort(app!.router.services)!;
    let listed: { id: string; bodyEncoding: string; body: unknown }[] = [];
    for (let i = 0; i < 50 && !listed.some((d) => d.id === 'rt-broker-deep'); i++) {
      const answer = await rawRequest(port, { target: `/admin/dead-letters?route=orders-in`, headers: [['X-API-Key', OPS_KEY]] });
      expect(answer.status, answer.body.slice(0, 200)).to.equal(200);
      listed = (answer.json() as { deadLetters: typeof listed }).deadLetters;
      if (!listed.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed.find((d) => d.id === 'rt-broker-deep')).to.include({ bodyEncoding: 'text', body: deep });
  });
});
