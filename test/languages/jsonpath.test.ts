import { expect } from 'chai';
import { ExpressionError } from '../../src/errors/index.js';
import { compileError, context, definition, evaluate, exchange, language, test } from './helpers.js';

const doc = {
  order: { id: 'A-1', customer: { name: 'Ada' } },
  lines: [
    { sku: 'X', amount: 50 },
    { sku: 'Y', amount: 150 },
    { sku: 'Z', amount: 500 },
  ],
  single: [{ sku: 'only' }],
};

const jsonpath = (path: string, ex = exchange({ body: doc }), options: Record<string, unknown> = {}) =>
  evaluate('jsonpath', path, ex, options);

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('jsonpath language', () => {
  it('a definite path returns one value', async () => {
    expect(await jsonpath('$.order.id')).to.equal('A-1');
    expect(await jsonpath("$['order']['customer'].name")).to.equal('Ada');
    expect(await jsonpath('$.lines[1].sku')).to.equal('Y');
    expect(await jsonpath('$.order')).to.deep.equal(doc.order);
    expect(await jsonpath('$.lines')).to.deep.equal(doc.lines);
  });

  it('wildcards, deep scans, filters, unions and slices return a list, even of one', async () => {
    expect(await jsonpath('$.lines[*].sku')).to.deep.equal(['X', 'Y', 'Z']);
    expect(await jsonpath('$..sku')).to.deep.equal(['X', 'Y', 'Z', 'only']);
    expect(await jsonpath('$.lines[?(@.amount > 100)].sku')).to.deep.equal(['Y', 'Z']);
    expect(await jsonpath("$.lines[?(@.sku == 'X')]")).to.deep.equal([doc.lines[0]]);
    expect(await jsonpath('$.lines[0,2].sku')).to.deep.equal(['X', 'Z']);
    expect(await jsonpath('$.lines[0:2].sku')).to.deep.equal(['X', 'Y']);
    expect(await jsonpath('$.single[*].sku')).to.deep.equal(['only']);
    expect(await jsonpath('$.lines[?(@.amount > 1000)]')).to.deep.equal([]);
  });

  it('parses a JSON text body and a JSON Buffer body', async () => {
    expect(await jsonpath('$.order.id', exchange({ body: JSON.stringify(doc) }))).to.equal('A-1');
    expect(await jsonpath('$.order.id', exchange({ body: Buffer.from(JSON.stringify(doc)) }))).to.equal(
      'A-1',
    );
  });

  it('a missing definite path is an error, or null with suppressExceptions', async () => {
    const error = await failure(() => jsonpath('$.order.missing'));
    expect(error).to.be.instanceOf(ExpressionError);
    expect(error.message).to.contain('$.order.missing: no results');
    expect(await jsonpath('$.order.missing', undefined, { suppressExceptions: true })).to.equal(null);
    expect(await jsonpath('$.order.missing', undefined, { suppressExceptions: 'true' })).to.equal(null);
  });

  it('a body that is not JSON is an error, or null with suppressExceptions', async () => {
    const ex = exchange({ body: 'not json' });
    expect((await failure(() => jsonpath('$.a', ex))).message).to.contain('body is not JSON');
    expect(await jsonpath('$.a', ex, { suppressExceptions: true })).to.equal(null);
  });

  it('writeAsString writes each result as JSON text', async () => {
    expect(await jsonpath('$.lines[*]', undefined, { writeAsString: true })).to.deep.equal([
      '{"sku":"X","amount":50}',
      '{"sku":"Y","amount":150}',
      '{"sku":"Z","amount":500}',
    ]);
    expect(await jsonpath('$.order.customer', undefined, { writeAsString: true })).to.equal('{"name":"Ada"}');
    expect(await jsonpath('$.order.id', undefined, { writeAsString: true })).to.equal('A-1');
  });

  it('resultType converts the result', async () => {
    expect(await jsonpath('$.lines[2].amount', undefined, { resultType: 'String' })).to.equal('500');
    expect(await jsonpath('$.order', undefined, { resultType: 'String' })).to.equal(
      JSON.stringify(doc.order),
    );
    const ex = exchange({ body: { n: '12' } });
    expect(await jsonpath('$.n', ex, { resultType: 'Integer' })).to.equal(12);
  });

  it('unpackArray unpacks a one-element list', async () => {
    expect(await jsonpath('$.single[*].sku', undefined, { unpackArray: true })).to.equal('only');
  });

  it('headerName (and source) evaluate on a header instead of the body', async () => {
    const ex = exchange({
      body: 'ignored',
      headers: { Payload: '{"a":{"b":3}}' },
      properties: { p: { a: 4 } },
    });
    expect(await jsonpath('$.a.b', ex, { headerName: 'payload' })).to.equal(3);
    expect(await jsonpath('$.a.b', ex, { source: 'header:Payload' })).to.equal(3);
    expect(await jsonpath('$.a', ex, { source: 'property:p' })).to.equal(4);
  });

  it('as a predicate: a non-empty result or true is true; missing is false', async () => {
    const ex = exchange({ body: { ...doc, ok: true, nope: false } });
    expect(await test('jsonpath', '$.lines[?(@.amount > 100)]', ex)).to.equal(true);
    expect(await test('jsonpath', '$.lines[?(@.amount > 1000)]', ex)).to.equal(false);
    expect(await test('jsonpath', '$.ok', ex)).to.equal(true);
    expect(await test('jsonpath', '$.nope', ex)).to.equal(false);
    expect(await test('jsonpath', '$.order.missing', ex)).to.equal(false);
    expect(await test('jsonpath', '$.order.id', ex)).to.equal(true);
  });

  it('rejects at compile time a broken filter, simple placeholders and an empty path', () => {
    const spec = language('jsonpath');
    expect(
      compileError(() => spec.compile(definition('jsonpath', '$.lines[?(@.amount >>> )]'), context)),
    ).to.contain('invalid filter');
    expect(
      compileError(() =>
        spec.compile(definition('jsonpath', '$.lines[?(@.amount > ${header.min})]'), context),
      ),
    ).to.contain('simple placeholders');
    expect(compileError(() => spec.compile(definition('jsonpath', ' '), context))).to.contain('needs a path');
    expect(
      compileError(() => spec.compile(definition('jsonpath', '$.a', { resultType: 'Banana' }), context)),
    ).to.contain('Unsupported resultType');
  });

  it('one compiled path serves many messages', async () => {
    const compiled = language('jsonpath').compile(
      definition('jsonpath', '$.lines[?(@.amount > 100)].sku'),
      context,
    );
    for (let i = 0; i < 200; i++) {
      const body = {
        lines: [
          { sku: `a${i}`, amount: i },
          { sku: `b${i}`, amount: 101 + i },
        ],
      };
      expect(await compiled(exchange({ body }))).to.deep.equal(i > 100 ? [`a${i}`, `b${i}`] : [`b${i}`]);
    }
  });
});
