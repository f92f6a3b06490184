import { expect } from 'chai';
import { Exchange } from '../../src/runtime/exchange.js';
import { TestBuild } from './test-context.js';

describe('log component', () => {
  it('logs one line per exchange with its ids, logger name and body', async () => {
    const build = new TestBuild();
    const exchange = new Exchange({
      body: { amount: 10 },
      correlationId: 'corr-1',
      routeId: 'payments-in',
      pattern: 'InOut',
    });
    await build.producer('log:payments').process(exchange);
    const lines = build.log.lines();
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({
      level: 'info',
      logger: 'payments',
      routeId: 'payments-in',
      exchangeId: exchange.exchangeId,
      correlationId: 'corr-1',
      message: 'Exchange[ExchangePattern: InOut, BodyType: Object, Body: {"amount":10}]',
    });
    expect(lines[0]).not.to.have.property('headers');
  });

  it('shows headers as fields, with secrets redacted, when asked', async () => {
    const build = new TestBuild();
    await build
      .producer('log:audit?showHeaders=true&level=WARN&showBody=false')
      .process(new Exchange({ body: 'x', headers: { Authorization: 'Bearer abc.def', orderId: '42' } }));
    const [line] = build.log.lines();
    expect(line).to.include({
      level: 'warn',
      message: 'Exchange[ExchangePattern: InOnly, BodyType: String]',
    });
    expect(line!.headers).to.deep.equal({ Authorization: '[redacted]', orderId: '42' });
  });

  it('clips long bodies at maxChars', async () => {
    const build = new TestBuild();
    await build
      .producer('log:big?maxChars=5&showBodyType=false&showExchangePattern=false')
      .process(new Exchange({ body: 'abcdefghij' }));
    expect(build.log.lines()[0]!.message).to.equal(
      'Exchange[Body: abcde... [Body clipped after 5 chars, total length is 10]]',
    );
  });

  it('logs nothing at level OFF or below the logger level', async () => {
    const build = new TestBuild({}, 'r');
    await build.producer('log:quiet?level=OFF').process(new Exchange({ body: 1 }));
    await build.producer('log:quiet?level=TRACE').process(new Exchange({ body: 1 }));
    expect(build.log.lines()).to.deep.equal([]);
  });

  it('rejects an unknown level at load', () => {
    expect(() => new TestBuild().producer('log:x?level=LOUD')).to.throw(/level/);
  });
});
