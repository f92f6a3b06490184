import { expect } from 'chai';
import { DefinitionError } from '../../src/errors/index.js';
import { InvalidPayloadError, ThrownError, exceptionDistance } from '../../src/errors/index.js';
import { FakeContext, js, step } from './fake-context.js';

describe('EIPs: setBody / transform', () => {
  it('setBody replaces the body with the expression value', async () => {
    const ctx = new FakeContext().fn('wrap', (e) => ({ wrapped: e.body }));
    const exchange = await ctx.run([step('setBody', { expression: js('wrap') })], { body: 7 });
    expect(exchange.body).to.deep.equal({ wrapped: 7 });
  });

  it('awaits asynchronous expressions', async () => {
    const ctx = new FakeContext().fn('later', async () => 'done');
    const exchange = await ctx.run([step('transform', { expression: js('later') })]);
    expect(exchange.body).to.equal('done');
  });

  it('setBody without an expression is a definition error', () => {
    expect(() => new FakeContext().build([step('setBody', {})])).to.throw(
      DefinitionError,
      /needs an expression/,
    );
  });

  it('transform with toType is rejected with a hint', () => {
    expect(() =>
      new FakeContext().fn('x', () => 1).build([step('transform', { expression: js('x'), toType: 'json' })]),
    ).to.throw(DefinitionError, /not supported/);
  });
});

describe('EIPs: setHeader / setProperty / setVariable', () => {
  it('set a header, a property and a variable', async () => {
    const ctx = new FakeContext().fn('id', (e) => (e.body as { id: string }).id);
    const exchange = await ctx.run(
      [
        step('setHeader', { name: 'paymentId', expression: js('id') }),
        step('setProperty', { name: 'flowName', expression: js('id') }),
        step('setVariable', { name: 'v', expression: js('id') }),
      ],
      { body: { id: 'p-1' } },
    );
    expect(exchange.getHeader('paymentId')).to.equal('p-1');
    expect(exchange.properties.flowName).to.equal('p-1');
    expect(exchange.variables.v).to.equal('p-1');
  });

  it('setHeader replaces a header whatever the case of its existing name', async () => {
    const ctx = new FakeContext().fn('json', () => 'application/json');
    const exchange = await ctx.run([step('setHeader', { name: 'Content-Type', expression: js('json') })], {
      headers: { 'content-type': 'text/plain' },
    });
    expect(exchange.message.headers).to.deep.equal({ 'Content-Type': 'application/json' });
  });

  it('a name with a simple template is evaluated per message', async () => {
    const ctx = new FakeContext().fn('one', () => 1);
    const exchange = await ctx.run(
      [step('setHeader', { name: '${header.kind}Count', expression: js('one') })],
      {
        headers: { kind: 'refund' },
      },
    );
    expect(exchange.getHeader('refundCount')).to.equal(1);
  });

  it('requires a name', () => {
    expect(() =>
      new FakeContext().fn('one', () => 1).build([step('setProperty', { expression: js('one') })]),
    ).to.throw(DefinitionError, /needs 'name'/);
  });

  it('setVariable rejects global: variables', () => {
    expect(() =>
      new FakeContext()
        .fn('one', () => 1)
        .build([step('setVariable', { name: 'global:x', expression: js('one') })]),
    ).to.throw(DefinitionError, /global and route variables/);
  });
});

