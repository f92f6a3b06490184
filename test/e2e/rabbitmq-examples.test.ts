/**
 * The example routes in routes/ (payments intake → `payments` exchange → ledger-posting → `ledger`
 * exchange → ledger-bookings), run as shipped on the embedded memory transport and on RabbitMQ.
 */
import { expect } from 'chai';
import type { Router } from '../../src/runtime/router.js';
import type { DeliveredMessage, Transport } from '../../src/transport/transport.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startExampleRouter } from '../helpers/example-router.js';
import type { CapturedLog } from '../helpers/router.js';
import { eventually, payment, postJson } from './rabbitmq-support.js';
import { httpPort } from '../../src/server/http-server-module.js';

const EXAMPLE_QUEUES = ['ledger-postings', 'ledger-bookings', 'partner-deliveries'];

for (const kind of ['memory', 'rabbitmq'] as const) {
  describe(`examples in routes/ on the ${kind} transport`, function () {
    this.timeout(60_000);
    let router: Router;
    let log: CapturedLog;
    let transport: Transport;
    const watchQueue = `e2e.examples-watch.${process.pid}`;

    before(async function () {
      if (kind === 'rabbitmq') await requireBrokerOrSkip(this);
      ({ router, log } = await startExampleRouter({
        rabbitmqUrl: kind === 'rabbitmq' ? brokerUrl() : undefined,
        security: 'disabled',
        logLevel: 'info',
      }));
      transport = router.services.transport();
      // A watcher of the far end, next to the example's own ledger-bookings route.
      await transport.declare({
        queues: [{ name: watchQueue }],
        bindings: [{ exchange: 'ledger', queue: watchQueue, routingKey: 'posting.booked' }],
      });
    });

    after(async function () {
      if (!router) return;
      await transport.deleteQueue(watchQueue).catch(() => undefined);
      if (kind === 'rabbitmq') {
        for (const queue of EXAMPLE_QUEUES) {
          for (const name of [queue, `${queue}.dlq`, ...[1, 2, 3, 4, 5].map((n) => `${queue}.retry.${n}`)])
            await transport.deleteQueue(name).catch(() => undefined);
        }
        for (const exchange of ['payments', 'ledger'])
          await transport.deleteExchange(exchange).catch(() => undefined);
      }
      await router.stop();
    });

    it('loads without warnings about the InOut trap', function () {
      expect(router.diagnostics.filter((d) => /spring-rabbitmq/.test(d.message))).to.deep.equal([]);
    });

    it('a payment POSTed to /payments is accepted (202), booked and published to the ledger', async function () {
      const instruction = payment();
      const answer = await postJson(`http://127.0.0.1:${httpPort(router.services)}/payments`, instruction, {
        'X-Correlation-Id': 'example-corr-1',
      });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
      expect(answer.body).to.deep.equal({
        status: 'accepted',
        entryId: instruction.paymentId,
        correlationId: 'example-corr-1',
      });

      const got: DeliveredMessage[] = [];
      const subscription = await transport.consume(
        { queue: watchQueue, concurrency: 1, prefetch: 1 },
        async (message) => {
          got.push(message);
          return 'ack';
        },
      );
      try {
        await eventually(
          () => got.some((m) => JSON.parse(m.body.toString('utf8')).entryId === instruction.paymentId),
          'the booked posting',
        );
      } finally {
        await subscription.close();
      }
      const booked = got.find((m) => JSON.parse(m.body.toString('utf8')).entryId === instruction.paymentId)!;
      const body = JSON.parse(booked.body.toString('utf8')) as Record<string, unknown>;
      const entry = String(body.entryId);
      expect(entry).to.equal(instruction.paymentId);
      expect(body).to.include({
        status: 'booked',
        bookedAmount: 1250.5,
        currency: 'EUR',
        correlationId: 'example-corr-1',
      });
      expect(booked.correlationId).to.equal('example-corr-1');
      expect(booked.routingKey).to.equal('posting.booked');
      expect(booked.durable).to.equal(true);
      await eventually(
        () => log.lines.some((line) => String(line.message).includes(`ledger received posting ${entry}`)),
        'the ledger-bookings route logging the posting',
      );
    });
  });
}
