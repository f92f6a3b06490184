/**
 * What crosses the router's boundaries as headers and ids, against the real broker and real local partners
 * (security/header-boundaries.ts). Each case is an attack or a client habit that once got through:
 * - an AMQP publisher steering producers with `Camel*` headers (the partner's token sent to another origin);
 * - `?Idempotency-Key=` shadowing the header, and two callers' keys colliding downstream: a 202-accepted
 *   message skipped as a duplicate;
 * - `?CC=` / a `CC` header re-routing a message; a caller's `X-*` headers reaching partners;
 * - a message without message-id (amqp-publish) giving the partner an empty Idempotency-Key;
 * - `correlation_id` and an `X-Correlation-Id` header leaving as two ids;
 * - the same message-id arriving with another body, once skipped as a duplicate.
 */
import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { sha256Hex } from '../security/helpers.js';
import { eventually, jsonBody, uniqueName, Watcher } from './rabbitmq-support.js';
import { deleteQueues, logLines, testClient } from './connector-support.js';
import { consumerQueues } from './rabbitmq-support.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A partner that records every request and answers 200. */
async function partner(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = { text };
      }
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const ALICE_KEY = 'alice-boundaries-key-5c1e9a7f3b2d8064';
const BOB_KEY = 'bob-boundaries-key-8d2f4a6c0e1b9735';

const RBAC = `
version: 1
roles:
  payer: [route:hb-intake]
principals:
  - id: alice
    roles: [payer]
    apiKeySha256: ${sha256Hex(ALICE_KEY)}
  - id: bob
    roles: [payer]
    apiKeySha256: ${sha256Hex(BOB_KEY)}
open:
  health: true
`;

function routes(names: { intake: string; deliver: string; deliverQueue: string; hop: string; hopQueue: string; out: string }, partnerUrl: string): string {
  return `
- route:
    id: hb-intake
    from:
      uri: platform-http:/hb/payments
      parameters:
        httpMethodRestrict: POST
      steps:
        - setHeader:
            name: X-Route-Set
            constant: from-the-route
        - to:
            uri: spring-rabbitmq:${names.intake}
            pattern: InOnly
            parameters:
              routingKey: payment.accepted
              exchangeType: topic
        - setHeader:
            name: CamelHttpResponseCode
            constant: "202"
        - setBody:
            constant: '{"status":"accepted"}'

- route:
    id: hb-deliver
    from:
      uri: spring-rabbitmq:${names.intake}
      parameters:
        queues: ${names.deliverQueue}
        routingKey: payment.accepted
        exchangeType: topic
        maximumRetryAttempts: 1
      steps:
        - setHeader:
            name: Idempotency-Key
            simple: "\${header.CamelSpringRabbitmqMessageId}"
        - to:
            uri: ${partnerUrl}/collect
            parameters:
              httpMethod: POST
              authBearerToken: partner-secret-token

- route:
    id: hb-hop
    from:
      uri: spring-rabbitmq:${names.hop}
      parameters:
        queues: ${names.hopQueue}
        routingKey: hop.in
        exchangeType: topic
      steps:
        - to:
            uri: spring-rabbitmq:${names.out}
            pattern: InOnly
            parameters:
              routingKey: out.ok
              exchangeType: topic
`;
}