describe('EIPs: removeHeader(s) / removeProperty(ies)', () => {
  const headers = {
    CamelHttpUri: '/x',
    camelhttpmethod: 'POST',
    CamelHttpResponseCode: 200,
    'X-Trace': 't',
    'x-internal-secret': 's',
    Authorization: 'Bearer t',
    keep: 1,
  };

  it('removeHeader removes every case variant of one name', async () => {
    const exchange = await new FakeContext().run([step('removeHeader', { name: 'authorization' })], {
      headers,
    });
    expect(exchange.message.headers).not.to.have.property('Authorization');
    expect(exchange.message.headers).to.have.property('keep');
  });

  it('removeHeaders matches wildcards case-insensitively and honours excludePattern', async () => {
    const exchange = await new FakeContext().run(
      [step('removeHeaders', { pattern: 'CamelHttp*', excludePattern: 'CamelHttpResponseCode' })],
      { headers },
    );
    expect(Object.keys(exchange.message.headers).sort()).to.deep.equal(
      ['Authorization', 'CamelHttpResponseCode', 'X-Trace', 'keep', 'x-internal-secret'].sort(),
    );
  });

  it('removeHeaders accepts a regular expression matching the whole name', async () => {
    const exchange = await new FakeContext().run(
      [step('removeHeaders', { pattern: 'x-(trace|internal-.+)' })],
      { headers },
    );
    expect(exchange.message.headers).not.to.have.property('X-Trace');
    expect(exchange.message.headers).not.to.have.property('x-internal-secret');
    expect(exchange.message.headers).to.have.property('keep');
  });

  it('removeHeaders with a wildcard in the middle', async () => {
    const exchange = await new FakeContext().run([step('removeHeaders', { pattern: 'Camel*Code' })], {
      headers,
    });
    expect(Object.keys(exchange.message.headers)).to.include.members(['CamelHttpUri', 'camelhttpmethod']);
    expect(exchange.message.headers).not.to.have.property('CamelHttpResponseCode');
  });

  it('removeHeaders with pattern * removes everything', async () => {
    const exchange = await new FakeContext().run([step('removeHeaders', { pattern: '*' })], { headers });
    expect(exchange.message.headers).to.deep.equal({});
  });

  it('removeProperty and removeProperties (case-sensitive)', async () => {
    const exchange = await new FakeContext().run(
      [
        step('removeProperty', { name: 'flowName' }),
        step('removeProperties', { pattern: 'tmp*', excludePattern: 'tmpKeep' }),
      ],
      { properties: { flowName: 'f', tmpA: 1, tmpKeep: 2, TMPB: 3, other: 4 } },
    );
    expect(exchange.properties).to.deep.equal({ tmpKeep: 2, TMPB: 3, other: 4 });
  });
});

describe('EIPs: convertBodyTo', () => {
  async function convert(type: string, body: unknown, extra: Record<string, unknown> = {}): Promise<unknown> {
    const exchange = await new FakeContext().run([step('convertBodyTo', { type, ...extra })], { body });
    return exchange.body;
  }

  it('String: objects become JSON text, bytes become text', async () => {
    expect(await convert('java.lang.String', { a: 1 })).to.equal('{"a":1}');
    expect(await convert('String', Buffer.from('héllo'))).to.equal('héllo');
    expect(await convert('String', 42)).to.equal('42');
  });

  it('byte[]: text and objects become a Buffer', async () => {
    const bytes = await convert('byte[]', 'abc');
    expect(Buffer.isBuffer(bytes)).to.equal(true);
    expect((bytes as Buffer).toString()).to.equal('abc');
    expect(((await convert('byte[]', { a: 1 })) as Buffer).toString()).to.equal('{"a":1}');
    expect(((await convert('byte[]', 'é', { charset: 'ISO-8859-1' })) as Buffer).length).to.equal(1);
  });

  it('Map / JsonNode / List parse JSON text and keep parsed data', async () => {
    expect(await convert('java.util.Map', '{"a":[1,2]}')).to.deep.equal({ a: [1, 2] });
    expect(await convert('com.fasterxml.jackson.databind.JsonNode', Buffer.from('[1]'))).to.deep.equal([1]);
    expect(await convert('java.util.List', '[1,2]')).to.deep.equal([1, 2]);
    expect(await convert('java.util.Map', { kept: true })).to.deep.equal({ kept: true });
  });

  it('numbers and booleans', async () => {
    expect(await convert('java.lang.Integer', ' 42 ')).to.equal(42);
    expect(await convert('Double', '1.5')).to.equal(1.5);
    expect(await convert('Boolean', 'TRUE')).to.equal(true);
  });

  it('a null body is left alone', async () => {
    expect(await convert('java.util.Map', null)).to.equal(null);
  });

  it('invalid JSON fails with InvalidPayloadError (HTTP 400), unless mandatory is false', async () => {
    let failure: unknown;
    await convert('java.util.Map', '{oops').catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(InvalidPayloadError);
    expect((failure as InvalidPayloadError).httpStatus).to.equal(400);
    expect(exceptionDistance(failure, ['org.apache.camel.CamelExchangeException'])).to.equal(1);
    expect(await convert('java.util.Map', '{oops', { mandatory: false })).to.equal('{oops');
    await convert('java.util.Map', '[1]').then(
      () => expect.fail('an array is not a Map'),
      (e: Error) => expect(e.message).to.contain('not a JSON object'),
    );
  });

  it('an unknown type is a definition error with suggestions', () => {
    try {
      new FakeContext().build([step('convertBodyTo', { type: 'java.lang.Strin' })]);
      expect.fail('should throw');
    } catch (error) {
      expect((error as DefinitionError).diagnostic.suggestions).to.include('java.lang.String');
    }
    expect(() => new FakeContext().build([step('convertBodyTo', { type: 'constructor' })])).to.throw(
      DefinitionError,
    );
  });
});

