import { expect } from 'chai';
import { mockEndpoint } from '../../src/components/mock/index.js';
import type { Exchange } from '../../src/runtime/exchange.js';
import { TestBuild } from './test-context.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('timer component', () => {
  it('fires repeatCount times with the timer headers, then stops by itself', async () => {
    const build = new TestBuild();
    const mock = mockEndpoint(build.services, 'ticks');
    const consumer = build.consumer(
      'timer:heartbeat?period=5&delay=0&repeatCount=3',
      build.route('heartbeat', build.producer('mock:ticks').process),
    );
    await consumer.start();
    const fired = await mock.waitFor(3, 5000);
    // Many more periods pass; a fourth fire would show up here.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mock.received).to.have.length(3);
    expect(fired.map((e) => e.getHeader('CamelTimerCounter'))).to.deep.equal([1, 2, 3]);
    expect(fired.every((e) => e.getHeader('CamelTimerName') === 'heartbeat')).to.equal(true);
    expect(fired.every((e) => e.getHeader('CamelTimerPeriod') === 5)).to.equal(true);
    expect(Number.isNaN(Date.parse(String(fired[0]!.getHeader('CamelTimerFiredTime'))))).to.equal(false);
    expect(fired[0]!.routeId).to.equal('heartbeat');
    expect(fired[0]!.body).to.equal(null);
    await consumer.stop();
  });

  it('fires once when period is 0', async () => {
    const build = new TestBuild();
    const mock = mockEndpoint(build.services, 'once');
    const consumer = build.consumer(
      'timer:once?period=0&delay=0',
      build.route('once', build.producer('mock:once').process),
    );
    await consumer.start();
    await mock.waitFor(1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mock.received).to.have.length(1);
    await consumer.stop();
  });

  it('logs a failed run and keeps firing', async () => {
    const build = new TestBuild();
    const mock = mockEndpoint(build.services, 'flaky');
    const consumer = build.consumer(
      'timer:retrying?period=1&delay=0&repeatCount=3',
      build.route('retrying', build.producer('mock:flaky?failWith=ledger%20unavailable&failCount=1').process),
    );
    await consumer.start();
    await mock.waitFor(3, 5000);
    await consumer.stop();
    const errors = build.log.lines().filter((line) => line.level === 'error');
    expect(errors).to.have.length(1);
    expect(errors[0]!.message).to.equal('timer:retrying run 1 failed: ledger unavailable');
    expect(errors[0]!.exchangeId).to.equal(mock.received[0]!.exchangeId);
  });

  it('stop() stops the schedule and waits for the exchange in flight', async () => {
    const build = new TestBuild();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: Exchange[] = [];
    let finished = 0;
    const consumer = build.consumer(
      'timer:slow?period=1&delay=0',
      build.route('slow', async (exchange) => {
        started.push(exchange);
        await gate;
        finished++;
      }),
    );
    await consumer.start();
    while (started.length === 0) await tick();

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    for (let i = 0; i < 10; i++) await tick();
    expect(stopped, 'stop() returned while an exchange was running').to.equal(false);
    release();
    await stopping;
    expect(finished).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(started).to.have.length(1);
  });

  it('accepts durations as text and rejects invalid ones at load', () => {
    const build = new TestBuild();
    expect(build.endpoint('timer:t?period=1m30s&delay=500ms').endpoint.options).to.include({
      period: '1m30s',
      delay: '500ms',
    });
    expect(build.endpoint('timer:t').endpoint.options).to.include({
      period: 1000,
      delay: 1000,
      repeatCount: 0,
      fixedRate: false,
    });
    expect(() => build.endpoint('timer:t?period=often')).to.throw(/period/);
  });
});
