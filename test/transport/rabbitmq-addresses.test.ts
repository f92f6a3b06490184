/**
 * Several broker addresses: the transport fails over to the next one when its node goes away, declares
 * what it remembers on the node it reaches, and gives router-owned quorum queues the configured initial
 * group size. Two TCP proxies in front of the one test broker stand for two nodes.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Connection } from 'rabbitmq-client';
import { TransportError } from '../../src/errors/index.js';
import { createTransport } from '../../src/transport/index.js';
import { RabbitMqTransport } from '../../src/transport/rabbitmq/rabbitmq-transport.js';
import { defaultConfig } from '../../src/config.js';
import { brokerAddress, brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { eventually, quietLogger } from '../conformance/transport.suite.js';

const logger = quietLogger();

/** The broker URL with another port (a proxy's). */
function urlThrough(port: number): string {
  const url = new URL(brokerUrl());
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.href.replace(/\/$/, '');
}

describe('rabbitmq transport with several broker addresses', function () {
  this.timeout(60_000);
  const proxies: TcpProxy[] = [];
  const transports: { close(): Promise<void> }[] = [];
  let admin: Connection | undefined;
  const queues: string[] = [];

  before(async function () {
    await requireBrokerOrSkip(this);
    admin = new Connection({ url: brokerUrl(), connectionName: 'addresses test admin' });
    admin.on('error', () => undefined);
  });

  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close().catch(() => undefined);
    for (const proxy of proxies.splice(0)) await proxy.stop();
    for (const queue of queues.splice(0)) await admin?.queueDelete({ queue }).catch(() => undefined);
  });

  after(async () => {
    await admin?.close();
  });

  async function proxy(): Promise<{ proxy: TcpProxy; port: number }> {
    const { host, port } = brokerAddress();
    const created = new TcpProxy(host, port);
    proxies.push(created);
    return { proxy: created, port: await created.start() };
  }

  it('fails over to the next address and re-declares its topology there', async () => {
    const first = await proxy();
    const second = await proxy();
    second.proxy.cut(); // the second "node" is down at first
    const queue = `addresses.${randomUUID()}`;
    queues.push(queue);
    const transport = new RabbitMqTransport({
      url: `${urlThrough(first.port)},${urlThrough(second.port)}`,
      logger,
      connectionName: 'addresses test',
      retryLowMs: 50,
      retryHighMs: 200,
      acquireTimeoutMs: 1000,
      publishTimeoutMs: 2000,
    });
    transports.push(transport);
    await transport.declare({ queues: [{ name: queue }] });
    await eventually(() => transport.isReady(), 'ready through the first address');
    expect(first.proxy.accepted).to.be.greaterThan(0);

    // The first node goes away; while nobody is connected the queue vanishes (a node that never had it).
    first.proxy.cut();
    await eventually(() => !transport.isReady(), 'the transport sees its node go');
    await admin!.queueDelete({ queue });
    const refusedBefore = second.proxy.refused;
    await eventually(() => second.proxy.refused > refusedBefore, 'the second address tried');
    second.proxy.restore();

    await eventually(() => transport.isReady(), 'ready again through the second address', 20_000);
    expect(second.proxy.accepted).to.be.greaterThan(0);
    // Re-declared on the node it reached: the queue is back, and a publish is confirmed into it.
    const info = await admin!.queueDeclare({ queue, passive: true });
    expect(info.queue).to.equal(queue);
    await transport.publish({ exchange: '', routingKey: queue, body: Buffer.from('after failover') });
    await eventually(
      async () => (await admin!.queueDeclare({ queue, passive: true })).messageCount === 1,
      'the message in the queue',
    );
  });

  it('creates router-owned quorum queues with the configured initial group size', async () => {
    const queue = `addresses.group.${randomUUID()}`;
    const classic = `addresses.classic.${randomUUID()}`;
    queues.push(queue, classic);
    const transport = createTransport(
      { ...defaultConfig({}), rabbitmqUrl: brokerUrl(), quorumGroupSize: 3 },
      logger,
    );
    transports.push(transport);
    await transport.declare({ queues: [{ name: queue }, { name: classic, type: 'classic' }] });
    // The broker checks the argument on a redeclaration: declared without it, it names what it has.
    const error = await admin!
      .queueDeclare({ queue, durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 20 } })
      .then(
        () => undefined,
        (refused: Error) => refused,
      );
    expect(error?.message).to.match(
      /inequivalent arg 'x-quorum-initial-group-size'.*current is the value '3'/,
    );
    // A classic queue takes no group size.
    await admin!.queueDeclare({ queue: classic, durable: true, arguments: { 'x-queue-type': 'classic' } });

    // A router configured otherwise meets the existing queue: the mismatch is named, not hidden.
    const other = createTransport(
      { ...defaultConfig({}), rabbitmqUrl: brokerUrl(), quorumGroupSize: 5 },
      logger,
    );
    transports.push(other);
    const mismatch = await other.declare({ queues: [{ name: queue }] }).then(
      () => undefined,
      (refused: unknown) => refused,
    );
    expect(mismatch).to.be.instanceOf(TransportError);
    expect((mismatch as TransportError).code).to.equal('TOPOLOGY_MISMATCH');
    expect((mismatch as TransportError).message).to.match(
      /x-quorum-initial-group-size is 3 on the broker but 5 was declared/,
    );
  });

  it('leaves the in-memory transport as it was (no group size argument)', async () => {
    const transport = createTransport(
      { ...defaultConfig({}), rabbitmqUrl: undefined, quorumGroupSize: 3 },
      logger,
    );
    transports.push(transport);
    expect(transport.kind).to.equal('memory');
    await transport.declare({ queues: [{ name: 'memory.q' }] });
    // Declared again as a plain quorum queue: no argument of the RabbitMQ-only option to disagree on.
    await transport.declare({ queues: [{ name: 'memory.q', arguments: {} }] });
  });
});
