import { expect } from 'chai';
import { ExpressionError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { DefinitionError } from '../../src/errors/index.js';
import { TestBuild } from './test-context.js';

const payment = {
  paymentId: 'P-1',
  amount: { value: 30, currency: 'EUR' },
  items: [
    { qty: 2, price: 10 },
    { qty: 1, price: 10 },
  ],
};

describe('jsonata component', () => {
  it('replaces the body with the template output', async () => {
    const exchange = new Exchange({ body: payment });
    await new TestBuild().producer('jsonata:mappings/payment-to-ledger.jsonata').process(exchange);
    expect(exchange.body).to.deep.equal({
      ledgerRef: 'P-1',
      debit: 30,
      currency: 'EUR',
      lines: 2,
      total: 30,
    });
  });

  it('reads JSON text bodies, and writes JSON text with outputType=JsonString', async () => {
    const exchange = new Exchange({ body: JSON.stringify(payment) });
    await new TestBuild()
      .producer('jsonata:mappings/payment-to-ledger.jsonata?inputType=JsonString&outputType=JsonString')
      .process(exchange);
    expect(exchange.body).to.be.a('string');
    expect(JSON.parse(exchange.body as string)).to.deep.include({ ledgerRef: 'P-1', total: 30 });
  });

  it('with inputType=JsonString refuses a body that is not JSON text', async () => {
    const error = await new TestBuild()
      .producer('jsonata:mappings/payment-to-ledger.jsonata?inputType=JsonString')
      .process(new Exchange({ body: payment }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(ExpressionError);
  });

  it('gives a null body when the template yields nothing', async () => {
    const exchange = new Exchange({ body: { other: true } });
    await new TestBuild().producer('jsonata:mappings/pick.jsonata').process(exchange);
    expect(exchange.body).to.equal(null);
    const found = new Exchange({ body: { missing: { field: 7 } } });
    await new TestBuild().producer('jsonata:mappings/pick.jsonata').process(found);
    expect(found.body).to.equal(7);
  });

  it('compiles once at load: a template that does not compile is a load error naming the file', () => {
    let error: unknown;
    try {
      new TestBuild().producer('jsonata:mappings/broken.jsonata');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DefinitionError);
    expect((error as Error).message).to.match(/^JSONata template .*broken\.jsonata: .*line 1/);
  });

  it('a template file that does not exist is a load error', () => {
    expect(() => new TestBuild().producer('jsonata:mappings/missing.jsonata')).to.throw(
      DefinitionError,
      /not found/,
    );
  });

  it('rejects an unknown outputType at load', () => {
    expect(() =>
      new TestBuild().producer('jsonata:mappings/payment-to-ledger.jsonata?outputType=Xml'),
    ).to.throw(/outputType/);
  });
});