describe('header boundaries: what callers and publishers cannot steer (real broker, real partners)', function () {
  this.timeout(60_000);
  let connection: Connection;
  let test: TestRouter;
  let good: Awaited<ReturnType<typeof partner>>;
  let other: Awaited<ReturnType<typeof partner>>;
  let outOk: Watcher;
  let outStolen: Watcher;
  let spy: Watcher;
  const names = {
    intake: uniqueName('hb-intake'),
    deliver: 'hb-deliver',
    deliverQueue: uniqueName('hb-deliver-q'),
    hop: uniqueName('hb-hop'),
    hopQueue: uniqueName('hb-hop-q'),
    out: uniqueName('hb-out'),
  };

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('header boundaries test');
    good = await partner();
    other = await partner();
    test = await startRouter({ 'routes/hb.yaml': routes(names, good.url) }, { rabbitmqUrl: brokerUrl(), rbac: RBAC });
    outOk = (await Watcher.on(connection, { exchange: names.out, routingKey: 'out.ok' })).start();
    outStolen = (await Watcher.on(connection, { exchange: names.out, routingKey: 'out.stolen' })).start();
    spy = (await Watcher.on(connection, { exchange: names.intake, routingKey: 'spy' })).start();
  });

  after(async () => {
    await test?.stop();
    for (const watcher of [outOk, outStolen, spy]) await watcher?.delete();
    if (connection) {
      await deleteQueues(connection, [...consumerQueues(names.deliverQueue), ...consumerQueues(names.hopQueue)]);
      for (const exchange of [names.intake, names.hop, names.out])
        await connection.exchangeDelete({ exchange }).catch(() => undefined);
      await connection.close();
    }
    for (const server of [good?.server, other?.server]) server?.close();
  });

  const publish = async (
    exchange: string,
    routingKey: string,
    body: Record<string, unknown>,
    properties: { messageId?: string; correlationId?: string; headers?: Record<string, unknown> } = {},
  ): Promise<void> => {
    const publisher = connection.createPublisher({ confirm: true, maxAttempts: 2 });
    try {
      await publisher.send({ exchange, routingKey, contentType: 'application/json', durable: true, ...properties }, body);
    } finally {
      await publisher.close();
    }
  };

  const pay = (apiKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}, query = '') =>
    fetch(`${test.baseUrl}/hb/payments${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
      body: JSON.stringify(body),
    });

  const deliveredWith = (mark: string): Seen[] => good.seen.filter((seen) => seen.body.mark === mark);

  it('an AMQP message cannot move the partner call or its credential with Camel* headers', async () => {
    const mark = `steer-${Date.now()}`;
    await publish(names.intake, 'payment.accepted', { mark }, {
      messageId: mark,
      headers: {
        CamelHttpUri: `${other.url}/steal`,
        CamelHttpMethod: 'DELETE',
        CamelHttpPath: '/admin',
        CamelHttpQuery: 'secret=1',
      },
    });
    await eventually(() => deliveredWith(mark).length === 1, 'the partner call');
    const [call] = deliveredWith(mark);
    expect(call!.method).to.equal('POST');
    expect(call!.url).to.equal('/collect');
    expect(call!.headers.authorization).to.equal('Bearer partner-secret-token');
    expect(other.seen, 'nothing reached the other origin').to.have.length(0);
  });

  it('an AMQP message cannot re-route an onward publish (CamelSpringRabbitmqRoutingOverrideKey, CC, BCC)', async () => {
    const mark = `override-${Date.now()}`;
    await publish(names.hop, 'hop.in', { mark }, {
      messageId: mark,
      headers: { CamelSpringRabbitmqRoutingOverrideKey: 'out.stolen', CC: ['out.stolen'], BCC: ['out.stolen'] },
    });
    await outOk.until((received) => received.some((m) => jsonBody(m).mark === mark), 'the onward publish');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outStolen.received.filter((m) => jsonBody(m).mark === mark)).to.have.length(0);
    const onward = outOk.received.find((m) => jsonBody(m).mark === mark)!;
    expect(Object.keys(onward.headers ?? {}).filter((name) => /^(camel|cc$|bcc$)/i.test(name))).to.deep.equal([]);
  });

  it('?Idempotency-Key= does not shadow the header: both 202-accepted payments reach the partner', async () => {
    const key = `shadow-${Date.now()}`;
    const first = await pay(ALICE_KEY, { mark: `${key}-p1` }, { 'Idempotency-Key': key });
    const second = await pay(ALICE_KEY, { mark: `${key}-p2` }, {}, `?Idempotency-Key=${key}`);
    expect([first.status, second.status]).to.deep.equal([202, 202]);
    await eventually(
      () => deliveredWith(`${key}-p1`).length === 1 && deliveredWith(`${key}-p2`).length === 1,
      'both payments at the partner',
    );
    expect(logLines(test.log, 'duplicate message skipped: this route already processed its message-id')).to.have.length(0);
  });

  it('two callers with the same Idempotency-Key start two messages: both delivered', async () => {
    const key = `shared-${Date.now()}`;
    const alice = await pay(ALICE_KEY, { mark: `${key}-alice` }, { 'Idempotency-Key': key });
    const bob = await pay(BOB_KEY, { mark: `${key}-bob` }, { 'Idempotency-Key': key });
    expect([alice.status, bob.status]).to.deep.equal([202, 202]);
    await eventually(
      () => deliveredWith(`${key}-alice`).length === 1 && deliveredWith(`${key}-bob`).length === 1,
      'both callers’ payments at the partner',
    );
    const ids = [deliveredWith(`${key}-alice`)[0]!, deliveredWith(`${key}-bob`)[0]!].map((s) => s.headers['idempotency-key']);
    expect(ids[0]).to.match(/^idem-/);
    expect(ids[0]).to.not.equal(ids[1]);
    // The same caller retrying is the same message: replayed at the door, nothing new downstream.
    const retry = await pay(ALICE_KEY, { mark: `${key}-alice` }, { 'Idempotency-Key': key });
    expect(retry.status).to.equal(202);
    expect(retry.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('a caller cannot re-route with ?CC= or a CC header, and its own X-* headers stop at the router', async () => {
    const mark = `cc-${Date.now()}`;
    const response = await pay(
      ALICE_KEY,
      { mark },
      { CC: 'spy', 'X-Tenant': 'caller-tenant', 'X-Correlation-Id': `corr-${mark}` },
      '?CC=spy&CC=spy&BCC=spy',
    );
    expect(response.status).to.equal(202);
    await eventually(() => deliveredWith(mark).length === 1, 'the payment at the partner');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spy.received, 'nothing was routed to the spy binding').to.have.length(0);
    const [call] = deliveredWith(mark);
    expect(call!.headers['x-tenant']).to.equal(undefined);
    expect(call!.headers.cc).to.equal(undefined);
    expect(call!.headers['x-route-set']).to.equal('from-the-route');
    // The caller's correlation id is adopted (validated) as the one id: sent once, as the router's.
    expect(call!.headers['x-correlation-id']).to.equal(`corr-${mark}`);
  });

  it('a message without message-id gets one id at its first hop: the onward message and the partner carry it', async () => {
    const mark = `noid-${Date.now()}`;
    await publish(names.intake, 'payment.accepted', { mark });
    await eventually(() => deliveredWith(mark).length === 1, 'the partner call');
    expect(deliveredWith(mark)[0]!.headers['idempotency-key']).to.match(/^[0-9a-f-]{36}$/);

    await publish(names.hop, 'hop.in', { mark });
    await outOk.until((received) => received.some((m) => jsonBody(m).mark === mark), 'the onward publish');
    expect(outOk.received.find((m) => jsonBody(m).mark === mark)!.messageId).to.match(/^[0-9a-f-]{36}$/);
  });

  it('one correlation id end to end: the property first, else the X-Correlation-Id header, never both', async () => {
    const mark = `corr-${Date.now()}`;
    await publish(names.hop, 'hop.in', { mark: `${mark}-both` }, {
      correlationId: `${mark}-property`,
      headers: { 'x-correlation-id': `${mark}-header` },
    });
    await publish(names.hop, 'hop.in', { mark: `${mark}-header` }, { headers: { 'X-Correlation-Id': `${mark}-header-only` } });
    await outOk.until(
      (received) => received.filter((m) => String(jsonBody(m).mark).startsWith(mark)).length === 2,
      'both onward publishes',
    );
    const both = outOk.received.find((m) => jsonBody(m).mark === `${mark}-both`)!;
    const headerOnly = outOk.received.find((m) => jsonBody(m).mark === `${mark}-header`)!;
    expect(both.correlationId).to.equal(`${mark}-property`);
    expect(headerOnly.correlationId).to.equal(`${mark}-header-only`);
    for (const message of [both, headerOnly])
      expect(Object.keys(message.headers ?? {}).map((n) => n.toLowerCase())).to.not.include('x-correlation-id');
  });

  it('the same message-id with another body is dead-lettered, not skipped; with the same body it is a duplicate', async () => {
    const id = `reused-${Date.now()}`;
    await publish(names.intake, 'payment.accepted', { mark: `${id}-a` }, { messageId: id });
    await eventually(() => deliveredWith(`${id}-a`).length === 1, 'the first message at the partner');
    await publish(names.intake, 'payment.accepted', { mark: `${id}-a` }, { messageId: id });
    await publish(names.intake, 'payment.accepted', { mark: `${id}-b` }, { messageId: id });
    await eventually(
      async () => (await connection.queueDeclare({ queue: `${names.deliverQueue}.dlq`, passive: true })).messageCount === 1,
      'the conflicting message in the dead-letter queue',
    );
    expect(deliveredWith(`${id}-a`)).to.have.length(1);
    expect(deliveredWith(`${id}-b`)).to.have.length(0);
    expect(logLines(test.log, 'duplicate message skipped: this route already processed its message-id')).to.have.length(1);
  });
});
