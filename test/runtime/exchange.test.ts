import { expect } from 'chai';
import { Exchange } from '../../src/runtime/exchange.js';

describe('Exchange headers', function () {
  it('finds a header whatever the case of its name, the exact name first', function () {
    const exchange = new Exchange({ headers: { 'Content-Type': 'application/json', 'x-a': 1, 'X-A': 2 } });
    expect(exchange.getHeader('content-type')).to.equal('application/json');
    expect(exchange.getHeader('CONTENT-TYPE')).to.equal('application/json');
    expect(exchange.getHeader('X-A')).to.equal(2);
    expect(exchange.getHeader('x-A')).to.be.oneOf([1, 2]);
    expect(exchange.getHeader('Content-Typ')).to.equal(undefined);
    expect(exchange.getHeader('missing')).to.equal(undefined);
  });

  it('replaces every case variant when a header is set, and removes them all', function () {
    const exchange = new Exchange({
      headers: { 'idempotency-key': 'a', 'Idempotency-Key': 'b', other: 'kept' },
    });
    exchange.setHeader('IDEMPOTENCY-KEY', 'c');
    expect(exchange.message.headers).to.deep.equal({ other: 'kept', 'IDEMPOTENCY-KEY': 'c' });
    exchange.removeHeader('idempotency-key');
    expect(exchange.message.headers).to.deep.equal({ other: 'kept' });
  });

  it('treats names of other lengths as other headers (as Java equalsIgnoreCase does)', function () {
    // 'İ' lower-cases to two code units; it is not a variant of the one-unit 'i'.
    const exchange = new Exchange({ headers: { İd: 'dotted', id: 'plain' } });
    exchange.setHeader('ID', 'upper');
    expect(exchange.message.headers).to.deep.equal({ İd: 'dotted', ID: 'upper' });
  });

  it('copies: scalar headers as they are, object headers deeply, the body shared only when asked', function () {
    const nested = { level: { deep: 1 } };
    const body = { amount: 10 };
    const exchange = new Exchange({ body, headers: { plain: 'x', count: 3, nested, list: [1, 2] } });
    const copy = exchange.copy();
    expect(copy.message.headers).to.deep.equal(exchange.message.headers);
    expect(copy.message.headers.nested).to.not.equal(nested);
    expect(copy.message.headers.list).to.not.equal(exchange.message.headers.list);
    (copy.message.headers.nested as typeof nested).level.deep = 2;
    expect(nested.level.deep, 'the original is untouched').to.equal(1);
    expect(copy.body).to.deep.equal(body);
    expect(copy.body).to.not.equal(body);
    expect(exchange.copy({ body }).body).to.equal(body);
    copy.setHeader('plain', 'y');
    expect(exchange.getHeader('plain')).to.equal('x');
  });
});
