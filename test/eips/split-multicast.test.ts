import { expect } from 'chai';
import { DefinitionError } from '../../src/errors/index.js';
import { ConnectError } from '../../src/errors/index.js';
import { FakeContext, js, step } from './fake-context.js';

describe('EIPs: split', () => {
  it('runs the steps once per array element with index, size and complete properties', async () => {
    const ctx = new FakeContext().fn('lines', (e) => (e.body as { lines: unknown[] }).lines);
    const exchange = await ctx.run(
      [
        step('split', { expression: js('lines'), steps: [step('to', { uri: 'mock:line' })] }),
        step('to', { uri: 'mock:after' }),
      ],
      {
        body: { lines: [{ n: 1 }, { n: 2 }, { n: 3 }] },
        headers: { batch: 'b1' },
        properties: { flowName: 'f' },
        correlationId: 'c-1',
      },
    );
    const received = ctx.mock('line').received;
    expect(received.map((r) => r.body)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(received.map((r) => r.properties.CamelSplitIndex)).to.deep.equal([0, 1, 2]);
    expect(received.map((r) => r.properties.CamelSplitSize)).to.deep.equal([3, 3, 3]);
    expect(received.map((r) => r.properties.CamelSplitComplete)).to.deep.equal([false, false, true]);
    // Each part is a copy: headers and properties come along, ids are new, the correlation id is kept.
    for (const part of received) {
      expect(part.headers).to.deep.equal({ batch: 'b1' });
      expect(part.properties.flowName).to.equal('f');
      expect(part.correlationId).to.equal('c-1');
      expect(part.exchangeId).not.to.equal(exchange.exchangeId);
    }
    expect(new Set(received.map((r) => r.exchangeId)).size).to.equal(3);
    // Without an aggregation strategy the message after the split is the original input.
    expect(ctx.mock('after').bodies).to.deep.equal([{ lines: [{ n: 1 }, { n: 2 }, { n: 3 }] }]);
    expect(exchange.properties).not.to.have.property('CamelSplitIndex');
  });

  it('changes made by a part never reach the original message', async () => {
    const ctx = new FakeContext().fn('items', (e) => (e.body as { items: unknown[] }).items);
    ctx.mock('mutate').reply = (part) => {
      (part.body as { touched?: boolean }).touched = true;
      part.setHeader('partHeader', 1);
    };
    const exchange = await ctx.run(
      [step('split', { expression: js('items'), steps: [step('to', { uri: 'mock:mutate' })] })],
      {
        body: { items: [{ a: 1 }] },
      },
    );
    expect(exchange.body).to.deep.equal({ items: [{ a: 1 }] });
    expect(exchange.getHeader('partHeader')).to.equal(undefined);
  });

  it('splits text on the delimiter (default comma), dropping empty pieces', async () => {
    const ctx = new FakeContext().fn('body', (e) => e.body);
    await ctx.run([step('split', { expression: js('body'), steps: [step('to', { uri: 'mock:comma' })] })], {
      body: 'a,b,,c',
    });
    expect(ctx.mock('comma').bodies).to.deep.equal(['a', 'b', 'c']);
    await ctx.run(
      [step('split', { expression: js('body'), delimiter: ';', steps: [step('to', { uri: 'mock:semi' })] })],
      { body: 'a;b,c' },
    );
    expect(ctx.mock('semi').bodies).to.deep.equal(['a', 'b,c']);
    await ctx.run(
      [
        step('split', {
          expression: js('body'),
          delimiter: 'false',
          steps: [step('to', { uri: 'mock:whole' })],
        }),
      ],
      { body: 'a,b' },
    );
    expect(ctx.mock('whole').bodies).to.deep.equal(['a,b']);
  });

  it('splits iterables and sets the size on the last part only, as Camel does for streams', async () => {
    const ctx = new FakeContext().fn('gen', function* () {
      yield 'x';
      yield 'y';
    });
    await ctx.run([step('split', { expression: js('gen'), steps: [step('to', { uri: 'mock:gen' })] })]);
    const received = ctx.mock('gen').received;
    expect(received.map((r) => r.body)).to.deep.equal(['x', 'y']);
    expect(received.map((r) => r.properties.CamelSplitSize)).to.deep.equal([undefined, 2]);
    expect(received.map((r) => r.properties.CamelSplitComplete)).to.deep.equal([false, true]);
  });

  it('null yields no parts and a scalar one part', async () => {
    const ctx = new FakeContext().fn('nothing', () => null).fn('one', () => 5);
    await ctx.run([step('split', { expression: js('nothing'), steps: [step('to', { uri: 'mock:none' })] })]);
    await ctx.run([step('split', { expression: js('one'), steps: [step('to', { uri: 'mock:one' })] })]);
    expect(ctx.mock('none').received).to.have.length(0);
    expect(ctx.mock('one').received.map((r) => [r.body, r.properties.CamelSplitSize])).to.deep.equal([
      [5, 1],
    ]);
  });

  it('by default continues after a failing part and raises the first error at the end', async () => {
    const ctx = new FakeContext().fn('parts', () => ['ok1', 'bad1', 'ok2', 'bad2']);
    ctx.mock('part').reply = (part) => {
      if (String(part.body).startsWith('bad')) throw new ConnectError(`refused ${String(part.body)}`);
    };
    let failure: unknown;
    await ctx
      .run([
        step('split', { expression: js('parts'), steps: [step('to', { uri: 'mock:part' })] }),
        step('to', { uri: 'mock:after' }),
      ])
      .catch((e: unknown) => (failure = e));
    expect(ctx.mock('part').bodies).to.deep.equal(['ok1', 'bad1', 'ok2', 'bad2']);
    expect((failure as Error).message).to.equal('refused bad1');
    expect(failure).to.be.instanceOf(ConnectError);
    expect(ctx.mock('after').received).to.have.length(0);
  });

  it('stopOnException stops at the first failing part', async () => {
    let closed = false;
    const ctx = new FakeContext().fn('parts', function* () {
      try {
        yield 'ok';
        yield 'bad';
        yield 'never';
      } finally {
        closed = true;
      }
    });
    ctx.mock('part').reply = (part) => {
      if (part.body === 'bad') throw new Error('boom');
    };
    let failure: unknown;
    await ctx
      .run([
        step('split', {
          expression: js('parts'),
          stopOnException: true,
          steps: [step('to', { uri: 'mock:part' })],
        }),
      ])
      .catch((e: unknown) => (failure = e));
    expect(ctx.mock('part').bodies).to.deep.equal(['ok', 'bad']);
    expect((failure as Error).message).to.equal('boom');
    expect(closed).to.equal(true);
  });

  it('aggregationStrategy groupedBody collects the part results as the new body', async () => {
    const ctx = new FakeContext().fn('parts', () => [1, 2, 3]).fn('double', (e) => (e.body as number) * 2);
    for (const name of [
      'groupedBody',
      '#class:org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy',
    ]) {
      const exchange = await ctx.run(
        [
          step('split', {
            expression: js('parts'),
            aggregationStrategy: name,
            steps: [step('setBody', { expression: js('double') })],
          }),
        ],
        { headers: { keep: 'me' } },
      );
      expect(exchange.body).to.deep.equal([2, 4, 6]);
      expect(exchange.getHeader('keep')).to.equal('me');
    }
  });

  it("aggregationStrategy useLatest takes the last part's message", async () => {
    const ctx = new FakeContext()
      .fn('parts', () => ['a', 'b'])
      .fn('upper', (e) => String(e.body).toUpperCase());
    const exchange = await ctx.run([
      step('split', {
        expression: js('parts'),
        aggregationStrategy: 'UseLatestAggregationStrategy',
        steps: [
          step('setBody', { expression: js('upper') }),
          step('setHeader', { name: 'last', expression: js('upper') }),
        ],
      }),
    ]);
    expect(exchange.body).to.equal('B');
    expect(exchange.getHeader('last')).to.equal('B');
    expect(exchange.properties).not.to.have.property('CamelSplitIndex');
  });

  it('rejects an unknown aggregation strategy at build time', () => {
    const ctx = new FakeContext().fn('parts', () => []);
    try {
      ctx.build([
        step('split', { expression: js('parts'), aggregationStrategy: 'groupedBodies', steps: [] }),
      ]);
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(DefinitionError);
      expect((error as DefinitionError).diagnostic.suggestions).to.include('groupedBody');
    }
  });

  it('parallelProcessing loads with a warning and runs the parts in order', async () => {
    const ctx = new FakeContext().fn('parts', () => [1, 2, 3]);
    await ctx.run([
      step('split', {
        expression: js('parts'),
        parallelProcessing: true,
        steps: [step('to', { uri: 'mock:p' })],
      }),
    ]);
    expect(ctx.diagnostics.map((d) => [d.severity, d.message])).to.deep.equal([
      ['warning', 'split.parallelProcessing is accepted but the parts run one at a time, in order'],
    ]);
    expect(ctx.mock('p').bodies).to.deep.equal([1, 2, 3]);
  });

  it('stop inside a part ends that part only', async () => {
    const ctx = new FakeContext().fn('parts', () => [1, 2]);
    const exchange = await ctx.run([
      step('split', {
        expression: js('parts'),
        steps: [step('to', { uri: 'mock:before' }), step('stop'), step('to', { uri: 'mock:never' })],
      }),
      step('to', { uri: 'mock:after' }),
    ]);
    expect(ctx.mock('before').received).to.have.length(2);
    expect(ctx.mock('never').received).to.have.length(0);
    expect(ctx.mock('after').received).to.have.length(1);
    expect(exchange.stopped).to.equal(false);
  });
});

describe('EIPs: multicast', () => {
  it("sends a copy of the original to every branch; the result is the last branch's reply", async () => {
    const ctx = new FakeContext();
    ctx.mock('ledger').reply = (e) => {
      e.body = 'ledger-reply';
    };
    ctx.mock('audit').reply = (e) => {
      e.body = 'audit-reply';
      e.setHeader('audited', true);
    };
    const exchange = await ctx.run(
      [
        step('multicast', { steps: [step('to', { uri: 'mock:ledger' }), step('to', { uri: 'mock:audit' })] }),
        step('to', { uri: 'mock:after' }),
      ],
      { body: 'original' },
    );
    // The second branch sees the original message, not the first branch's reply.
    expect(ctx.mock('ledger').bodies).to.deep.equal(['original']);
    expect(ctx.mock('audit').bodies).to.deep.equal(['original']);
    expect(ctx.mock('ledger').received[0]!.properties).to.include({
      CamelMulticastIndex: 0,
      CamelMulticastComplete: false,
    });
    expect(ctx.mock('audit').received[0]!.properties).to.include({
      CamelMulticastIndex: 1,
      CamelMulticastComplete: true,
    });
    expect(exchange.body).to.equal('audit-reply');
    expect(exchange.getHeader('audited')).to.equal(true);
    expect(ctx.mock('after').bodies).to.deep.equal(['audit-reply']);
    expect(exchange.properties).not.to.have.property('CamelMulticastIndex');
  });

  it('useOriginal keeps the original message; groupedBody collects every reply', async () => {
    const ctx = new FakeContext().fn('a', () => 'A').fn('b', () => 'B');
    const branches = [step('setBody', { expression: js('a') }), step('setBody', { expression: js('b') })];
    const kept = await ctx.run([step('multicast', { aggregationStrategy: 'useOriginal', steps: branches })], {
      body: 'o',
    });
    expect(kept.body).to.equal('o');
    const grouped = await ctx.run(
      [step('multicast', { aggregationStrategy: 'groupedBody', steps: branches })],
      { body: 'o' },
    );
    expect(grouped.body).to.deep.equal(['A', 'B']);
  });

  it('continues after a failing branch and raises the first error; stopOnException stops', async () => {
    const ctx = new FakeContext();
    ctx.failures.set('x', () => new ConnectError('down'));
    const branches = [step('to', { uri: 'fail:x' }), step('to', { uri: 'mock:later' })];
    let failure: unknown;
    await ctx.run([step('multicast', { steps: branches })]).catch((e: unknown) => (failure = e));
    expect((failure as Error).message).to.equal('down');
    expect(ctx.mock('later').received).to.have.length(1);

    failure = undefined;
    await ctx
      .run([step('multicast', { stopOnException: true, steps: branches })])
      .catch((e: unknown) => (failure = e));
    expect((failure as Error).message).to.equal('down');
    expect(ctx.mock('later').received).to.have.length(1);
  });

  it('needs at least one branch', () => {
    expect(() => new FakeContext().build([step('multicast', { steps: [] })])).to.throw(
      DefinitionError,
      /at least one branch/,
    );
  });
});
