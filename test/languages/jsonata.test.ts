import { expect } from 'chai';
import { compileJsonata } from '../../src/languages/index.js';
import { ExpressionError } from '../../src/errors/index.js';
import { compileError, context, definition, evaluate, exchange, language, test } from './helpers.js';

describe('jsonata language', () => {
  const payment = () =>
    exchange({
      body: { amount: 120, currency: 'EUR', lines: [{ v: 1 }, { v: 2 }] },
      headers: { 'X-Tenant': 'acme' },
      properties: { flowName: 'kyc' },
    });

  it('evaluates over the body', async () => {
    expect(await evaluate('jsonata', '{"total": $sum(lines.v), "ccy": currency}', payment())).to.deep.equal({
      total: 3,
      ccy: 'EUR',
    });
  });

  it('parses a JSON text body first', async () => {
    expect(await evaluate('jsonata', 'a.b', exchange({ body: '{"a":{"b":5}}' }))).to.equal(5);
  });

  it('binds $headers, $properties, $variables, $exchangeId and $correlationId', async () => {
    const ex = payment();
    ex.variables['step'] = 'two';
    ex.correlationId = 'corr-1';
    const result = await evaluate(
      'jsonata',
      '[$headers.`X-Tenant`, $properties.flowName, $variables.step, $exchangeId, $correlationId]',
      ex,
    );
    expect(result).to.deep.equal(['acme', 'kyc', 'two', ex.exchangeId, 'corr-1']);
  });

  it('a result that is nothing is null', async () => {
    expect(await evaluate('jsonata', 'missing.path', payment())).to.equal(null);
  });

  it('resultType converts', async () => {
    expect(await evaluate('jsonata', 'amount', payment(), { resultType: 'String' })).to.equal('120');
  });

  it('as a predicate', async () => {
    expect(await test('jsonata', 'amount > 100 and currency = "EUR"', payment())).to.equal(true);
    expect(await test('jsonata', 'amount > 1000', payment())).to.equal(false);
    expect(await test('jsonata', 'missing', payment())).to.equal(false);
  });

  it('a compile error gives jsonata message, code, line, column and position', () => {
    const message = compileError(() =>
      language('jsonata').compile(definition('jsonata', '{\n  "a": amount +\n}'), context),
    );
    expect(message).to.match(/^jsonata expression: /);
    expect(message).to.contain('[S0211]');
    expect(message).to.contain('line 3, column 1');
    expect(message).to.match(/position \d+/);
  });

  it('an evaluation error is an ExpressionError with jsonata code', async () => {
    let failure: unknown;
    try {
      await evaluate('jsonata', '$notAFunction(1)', payment());
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(ExpressionError);
    expect((failure as Error).message).to.contain('T1006');
  });

  it('reads resource: text through the compile context', async () => {
    const ex = payment();
    const compiled = language('jsonata').compile(definition('jsonata', 'resource:classpath:m.jsonata'), {
      readResource: (uri) => {
        expect(uri).to.equal('classpath:m.jsonata');
        return 'currency';
      },
    });
    expect(await compiled(ex)).to.equal('EUR');
  });

  describe('compileJsonata (for the jsonata component)', () => {
    it('evaluates against the given input with the exchange bound', async () => {
      const run = compileJsonata('{"id": id, "tenant": $headers.`X-Tenant`}', 'order-to-ledger.jsonata');
      const ex = payment();
      expect(await run(ex, { id: 9 })).to.deep.equal({ id: 9, tenant: 'acme' });
      expect(await run(ex, { id: 10 })).to.deep.equal({ id: 10, tenant: 'acme' });
    });

    it('names the file in errors', async () => {
      expect(compileError(() => compileJsonata('a.b[', 'mappings/broken.jsonata'))).to.match(
        /^mappings\/broken\.jsonata: Expected "]" before end of expression \[S0203\] at line 1, column 4/,
      );
      const run = compileJsonata('$error("boom")', 'mappings/fail.jsonata');
      let failure: unknown;
      try {
        await run(payment(), {});
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(ExpressionError);
      expect((failure as Error).message).to.contain('mappings/fail.jsonata failed: boom');
    });

    it('keeps bindings apart between concurrent evaluations', async () => {
      const run = compileJsonata('$headers.n');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => run(exchange({ headers: { n: i } }), {})),
      );
      expect(results).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    });
  });
});
