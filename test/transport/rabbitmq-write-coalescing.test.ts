/**
 * The RabbitMQ transport sends the frames of one turn of the event loop in one socket write
 * (client-internals.ts, coalesceWrites): publishes started together, acks of handlers that finish
 * together. Counted at the socket, against the real broker; a plain rabbitmq-client connection is
 * counted the same way to show what the count would be without it.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { Connection } from 'rabbitmq-client';
import { isCoalesced } from '../../src/transport/rabbitmq/client-internals.js';
import { RabbitMqTransport } from '../../src/transport/rabbitmq/rabbitmq-transport.js';
import type { DeliveredMessage } from '../../src/transport/transport.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { eventually, quietLogger } from '../conformance/transport.suite.js';

interface WithSocket {
  _socket: Socket;
  ready: boolean;
}

const connectionOf = (transport: RabbitMqTransport): WithSocket =>
  (transport as unknown as { connection: WithSocket }).connection;
const socketOf = (transport: RabbitMqTransport): Socket => connectionOf(transport)._socket;

/** An AMQP heartbeat frame: type 8, channel 0, no payload, frame end. The broker takes it at any time. */
const HEARTBEAT = Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce]);

/** Counts the writes that reach the operating system (one per write or writev call of the handle). */
function countWrites(socket: Socket): { readonly count: number; stop(): void } {
  const internals = socket as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
  const original = internals._writeGeneric;
  let count = 0;
  internals._writeGeneric = function counted(this: Socket, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  return {
    get count() {
      return count;
    },
    stop: () => {
      internals._writeGeneric = original;
    },
  };
}

describe('rabbitmq transport: one socket write per turn of the event loop', function () {
  this.timeout(30_000);
  let transport: RabbitMqTransport;
  const queues: string[] = [];

  before(async function () {
    await requireBrokerOrSkip(this);
    transport = new RabbitMqTransport({
      url: brokerUrl(),
      logger: quietLogger(),
      connectionName: 'service-pipes write coalescing',
      retryLowMs: 100,
      retryHighMs: 500,
    });
    await eventually(() => transport.isReady(), 'transport ready');
  });

  after(async function () {
    for (const queue of queues) await transport?.deleteQueue(queue).catch(() => undefined);
    await transport?.close();
  });

  async function freshQueue(): Promise<string> {
    const queue = `test.coalesce.${randomUUID()}`;
    queues.push(queue);
    await transport.declare({ queues: [{ name: queue, type: 'classic' }] });
    return queue;
  }

  const publishTogether = (queue: string, count: number): Promise<void[]> =>
    Promise.all(
      Array.from({ length: count }, (_, index) =>
        transport.publish({ exchange: '', routingKey: queue, body: Buffer.from(`m-${index}`) }),
      ),
    );

  it('sends 50 publishes started in one turn in a few writes, all confirmed, in order', async function () {
    const queue = await freshQueue();
    await publishTogether(queue, 1); // the publisher's channel is open
    const writes = countWrites(socketOf(transport));
    try {
      await publishTogether(queue, 50);
    } finally {
      writes.stop();
    }
    // rabbitmq-client writes each publish on its own (see the next test): 50 writes without coalescing.
    expect(writes.count).to.be.within(1, 3);
    const received: string[] = [];
    const subscription = await transport.consume(
      { queue, concurrency: 1, prefetch: 100 },
      async (message) => {
        received.push(message.body.toString());
        return 'ack';
      },
    );
    await eventually(() => received.length === 51, '51 deliveries');
    await subscription.close();
    expect(received.slice(1)).to.deep.equal(Array.from({ length: 50 }, (_, index) => `m-${index}`));
  });

  it('(for comparison) a plain rabbitmq-client connection writes every publish on its own', async function () {
    const queue = await freshQueue();
    const connection = new Connection({ url: brokerUrl(), connectionName: 'service-pipes plain client' });
    try {
      await connection.onConnect(5000);
      const publisher = connection.createPublisher({ confirm: true });
      await publisher.send({ routingKey: queue }, 'first');
      const writes = countWrites((connection as unknown as WithSocket)._socket);
      await Promise.all(
        Array.from({ length: 50 }, (_, index) => publisher.send({ routingKey: queue }, `m-${index}`)),
      );
      writes.stop();
      expect(writes.count).to.be.at.least(45);
      await publisher.close();
    } finally {
      await connection.close();
    }
  });

  it('acks the messages whose handlers finish in the same turn in one write', async function () {
    const queue = await freshQueue();
    await publishTogether(queue, 16);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: DeliveredMessage[] = [];
    const subscription = await transport.consume(
      { queue, concurrency: 16, prefetch: 16 },
      async (message) => {
        started.push(message);
        await gate;
        return 'ack';
      },
    );
    await eventually(() => started.length === 16, 'all 16 handlers running');
    const writes = countWrites(socketOf(transport));
    release(); // all 16 handlers finish in this turn
    await new Promise((resolve) => setTimeout(resolve, 100));
    writes.stop();
    // 16 acks, each its own write without coalescing (a heartbeat could add one).
    expect(writes.count).to.be.within(1, 2);
    await eventually(async () => (await transport.queueInfo(queue)).messageCount === 0, 'all acked');
    await subscription.close();
  });

  it('coalesces on the new socket after a reconnect', async function () {
    const queue = await freshQueue();
    const before = socketOf(transport);
    expect(isCoalesced(before)).to.equal(true);
    before.destroy();
    await eventually(() => socketOf(transport) !== before && transport.isReady(), 'reconnected');
    const after = socketOf(transport);
    expect(isCoalesced(after)).to.equal(true);
    await publishTogether(queue, 1);
    const writes = countWrites(after);
    await publishTogether(queue, 50);
    writes.stop();
    expect(writes.count).to.be.within(1, 3);
    const info = await transport.queueInfo(queue);
    expect(info.messageCount).to.equal(51);
  });

  it('keeps the connection ready while the frames of a turn are held (the library reads a cork as blocked)', async function () {
    const socket = socketOf(transport);
    socket.write(HEARTBEAT);
    expect(socket.writableCorked).to.equal(1); // held until the end of this turn
    expect(connectionOf(transport).ready).to.equal(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writableCorked).to.equal(0);
    expect(connectionOf(transport).ready).to.equal(true);
  });

  it('sends what it holds before the socket is destroyed', async function () {
    const before = socketOf(transport);
    await eventually(() => transport.isReady(), 'ready');
    before.write(HEARTBEAT);
    const writes = countWrites(before);
    before.destroy();
    writes.stop();
    expect(writes.count).to.equal(1);
    await eventually(() => socketOf(transport) !== before && transport.isReady(), 'reconnected');
  });
});
