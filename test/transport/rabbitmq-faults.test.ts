/**
 * The broker misbehaves while messages flow: connections forced closed, the broker application
 * stopped and started, the network path cut. Whatever the transport confirmed must arrive (at least
 * once); what it could not confirm must have been refused to the caller, never dropped silently.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TransportError } from '../../src/errors/index.js';
import {
  RabbitMqTransport,
  type RabbitMqTransportOptions,
} from '../../src/transport/rabbitmq/rabbitmq-transport.js';
import type { Transport } from '../../src/transport/transport.js';
import { brokerAddress, brokerUrl, rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { eventually, quietLogger } from '../conformance/transport.suite.js';

const logger = quietLogger();

function faultTransport(
  connectionName: string,
  overrides: Partial<RabbitMqTransportOptions> = {},
): RabbitMqTransport {
  return new RabbitMqTransport({
    url: brokerUrl(),
    logger,
    connectionName,
    retryLowMs: 100,
    retryHighMs: 1000,
    acquireTimeoutMs: 1000,
    publishTimeoutMs: 3000,
    ...overrides,
  });
}

/** Publishes `m-0`, `m-1`, ... from a few concurrent callers until stopped; keeps what was confirmed. */
class NumberedStream {
  readonly accepted = new Set<string>();
  readonly failures = new Map<string, number>();
  private sequence = 0;
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly queue: string,
  ) {}

  start(concurrency = 8): void {
    this.workers = Array.from({ length: concurrency }, () => this.work());
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const id = `m-${this.sequence++}`;
      try {
        await this.transport.publish({
          exchange: '',
          routingKey: this.queue,
          body: Buffer.from(id),
          messageId: id,
        });
        this.accepted.add(id);
      } catch (error) {
        const code = error instanceof TransportError ? error.code : `untyped: ${String(error)}`;
        this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
        // The caller's side of backpressure: back off instead of spinning on a refusing broker.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async acceptedAtLeast(count: number, what: string): Promise<void> {
    await eventually(() => this.accepted.size >= count, `${count} confirmed publishes (${what})`, 40_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }
}

/** Counts deliveries per message id (acks everything). */
async function countDeliveries(transport: Transport, queue: string): Promise<Map<string, number>> {
  const deliveries = new Map<string, number>();
  await transport.consume({ queue, concurrency: 8, prefetch: 32 }, async (message) => {
    const id = message.messageId ?? '?';
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    return 'ack';
  });
  return deliveries;
}

async function expectEveryConfirmedDelivered(
  stream: NumberedStream,
  deliveries: Map<string, number>,
  label: string,
): Promise<void> {
  await eventually(
    () => [...stream.accepted].every((id) => deliveries.has(id)),
    'every confirmed message delivered',
    40_000,
  ).catch(() => undefined);
  const missing = [...stream.accepted].filter((id) => !deliveries.has(id));
  const duplicates = [...deliveries.values()].filter((count) => count > 1).length;
  const unconfirmedButDelivered = [...deliveries.keys()].filter((id) => !stream.accepted.has(id)).length;
  console.log(
    `      [${label}] confirmed ${stream.accepted.size}, refused ${JSON.stringify(Object.fromEntries(stream.failures))}, ` +
      `delivered ${deliveries.size} distinct, ${duplicates} duplicated, ${unconfirmedButDelivered} delivered though refused, missing ${missing.length}`,
  );
  expect(missing, 'confirmed but never delivered').to.deep.equal([]);
  for (const code of stream.failures.keys()) {
    expect(['NOT_CONNECTED', 'PUBLISH_TIMEOUT', 'QUEUE_FULL', 'PUBLISH_REJECTED']).to.include(code);
  }
}

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

describe('rabbitmq transport under broker faults', function () {
  this.timeout(90_000);
  let admin: RabbitMqTransport | undefined;
  const queues: string[] = [];

  before(async function () {
    await requireBrokerOrSkip(this);
    admin = faultTransport(`service-pipes faults admin ${randomUUID()}`);
    await eventually(() => admin!.isReady(), 'admin transport ready');
  });

  after(async function () {
    if (!admin) return;
    // Whatever happened, leave the broker running for everyone else.
    await rabbitmqctl('start_app').catch(() => undefined);
    await rabbitmqctl('await_startup').catch(() => undefined);
    await eventually(() => admin!.isReady(), 'admin transport ready again').catch(() => undefined);
    for (const queue of queues) await admin.deleteQueue(queue).catch(() => undefined);
    await admin.close();
  });

  async function workQueue(): Promise<string> {
    const name = `test-${randomUUID()}.faults`;
    queues.push(name);
    await admin!.declare({ queues: [{ name }] });
    return name;
  }

  it('loses no confirmed message while the broker force-closes the connection twice', async function () {
    const queue = await workQueue();
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

  it('loses no confirmed message across stop_app / start_app', async function () {
    const queue = await workQueue();
    const transport = faultTransport(`service-pipes faults ${randomUUID()}`);
    let stopped = false;
    try {
      await eventually(() => transport.isReady(), 'transport ready');
      await transport.declare({ queues: [{ name: queue }] });
      const deliveries = await countDeliveries(transport, queue);
      const stream = new NumberedStream(transport, queue);
      stream.start();
      await stream.acceptedAtLeast(150, 'before stop_app');
      stopped = true;
      await rabbitmqctl('stop_app');
      await eventually(() => !transport.isReady(), 'transport not ready while the broker is stopped');
      const refusedBefore = [...stream.failures.values()].reduce((sum, count) => sum + count, 0);
      await eventually(
        () => [...stream.failures.values()].reduce((sum, count) => sum + count, 0) > refusedBefore,
        'publishes refused while the broker is stopped',
      );
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup');
      stopped = false;
      await eventually(() => transport.isReady(), 'transport ready after start_app', 30_000);
      await stream.acceptedAtLeast(stream.accepted.size + 150, 'after start_app');
      await stream.stop();
      await expectEveryConfirmedDelivered(stream, deliveries, 'stop_app/start_app');
    } finally {
      if (stopped) {
        await rabbitmqctl('start_app');
        await rabbitmqctl('await_startup');
      }
      await transport.close();
    }
  });

  it('refuses publishes fast with BROKER_BLOCKED while the broker has a resource alarm', async function () {
    const queue = await workQueue();
    const transport = faultTransport(`service-pipes faults ${randomUUID()}`);
    const watermark = (await rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim();
    let alarmed = false;
    try {
      await eventually(() => transport.isReady(), 'transport ready');
      await transport.publish({ exchange: '', routingKey: queue, body: Buffer.from('before') });
      alarmed = true;
      await rabbitmqctl('set_vm_memory_high_watermark', '0.000001');
      // The broker tells a connection it is blocked when it next publishes; that publish waits on the broker.
      const probe = transport.publish({ exchange: '', routingKey: queue, body: Buffer.from('probe') }).then(
        () => 'confirmed',
        (caught: unknown) => (caught instanceof TransportError ? caught.code : String(caught)),
      );
      await eventually(() => transport.isBlocked(), 'blocked');
      const error = await transport
        .publish({ exchange: '', routingKey: queue, body: Buffer.from('during') })
        .catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(TransportError);
      expect((error as TransportError).code).to.equal('BROKER_BLOCKED');
      await rabbitmqctl('set_vm_memory_high_watermark', watermark);
      alarmed = false;
      await eventually(() => !transport.isBlocked(), 'unblocked');
      expect(['confirmed', 'PUBLISH_TIMEOUT']).to.include(await probe);
      await transport.publish({ exchange: '', routingKey: queue, body: Buffer.from('after') });
      const bodies: string[] = [];
      await transport.consume({ queue, concurrency: 1, prefetch: 1 }, async (message) => {
        bodies.push(message.body.toString());
        return 'ack';
      });
      await eventually(() => bodies.includes('after'), 'the message published after the alarm');
      expect(bodies).to.include('before').and.not.include('during');
    } finally {
      if (alarmed) await rabbitmqctl('set_vm_memory_high_watermark', watermark);
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
      const queue = await workQueue();
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
      const queue = `test-${randomUUID()}.redeclared`;
      queues.push(queue);
      const transport = faultTransport(`service-pipes faults ${randomUUID()}`, { url: proxiedUrl() });
      const topologyErrors: Error[] = [];
      transport.on('topology-error', (error) => topologyErrors.push(error));
      try {
        await eventually(() => transport.isReady(), 'ready');
        await transport.declare({ queues: [{ name: queue, maxLength: 100 }] });
        proxy.cut();
        await eventually(() => !transport.isReady(), 'down');
        // Someone recreates the queue with other arguments while the router is disconnected.
        await admin!.deleteQueue(queue);
        await admin!.declare({ queues: [{ name: queue, maxLength: 7 }] });
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
