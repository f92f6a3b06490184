/**
 * The spring-rabbitmq component on both transports: every behaviour below runs against the embedded
 * memory transport and against the real broker (skipped loudly without one, failing with REQUIRE_RABBITMQ=1).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import {
  DeliveryProperties,
  HttpOperationFailedError,
  RetryLaterSignal,
  TransportError,
} from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import type { Processor } from '../../src/runtime/processor.js';
import { readiness } from '../../src/runtime/readiness.js';
import { ATTEMPT_HEADER, ProvenanceHeaders, readProvenance } from '../../src/reliability/broker-retry.js';
import { SpringRabbitHeaders } from '../../src/components/spring-rabbitmq/index.js';
import { MemoryTransport } from '../../src/transport/memory/memory-transport.js';
import { RabbitMqTransport } from '../../src/transport/rabbitmq/rabbitmq-transport.js';
import { deadLetterQueueName, retryQueueName } from '../../src/transport/topology-names.js';
import type { DeliveredMessage, Transport } from '../../src/transport/transport.js';
import { brokerUrl, rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { TestBuild } from './test-context.js';

const quiet = (): ReturnType<typeof createLogger> =>
  createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) });

async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Takes the next message of a queue through a plain consumer of the transport. */
async function take(transport: Transport, queue: string, count = 1): Promise<DeliveredMessage[]> {
  const got: DeliveredMessage[] = [];
  const subscription = await transport.consume({ queue, concurrency: 1, prefetch: 1 }, async (message) => {
    if (got.length >= count) return 'requeue';
    got.push(message);
    return 'ack';
  });
  try {
    await eventually(() => got.length >= count, `${count} message(s) on ${queue}`);
  } finally {
    await subscription.close();
  }
  return got;
}

