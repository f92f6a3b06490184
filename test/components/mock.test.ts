import { expect } from 'chai';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { TestBuild } from './test-context.js';

describe('mock component', () => {
  it('records copies of the exchanges it receives', async () => {
    const build = new TestBuild();
    const producer = build.producer('mock:ledger');
    const exchange = new Exchange({ body: { n: 1 }, headers: { h: 'a' } });
    await producer.process(exchange);
    (exchange.body as { n: number }).n = 2;
    exchange.setHeader('h', 'changed');

    const mock = mockEndpoint(build.services, 'ledger');
    expect(mock.received).to.have.length(1);
    expect(mock.received[0]!.exchangeId).to.equal(exchange.exchangeId);
    expect(mock.bodies).to.deep.equal([{ n: 1 }]);
    expect(mock.received[0]!.getHeader('h')).to.equal('a');
    mock.reset();
    expect(mock.received).to.have.length(0);
  });

  it('keeps endpoints per router', async () => {
    const one = new TestBuild();
    const two = new TestBuild();
    await one.producer('mock:x').process(new Exchange());
    expect(mockEndpoint(one.services, 'x').received).to.have.length(1);
    expect(mockEndpoint(two.services, 'x').received).to.have.length(0);
  });

  it('waitFor resolves when enough exchanges arrived and rejects when they do not', async () => {
    const build = new TestBuild();
    const mock = mockEndpoint(build.services, 'w');
    const producer = build.producer('mock:w');
    const waiting = mock.waitFor(2, 5000);
    await producer.process(new Exchange({ body: 1 }));
    await producer.process(new Exchange({ body: 2 }));
    expect((await waiting).map((e) => e.body)).to.deep.equal([1, 2]);
    const error = await mock.waitFor(3, 10).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.equal('mock:w received 2 of 3 expected exchanges within 10 ms');
  });

  it('fails on purpose with failWith, only the first failCount times when given', async () => {
    const build = new TestBuild();
    const producer = build.producer('mock:flaky?failWith=partner%20down&failCount=2');
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await producer.process(new Exchange()).then(
          () => 'ok',
          (e: Error) => e.message,
        ),
      );
    }
    expect(outcomes).to.deep.equal(['partner down', 'partner down', 'ok']);
    expect(mockEndpoint(build.services, 'flaky').received).to.have.length(3);
  });
});
