/**
 * `Idempotency-Key` at the HTTP door: the same key sent 50 times at once publishes once and every caller
 * gets the first answer; the same key with another body is refused (409). With the keys in memory and in
 * Redis (what several routers share).
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { REDIS_URL, requireRedisOrSkip } from '../asyncengine/support.js';
import { eventually, uniqueName } from './rabbitmq-support.js';
import { deleteQueues, depth, testClient } from './connector-support.js';

const COPIES = 50;

function intakeRoute(exchange: string, path: string): string {
  return `
- route:
    id: idempotent-intake
    from:
      uri: platform-http:${path}
      parameters:
        httpMethodRestrict: POST
      steps:
        - to:
            uri: spring-rabbitmq:${exchange}
            pattern: InOnly
            parameters:
              routingKey: payment.accepted
              exchangeType: topic
        - setBody:
            expression:
              language:
                language: jsonata
                expression: '{"status": "accepted", "entryId": entryId, "exchangeId": $exchangeId}'
        - setHeader:
            name: CamelHttpResponseCode
            constant: "202"
`;
}

for (const storeKind of ['memory', 'redis'] as const) {
  describe(`connector: Idempotency-Key on an HTTP entry (${storeKind} store)`, function () {
    this.timeout(60_000);
    let connection: Connection;
    let test: TestRouter;
    const exchange = uniqueName('idem-ex');
    const watch = uniqueName('idem-watch');
    const path = `/idem-${storeKind}`;

    before(async function () {
      await requireBrokerOrSkip(this);
      if (storeKind === 'redis') await requireRedisOrSkip(this);
      connection = testClient(`connector idempotency test (${storeKind})`);
      test = await startRouter(
        { 'routes/intake.yaml': intakeRoute(exchange, path) },
        { rabbitmqUrl: brokerUrl(), ...(storeKind === 'redis' ? { redisUrl: REDIS_URL } : {}) },
      );
      await connection.exchangeDeclare({ exchange, type: 'topic', durable: true });
      await connection.queueDeclare({ queue: watch, durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await connection.queueBind({ exchange, queue: watch, routingKey: 'payment.accepted' });
    });

    after(async () => {
      await test?.stop();
      if (connection) {
        await deleteQueues(connection, [watch], exchange);
        await connection.close();
      }
    });

    const post = async (key: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
      const response = await fetch(`${test.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
    };

    it(`publishes once for ${COPIES} concurrent requests with the same key, and answers each with the first answer`, async () => {
      const key = `key-${storeKind}-${Date.now()}`;
      const body = { entryId: key, amount: '25.00' };
      const answers = await Promise.all(Array.from({ length: COPIES }, () => post(key, body)));

      expect(answers.map((a) => a.status)).to.deep.equal(Array(COPIES).fill(202));
      const first = answers[0]!.body;
      expect(first).to.include({ status: 'accepted', entryId: key });
      expect(answers.every((a) => JSON.stringify(a.body) === JSON.stringify(first))).to.equal(true);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).to.have.length(COPIES - 1);
      // Every answer came after its publish was confirmed (or was a replay): the queue holds what was published.
      expect((await depth(connection, watch)).messageCount).to.equal(1);

      // Later, the same request again: the first answer, still nothing published.
      const later = await post(key, body);
      expect(later.status).to.equal(202);
      expect(later.body).to.deep.equal(first);
      expect((await depth(connection, watch)).messageCount).to.equal(1);
    });

    it('refuses the same key with another body (409) and publishes nothing for it', async () => {
      const key = `reuse-${storeKind}-${Date.now()}`;
      const before = (await depth(connection, watch)).messageCount;
      expect((await post(key, { entryId: 'a', amount: '1.00' })).status).to.equal(202);
      const other = await post(key, { entryId: 'b', amount: '2.00' });
      expect(other.status).to.equal(409);
      expect(other.body.error).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect((await depth(connection, watch)).messageCount).to.equal(before + 1);
    });

    it('the published message carries an id derived from (entry, caller, key), never the raw key', async () => {
      const key = `msgid-${storeKind}-${Date.now()}`;
      await post(key, { entryId: key, amount: '3.00' });
      const received: { id: string; entryId: unknown }[] = [];
      const consumer = connection.createConsumer({ queue: watch, queueOptions: { passive: true } }, (message) => {
        // rabbitmq-client hands an application/json body over parsed.
        const raw: unknown = message.body;
        const body = (Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : raw) as { entryId?: unknown };
        received.push({ id: message.messageId ?? '', entryId: body.entryId });
      });
      await eventually(() => received.some((m) => m.entryId === key), 'the message of the key');
      await consumer.close();
      const mine = received.find((m) => m.entryId === key)!;
      // A key is the caller's own: as a global message-id it would make another caller's message a duplicate.
      expect(mine.id).to.match(/^idem-[\w-]{32}$/);
      expect(mine.id).to.not.include(key);
    });
  });
}
