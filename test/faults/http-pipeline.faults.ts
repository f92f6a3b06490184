/**
 * Nothing the broker confirmed is lost: HTTP clients post while the broker's connections are force-closed
 * and the broker application is stopped and started again. Every request answered 202 must arrive
 * downstream (after a second route consumed it and published it onward) at least once. This cuts every
 * client of the broker, so it runs in `npm run test:faults` only.
 */
import { expect } from 'chai';
import { brokerUrl, rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { awaitBroker } from './harness/broker-faults.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, eventually, jsonBody, postJson, uniqueName, Watcher } from '../e2e/rabbitmq-support.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults: an HTTP-to-broker pipeline while the broker drops connections and restarts', function () {
  this.timeout(120_000);
  const names = {
    entry: uniqueName('fault-in'),
    out: uniqueName('fault-out'),
    queue: uniqueName('fault-work'),
    watch: uniqueName('fault-watch'),
  };
  let router: TestRouter | undefined;

  before(async function () {
    await requireBrokerOrSkip(this);
    await awaitBroker();
  });

  after(async function () {
    // Nothing to clean when the broker was not there (skipped) and nothing started.
    if (!router) return;
    await router.stop();
    const amqp = amqpClient('e2e fault clean-up');
    for (const queue of [
      names.queue,
      names.watch,
      `${names.queue}.dlq`,
      ...[1, 2, 3, 4, 5].map((n) => `${names.queue}.retry.${n}`),
    ]) {
      await amqp.queueDelete({ queue }).catch(() => undefined);
    }
    for (const exchange of [names.entry, names.out])
      await amqp.exchangeDelete({ exchange }).catch(() => undefined);
    await amqp.close();
  });

  it('every 202 arrives downstream through close_all_connections and stop_app / start_app', async function () {
    router = await startRouter(
      {
        'routes/faults.yaml': `
- route:
    id: fault-intake
    from:
      uri: platform-http:/fault/payments
      steps:
        - to: {uri: "spring-rabbitmq:${names.entry}?routingKey=in", pattern: InOnly}
        - setBody: {constant: accepted}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: fault-forward
    from:
      uri: "spring-rabbitmq:${names.entry}?queues=${names.queue}&routingKey=in&concurrentConsumers=4"
      steps:
        - to: {uri: "spring-rabbitmq:${names.out}?routingKey=out"}
`,
      },
      { rabbitmqUrl: brokerUrl(), security: 'disabled', logLevel: 'warn' },
    );
    // The test's own queue on the far end, declared before anything flows.
    const setup = amqpClient('e2e fault setup');
    await Watcher.on(setup, { exchange: names.out, exchangeType: 'direct', routingKey: 'out' }, names.watch);
    await setup.close();

    const accepted = new Set<number>();
    let refused = 0;
    let sequence = 0;
    let sending = true;
    const sender = async (): Promise<void> => {
      while (sending) {
        const n = sequence++;
        try {
          const answer = await postJson(`${router!.baseUrl}/fault/payments`, { n });
          if (answer.status === 202) accepted.add(n);
          else {
            expect(answer.status, JSON.stringify(answer.body)).to.equal(503);
            expect(Number(answer.headers.get('retry-after'))).to.be.greaterThan(0);
            refused++;
            await pause(100);
          }
        } catch (error) {
          // A request cut by the router's own restart would be a real failure: fetch errors fail the test.
          sending = false;
          throw error;
        }
      }
    };
    const ready = async (): Promise<boolean> =>
      (await fetch(`${router!.baseUrl}/health/ready`)).status === 200;
    const senders = Array.from({ length: 4 }, () => sender());
    const acceptedAfter = async (count: number, what: string): Promise<void> => {
      const target = accepted.size + count;
      await eventually(() => accepted.size >= target, what, 30_000);
    };

    try {
      await acceptedAfter(20, 'traffic before the faults');
      await rabbitmqctl('close_all_connections', 'fault test: connections closed on purpose');
      await acceptedAfter(20, 'traffic after the connections were closed');
      await rabbitmqctl('stop_app');
      await eventually(async () => !(await ready()), '/health/ready to report the broker down', 15_000);
      await pause(1500);
    } finally {
      // The broker is shared: it comes back whatever happened above.
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup');
    }
    await eventually(ready, '/health/ready after the restart', 30_000);
    await acceptedAfter(20, 'traffic after the broker restart');
    sending = false;
    await Promise.all(senders);

    const drain = amqpClient('e2e fault drain');
    const watcher = new Watcher(drain, names.watch).start();
    try {
      await watcher.until(
        (received) => {
          const seen = new Set(received.map((message) => Number(jsonBody(message).n)));
          return [...accepted].every((n) => seen.has(n));
        },
        'every accepted message downstream',
        30_000,
      );
      const seen = new Set(watcher.received.map((message) => Number(jsonBody(message).n)));
      const missing = [...accepted].filter((n) => !seen.has(n));
      expect(missing, `accepted ${accepted.size}, refused ${refused}, delivered ${seen.size}`).to.deep.equal(
        [],
      );
      expect(accepted.size).to.be.greaterThan(60);
      for (const message of watcher.received) expect(message.durable).to.equal(true);
    } finally {
      await watcher.close();
      await drain.close();
    }
  });
});
