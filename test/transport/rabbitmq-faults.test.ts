/**
 * The network path to the broker misbehaves while messages flow: this test's own connections forced
 * closed, the path cut by a proxy. Whatever the transport confirmed must arrive (at least once); what it
 * could not confirm must have been refused to the caller, never dropped silently. Faults of the whole
 * broker (stop_app, the memory alarm) disturb everyone sharing it: they are in test/faults/transport.faults.ts
 * (`npm run test:faults`).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TransportError } from '../../src/errors/index.js';
import { brokerAddress, brokerUrl, rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { eventually } from '../conformance/transport.suite.js';
import {
  countDeliveries,
  expectEveryConfirmedDelivered,
  faultTransport,
  NumberedStream,
  WorkQueues,
} from './fault-stream.js';

/** Force-closes this test's own connections (others sharing the broker keep theirs). */
async function closeConnectionsNamed(connectionName: string): Promise<number> {
  const listing = await rabbitmqctl(
    'list_connections',
    'pid',
    'client_properties',
    '-q',
    '--no-table-headers',
  );
  const pids = listing
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split('\t')[0]!.trim());
  for (const pid of pids) await rabbitmqctl('close_connection', pid, 'fault test: forced close');
  return pids.length;
}

describe('rabbitmq transport when its own connections are closed or cut', function () {
  this.timeout(90_000);
  let work: WorkQueues | undefined;

  before(async function () {
    await requireBrokerOrSkip(this);
    work = new WorkQueues();
    await work.ready();
  });

  after(async function () {
    await work?.close();
  });

  it('loses no confirmed message while the broker force-closes the connection twice', async function () {
    const queue = await work!.declare();
    const connectionName = `service-pipes faults ${randomUUID()}`;
    const transport = faultTransport(connectionName);
    try {
      await eventually(() => transport.isReady(), 'transport ready');
      await transport.declare({ queues: [{ name: queue }] });
      const deliveries = await countDeliveries(transport, queue);
      const stream = new NumberedStream(transport, queue);
      const downs: Error[] = [];
      transport.on('down', (reason) => downs.push(reason));
      stream.start();
      for (const round of [1, 2]) {
        await stream.acceptedAtLeast(round * 150, `before close #${round}`);
        expect(await closeConnectionsNamed(connectionName), 'connections closed').to.be.greaterThan(0);
        await eventually(() => downs.length === round, `down event #${round}`);
      }
      await stream.acceptedAtLeast(stream.accepted.size + 150, 'after the second close');
      await stream.stop();
      expect(transport.isReady()).to.equal(true);
      await expectEveryConfirmedDelivered(stream, deliveries, 'close_connection x2');
    } finally {
      await transport.close();
    }
  });

  describe('behind a proxy that can cut the network path', function () {
    let proxy: TcpProxy;
    let port: number;

    beforeEach(async function () {
      const { host, port: brokerPort } = brokerAddress();
      proxy = new TcpProxy(host, brokerPort);
      port = await proxy.start();
    });

    afterEach(async function () {
      await proxy.stop();
    });

    function proxiedUrl(): string {
      const url = new URL(brokerUrl());
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    }

    it('starts while the broker is unreachable, becomes ready when it is, and re-declares after a cut', async function () {
      proxy.cut();
      const transport = faultTransport(`service-pipes faults ${randomUUID()}`, { url: proxiedUrl() });
      const events: string[] = [];
      transport.on('ready', () => events.push('ready'));
      transport.on('down', () => events.push('down'));
      const queue = await work!.declare();
      // Exclusive: it vanishes with the connection, so only a re-declaration can bring it back.
      const exclusive = `test-${randomUUID()}.exclusive`;
      try {
        await eventually(() => proxy.refused >= 2, 'two refused connection attempts');
        expect(transport.isReady()).to.equal(false);
        let declared = false;
        const declaration = transport
          .declare({ queues: [{ name: queue }, { name: exclusive, type: 'classic', exclusive: true }] })
          .then(() => (declared = true));
        const publishWhileDown = await transport
          .publish({ exchange: '', routingKey: queue, body: Buffer.from('x') })
          .catch((error: unknown) => error);
        expect(publishWhileDown).to.be.instanceOf(TransportError);
        expect((publishWhileDown as TransportError).code).to.equal('NOT_CONNECTED');
        expect(declared, 'declare waits for the broker').to.equal(false);

        proxy.restore();
        await declaration;
        await eventually(() => transport.isReady(), 'ready once the broker is reachable');
        const received: string[] = [];
        await transport.consume({ queue: exclusive, concurrency: 1, prefetch: 1 }, async (message) => {
          received.push(message.body.toString());
          return 'ack';
        });
        await transport.publish({ exchange: '', routingKey: exclusive, body: Buffer.from('first') });
        await eventually(() => received.length === 1, 'first message');

        proxy.cut();
        await eventually(() => events.includes('down'), 'down event');
        expect(transport.isReady()).to.equal(false);
        proxy.restore();
        await eventually(() => events.filter((event) => event === 'ready').length === 2, 'ready again');
        await transport.publish({ exchange: '', routingKey: exclusive, body: Buffer.from('second') });
        await eventually(
          () => received.includes('second'),
          'a message through the re-declared exclusive queue',
        );
        expect(events).to.deep.equal(['ready', 'down', 'ready']);
      } finally {
        await transport.close();
      }
    });

    it('reports a queue that can no longer be re-declared as remembered, and is not ready', async function () {
      const queue = work!.remember(`test-${randomUUID()}.redeclared`);
      const transport = faultTransport(`service-pipes faults ${randomUUID()}`, { url: proxiedUrl() });
      const topologyErrors: Error[] = [];
      transport.on('topology-error', (error) => topologyErrors.push(error));
      try {
        await eventually(() => transport.isReady(), 'ready');
        await transport.declare({ queues: [{ name: queue, maxLength: 100 }] });
        proxy.cut();
        await eventually(() => !transport.isReady(), 'down');
        // Someone recreates the queue with other arguments while the router is disconnected.
        await work!.admin.deleteQueue(queue);
        await work!.admin.declare({ queues: [{ name: queue, maxLength: 7 }] });
        proxy.restore();
        await eventually(() => topologyErrors.length > 0, 'a topology error');
        expect(topologyErrors[0]!.message)
          .to.contain(queue)
          .and.contain('x-max-length')
          .and.contain('7')
          .and.contain('100');
        expect(transport.isReady()).to.equal(false);
      } finally {
        await transport.close();
      }
    });
  });
});
