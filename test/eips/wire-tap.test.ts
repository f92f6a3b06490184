import { expect } from 'chai';
import { ConnectError } from '../../src/errors/index.js';
import { drainWireTaps } from '../../src/eips/index.js';
import { FakeContext, js, settle, step } from './fake-context.js';

describe('EIPs: wireTap', () => {
  it('sends an InOnly copy and never waits for it', async () => {
    const ctx = new FakeContext();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    ctx.mock('audit').reply = () => blocked; // the tap never finishes until released
    const exchange = await ctx.run(
      [step('wireTap', { uri: 'mock:audit' }), step('to', { uri: 'mock:after' })],
      {
        body: { amount: 10 },
        pattern: 'InOut',
        correlationId: 'c-7',
      },
    );
    // The route finished while the tap is still blocked.
    expect(ctx.mock('after').received).to.have.length(1);
    await ctx.mock('audit').waitFor(1);
    const tapped = ctx.mock('audit').received[0]!;
    expect(tapped.pattern).to.equal('InOnly');
    expect(tapped.body).to.deep.equal({ amount: 10 });
    expect(tapped.correlationId).to.equal('c-7');
    expect(tapped.exchangeId).not.to.equal(exchange.exchangeId);
    expect(exchange.pattern).to.equal('InOut');
    release();
    await drainWireTaps(ctx.services);
  });

  it('the tap works on its own copy: changes by the route do not reach it', async () => {
    const ctx = new FakeContext().fn('replace', () => 'changed');
    await ctx.run([step('wireTap', { uri: 'mock:audit' }), step('setBody', { expression: js('replace') })], {
      body: 'original',
    });
    await ctx.mock('audit').waitFor(1);
    expect(ctx.mock('audit').bodies).to.deep.equal(['original']);
  });

  it('a tap failure is logged with the exchange fields and the route still succeeds', async () => {
    const ctx = new FakeContext();
    ctx.failures.set('audit', () => new ConnectError('audit service down'));
    const exchange = await ctx.run(
      [step('wireTap', { uri: 'fail:audit' }, { id: 'tap-1' }), step('to', { uri: 'mock:after' })],
      {
        correlationId: 'c-9',
      },
    );
    expect(ctx.mock('after').received).to.have.length(1);
    await drainWireTaps(ctx.services);
    const line = ctx.logLines.find((l) => l.level === 'error');
    expect(line).to.include({
      routeId: 'test-route',
      correlationId: 'c-9',
      tappedExchangeId: exchange.exchangeId,
      wireTapUri: 'fail:audit',
      stepId: 'tap-1',
      error: 'audit service down',
      errorName: 'ConnectError',
    });
    expect(line!.exchangeId).to.be.a('string').and.not.equal(exchange.exchangeId);
  });

  it('a dynamic uri is evaluated per message (the default)', async () => {
    const ctx = new FakeContext();
    await ctx.run([step('wireTap', { uri: 'mock:${header.copyTo}' })], { headers: { copyTo: 'audit-eu' } });
    await ctx.run([step('wireTap', { uri: 'mock:${header.copyTo}' })], { headers: { copyTo: 'audit-us' } });
    await drainWireTaps(ctx.services);
    expect(ctx.mock('audit-eu').received).to.have.length(1);
    expect(ctx.mock('audit-us').received).to.have.length(1);
  });

  it('a failing dynamic endpoint is logged, not thrown', async () => {
    const ctx = new FakeContext();
    await ctx.run([step('wireTap', { uri: '${header.scheme}:x' })], { headers: { scheme: 'nope' } });
    await drainWireTaps(ctx.services);
    expect(ctx.logLines.filter((l) => l.level === 'error')).to.have.length(1);
  });

  it('dynamicUri false resolves the uri once at build time', () => {
    const ctx = new FakeContext();
    ctx.build([step('wireTap', { uri: 'mock:${literally}', dynamicUri: false })]);
    expect(ctx.resolved).to.deep.equal(['mock:${literally}']);
  });

  it('drainWireTaps waits for running taps', async () => {
    const ctx = new FakeContext();
    let finished = false;
    ctx.mock('slow').reply = async () => {
      await settle();
      finished = true;
    };
    await ctx.run([step('wireTap', { uri: 'mock:slow' })]);
    expect(finished).to.equal(false);
    await drainWireTaps(ctx.services);
    expect(finished).to.equal(true);
  });
});
