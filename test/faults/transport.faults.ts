/**
 * The transport while the whole broker misbehaves: the broker application stopped and started, the memory
 * alarm raised. Whatever the transport confirmed must arrive (at least once); what it could not confirm must
 * have been refused to the caller with a typed error. These disturb every client of the broker, so they run
 * in `npm run test:faults` only; the broker is always put back (start_app, the watermark it had).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TransportError } from '../../src/errors/index.js';
import { rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { eventually } from '../conformance/transport.suite.js';
import {
  countDeliveries,
  expectEveryConfirmedDelivered,
  faultTransport,
  NumberedStream,
  WorkQueues,
} from '../transport/fault-stream.js';
import { awaitBroker } from './harness/broker-faults.js';

describe('faults: the rabbitmq transport while the broker stops or blocks publishers', function () {
  this.timeout(90_000);
  let work: WorkQueues | undefined;

  before(async function () {
    await requireBrokerOrSkip(this);
    await awaitBroker();
    work = new WorkQueues();
    await work.ready();
  });

  after(async function () {
    if (!work) return;
    // Whatever happened, leave the broker running for everyone else.
    await rabbitmqctl('start_app').catch(() => undefined);
    await rabbitmqctl('await_startup').catch(() => undefined);
    await work.ready('admin transport ready again').catch(() => undefined);
    await work.close();
  });

  it('loses no confirmed message across stop_app / start_app', async function () {
    const queue = await work!.declare();
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
    const queue = await work!.declare();
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
});
