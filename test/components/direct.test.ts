import { expect } from 'chai';
import { sendToDirect } from '../../src/components/direct/index.js';
import { DirectConsumerNotAvailableError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import type { Processor } from '../../src/runtime/processor.js';
import { TestBuild } from './test-context.js';

describe('direct component', () => {
  it('runs the consumer route on the very same exchange, synchronously', async () => {
    const build = new TestBuild();
    const seen: Exchange[] = [];
    const subRoute: Processor = async (exchange) => {
      seen.push(exchange);
      exchange.setHeader('enriched', 'yes');
      exchange.body = { ...(exchange.body as object), step: 'sub' };
    };
    const consumer = build.consumer('direct:enrich', build.route('enrich', subRoute));
    await consumer.start();
    const producer = build.producer('direct:enrich');

    const exchange = new Exchange({ body: { id: 1 } });
    await producer.process(exchange);

    expect(seen).to.have.length(1);
    expect(seen[0]).to.equal(exchange);
    expect(exchange.getHeader('enriched')).to.equal('yes');
    expect(exchange.body).to.deep.equal({ id: 1, step: 'sub' });
    await consumer.stop();
  });

  it('propagates a failure of the consumer route to the caller', async () => {
    const build = new TestBuild();
    await build
      .consumer(
        'direct:boom',
        build.route('boom', async () => Promise.reject(new Error('sub-route failed'))),
      )
      .start();
    const error = await build
      .producer('direct:boom')
      .process(new Exchange())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(Error).with.property('message', 'sub-route failed');
  });

  it('fails with DirectConsumerNotAvailableError when nobody consumes (block=false)', async () => {
    const build = new TestBuild();
    const error = await build
      .producer('direct:nobody?block=false')
      .process(new Exchange())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(DirectConsumerNotAvailableError);
    expect((error as DirectConsumerNotAvailableError).camelName).to.equal(
      'org.apache.camel.component.direct.DirectConsumerNotAvailableException',
    );
    expect((error as Error).message).to.equal('No consumers available on endpoint: direct://nobody');
  });

  it('fails after the block timeout when no consumer starts', async () => {
    const build = new TestBuild();
    const error = await build
      .producer('direct:late?timeout=20ms')
      .process(new Exchange())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(DirectConsumerNotAvailableError);
  });

  it('with block=true waits for a consumer that starts while the call waits', async () => {
    const build = new TestBuild();
    const producer = build.producer('direct:starting?timeout=10s');
    const exchange = new Exchange({ body: 'x' });
    const call = producer.process(exchange);
    await new Promise((resolve) => setImmediate(resolve));
    await build
      .consumer(
        'direct:starting',
        build.route('starting', async (e) => void (e.body = 'handled')),
      )
      .start();
    await call;
    expect(exchange.body).to.equal('handled');
  });

  it('with failIfNoConsumers=false logs a warning and carries on', async () => {
    const build = new TestBuild();
    const exchange = new Exchange({ body: 'kept' });
    await build.producer('direct:nobody', { block: false, failIfNoConsumers: 'false' }).process(exchange);
    expect(exchange.body).to.equal('kept');
    const warning = build.log.lines().find((line) => line.level === 'warn');
    expect(warning?.message).to.contain('direct://nobody');
    expect(warning?.exchangeId).to.equal(exchange.exchangeId);
  });

  it('stops delivering once the consumer is stopped', async () => {
    const build = new TestBuild();
    const consumer = build.consumer(
      'direct:x',
      build.route('x', async () => {}),
    );
    await consumer.start();
    await consumer.stop();
    const error = await build
      .producer('direct:x?block=false')
      .process(new Exchange())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(DirectConsumerNotAvailableError);
  });

  it('refuses a second running consumer for one name', async () => {
    const build = new TestBuild();
    await build
      .consumer(
        'direct:one',
        build.route('a', async () => {}),
      )
      .start();
    const second = build.consumer(
      'direct:one',
      build.route('b', async () => {}),
    );
    const error = await second.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.contain('already consumed by route a');
  });

  describe('load-time checks', () => {
    it('reports a producer whose direct name no route consumes, with a suggestion', () => {
      const build = new TestBuild();
      build.declareConsumer('direct:validate-payment');
      build.producer('direct:validate-paymnet');
      const diagnostics = build.finish();
      expect(diagnostics).to.have.length(1);
      expect(diagnostics[0]!.severity).to.equal('error');
      expect(diagnostics[0]!.message).to.equal('No route consumes direct:validate-paymnet');
      expect(diagnostics[0]!.suggestions).to.deep.equal(['direct:validate-payment']);
      expect(diagnostics[0]!.loc?.file).to.match(/routes\.yaml$/);
    });

    it('accepts a producer whose consumer is declared in any route, before or after it', () => {
      const build = new TestBuild();
      build.producer('direct:later');
      build.declareConsumer('direct', { name: 'later' });
      expect(build.finish()).to.deep.equal([]);
    });

    it('accepts direct:callAsyncEngine without any consumer (the async engine provides it)', () => {
      const build = new TestBuild();
      build.producer('direct:callAsyncEngine');
      expect(build.finish()).to.deep.equal([]);
    });

    it('reports a second route consuming the same direct name', () => {
      const build = new TestBuild();
      build.declareConsumer('direct:dup');
      build.declareConsumer('direct:dup');
      expect(build.diagnostics).to.have.length(1);
      expect(build.diagnostics[0]!.message).to.contain('direct:dup already has a consumer (route test-route');
    });

    it('rejects an invalid timeout at load', () => {
      const build = new TestBuild();
      expect(() => build.producer('direct:x?timeout=soon')).to.throw(/timeout/);
    });
  });

  describe('sendToDirect', () => {
    it('runs the consumer route of a name on the given exchange', async () => {
      const build = new TestBuild();
      await build
        .consumer(
          'direct:cli',
          build.route('cli', async (e) => void (e.body = `got ${String(e.body)}`)),
        )
        .start();
      const exchange = await sendToDirect(build.services, 'cli', new Exchange({ body: 'ping' }));
      expect(exchange.body).to.equal('got ping');
    });

    it('rejects when nothing consumes the name', async () => {
      const build = new TestBuild();
      const error = await sendToDirect(build.services, 'none', new Exchange()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(DirectConsumerNotAvailableError);
    });
  });
});
