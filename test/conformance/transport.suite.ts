/**
 * One behaviour, two transports: every test here runs against the memory transport and against a real
 * RabbitMQ. Names are unique per test and everything a test declares is deleted after it.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { TransportError } from '../../src/errors/index.js';
import type {
  ConsumeOptions,
  DeliveredMessage,
  HandlerOutcome,
  QueueDeclaration,
  Subscription,
  Topology,
  Transport,
} from '../../src/transport/transport.js';

/** A logger for transports under test: handler failures are expected here and would only be noise. */
export function quietLogger(): Logger {
  return createLogger({
    level: 'error',
    stream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
}

/** Waits until `condition` holds; a deadline for a broken transport, not an assertion on timing. */
export async function eventually(
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
  throw new Error('Expected a rejection, but it resolved');
}

function expectTransportError(error: unknown, code: string): TransportError {
  expect(error, String(error)).to.be.instanceOf(TransportError);
  const transportError = error as TransportError;
  expect(transportError.code, transportError.message).to.equal(code);
  expect(transportError.retryAfterSeconds).to.be.a('number').and.to.be.greaterThan(0);
  return transportError;
}

class Gate {
  private opened = false;
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
  open(): void {
    this.opened = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** What one test created, so it can be removed whatever the outcome. */
class Scope {
  readonly id = `test-${randomUUID()}`;
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();
  private readonly subscriptions: Subscription[] = [];

  constructor(readonly transport: Transport) {}

  name(suffix: string): string {
    return `${this.id}.${suffix}`;
  }

  async declare(topology: Topology): Promise<void> {
    for (const exchange of topology.exchanges ?? []) this.exchanges.add(exchange.name);
    for (const queue of topology.queues ?? []) this.queues.add(queue.name);
    await this.transport.declare(topology);
  }

  async queue(suffix: string, overrides: Partial<QueueDeclaration> = {}): Promise<string> {
    const name = this.name(suffix);
    await this.declare({ queues: [{ name, ...overrides }] });
    return name;
  }

  async consume(
    options: Partial<ConsumeOptions> & { queue: string },
    handler: (message: DeliveredMessage) => Promise<HandlerOutcome>,
  ): Promise<Subscription> {
    const subscription = await this.transport.consume({ concurrency: 4, prefetch: 8, ...options }, handler);
    this.subscriptions.push(subscription);
    return subscription;
  }

  /** Acks everything and keeps it, in arrival order. */
  async collect(queue: string): Promise<DeliveredMessage[]> {
    const received: DeliveredMessage[] = [];
    await this.consume({ queue }, async (message) => {
      received.push(message);
      return 'ack';
    });
    return received;
  }

  async publish(
    exchange: string,
    routingKey: string,
    text: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.transport.publish({ exchange, routingKey, body: Buffer.from(text), ...extra });
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((subscription) => subscription.close()));
    for (const queue of this.queues) await this.transport.deleteQueue(queue).catch(() => undefined);
    for (const exchange of this.exchanges)
      await this.transport.deleteExchange(exchange).catch(() => undefined);
  }
}

const bodies = (messages: DeliveredMessage[]): string[] =>
  messages.map((message) => message.body.toString()).sort();

export function describeTransportConformance(name: string, makeTransport: () => Transport): void {
  describe(`transport conformance: ${name}`, function () {
    this.timeout(30_000);
    let transport: Transport;
    let scope: Scope;

    before(async function () {
      transport = makeTransport();
      await eventually(() => transport.isReady(), `${name} transport ready`);
    });

    after(async function () {
      await transport?.close();
    });

    beforeEach(function () {
      scope = new Scope(transport);
    });

    afterEach(async function () {
      await scope.cleanup();
    });

    describe('routing', function () {
      it('delivers through the default exchange by queue name', async function () {
        const queue = await scope.queue('work');
        const received = await scope.collect(queue);
        await scope.publish('', queue, 'hello');
        await eventually(() => received.length === 1, 'one delivery');
        expect(received[0]!.body.toString()).to.equal('hello');
        expect(received[0]!.exchange).to.equal('');
        expect(received[0]!.routingKey).to.equal(queue);
        expect(received[0]!.queue).to.equal(queue);
      });

      it('routes a direct exchange by exact routing key, to every queue bound with it', async function () {
        const exchange = scope.name('direct');
        const [a, b, c] = [scope.name('a'), scope.name('b'), scope.name('c')];
        await scope.declare({
          exchanges: [{ name: exchange, type: 'direct' }],
          queues: [{ name: a }, { name: b }, { name: c }],
          bindings: [
            { exchange, queue: a, routingKey: 'payments' },
            { exchange, queue: b, routingKey: 'payments' },
            { exchange, queue: c, routingKey: 'refunds' },
          ],
        });
        const [inA, inB, inC] = [await scope.collect(a), await scope.collect(b), await scope.collect(c)];
        await scope.publish(exchange, 'payments', 'p1');
        await scope.publish(exchange, 'refunds', 'r1');
        await expectRejectedUnroutable(scope.publish(exchange, 'payments.eu', 'x'));
        await eventually(() => inA.length + inB.length + inC.length === 3, 'three deliveries');
        expect(bodies(inA)).to.deep.equal(['p1']);
        expect(bodies(inB)).to.deep.equal(['p1']);
        expect(bodies(inC)).to.deep.equal(['r1']);
      });

      it('routes a topic exchange with * (one word) and # (zero or more words)', async function () {
        const exchange = scope.name('topic');
        const queues = {
          star: scope.name('star'),
          hash: scope.name('hash'),
          all: scope.name('all'),
          mid: scope.name('mid'),
        };
        await scope.declare({
          exchanges: [{ name: exchange, type: 'topic' }],
          queues: Object.values(queues).map((queueName) => ({ name: queueName })),
          bindings: [
            { exchange, queue: queues.star, routingKey: 'payment.*.eu' },
            { exchange, queue: queues.hash, routingKey: 'payment.#' },
            { exchange, queue: queues.all, routingKey: '#' },
            { exchange, queue: queues.mid, routingKey: '*.created.#' },
          ],
        });
        const received = {
          star: await scope.collect(queues.star),
          hash: await scope.collect(queues.hash),
          all: await scope.collect(queues.all),
          mid: await scope.collect(queues.mid),
        };
        for (const key of [
          'payment.card.eu',
          'payment',
          'payment.card.us',
          'payment.card.eu.extra',
          'order.created',
          'order.created.eu.x',
          'created',
        ]) {
          await scope.publish(exchange, key, key);
        }
        await eventually(() => received.all.length === 7, 'all seven on #');
        await eventually(
          () => received.hash.length === 4 && received.star.length === 1 && received.mid.length === 2,
          'the others',
        );
        expect(bodies(received.star)).to.deep.equal(['payment.card.eu']);
        expect(bodies(received.hash)).to.deep.equal([
          'payment',
          'payment.card.eu',
          'payment.card.eu.extra',
          'payment.card.us',
        ]);
        expect(bodies(received.mid)).to.deep.equal(['order.created', 'order.created.eu.x']);
      });

      it('copies a fanout message to every bound queue whatever the routing key', async function () {
        const exchange = scope.name('fanout');
        const [a, b] = [scope.name('a'), scope.name('b')];
        await scope.declare({
          exchanges: [{ name: exchange, type: 'fanout' }],
          queues: [{ name: a }, { name: b }],
          bindings: [
            { exchange, queue: a, routingKey: 'ignored' },
            { exchange, queue: b },
          ],
        });
        const [inA, inB] = [await scope.collect(a), await scope.collect(b)];
        await scope.publish(exchange, 'anything', 'f1');
        await eventually(() => inA.length === 1 && inB.length === 1, 'both copies');
        expect(inA[0]!.routingKey).to.equal('anything');
      });

      it('routes a headers exchange with x-match all and any', async function () {
        const exchange = scope.name('headers');
        const [all, any] = [scope.name('all'), scope.name('any')];
        await scope.declare({
          exchanges: [{ name: exchange, type: 'headers' }],
          queues: [{ name: all }, { name: any }],
          bindings: [
            { exchange, queue: all, arguments: { 'x-match': 'all', region: 'eu', kind: 'card' } },
            { exchange, queue: any, arguments: { 'x-match': 'any', region: 'us', kind: 'card' } },
          ],
        });
        const [inAll, inAny] = [await scope.collect(all), await scope.collect(any)];
        await scope.publish(exchange, '', 'eu-card', { headers: { region: 'eu', kind: 'card' } });
        await scope.publish(exchange, '', 'us-card', { headers: { region: 'us', kind: 'card' } });
        await scope.publish(exchange, '', 'us-sepa', { headers: { region: 'us', kind: 'sepa' } });
        await expectRejectedUnroutable(scope.publish(exchange, '', 'none', { headers: { region: 'apac' } }));
        await eventually(() => inAll.length + inAny.length === 4, 'four deliveries');
        expect(bodies(inAll)).to.deep.equal(['eu-card']);
        expect(bodies(inAny)).to.deep.equal(['eu-card', 'us-card', 'us-sepa']);
      });
    });

    describe('publishing', function () {
      it('resolves after the confirm and delivers persistent messages with every property and the exact body bytes', async function () {
        const queue = await scope.queue('props');
        const received = await scope.collect(queue);
        // Bytes a decode/re-encode round trip would change: a big integer, a trailing zero, invalid UTF-8.
        const json = Buffer.from('{"amount": 12345678901234567890.10, "currency":"EUR"}');
        const binary = Buffer.from([0x66, 0xff, 0xfe, 0x00, 0x61]);
        const timestamp = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
        await transport.publish({
          exchange: '',
          routingKey: queue,
          body: json,
          contentType: 'application/json',
          headers: { 'x-tenant': 'acme', attempt: 3, urgent: true },
          messageId: 'msg-1',
          correlationId: 'corr-1',
          replyTo: 'replies',
          type: 'payment.created',
          timestamp,
        });
        await transport.publish({ exchange: '', routingKey: queue, body: binary, contentType: 'text/plain' });
        await eventually(() => received.length === 2, 'two deliveries');
        const [first, second] = received as [DeliveredMessage, DeliveredMessage];
        expect(first.body.equals(json), first.body.toString()).to.equal(true);
        expect(first.contentType).to.equal('application/json');
        expect(first.headers).to.include({ 'x-tenant': 'acme', attempt: 3, urgent: true });
        expect(first.messageId).to.equal('msg-1');
        expect(first.correlationId).to.equal('corr-1');
        expect(first.replyTo).to.equal('replies');
        expect(first.type).to.equal('payment.created');
        expect(first.timestamp).to.equal(Math.floor(timestamp / 1000) * 1000);
        expect(first.durable).to.equal(true);
        expect(first.redelivered).to.equal(false);
        expect(second.body.equals(binary)).to.equal(true);
        expect(second.contentType).to.equal('text/plain');
        expect(second.messageId, 'a generated message id').to.match(/^[0-9a-f-]{36}$/);
        expect(second.durable).to.equal(true);
      });

      it('rejects a mandatory message no queue receives with UNROUTABLE, and takes it when mandatory is off', async function () {
        const exchange = scope.name('lonely');
        await scope.declare({ exchanges: [{ name: exchange, type: 'direct' }] });
        const error = expectTransportError(
          await rejection(scope.publish(exchange, 'nobody', 'x')),
          'UNROUTABLE',
        );
        expect(error.message).to.contain(exchange);
        await scope.publish(exchange, 'nobody', 'x', { mandatory: false });
        // The default exchange too: a queue name that does not exist routes nowhere.
        expectTransportError(await rejection(scope.publish('', scope.name('missing'), 'x')), 'UNROUTABLE');
      });

      it('tells each of many publishes in flight at once whether it was routed, even with shared message-ids', async function () {
        const exchange = scope.name('mixed');
        const queue = scope.name('mixed-in');
        await scope.declare({
          exchanges: [{ name: exchange, type: 'direct' }],
          queues: [{ name: queue }],
          bindings: [{ exchange, queue, routingKey: 'routed' }],
        });
        // 200 publishes without waiting in between; odd ones go nowhere. Pairs share a message-id, so the
        // outcome must follow exchange + routing key, not the id alone.
        const outcomes = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            scope
              .publish(exchange, index % 2 === 0 ? 'routed' : 'nowhere', `m${index}`, {
                messageId: `pair-${Math.floor(index / 2)}`,
              })
              .then(
                () => 'ok',
                (error: unknown) => (error as { code?: string }).code ?? 'error',
              ),
          ),
        );
        expect(outcomes.filter((outcome, index) => outcome !== (index % 2 === 0 ? 'ok' : 'UNROUTABLE'))).to.deep.equal([]);
        await eventually(async () => (await transport.queueInfo(queue)).messageCount === 100, 'the 100 routed messages');
      });

      it('rejects a publish to an exchange that does not exist with NOT_FOUND', async function () {
        expectTransportError(
          await rejection(scope.publish(scope.name('no-exchange'), 'k', 'x')),
          'NOT_FOUND',
        );
      });

      it('refuses with QUEUE_FULL when a reject-publish queue is full, and the queue keeps what it had', async function () {
        const queue = await scope.queue('bounded', { maxLength: 3, overflow: 'reject-publish' });
        const accepted: string[] = [];
        const refused: TransportError[] = [];
        for (let i = 0; i < 8; i++) {
          try {
            await scope.publish('', queue, `m${i}`, { messageId: `m${i}` });
            accepted.push(`m${i}`);
          } catch (error) {
            refused.push(expectTransportError(error, 'QUEUE_FULL'));
          }
        }
        // RabbitMQ's quorum queues take one message past the limit before refusing.
        expect(accepted.length).to.be.within(3, 4);
        expect(refused).to.have.length(8 - accepted.length);
        expect((await transport.queueInfo(queue)).messageCount).to.equal(accepted.length);
        const received = await scope.collect(queue);
        await eventually(() => received.length === accepted.length, 'every accepted message');
        expect(received.map((message) => message.messageId)).to.deep.equal(accepted);
      });

      it('drops the oldest into the dead letters with drop-head overflow', async function () {
        const dlq = await scope.queue('dlq');
        const queue = await scope.queue('drop-head', {
          type: 'classic',
          maxLength: 2,
          overflow: 'drop-head',
          deadLetterExchange: '',
          deadLetterRoutingKey: dlq,
        });
        for (const text of ['a', 'b', 'c', 'd']) await scope.publish('', queue, text);
        const [kept, dropped] = [await scope.collect(queue), await scope.collect(dlq)];
        await eventually(() => kept.length === 2 && dropped.length === 2, 'two kept and two dropped');
        expect(bodies(kept)).to.deep.equal(['c', 'd']);
        expect(bodies(dropped)).to.deep.equal(['a', 'b']);
        expect(deathOf(dropped[0]!)).to.include({ reason: 'maxlen', queue });
      });
    });

    describe('consuming', function () {
      it('acks, requeues (redelivered) and dead-letters by the handler outcome', async function () {
        const dlq = await scope.queue('dlq');
        const queue = await scope.queue('outcomes', { deadLetterExchange: '', deadLetterRoutingKey: dlq });
        const seen: { body: string; redelivered: boolean }[] = [];
        await scope.consume({ queue, concurrency: 1, prefetch: 1 }, async (message) => {
          const body = message.body.toString();
          seen.push({ body, redelivered: message.redelivered });
          if (body === 'ack') return 'ack';
          if (body === 'retry') return message.redelivered ? 'ack' : 'requeue';
          return 'dead-letter';
        });
        const dead = await scope.collect(dlq);
        for (const body of ['ack', 'retry', 'reject'])
          await scope.publish('', queue, body, { messageId: body });
        await eventually(() => dead.length === 1 && seen.length === 4, 'all outcomes');
        expect(seen.filter((entry) => entry.body === 'retry')).to.deep.equal([
          { body: 'retry', redelivered: false },
          { body: 'retry', redelivered: true },
        ]);
        expect(seen.filter((entry) => entry.body === 'ack')).to.deep.equal([
          { body: 'ack', redelivered: false },
        ]);
        expect(dead[0]!.body.toString()).to.equal('reject');
        expect(dead[0]!.messageId).to.equal('reject');
        expect(deathOf(dead[0]!)).to.include({ reason: 'rejected', queue, count: 1 });
        expect(dead[0]!.headers['x-first-death-reason']).to.equal('rejected');
        expect(dead[0]!.headers['x-first-death-queue']).to.equal(queue);
        expect((await transport.queueInfo(queue)).messageCount).to.equal(0);
      });

      it('dead-letters a message whose handler throws, instead of requeueing it', async function () {
        const dlq = await scope.queue('dlq');
        const queue = await scope.queue('throws', { deadLetterExchange: '', deadLetterRoutingKey: dlq });
        let calls = 0;
        await scope.consume({ queue, concurrency: 1, prefetch: 1 }, async () => {
          calls++;
          throw new Error('handler bug');
        });
        const dead = await scope.collect(dlq);
        await scope.publish('', queue, 'poison');
        await eventually(() => dead.length === 1, 'the dead letter');
        expect(calls).to.equal(1);
        expect(deathOf(dead[0]!)).to.include({ reason: 'rejected', queue });
      });

      it('stops a poison loop at the delivery limit and dead-letters the message', async function () {
        const dlq = await scope.queue('dlq');
        const queue = await scope.queue('limited', {
          type: 'quorum',
          deliveryLimit: 2,
          deadLetterExchange: '',
          deadLetterRoutingKey: dlq,
        });
        let deliveries = 0;
        await scope.consume({ queue, concurrency: 1, prefetch: 1 }, async () => {
          deliveries++;
          return 'requeue';
        });
        const dead = await scope.collect(dlq);
        await scope.publish('', queue, 'poison');
        await eventually(() => dead.length === 1, 'the dead letter');
        expect(deliveries, 'first delivery plus deliveryLimit redeliveries').to.equal(3);
        expect(deathOf(dead[0]!)).to.include({ reason: 'delivery_limit', queue });
      });

      it('holds a message in a TTL delay queue and dead-letters it back to the work queue', async function () {
        const work = await scope.queue('work');
        const delay = await scope.queue('delay', {
          messageTtlMs: 200,
          deadLetterExchange: '',
          deadLetterRoutingKey: work,
        });
        const received = await scope.collect(work);
        await scope.publish('', delay, 'later', { messageId: 'delayed-1', headers: { attempt: 2 } });
        await eventually(() => received.length === 1, 'the message back in the work queue');
        const message = received[0]!;
        expect(message.body.toString()).to.equal('later');
        expect(message.messageId).to.equal('delayed-1');
        expect(message.headers.attempt).to.equal(2);
        expect(message.routingKey).to.equal(work);
        expect(deathOf(message)).to.include({ reason: 'expired', queue: delay, count: 1 });
        expect((await transport.queueInfo(delay)).messageCount).to.equal(0);
      });

      it('expires a message by its own expiration and drops the expiration on dead-lettering', async function () {
        const dlq = await scope.queue('dlq');
        const queue = await scope.queue('per-message', { deadLetterExchange: '', deadLetterRoutingKey: dlq });
        const dead = await scope.collect(dlq);
        await scope.publish('', queue, 'short-lived', { expirationMs: 100 });
        await eventually(() => dead.length === 1, 'the expired message');
        expect(dead[0]!.expirationMs).to.equal(undefined);
        expect(deathOf(dead[0]!)).to.include({ reason: 'expired', queue, 'original-expiration': '100' });
      });

      it('runs at most `concurrency` handlers and holds at most `prefetch` unacknowledged messages', async function () {
        const queue = await scope.queue('limits');
        for (let i = 0; i < 10; i++) await scope.publish('', queue, `m${i}`);
        const gate = new Gate();
        let running = 0;
        let maxRunning = 0;
        let done = 0;
        await scope.consume({ queue, concurrency: 2, prefetch: 4 }, async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await gate.wait();
          running--;
          done++;
          return 'ack';
        });
        await eventually(() => running === 2, 'two handlers running');
        await eventually(
          async () => (await transport.queueInfo(queue)).messageCount === 6,
          'six left in the queue (four prefetched)',
        );
        expect(running).to.equal(2);
        gate.open();
        await eventually(() => done === 10, 'all ten handled');
        expect(maxRunning).to.equal(2);
        expect((await transport.queueInfo(queue)).messageCount).to.equal(0);
      });

      it('pauses (messages wait in the queue) and resumes', async function () {
        const queue = await scope.queue('pausable');
        const received: string[] = [];
        const subscription = await scope.consume({ queue }, async (message) => {
          received.push(message.body.toString());
          return 'ack';
        });
        await scope.publish('', queue, 'before');
        await eventually(() => received.length === 1, 'the first message');
        await subscription.pause();
        expect(subscription.paused).to.equal(true);
        for (const text of ['p1', 'p2', 'p3']) await scope.publish('', queue, text);
        await eventually(async () => (await transport.queueInfo(queue)).messageCount === 3, 'three waiting');
        expect((await transport.queueInfo(queue)).consumerCount).to.equal(0);
        expect(received).to.deep.equal(['before']);
        await subscription.resume();
        expect(subscription.paused).to.equal(false);
        await eventually(() => received.length === 4, 'the waiting three');
        expect(received.slice(1).sort()).to.deep.equal(['p1', 'p2', 'p3']);
      });

      it('refuses to consume from a queue that does not exist', async function () {
        const error = await rejection(
          transport.consume({ queue: scope.name('missing'), concurrency: 1, prefetch: 1 }, async () => 'ack'),
        );
        expectTransportError(error, 'NOT_FOUND');
      });

      it('rejects consume options that make no sense', async function () {
        const queue = await scope.queue('options');
        expect(
          await rejection(transport.consume({ queue, concurrency: 0, prefetch: 1 }, async () => 'ack')),
        ).to.be.instanceOf(RangeError);
        expect(
          await rejection(transport.consume({ queue, concurrency: 4, prefetch: 2 }, async () => 'ack')),
        ).to.be.instanceOf(RangeError);
      });
    });

    describe('topology', function () {
      it('refuses to redeclare a queue with other arguments, naming the queue and both values', async function () {
        const queue = await scope.queue('strict', { maxLength: 5 });
        await scope.queue('strict', { maxLength: 5 });
        const error = expectTransportError(
          await rejection(scope.queue('strict', { maxLength: 10 })),
          'TOPOLOGY_MISMATCH',
        );
        expect(error.message)
          .to.contain(queue)
          .and.contain('x-max-length')
          .and.contain('5')
          .and.contain('10');
        expect(error.retryable).to.equal(false);
        expect(error.details).to.include({ queue, argument: 'x-max-length', current: 5, requested: 10 });
      });

      it('refuses to redeclare an exchange with another type', async function () {
        const exchange = scope.name('typed');
        await scope.declare({ exchanges: [{ name: exchange, type: 'direct' }] });
        const error = expectTransportError(
          await rejection(scope.declare({ exchanges: [{ name: exchange, type: 'topic' }] })),
          'TOPOLOGY_MISMATCH',
        );
        expect(error.message)
          .to.contain(exchange)
          .and.contain('type')
          .and.contain('direct')
          .and.contain('topic');
      });

      it('refuses a binding to a queue that does not exist', async function () {
        const exchange = scope.name('x');
        await scope.declare({ exchanges: [{ name: exchange, type: 'direct' }] });
        const error = await rejection(
          scope.declare({ bindings: [{ exchange, queue: scope.name('missing'), routingKey: 'k' }] }),
        );
        expectTransportError(error, 'NOT_FOUND');
      });

      it('reports queue depth, purges and deletes', async function () {
        const queue = await scope.queue('depth');
        for (const text of ['a', 'b', 'c']) await scope.publish('', queue, text);
        await eventually(async () => (await transport.queueInfo(queue)).messageCount === 3, 'three messages');
        expect(await transport.purgeQueue(queue)).to.equal(3);
        expect((await transport.queueInfo(queue)).messageCount).to.equal(0);
        await transport.deleteQueue(queue);
        expectTransportError(await rejection(transport.queueInfo(queue)), 'NOT_FOUND');
        await transport.deleteQueue(queue);
      });
    });

    describe('closing', function () {
      it('waits for running handlers before close() resolves; their acks still count', async function () {
        const own = makeTransport();
        const queue = scope.name('drain');
        // A memory transport is its own broker: look at the queue through the transport that holds it.
        const inspector = own.kind === 'memory' ? own : transport;
        try {
          await eventually(() => own.isReady(), 'second transport ready');
          await own.declare({ queues: [{ name: queue }] });
          const gate = new Gate();
          const events: string[] = [];
          let started = false;
          await own.consume({ queue, concurrency: 1, prefetch: 1 }, async () => {
            started = true;
            await gate.wait();
            events.push('handler finished');
            return 'ack';
          });
          await own.publish({ exchange: '', routingKey: queue, body: Buffer.from('in-flight') });
          await eventually(() => started, 'handler started');
          const closed = own.close().then(() => events.push('close resolved'));
          // Give a close() that does not wait a chance to resolve early.
          await new Promise((resolve) => setTimeout(resolve, 100));
          events.push('gate opened');
          gate.open();
          await closed;
          expect(events).to.deep.equal(['gate opened', 'handler finished', 'close resolved']);
          expect((await inspector.queueInfo(queue)).messageCount, 'acked, not requeued').to.equal(0);
          expectTransportError(
            await rejection(own.publish({ exchange: '', routingKey: queue, body: Buffer.from('x') })),
            'CLOSED',
          );
        } finally {
          await own.close();
          await transport.deleteQueue(queue);
        }
      });
    });
  });
}

async function expectRejectedUnroutable(publish: Promise<void>): Promise<void> {
  expectTransportError(await rejection(publish), 'UNROUTABLE');
}

function deathOf(message: DeliveredMessage): Record<string, unknown> {
  const deaths = message.headers['x-death'];
  expect(deaths, 'x-death header').to.be.an('array').that.is.not.empty;
  return (deaths as Record<string, unknown>[])[0]!;
}
