/**
 * A route that only forwards what it consumes sends the delivered bytes on unchanged: to a partner through a
 * circuit breaker, and to another exchange. JSON.parse and JSON.stringify would change what a payment says
 * to a strict reader (`1.10` becomes `1.1`, an integer beyond 2^53 is rounded, spacing and key spelling
 * go); a route whose step reads the body sends the value the step saw. Published by `amqp-publish`
 * (amqp-tools) as an outside publisher would; received by a real HTTP partner and taken with `amqp-get`,
 * which hands over the body exactly as the broker holds it.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'rabbitmq-client';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import { amqpGet, amqpPublish } from '../helpers/amqp-tools.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, consumerQueues, eventually, uniqueName, Watcher } from './rabbitmq-support.js';

/** The next message of a queue, as bytes, once there is one. */
async function next(queue: string): Promise<string> {
  let body: Buffer | undefined;
  await eventually(async () => (body = await amqpGet(queue)) !== undefined, `a message on ${queue}`);
  return body!.toString('utf8');
}

describe('e2e: a body no step reads goes on byte for byte', function () {
  this.timeout(60_000);
  const entry = uniqueName('bytes-in');
  const toPartner = uniqueName('bytes-partner-q');
  const toQueue = uniqueName('bytes-onward-q');
  const readFirst = uniqueName('bytes-read-q');
  const onward = uniqueName('bytes-out');
  const run = randomUUID();
  // What a re-encoding would change: a number's spelling, an integer beyond 2^53, spacing, an escape.
  const text = `{ "run": "${run}", "amount": 1.10, "ref": 12345678901234567890, "memo" : "caf\\u00e9" }`;
  let router: TestRouter | undefined;
  let partner: StubPartner;
  let client: Connection;
  let plain: Watcher;
  let read: Watcher;

  before(async function () {
    await requireBrokerOrSkip(this);
    partner = await startStubPartner();
    client = amqpClient('byte-exact forwarding test');
    // Declared and bound, not consumed: amqp-get takes the messages.
    plain = await Watcher.on(client, { exchange: onward, routingKey: 'plain' });
    read = await Watcher.on(client, { exchange: onward, routingKey: 'read' });
    const consumed = (queue: string, key: string): string =>
      `uri: spring-rabbitmq:${entry}\n      parameters: {queues: ${queue}, routingKey: ${key}, exchangeType: topic}`;
    const routes = `
- route:
    id: bytes-to-partner
    from:
      ${consumed(toPartner, 'partner')}
      steps:
        - circuitBreaker:
            steps:
              - to: {uri: "${partner.url}/payments", parameters: {httpMethod: POST}}
- route:
    id: bytes-onward
    from:
      ${consumed(toQueue, 'onward')}
      steps:
        - to: {uri: "spring-rabbitmq:${onward}", parameters: {routingKey: plain, exchangeType: topic}}
- route:
    id: bytes-read
    from:
      ${consumed(readFirst, 'read')}
      steps:
        - setHeader: {name: x-amount, simple: "\${body[amount]}"}
        - to: {uri: "spring-rabbitmq:${onward}", parameters: {routingKey: read, exchangeType: topic}}
`;
    router = await startRouter({ 'routes/bytes.yaml': routes }, { rabbitmqUrl: brokerUrl() });
  });

  after(async () => {
    await router?.stop();
    await partner?.close();
    if (!client) return;
    await plain?.delete();
    await read?.delete();
    for (const queue of [toPartner, toQueue, readFirst])
      for (const name of consumerQueues(queue))
        await client.queueDelete({ queue: name }).catch(() => undefined);
    for (const name of [entry, onward])
      await client.exchangeDelete({ exchange: name }).catch(() => undefined);
    await client.close();
  });

  it('POSTs to the partner, through a circuit breaker, exactly the bytes that were published', async () => {
    await amqpPublish({
      exchange: entry,
      routingKey: 'partner',
      contentType: 'application/json',
      body: text,
    });
    await partner.until((calls) => calls.some((call) => call.body.includes(run)));
    const call = partner.calls.find((c) => c.body.includes(run))!;
    expect(call.body).to.equal(text);
    expect(call.headers['content-type']).to.equal('application/json');
  });

  it('publishes onward exactly the bytes that were published; after a step read the body, the value it saw', async () => {
    await amqpPublish({ exchange: entry, routingKey: 'onward', contentType: 'application/json', body: text });
    await amqpPublish({ exchange: entry, routingKey: 'read', contentType: 'application/json', body: text });
    expect(await next(plain.queue)).to.equal(text);
    expect(await next(read.queue)).to.equal(
      `{"run":"${run}","amount":1.1,"ref":12345678901234567000,"memo":"café"}`,
    );
  });
});
