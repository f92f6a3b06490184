import { expect } from 'chai';
import { DefinitionError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { FakeContext, js, step } from './fake-context.js';

describe('EIPs: to / toD', () => {
  it('to sends the exchange and continues with the reply', async () => {
    const ctx = new FakeContext();
    ctx.mock('partner').reply = (exchange) => {
      exchange.body = { status: 'booked' };
    };
    const exchange = await ctx.run([step('to', { uri: 'mock:partner' }), step('to', { uri: 'mock:after' })], {
      body: { id: 1 },
    });
    expect(ctx.mock('partner').bodies).to.deep.equal([{ id: 1 }]);
    expect(ctx.mock('after').bodies).to.deep.equal([{ status: 'booked' }]);
    expect(exchange.body).to.deep.equal({ status: 'booked' });
  });

  it('to resolves its endpoint at build time with its parameters', () => {
    const ctx = new FakeContext();
    ctx.build([step('to', { uri: 'mock:a', parameters: { routingKey: 'new' } })]);
    expect(ctx.resolved).to.deep.equal(['mock:a']);
  });

  it('to with pattern uses it for that call only and restores the exchange pattern', async () => {
    const ctx = new FakeContext();
    const exchange = await ctx.run(
      [step('to', { uri: 'mock:publish', pattern: 'InOnly' }), step('to', { uri: 'mock:next' })],
      { pattern: 'InOut' },
    );
    expect(ctx.mock('publish').received[0]!.pattern).to.equal('InOnly');
    expect(ctx.mock('next').received[0]!.pattern).to.equal('InOut');
    expect(exchange.pattern).to.equal('InOut');
  });

  it('to restores the pattern even when the call fails', async () => {
    const ctx = new FakeContext();
    const processor = ctx.build([step('to', { uri: 'fail:x', pattern: 'InOnly' })]);
    const exchange = new Exchange({ pattern: 'InOut' });
    await processor(exchange).then(
      () => expect.fail('should fail'),
      (error: Error) => expect(error.message).to.equal('fail:x'),
    );
    expect(exchange.pattern).to.equal('InOut');
  });

  it('to rejects an unknown pattern at build time', () => {
    const ctx = new FakeContext();
    expect(() => ctx.build([step('to', { uri: 'mock:a', pattern: 'OutOnly' })])).to.throw(
      DefinitionError,
      /InOnly or InOut/,
    );
  });

  it('to without uri is a definition error with a snippet', () => {
    const ctx = new FakeContext();
    try {
      ctx.build([step('to', {})]);
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(DefinitionError);
      expect((error as DefinitionError).diagnostic.snippet).to.contain('uri:');
    }
  });

  it('toD evaluates the uri per message and caches producers per uri', async () => {
    const ctx = new FakeContext();
    const processor = ctx.build([step('toD', { uri: 'mock:${header.target}' })]);
    for (const target of ['a', 'b', 'a'])
      await processor(new Exchange({ headers: { target }, body: target }));
    expect(ctx.mock('a').bodies).to.deep.equal(['a', 'a']);
    expect(ctx.mock('b').bodies).to.deep.equal(['b']);
    expect(ctx.resolved).to.deep.equal(['mock:a', 'mock:b']);
  });

  it('toD appends static parameters to the computed uri', async () => {
    const ctx = new FakeContext();
    await ctx.run([step('toD', { uri: 'mock:${header.target}', parameters: { routingKey: 'a b' } })], {
      headers: { target: 'x' },
    });
    expect(ctx.resolved).to.deep.equal(['mock:x?routingKey=a%20b']);
  });

  it('toD with a constant uri resolves it at build time', () => {
    const ctx = new FakeContext();
    ctx.build([step('toD', { uri: 'mock:static' })]);
    expect(ctx.resolved).to.deep.equal(['mock:static']);
  });

  it('toD fails on an invalid computed endpoint unless ignoreInvalidEndpoint', async () => {
    const ctx = new FakeContext();
    let failure: unknown;
    await ctx
      .run([step('toD', { uri: '${header.target}:x' })], { headers: { target: 'nope' } })
      .catch((e: unknown) => (failure = e));
    expect((failure as Error).message).to.contain("unknown component 'nope'");

    const lenient = new FakeContext();
    const exchange = await lenient.run(
      [
        step('toD', { uri: '${header.target}:x?password=secret', ignoreInvalidEndpoint: true }),
        step('to', { uri: 'mock:after' }),
      ],
      { headers: { target: 'nope' } },
    );
    expect(lenient.mock('after').received).to.have.length(1);
    const warning = lenient.logLines.find((line) => line.message === 'toD skipped an invalid endpoint');
    expect(warning).to.include({ uri: 'nope:x', exchangeId: exchange.exchangeId });
    expect(JSON.stringify(lenient.logLines)).not.to.contain('secret');
  });

  it('toD with pattern restores the exchange pattern', async () => {
    const ctx = new FakeContext();
    const exchange = await ctx.run([step('toD', { uri: 'mock:${header.t}', pattern: 'InOnly' })], {
      headers: { t: 'q' },
      pattern: 'InOut',
    });
    expect(ctx.mock('q').received[0]!.pattern).to.equal('InOnly');
    expect(exchange.pattern).to.equal('InOut');
  });
});

describe('EIPs: choice', () => {
  function choiceContext(): FakeContext {
    return new FakeContext()
      .fn('big', (e) => (e.body as { amount: number }).amount > 1000)
      .fn('medium', (e) => (e.body as { amount: number }).amount > 100);
  }

  const choice = step('choice', {
    when: [
      {
        expression: js('big'),
        steps: [
          step('setHeader', { name: 'lane', expression: js('laneBig') }),
          step('to', { uri: 'mock:big' }),
        ],
      },
      { expression: js('medium'), steps: [step('to', { uri: 'mock:medium' })] },
    ],
    otherwise: { steps: [step('to', { uri: 'mock:small' })] },
  });

  it('runs the first matching when, else otherwise, and continues after the choice', async () => {
    const ctx = choiceContext().fn('laneBig', () => 'review');
    const processor = ctx.build([choice, step('to', { uri: 'mock:after' })]);
    const big = new Exchange({ body: { amount: 5000 } });
    await processor(big);
    await processor(new Exchange({ body: { amount: 500 } }));
    await processor(new Exchange({ body: { amount: 5 } }));
    // 5000 also matches the second predicate: only the first true branch runs.
    expect(ctx.mock('big').bodies).to.deep.equal([{ amount: 5000 }]);
    expect(ctx.mock('medium').bodies).to.deep.equal([{ amount: 500 }]);
    expect(ctx.mock('small').bodies).to.deep.equal([{ amount: 5 }]);
    expect(ctx.mock('after').received).to.have.length(3);
    // Headers set inside a branch are visible after the choice.
    expect(big.getHeader('lane')).to.equal('review');
    expect(ctx.mock('after').received[0]!.headers).to.deep.equal({ lane: 'review' });
  });

  it('does nothing when no branch matches and there is no otherwise', async () => {
    const ctx = new FakeContext().fn('no', () => false);
    await ctx.run([
      step('choice', { when: [{ expression: js('no'), steps: [step('to', { uri: 'mock:x' })] }] }),
      step('to', { uri: 'mock:after' }),
    ]);
    expect(ctx.mock('x').received).to.have.length(0);
    expect(ctx.mock('after').received).to.have.length(1);
  });

  it('stop inside a branch ends the whole route', async () => {
    const ctx = new FakeContext().fn('yes', () => true);
    const exchange = await ctx.run([
      step('choice', {
        when: [
          {
            expression: js('yes'),
            steps: [step('to', { uri: 'mock:branch' }), step('stop'), step('to', { uri: 'mock:never' })],
          },
        ],
      }),
      step('to', { uri: 'mock:after' }),
    ]);
    expect(ctx.mock('branch').received).to.have.length(1);
    expect(ctx.mock('never').received).to.have.length(0);
    expect(ctx.mock('after').received).to.have.length(0);
    expect(exchange.stopped).to.equal(true);
  });

  it('rejects a when without a predicate', () => {
    const ctx = new FakeContext();
    expect(() => ctx.build([step('choice', { when: [{ steps: [] }] })])).to.throw(
      DefinitionError,
      /when\[0\] has no predicate/,
    );
  });

  it('warns about an empty choice', () => {
    const ctx = new FakeContext();
    ctx.build([step('choice', {})]);
    expect(ctx.diagnostics.map((d) => d.severity)).to.deep.equal(['warning']);
  });

  it('precondition picks the branch once', async () => {
    let evaluations = 0;
    const ctx = new FakeContext().fn('flag', () => {
      evaluations++;
      return true;
    });
    const processor = ctx.build([
      step('choice', {
        precondition: true,
        when: [{ expression: js('flag'), steps: [step('to', { uri: 'mock:on' })] }],
      }),
    ]);
    await processor(new Exchange());
    await processor(new Exchange());
    expect(ctx.mock('on').received).to.have.length(2);
    expect(evaluations).to.equal(1);
  });
});

describe('EIPs: filter', () => {
  it('runs nested steps only for matches; every exchange continues after the filter', async () => {
    const ctx = new FakeContext().fn('isPayment', (e) => e.getHeader('type') === 'payment');
    const processor = ctx.build([
      step('filter', {
        expression: js('isPayment'),
        statusPropertyName: 'wasPayment',
        steps: [step('to', { uri: 'mock:payments' })],
      }),
      step('to', { uri: 'mock:after' }),
    ]);
    const payment = new Exchange({ headers: { type: 'payment' }, body: 'p' });
    const refund = new Exchange({ headers: { type: 'refund' }, body: 'r' });
    await processor(payment);
    await processor(refund);
    expect(ctx.mock('payments').bodies).to.deep.equal(['p']);
    expect(ctx.mock('after').bodies).to.deep.equal(['p', 'r']);
    expect(payment.properties.wasPayment).to.equal(true);
    expect(refund.properties.wasPayment).to.equal(false);
    expect(refund.properties.CamelFilterMatched).to.equal(false);
  });

  it('needs a predicate', () => {
    expect(() => new FakeContext().build([step('filter', { steps: [] })])).to.throw(
      DefinitionError,
      /needs an expression/,
    );
  });
});

describe('EIPs: stop', () => {
  it('ends the route successfully', async () => {
    const ctx = new FakeContext();
    const exchange = await ctx.run([
      step('to', { uri: 'mock:a' }),
      step('stop'),
      step('to', { uri: 'mock:b' }),
    ]);
    expect(ctx.mock('a').received).to.have.length(1);
    expect(ctx.mock('b').received).to.have.length(0);
    expect(exchange.stopped).to.equal(true);
  });

  it('inside a filter ends the whole route', async () => {
    const ctx = new FakeContext().fn('yes', () => true);
    await ctx.run([
      step('filter', { expression: js('yes'), steps: [step('stop')] }),
      step('to', { uri: 'mock:after' }),
    ]);
    expect(ctx.mock('after').received).to.have.length(0);
  });

  it('disabled steps are skipped', async () => {
    const ctx = new FakeContext();
    await ctx.run([step('stop', {}, { disabled: true }), step('to', { uri: 'mock:after' })]);
    expect(ctx.mock('after').received).to.have.length(1);
  });
});
