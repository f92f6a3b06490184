import { expect } from 'chai';
import { compileError, context, definition, evaluate, exchange, language } from './helpers.js';

const tokenize = (token: string, body: unknown, options: Record<string, unknown> = {}) =>
  evaluate('tokenize', token, exchange({ body }), options);

describe('tokenize language', () => {
  it('declares token as its text property', () => {
    expect(language('tokenize').textProperty).to.equal('token');
  });

  it('splits a text body at the token', async () => {
    expect(await tokenize(',', 'a,b,c')).to.deep.equal(['a', 'b', 'c']);
    expect(await tokenize('\n', 'l1\nl2\n')).to.deep.equal(['l1', 'l2']);
    expect(await tokenize(',', 'a,,b')).to.deep.equal(['a', '', 'b']);
    expect(await tokenize(' ', 'a b')).to.deep.equal(['a', 'b']);
  });

  it('reads a Buffer body as UTF-8 and returns an array body as it is', async () => {
    expect(await tokenize(';', Buffer.from('é;ü'))).to.deep.equal(['é', 'ü']);
    const items = [{ a: 1 }, { a: 2 }];
    expect(await tokenize(',', items)).to.equal(items);
  });

  it('an empty or missing body gives no parts', async () => {
    expect(await tokenize(',', '')).to.deep.equal([]);
    expect(await tokenize(',', null)).to.deep.equal([]);
  });

  it('regex: the token is a regular expression', async () => {
    expect(await tokenize('\\s*[,;]\\s*', 'a , b;c', { regex: true })).to.deep.equal(['a', 'b', 'c']);
    expect(await tokenize('\\s*[,;]\\s*', 'a , b;c', { regex: false })).to.deep.equal(['a , b;c']);
  });

  it('group packs N parts per item joined by the token', async () => {
    expect(await tokenize('\n', 'h\n1\n2\n3\n4\n5', { group: 2, skipFirst: true })).to.deep.equal([
      '1\n2',
      '3\n4',
      '5',
    ]);
    expect(await tokenize(',', 'a,b,c,d', { group: '3' })).to.deep.equal(['a,b,c', 'd']);
    expect(await tokenize(',', 'a,b,c,d', { group: 2, groupDelimiter: '|' })).to.deep.equal(['a|b', 'c|d']);
  });

  it('skipFirst drops a header line', async () => {
    expect(await tokenize('\n', 'iban;amount\nDE1;5\nDE2;6', { skipFirst: true })).to.deep.equal([
      'DE1;5',
      'DE2;6',
    ]);
  });

  it('headerName tokenizes a header', async () => {
    const ex = exchange({ body: 'ignored', headers: { ids: '1,2' } });
    expect(await evaluate('tokenize', ',', ex, { headerName: 'ids' })).to.deep.equal(['1', '2']);
  });

  it('rejects a missing token, a bad regex and a bad group at compile time', () => {
    const spec = language('tokenize');
    expect(compileError(() => spec.compile(definition('tokenize', ''), context))).to.contain('needs a token');
    expect(
      compileError(() => spec.compile(definition('tokenize', '([', { regex: true }), context)),
    ).to.contain('not a valid regular expression');
    expect(
      compileError(() => spec.compile(definition('tokenize', ',', { group: 'two' }), context)),
    ).to.contain('group must be a positive whole number');
  });

  it('cannot split an object body', async () => {
    let failure: unknown;
    try {
      await tokenize(',', { a: 1 });
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.contain('tokenize cannot split an object');
  });
});
