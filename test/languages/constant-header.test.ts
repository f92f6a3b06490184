import { expect } from 'chai';
import { compileError, context, definition, evaluate, exchange, language, test } from './helpers.js';

describe('languages: constant, header, exchangeProperty, variable', () => {
  it('constant is the text; resultType converts once', async () => {
    const ex = exchange();
    expect(await evaluate('constant', 'kyc-check', ex)).to.equal('kyc-check');
    expect(await evaluate('constant', ' 403 ', ex, { resultType: 'Integer' })).to.equal(403);
    expect(await evaluate('constant', 'true', ex, { resultType: 'java.lang.Boolean' })).to.equal(true);
    expect(await evaluate('constant', '  padded ', ex, { trim: false })).to.equal('  padded ');
  });

  it('constant with a value that cannot take its resultType fails at compile time', () => {
    const message = compileError(() =>
      language('constant').compile(definition('constant', 'abc', { resultType: 'Integer' }), context),
    );
    expect(message).to.contain('constant "abc"');
    expect(message).to.contain('Integer');
  });

  it('constant as a predicate', async () => {
    const ex = exchange();
    expect(await test('constant', 'true', ex)).to.equal(true);
    expect(await test('constant', 'false', ex)).to.equal(false);
    expect(await test('constant', '', ex)).to.equal(false);
  });

  it('header reads case-insensitively; exchangeProperty and variable read their maps', async () => {
    const ex = exchange({
      headers: { 'Content-Type': 'application/json', n: '5' },
      properties: { flowName: 'f' },
    });
    ex.variables['v'] = 1;
    expect(await evaluate('header', 'content-type', ex)).to.equal('application/json');
    expect(await evaluate('header', 'n', ex, { resultType: 'int' })).to.equal(5);
    expect(await evaluate('header', 'missing', ex)).to.equal(null);
    expect(await evaluate('exchangeProperty', 'flowName', ex)).to.equal('f');
    expect(await evaluate('variable', 'v', ex)).to.equal(1);
  });

  it('header, exchangeProperty and variable as predicates use Camel truthiness', async () => {
    const ex = exchange({ headers: { yes: 'true', no: 'false', blank: '' }, properties: { list: [] } });
    expect(await test('header', 'yes', ex)).to.equal(true);
    expect(await test('header', 'no', ex)).to.equal(false);
    expect(await test('header', 'blank', ex)).to.equal(false);
    expect(await test('header', 'missing', ex)).to.equal(false);
    expect(await test('exchangeProperty', 'list', ex)).to.equal(false);
  });

  it('every language compiles its own predicate', async () => {
    const { languages } = await import('../../src/languages/index.js');
    for (const spec of languages) expect(typeof spec.compilePredicate, spec.name).to.equal('function');
  });

  it('header with no name is a compile error', () => {
    expect(compileError(() => language('header').compile(definition('header', ' '), context))).to.contain(
      'needs the name',
    );
  });
});