function describeOn(kind: 'memory' | 'rabbitmq', create: () => Transport): void {
  describe(`spring-rabbitmq component on the ${kind} transport`, function () {
    this.timeout(30_000);
    let transport: Transport;
    let names: { exchanges: string[]; queues: string[] };
    const stops: (() => Promise<void>)[] = [];

    before(async function () {
      if (kind === 'rabbitmq') await requireBrokerOrSkip(this);
    });
    beforeEach(function () {
      transport = create();
      names = { exchanges: [], queues: [] };
    });
    // Every name any test used, to check at the end that none is left on the broker.
    const used: { exchanges: string[]; queues: string[] } = { exchanges: [], queues: [] };
    afterEach(async function () {
      for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
      if (!transport) return;
      await transport.close();
      // A fresh transport cleans up: the test may have closed its own (the readiness test does).
      const cleaner = create();
      try {
        for (const queue of names.queues) await cleaner.deleteQueue(queue);
        for (const exchange of names.exchanges) await cleaner.deleteExchange(exchange);
      } finally {
        await cleaner.close();
      }
    });

    /** Unique names for one test, remembered for clean-up with their retry and dead-letter queues. */
    function unique(prefix: string): { exchange: string; queue: string } {
      const id = `${prefix}-${randomUUID().slice(0, 8)}`;
      const exchange = `test.sr.${id}`;
      const queue = `test.sr.${id}.q`;
      names.exchanges.push(exchange);
      names.queues.push(queue, deadLetterQueueName(queue));
      for (let level = 1; level <= 5; level++) names.queues.push(retryQueueName(queue, level));
      used.exchanges.push(exchange);
      used.queues.push(queue);
      return { exchange, queue };
    }

    function build(): TestBuild {
      const testBuild = new TestBuild();
      (testBuild.services as { transport: () => Transport }).transport = () => transport;
      return testBuild;
    }

    async function started(testBuild: TestBuild, uri: string, ...processors: Processor[]): Promise<void> {
      const consumer = testBuild.consumer(uri, testBuild.route('consumer-route', ...processors));
      await consumer.start();
      stops.push(() => consumer.stop());
    }

    async function producerFor(
      testBuild: TestBuild,
      uri: string,
    ): Promise<ReturnType<TestBuild['producer']>> {
      const producer = testBuild.producer(uri);
      await producer.start?.();
      stops.push(async () => producer.stop?.());
      return producer;
    }

    it('publishes confirmed: JSON body, persistent, message and correlation ids, only message headers', async () => {
      const { exchange, queue } = unique('pub');
      const testBuild = build();
      const producer = await producerFor(
        testBuild,
        `spring-rabbitmq:${exchange}?routingKey=payment.accepted&exchangeType=topic`,
      );
      await transport.declare({
        queues: [{ name: queue }],
        bindings: [{ exchange, queue, routingKey: 'payment.*' }],
      });

      const sent = new Exchange({
        body: { entryId: 'E-1', amount: 12.5 },
        correlationId: 'corr-1',
        headers: {
          'Idempotency-Key': 'idem-42',
          'x-tenant': 'acme',
          authorization: 'Bearer secret',
          'Content-Length': '99',
          host: 'router',
          CamelHttpMethod: 'POST',
          'X-Forwarded-For': '10.0.0.1',
        },
        pattern: 'InOut',
      });
      // The message-id is the message's identity, never a header a caller or publisher could choose.
      sent.messageId = 'msg-42';
      await producer.process(sent);

      const [message] = await take(transport, queue);
      expect(JSON.parse(message!.body.toString('utf8'))).to.deep.equal({ entryId: 'E-1', amount: 12.5 });
      expect(message!.contentType).to.equal('application/json');
      expect(message!.durable).to.equal(true);
      expect(message!.messageId).to.equal('msg-42');
      expect(message!.correlationId).to.equal('corr-1');
      expect(message!.routingKey).to.equal('payment.accepted');
      expect(message!.headers).to.deep.equal({ 'Idempotency-Key': 'idem-42', 'x-tenant': 'acme' });
      // Fire-and-forget although the exchange is InOut: the body is untouched, nothing waited for a reply.
      expect(sent.body).to.deep.equal({ entryId: 'E-1', amount: 12.5 });
    });

    it('uses the exchange id as message id without an Idempotency-Key; strings go as text, bytes as bytes', async () => {
      const { exchange, queue } = unique('ids');
      const producer = await producerFor(build(), `spring-rabbitmq:${exchange}?routingKey=k`);
      await transport.declare({
        queues: [{ name: queue }],
        bindings: [{ exchange, queue, routingKey: 'k' }],
      });
      const text = new Exchange({ body: 'hello' });
      const bytes = new Exchange({ body: Buffer.from([1, 2, 3]) });
      await producer.process(text);
      await producer.process(bytes);
      const [first, second] = await take(transport, queue, 2);
      expect(first!.messageId).to.equal(text.exchangeId);
      expect(first!.contentType).to.equal('text/plain');
      expect(first!.body.toString('utf8')).to.equal('hello');
      expect(second!.contentType).to.equal('application/octet-stream');
      expect([...second!.body]).to.deep.equal([1, 2, 3]);
    });

    it('honours the override headers once and removes them', async () => {
      const { exchange, queue } = unique('override');
      const other = unique('other');
      const producer = await producerFor(build(), `spring-rabbitmq:${exchange}?routingKey=unused`);
      await transport.declare({
        exchanges: [{ name: other.exchange, type: 'direct' }],
        queues: [{ name: other.queue }],
        bindings: [{ exchange: other.exchange, queue: other.queue, routingKey: 'chosen' }],
      });
      void queue;
      const sent = new Exchange({
        body: { a: 1 },
        headers: {
          [SpringRabbitHeaders.exchangeOverrideName]: other.exchange,
          [SpringRabbitHeaders.routingOverrideKey]: 'chosen',
        },
      });
      await producer.process(sent);
      const [message] = await take(transport, other.queue);
      expect(message!.exchange).to.equal(other.exchange);
      expect(message!.routingKey).to.equal('chosen');
      expect(sent.getHeader(SpringRabbitHeaders.exchangeOverrideName)).to.equal(undefined);
      expect(sent.getHeader(SpringRabbitHeaders.routingOverrideKey)).to.equal(undefined);
    });

    it('rejects an unroutable publish instead of losing it', async () => {
      const { exchange } = unique('unroutable');
      const producer = await producerFor(build(), `spring-rabbitmq:${exchange}?routingKey=nobody`);
      const error = await rejection(producer.process(new Exchange({ body: { a: 1 } })));
      expect(error).to.be.instanceOf(TransportError).with.property('code', 'UNROUTABLE');
    });

    it('refuses a publish to a full queue with a 503-class TransportError (reject-publish)', async () => {
      const { exchange, queue } = unique('full');
      const testBuild = build();
      // A consumer endpoint declares the bounded queue; it is stopped so messages stay.
      const consumer = testBuild.consumer(
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=k&maxLength=1`,
        testBuild.route('r'),
      );
      await consumer.start();
      await consumer.stop();
      const producer = await producerFor(testBuild, `spring-rabbitmq:${exchange}?routingKey=k`);
      let accepted = 0;
      const refused: unknown[] = [];
      for (let n = 0; n < 4; n++) {
        await producer.process(new Exchange({ body: { n } })).then(
          () => accepted++,
          (error: unknown) => refused.push(error),
        );
      }
      // RabbitMQ's quorum queues take one message past the limit before refusing.
      expect(accepted).to.be.within(1, 2);
      expect(refused).to.have.length(4 - accepted);
      for (const error of refused) {
        expect(error).to.be.instanceOf(TransportError).with.property('code', 'QUEUE_FULL');
        expect((error as TransportError).httpStatus).to.equal(503);
        expect((error as TransportError).retryAfterSeconds).to.be.greaterThan(0);
      }
      expect((await transport.queueInfo(queue)).messageCount).to.equal(accepted);
    });

    it('consumes: declares the queue and binding, parses JSON, maps AMQP properties and acks after the route', async () => {
      const { exchange, queue } = unique('consume');
      const testBuild = build();
      const seen: Exchange[] = [];
      await started(
        testBuild,
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in&exchangeType=direct`,
        async (exchange) => {
          seen.push(exchange);
        },
      );
      await transport.publish({
        exchange,
        routingKey: 'in',
        body: Buffer.from(JSON.stringify({ id: 7 })),
        contentType: 'application/json',
        headers: { 'x-tenant': 'acme' },
        messageId: 'm-7',
        correlationId: 'c-7',
      });
      await eventually(() => seen.length === 1, 'the route ran');
      const exchangeSeen = seen[0]!;
      expect(exchangeSeen.body).to.deep.equal({ id: 7 });
      expect(exchangeSeen.correlationId).to.equal('c-7');
      expect(exchangeSeen.exchangeId).to.equal('m-7');
      expect(exchangeSeen.getHeader('x-tenant')).to.equal('acme');
      expect(exchangeSeen.getHeader(SpringRabbitHeaders.messageId)).to.equal('m-7');
      expect(exchangeSeen.getHeader(SpringRabbitHeaders.routingKey)).to.equal('in');
      expect(exchangeSeen.getHeader(SpringRabbitHeaders.queue)).to.equal(queue);
      expect(exchangeSeen.getHeader(DeliveryProperties.redeliveryCounter)).to.equal(0);
      expect(exchangeSeen.getHeader(DeliveryProperties.redelivered)).to.equal(false);
      expect(exchangeSeen.properties[DeliveryProperties.heldByBroker]).to.equal(true);
      await eventually(async () => (await transport.queueInfo(queue)).messageCount === 0, 'queue drained');
      expect((await transport.queueInfo(deadLetterQueueName(queue))).messageCount).to.equal(0);
    });

    it('dead-letters a failing message with its provenance and acks it (no requeue loop)', async () => {
      const { exchange, queue } = unique('fail');
      const testBuild = build();
      let runs = 0;
      await started(
        testBuild,
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in`,
        async (exchange) => {
          runs++;
          exchange.properties.CamelFailureStep = 'to@[0].route.from.steps[1].to';
          throw new HttpOperationFailedError('https://partner.example/ledger', 422, '{"error":"bad"}');
        },
      );
      await transport.publish({
        exchange,
        routingKey: 'in',
        body: Buffer.from('{"id":1}'),
        contentType: 'application/json',
        messageId: 'm-fail',
        correlationId: 'c-fail',
      });
      const [dead] = await take(transport, deadLetterQueueName(queue));
      expect(runs).to.equal(1);
      expect(dead!.messageId).to.equal('m-fail');
      expect(dead!.correlationId).to.equal('c-fail');
      expect(JSON.parse(dead!.body.toString('utf8'))).to.deep.equal({ id: 1 });
      const provenance = readProvenance(dead!.headers);
      expect(provenance).to.deep.include({
        routeId: 'consumer-route',
        sourceQueue: queue,
        originalExchange: exchange,
        originalRoutingKey: 'in',
        attempts: 1,
        errorClass: 'org.apache.camel.http.base.HttpOperationFailedException',
        errorCode: 'HTTP_OPERATION_FAILED',
        httpStatus: 422,
        correlationId: 'c-fail',
        failedStep: 'to@[0].route.from.steps[1].to',
      });
      expect(provenance!.errorMessage).to.contain('statusCode: 422');
      expect(Date.parse(provenance!.firstFailureAt)).to.be.a('number').and.not.NaN;
      expect(Date.parse(provenance!.lastFailureAt)).to.be.at.least(Date.parse(provenance!.firstFailureAt));
      expect((await transport.queueInfo(queue)).messageCount).to.equal(0);
    });

    it('dead-letters a body that is not JSON although it says so, at the first step that reads it, untried again', async () => {
      const { exchange, queue } = unique('badjson');
      let runs = 0;
      let after = 0;
      await started(
        build(),
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in`,
        async (exchange) => {
          runs++;
          // The body is parsed when a step first reads it; reading it again fails the same way.
          expect(() => exchange.body).to.throw(/not valid JSON although its content type is application\/json/);
          expect(exchange.body).to.equal('never reached');
        },
        async () => {
          after++;
        },
      );
      await transport.publish({
        exchange,
        routingKey: 'in',
        body: Buffer.from('{not json'),
        contentType: 'application/json',
      });
      const [dead] = await take(transport, deadLetterQueueName(queue));
      expect(runs).to.equal(1);
      expect(after).to.equal(0);
      expect(dead!.body.toString('utf8')).to.equal('{not json');
      expect(readProvenance(dead!.headers)).to.deep.include({
        errorClass: 'org.apache.camel.InvalidPayloadException',
        errorCode: 'INVALID_PAYLOAD',
      });
    });

    it('sends a JSON body no step has read on byte for byte; one a step read, as the value the step saw', async () => {
      const { exchange, queue } = unique('bytes');
      const out = unique('bytes-out');
      const testBuild = build();
      const forward = await producerFor(testBuild, `spring-rabbitmq:${out.exchange}?routingKey=on`);
      await transport.declare({
        queues: [{ name: out.queue }],
        bindings: [{ exchange: out.exchange, queue: out.queue, routingKey: 'on' }],
      });
      let read = false;
      await started(
        testBuild,
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in`,
        async (exchange) => {
          if (read) expect(exchange.body).to.have.property('amount');
        },
        (exchange) => forward.process(exchange),
      );
      // What JSON.parse and JSON.stringify would change: a number's spelling, an integer beyond 2^53, spacing.
      const text = '{ "amount": 1.10, "ref": 12345678901234567890, "currency" : "EUR" }';
      await transport.publish({ exchange, routingKey: 'in', body: Buffer.from(text), contentType: 'application/json' });
      const [untouched] = await take(transport, out.queue);
      expect(untouched!.body.toString('utf8')).to.equal(text);
      expect(untouched!.contentType).to.equal('application/json');

      read = true;
      await transport.publish({ exchange, routingKey: 'in', body: Buffer.from(text), contentType: 'application/json' });
      const [reencoded] = await take(transport, out.queue);
      expect(reencoded!.body.toString('utf8')).to.equal('{"amount":1.1,"ref":12345678901234567000,"currency":"EUR"}');
    });

    it('a RetryLaterSignal sends the message through its retry queue and back, with the attempt counted', async () => {
      const { exchange, queue } = unique('retry');
      const deliveries: { counter: unknown; redelivered: unknown; body: unknown; messageId: string }[] = [];
      await started(
        build(),
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in`,
        async (exchange) => {
          deliveries.push({
            counter: exchange.getHeader(DeliveryProperties.redeliveryCounter),
            redelivered: exchange.getHeader(DeliveryProperties.redelivered),
            body: exchange.body,
            messageId: exchange.exchangeId,
          });
          if (deliveries.length === 1) throw new RetryLaterSignal(50, 1, new Error('partner busy'));
        },
      );
      await transport.publish({
        exchange,
        routingKey: 'in',
        body: Buffer.from('{"id":3}'),
        contentType: 'application/json',
        messageId: 'm-retry',
        headers: { 'x-tenant': 'acme' },
      });
      await eventually(() => deliveries.length === 2, 'the retried delivery');
      expect(deliveries[0]).to.deep.equal({
        counter: 0,
        redelivered: false,
        body: { id: 3 },
        messageId: 'm-retry',
      });
      expect(deliveries[1]).to.deep.equal({
        counter: 1,
        redelivered: true,
        body: { id: 3 },
        messageId: 'm-retry',
      });
      await eventually(async () => (await transport.queueInfo(queue)).messageCount === 0, 'acked');
      expect((await transport.queueInfo(retryQueueName(queue, 1))).messageCount).to.equal(0);
      expect((await transport.queueInfo(deadLetterQueueName(queue))).messageCount).to.equal(0);
    });

    it('keeps the original exchange, attempts and first failure time when a retried message finally dead-letters', async () => {
      const { exchange, queue } = unique('retry-dlq');
      let runs = 0;
      await started(build(), `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in`, async () => {
        runs++;
        if (runs === 1) throw new RetryLaterSignal(20, 1, new Error('first'));
        throw new Error('second failure');
      });
      await transport.publish({
        exchange,
        routingKey: 'in',
        body: Buffer.from('x'),
        contentType: 'text/plain',
      });
      const [dead] = await take(transport, deadLetterQueueName(queue));
      const provenance = readProvenance(dead!.headers)!;
      expect(provenance).to.deep.include({
        originalExchange: exchange,
        originalRoutingKey: 'in',
        attempts: 2,
        errorMessage: 'second failure',
      });
      expect(provenance.errorClass).to.equal('java.lang.RuntimeException');
      expect(Date.parse(provenance.firstFailureAt)).to.be.at.most(Date.parse(provenance.lastFailureAt));
      expect(dead!.headers[ATTEMPT_HEADER]).to.equal(1);
      expect(dead!.headers[ProvenanceHeaders.routeId]).to.equal('consumer-route');
    });

    it('request-reply only when asked explicitly (replyTo + InOut)', async () => {
      const { exchange, queue } = unique('rpc');
      const replyQueue = `${queue}.replies`;
      names.queues.push(replyQueue);
      await transport.declare({
        exchanges: [{ name: exchange, type: 'direct' }],
        queues: [{ name: queue }],
        bindings: [{ exchange, queue, routingKey: 'ask' }],
      });
      const responder = await transport.consume({ queue, concurrency: 1, prefetch: 1 }, async (request) => {
        await transport.publish({
          exchange: '',
          routingKey: request.replyTo!,
          body: Buffer.from(
            JSON.stringify({ answer: JSON.parse(request.body.toString('utf8')).question * 2 }),
          ),
          contentType: 'application/json',
          correlationId: request.correlationId,
        });
        return 'ack';
      });
      stops.push(() => responder.close());
      const producer = await producerFor(
        build(),
        `spring-rabbitmq:${exchange}?routingKey=ask&replyTo=${replyQueue}&exchangePattern=InOut`,
      );
      const asked = new Exchange({ body: { question: 21 }, pattern: 'InOut' });
      await producer.process(asked);
      expect(asked.body).to.deep.equal({ answer: 42 });
    });

    it('stops the start when a queue exists with other arguments, naming the queue and the arguments', async () => {
      const { exchange, queue } = unique('mismatch');
      await transport.declare({ queues: [{ name: queue, type: 'quorum', maxLength: 5 }] });
      const testBuild = build();
      const consumer = testBuild.consumer(
        `spring-rabbitmq:${exchange}?queues=${queue}&routingKey=in`,
        testBuild.route('mismatch-route'),
      );
      const error = await rejection(consumer.start());
      expect(error).to.be.instanceOf(TransportError).with.property('code', 'TOPOLOGY_MISMATCH');
      const message = (error as Error).message;
      expect(message).to.contain('mismatch-route');
      expect(message).to.contain(queue);
      expect(message).to.match(/x-max-length|x-dead-letter|x-delivery-limit/);
      await consumer.stop();
    });

    it('registers a readiness check that follows the transport', async () => {
      const { exchange } = unique('ready');
      const testBuild = build();
      await producerFor(testBuild, `spring-rabbitmq:${exchange}?routingKey=k`);
      await eventually(() => transport.isReady(), 'transport ready');
      expect((await readiness(testBuild.services)).checks)
        .to.have.property('broker')
        .that.deep.equals({ ready: true });
      await transport.close();
      const after = await readiness(testBuild.services);
      expect(after.ready).to.equal(false);
      expect(after.checks.broker!.ready).to.equal(false);
    });

    if (kind === 'rabbitmq') {
      // Runs last: the broker is shared, so every exchange and queue the tests above declared is gone again.
      it('leaves none of its exchanges or queues on the broker', async () => {
        expect(used.exchanges).to.have.length.greaterThan(10);
        const listed = async (what: 'list_exchanges' | 'list_queues'): Promise<string[]> =>
          (await rabbitmqctl('-q', '--no-table-headers', what, 'name'))
            .split('\n')
            .map((line) => line.trim());
        const exchanges = await listed('list_exchanges');
        const queues = await listed('list_queues');
        expect(
          used.exchanges.filter((name) => exchanges.includes(name)),
          'exchanges left',
        ).to.deep.equal([]);
        expect(
          used.queues.filter((name) => queues.includes(name)),
          'queues left',
        ).to.deep.equal([]);
      });
    }
  });
}

describeOn('memory', () => new MemoryTransport({ logger: quiet() }));
describeOn(
  'rabbitmq',
  () =>
    new RabbitMqTransport({
      url: brokerUrl(),
      logger: quiet(),
      connectionName: 'spring-rabbitmq component test',
      retryLowMs: 200,
      retryHighMs: 2000,
    }),
);
