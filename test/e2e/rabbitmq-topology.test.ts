/**
 * Topology from the routes: what the routes name is declared at start (router queues as quorum queues
 * with a delivery limit, their retry and dead-letter queues), and a queue that exists with other
 * arguments stops the start with a message naming the queue and both sets of arguments.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { createRegistry } from '../../src/app/catalog.js';
import { defaultConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { TransportError } from '../../src/errors/index.js';
import { brokerUrl, rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { captureLog, startRouter, writeFiles } from '../helpers/router.js';
import { amqpClient, uniqueName } from './rabbitmq-support.js';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { createRouter } from '../../src/app/create-router.js';

interface QueueRow {
  name: string;
  type: string;
  arguments: Record<string, unknown> | [string, string, unknown][];
}

/** `rabbitmqctl list_queues` as objects; arguments come as a map or as [name, type, value] triples. */
async function brokerQueues(
  prefix: string,
): Promise<Map<string, { type: string; args: Record<string, unknown> }>> {
  const rows = JSON.parse(
    await rabbitmqctl('list_queues', 'name', 'type', 'arguments', '--formatter', 'json', '--quiet'),
  ) as QueueRow[];
  const queues = new Map<string, { type: string; args: Record<string, unknown> }>();
  for (const row of rows) {
    if (!row.name.startsWith(prefix)) continue;
    const args = Array.isArray(row.arguments)
      ? Object.fromEntries(row.arguments.map(([name, , value]) => [name, value]))
      : row.arguments;
    queues.set(row.name, { type: row.type, args });
  }
  return queues;
}

describe('e2e: topology from the routes', function () {
  this.timeout(60_000);
  let amqp: Connection;
  const cleanup = { queues: [] as string[], exchanges: [] as string[] };

  before(async function () {
    await requireBrokerOrSkip(this);
    amqp = amqpClient('e2e topology');
  });

  after(async function () {
    if (!amqp) return;
    for (const queue of cleanup.queues) await amqp.queueDelete({ queue }).catch(() => undefined);
    for (const exchange of cleanup.exchanges) await amqp.exchangeDelete({ exchange }).catch(() => undefined);
    await amqp.close();
  });

  function names(prefix: string): { exchange: string; queue: string } {
    const exchange = uniqueName(`${prefix}-x`);
    const queue = uniqueName(`${prefix}-q`);
    cleanup.exchanges.push(exchange);
    cleanup.queues.push(queue, `${queue}.dlq`, ...[1, 2, 3].map((n) => `${queue}.retry.${n}`));
    return { exchange, queue };
  }

  it('declares exchanges, quorum queues with a delivery limit, bindings, retry and dead-letter queues at start', async function () {
    const { exchange, queue } = names('declare');
    const router = await startRouter(
      {
        'routes/consume.yaml': `
- route:
    id: topology-consumer
    from:
      uri: "spring-rabbitmq:${exchange}?queues=${queue}&routingKey=a.*&exchangeType=topic&maximumRetryAttempts=3&deliveryLimit=7&arg.queue.x-max-length-bytes=1000000"
      steps:
        - log: "\${body}"
`,
      },
      { rabbitmqUrl: brokerUrl(), security: 'disabled', http: false, logLevel: 'warn' },
    );
    try {
      const queues = await brokerQueues(queue);
      expect([...queues.keys()].sort()).to.deep.equal(
        [queue, `${queue}.dlq`, `${queue}.retry.1`, `${queue}.retry.2`, `${queue}.retry.3`].sort(),
      );
      const work = queues.get(queue)!;
      expect(work.type).to.equal('quorum');
      expect(work.args).to.deep.include({
        'x-queue-type': 'quorum',
        'x-delivery-limit': 7,
        'x-max-length': 100000,
        'x-overflow': 'reject-publish',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': `${queue}.dlq`,
        'x-dead-letter-strategy': 'at-least-once',
        'x-max-length-bytes': 1000000,
      });
      expect(queues.get(`${queue}.retry.2`)!.args).to.deep.include({
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queue,
        'x-dead-letter-strategy': 'at-least-once',
      });
      // The binding is there: a publish with a matching key reaches the queue (mandatory would fail otherwise).
      const publisher = amqp.createPublisher({ confirm: true });
      await publisher.send({ exchange, routingKey: 'a.b', mandatory: true, durable: true }, 'x');
      await publisher.close();
      const bindings = await rabbitmqctl(
        'list_bindings',
        'source_name',
        'destination_name',
        'routing_key',
        '--quiet',
      );
      expect(bindings).to.match(
        new RegExp(`${exchange.replace(/\./g, '\\.')}\\s+${queue.replace(/\./g, '\\.')}\\s+a\\.\\*`),
      );
    } finally {
      await router.stop();
    }
  });

  it('stops the start when a queue exists with other arguments, naming the queue and both values', async function () {
    const { exchange, queue } = names('mismatch');
    await amqp.queueDeclare({ queue, durable: true, arguments: { 'x-queue-type': 'classic' } });
    const dir = writeFiles({
      'routes/consume.yaml': `
- route:
    id: mismatch-consumer
    from:
      uri: "spring-rabbitmq:${exchange}?queues=${queue}&routingKey=k"
      steps:
        - log: "\${body}"
`,
    });
    const { stream } = captureLog();
    const router = await createRouter({
      config: {
        ...defaultConfig({}),
        routes: [path.join(dir, 'routes')],
        schemasDir: path.join(dir, 'schemas'),
        rabbitmqUrl: brokerUrl(),
        security: 'disabled',
      },
      registry: createRegistry(),
      logger: createLogger({ level: 'error', stream }),
    });
    let failure: unknown;
    try {
      await router.start({ open: false });
    } catch (error) {
      failure = error;
    } finally {
      await router.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(failure, 'the start must fail').to.be.instanceOf(TransportError);
    const error = failure as TransportError;
    expect(error.code).to.equal('TOPOLOGY_MISMATCH');
    expect(error.message).to.contain(`Queue '${queue}'`);
    expect(error.message).to.contain('mismatch-consumer');
    expect(error.message).to.match(/x-[a-z-]+ is (none|\S+) on the broker but \S+ was declared/);
  });
});
