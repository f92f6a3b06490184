/**
 * `pipes dlq show <id>` against a real router on the real RabbitMQ: it prints the dead letter's headers (the
 * caller's and the provenance the router wrote), and a message-id that sits in two dead-letter queues (one
 * message fanned out to two routes that both failed) is not silently shown from one of them: the command
 * exits 1 listing both, and `--queue` picks one.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { requireBrokerOrSkip, brokerUrl } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { consumerQueues, eventually, uniqueName } from '../e2e/rabbitmq-support.js';
import { deleteQueues, depth, testClient } from '../e2e/connector-support.js';
import { pipes } from './support.js';

const failingRoute = (routeId: string, exchange: string, queue: string): string => `
- route:
    id: ${routeId}
    from:
      uri: spring-rabbitmq:${exchange}
      parameters:
        queues: ${queue}
        routingKey: payment.accepted
        exchangeType: topic
      steps:
        - throwException:
            exceptionType: java.lang.IllegalArgumentException
            message: "${routeId} refuses \${header.CamelSpringRabbitmqMessageId}"
`;

describe('cli: pipes dlq show (real broker)', function () {
  this.timeout(60_000);
  let connection: Connection;
  let test: TestRouter;
  const exchange = uniqueName('dlq-show-ex');
  const queueA = uniqueName('dlq-show-a');
  const queueB = uniqueName('dlq-show-b');
  const twice = `twice-${Date.now()}`;
  const once = `once-${Date.now()}`;

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('dlq show test');
    test = await startRouter(
      {
        'routes/a.yaml': failingRoute('dlq-show-a', exchange, queueA),
        'routes/b.yaml': failingRoute('dlq-show-b', exchange, queueB),
      },
      { rabbitmqUrl: brokerUrl() },
    );
    const publisher = connection.createPublisher({ confirm: true });
    const message = { contentType: 'application/json', durable: true, headers: { 'x-partner-ref': 'ref-4711' } };
    // Through the exchange: both queues get it, both routes fail, both dead-letter it.
    await publisher.send({ ...message, exchange, routingKey: 'payment.accepted', messageId: twice, correlationId: `corr-${twice}` }, { entryId: twice });
    // Straight to one queue: only route a sees it.
    await publisher.send({ ...message, exchange: '', routingKey: queueA, messageId: once, correlationId: `corr-${once}` }, { entryId: once });
    await publisher.close();
    await eventually(
      async () => (await depth(connection, `${queueA}.dlq`)).messageCount === 2 && (await depth(connection, `${queueB}.dlq`)).messageCount === 1,
      'the messages were dead-lettered',
    );
  });

  after(async () => {
    await test?.stop();
    if (connection) {
      await deleteQueues(connection, [...consumerQueues(queueA), ...consumerQueues(queueB)], exchange);
      await connection.close();
    }
  });

  const dlq = (...args: string[]) => pipes(['dlq', ...args, '--url', test.baseUrl]);

  it('shows the headers with the provenance and the body', async () => {
    const show = await dlq('show', once);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/^route:\s+dlq-show-a$/m);
    expect(show.stdout).to.match(/^headers:$/m);
    expect(show.stdout).to.match(/^ {2}x-partner-ref: ref-4711$/m);
    expect(show.stdout).to.match(/^ {2}x-pipes-route-id: dlq-show-a$/m);
    expect(show.stdout).to.match(/^ {2}x-pipes-error-class: java\.lang\.IllegalArgumentException$/m);
    expect(show.stdout).to.include(`"entryId": "${once}"`);
    // The headers come before the body, which is last.
    expect(show.stdout.indexOf('headers:')).to.be.below(show.stdout.indexOf('body ('));
  });

  it('a message-id in two dead-letter queues: exits 1 listing both, and names --queue', async () => {
    const show = await dlq('show', twice);
    expect(show.code).to.equal(1);
    expect(show.stdout).to.equal('');
    expect(show.stderr).to.contain(`'${twice}' is in 2 dead-letter queues`);
    expect(show.stderr).to.match(new RegExp(`dlq-show-a\\s+${queueA.replace(/\./g, '\\.')}\\s+${queueA.replace(/\./g, '\\.')}\\.dlq`));
    expect(show.stderr).to.match(new RegExp(`dlq-show-b\\s+${queueB.replace(/\./g, '\\.')}\\s+${queueB.replace(/\./g, '\\.')}\\.dlq`));
    expect(show.stderr).to.contain('--queue');
  });

  it('--queue (the work queue or its dead-letter queue) and --route pick one', async () => {
    const byQueue = await dlq('show', twice, '--queue', queueB);
    expect(byQueue.code, byQueue.stderr).to.equal(0);
    expect(byQueue.stdout).to.match(/^route:\s+dlq-show-b$/m);
    expect(byQueue.stdout).to.match(new RegExp(`^dead-letter queue:\\s+${queueB.replace(/\./g, '\\.')}\\.dlq$`, 'm'));
    expect(byQueue.stdout).to.contain(`dlq-show-b refuses ${twice}`);

    const byDeadLetterQueue = await dlq('show', twice, '--queue', `${queueA}.dlq`, '--json');
    expect(byDeadLetterQueue.code, byDeadLetterQueue.stderr).to.equal(0);
    expect(JSON.parse(byDeadLetterQueue.stdout)).to.include({ id: twice, routeId: 'dlq-show-a', deadLetterQueue: `${queueA}.dlq` });

    const byRoute = await dlq('show', twice, '--route', 'dlq-show-b', '--json');
    expect(byRoute.code, byRoute.stderr).to.equal(0);
    expect(JSON.parse(byRoute.stdout)).to.include({ id: twice, routeId: 'dlq-show-b' });
  });

  it('the admin API answers 409 with both places; every dead letter is still where it was', async () => {
    const answer = await fetch(`${test.baseUrl}/admin/dead-letters/${twice}`);
    expect(answer.status).to.equal(409);
    const body = (await answer.json()) as { error: string; matches: Record<string, unknown>[] };
    expect(body.error).to.equal('DEAD_LETTER_AMBIGUOUS');
    expect(body.matches).to.deep.equal([
      { id: twice, routeId: 'dlq-show-a', queue: queueA, deadLetterQueue: `${queueA}.dlq` },
      { id: twice, routeId: 'dlq-show-b', queue: queueB, deadLetterQueue: `${queueB}.dlq` },
    ]);
    expect((await depth(connection, `${queueA}.dlq`)).messageCount).to.equal(2);
    expect((await depth(connection, `${queueB}.dlq`)).messageCount).to.equal(1);
  });

  it('a second dead letter with the same id in one queue is counted, not hidden', async () => {
    const publisher = connection.createPublisher({ confirm: true });
    await publisher.send({ exchange: '', routingKey: `${queueB}.dlq`, messageId: twice, contentType: 'application/json', durable: true }, { entryId: twice });
    await publisher.close();
    await eventually(async () => (await depth(connection, `${queueB}.dlq`)).messageCount === 2, 'the copy is in the dead-letter queue');
    const show = await dlq('show', twice, '--queue', queueB);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/^copies in this queue:\s+2$/m);
  });
});