describe('EIPs: log', () => {
  it('logs the template at the level with route, exchange and correlation ids', async () => {
    const ctx = new FakeContext();
    const exchange = await ctx.run(
      [
        step(
          'log',
          { message: 'payment ${header.id} accepted', loggingLevel: 'WARN', marker: 'audit' },
          { id: 'log-1' },
        ),
      ],
      { headers: { id: 'p-9' }, correlationId: 'corr-1' },
    );
    const line = ctx.logLines.find((l) => l.message === 'payment p-9 accepted');
    expect(line).to.include({
      level: 'warn',
      logName: 'test-route',
      marker: 'audit',
      stepId: 'log-1',
      routeId: 'test-route',
      exchangeId: exchange.exchangeId,
      correlationId: 'corr-1',
    });
  });

  it('defaults to INFO, honours logName, and OFF logs nothing', async () => {
    const ctx = new FakeContext();
    await ctx.run([
      step('log', { message: 'one', logName: 'payments' }),
      step('log', { message: 'two', loggingLevel: 'OFF' }),
    ]);
    expect(ctx.logLines.map((l) => [l.message, l.level, l.logName])).to.deep.equal([
      ['one', 'info', 'payments'],
    ]);
  });

  it('TRACE writes at the most verbose level', async () => {
    const ctx = new FakeContext();
    await ctx.run([step('log', { message: 'fine', loggingLevel: 'TRACE' })]);
    expect(ctx.logLines[0]).to.include({ level: 'silly', message: 'fine' });
  });

  it('rejects an unknown level', () => {
    expect(() => new FakeContext().build([step('log', { message: 'x', loggingLevel: 'LOUD' })])).to.throw(
      DefinitionError,
      /not a logging level/,
    );
  });
});

describe('EIPs: throwException', () => {
  it('throws a ThrownError with the type and the evaluated message', async () => {
    let failure: unknown;
    await new FakeContext()
      .run(
        [
          step('throwException', {
            exceptionType: 'java.lang.IllegalArgumentException',
            message: 'bad amount ${header.amount}',
          }),
        ],
        {
          headers: { amount: -1 },
        },
      )
      .catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(ThrownError);
    expect((failure as ThrownError).message).to.equal('bad amount -1');
    expect((failure as ThrownError).camelName).to.equal('java.lang.IllegalArgumentException');
    expect((failure as ThrownError).httpStatus).to.equal(400);
  });

  it('warns about a misspelt JDK exception name but accepts custom ones', () => {
    const ctx = new FakeContext();
    ctx.build([
      step('throwException', { exceptionType: 'java.lang.IllegalArgumentExeption', message: 'x' }),
      step('throwException', { exceptionType: 'com.acme.PaymentRejectedException', message: 'x' }),
    ]);
    expect(ctx.diagnostics).to.have.length(1);
    expect(ctx.diagnostics[0]!.suggestions).to.include('java.lang.IllegalArgumentException');
  });

  it('requires exceptionType', () => {
    expect(() => new FakeContext().build([step('throwException', { message: 'x' })])).to.throw(
      DefinitionError,
      /exceptionType/,
    );
  });
});
