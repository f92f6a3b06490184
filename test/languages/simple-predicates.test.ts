import { expect } from 'chai';
import { exchange, test } from './helpers.js';

const when = (text: string, ex = exchange()) => test('simple', text, ex);

describe('simple language: predicates', () => {
  const payment = () =>
    exchange({
      body: { amount: 250.5, currency: 'EUR', tags: ['urgent', 'sepa'], meta: { iban: 'DE89' }, items: [] },
      headers: {
        amount: '1500',
        count: 3,
        type: 'Payment',
        flag: 'true',
        off: 'false',
        blank: ' ',
        zero: 0,
        code: 'ABC-123',
      },
      properties: { limit: 1000 },
    });

  describe('comparison with type conversion', () => {
    it('compares a numeric text header with a number as numbers', async () => {
      const ex = payment();
      expect(await when('${header.amount} > 1000', ex)).to.equal(true);
      expect(await when('${header.amount} > 2000', ex)).to.equal(false);
      // as text "1500" < "200" would be true: the conversion is what makes this false
      expect(await when('${header.amount} < 200', ex)).to.equal(false);
      expect(await when('${header.amount} >= 1500', ex)).to.equal(true);
      expect(await when('${header.amount} <= 1499', ex)).to.equal(false);
      expect(await when('${header.amount} > ${exchangeProperty.limit}', ex)).to.equal(true);
      expect(await when("${header.amount} > '999'", ex)).to.equal(true);
    });

    it('compares decimals and negative numbers', async () => {
      const ex = payment();
      expect(await when('${body.amount} > 250.4', ex)).to.equal(true);
      expect(await when('${body.amount} > -1', ex)).to.equal(true);
    });

    it('== converts the right side to the left type', async () => {
      const ex = payment();
      expect(await when('${header.amount} == 1500', ex)).to.equal(true);
      expect(await when("${header.count} == '3'", ex)).to.equal(true);
      expect(await when('${header.count} == 3', ex)).to.equal(true);
      expect(await when('${header.flag} == true', ex)).to.equal(true);
      expect(await when("${header.type} == 'Payment'", ex)).to.equal(true);
      expect(await when('${header.type} == "Payment"', ex)).to.equal(true);
      expect(await when("${header.type} == 'payment'", ex)).to.equal(false);
      expect(await when("${header.type} != 'Refund'", ex)).to.equal(true);
      expect(await when('${header.count} != 3', ex)).to.equal(false);
    });

    it('=~ is case-insensitive equality, !=~ its negation', async () => {
      const ex = payment();
      expect(await when("${header.type} =~ 'PAYMENT'", ex)).to.equal(true);
      expect(await when("${header.type} !=~ 'PAYMENT'", ex)).to.equal(false);
    });

    it('handles null on either side as Camel does', async () => {
      const ex = payment();
      expect(await when('${header.missing} == null', ex)).to.equal(true);
      expect(await when('${header.type} != null', ex)).to.equal(true);
      expect(await when('${header.missing} != null', ex)).to.equal(false);
      expect(await when('${header.missing} > 5', ex)).to.equal(false);
      expect(await when('${header.missing} < 5', ex)).to.equal(false);
      expect(await when('${header.missing} >= null', ex)).to.equal(true);
    });

    it('compares text when a side is not numeric', async () => {
      const ex = payment();
      expect(await when("${header.type} > 'Apple'", ex)).to.equal(true);
      expect(await when("${header.type} < 'Apple'", ex)).to.equal(false);
    });
  });

  describe('text and list operators', () => {
    it('contains / !contains / not contains on text and lists', async () => {
      const ex = payment();
      expect(await when("${header.code} contains 'C-1'", ex)).to.equal(true);
      expect(await when("${header.code} contains 'c-1'", ex)).to.equal(false);
      expect(await when("${header.code} !contains 'C-1'", ex)).to.equal(false);
      expect(await when("${header.code} not contains 'zzz'", ex)).to.equal(true);
      expect(await when("${body.tags} contains 'sepa'", ex)).to.equal(true);
      expect(await when("${body.tags} contains 'swift'", ex)).to.equal(false);
      expect(await when("${body.meta} contains 'iban'", ex)).to.equal(true);
      expect(await when("${header.missing} contains 'x'", ex)).to.equal(false);
    });

    it('~~ and !~~ ignore case', async () => {
      const ex = payment();
      expect(await when("${header.code} ~~ 'abc'", ex)).to.equal(true);
      expect(await when("${header.code} !~~ 'abc'", ex)).to.equal(false);
    });

    it('regex / !regex / not regex match the whole text', async () => {
      const ex = payment();
      expect(await when("${header.code} regex '[A-Z]{3}-\\d+'", ex)).to.equal(true);
      expect(await when("${header.code} regex '[A-Z]{3}'", ex)).to.equal(false);
      expect(await when("${header.code} !regex '[A-Z]{3}'", ex)).to.equal(true);
      expect(await when("${header.code} not regex '[A-Z]{3}-\\d+'", ex)).to.equal(false);
      expect(await when("${header.code} regex '(?i)abc-123'", ex)).to.equal(true);
    });

    it('regex with a pattern taken from a header', async () => {
      const ex = payment();
      ex.setHeader('pattern', 'ABC-\\d{3}');
      expect(await when('${header.code} regex ${header.pattern}', ex)).to.equal(true);
    });

    it('in / !in / not in with a comma list, converting types', async () => {
      const ex = payment();
      expect(await when("${header.type} in 'Refund,Payment'", ex)).to.equal(true);
      expect(await when("${header.type} in 'Refund, Payment'", ex)).to.equal(true);
      expect(await when("${header.type} in 'Refund,Chargeback'", ex)).to.equal(false);
      expect(await when("${header.count} in '1,2,3'", ex)).to.equal(true);
      expect(await when("${header.type} !in 'Refund,Payment'", ex)).to.equal(false);
      expect(await when("${header.type} not in 'Refund'", ex)).to.equal(true);
    });

    it('in with a list from the exchange', async () => {
      const ex = payment();
      ex.properties['allowed'] = ['EUR', 'USD'];
      expect(await when('${body.currency} in ${exchangeProperty.allowed}', ex)).to.equal(true);
    });

    it('startsWith, starts with, endsWith, ends with and their negations', async () => {
      const ex = payment();
      expect(await when("${header.code} startsWith 'ABC'", ex)).to.equal(true);
      expect(await when("${header.code} starts with 'ABC'", ex)).to.equal(true);
      expect(await when("${header.code} startsWith '123'", ex)).to.equal(false);
      expect(await when("${header.code} endsWith '123'", ex)).to.equal(true);
      expect(await when("${header.code} ends with '123'", ex)).to.equal(true);
      expect(await when("${header.code} !startsWith 'ABC'", ex)).to.equal(false);
      expect(await when("${header.code} !endsWith 'ABC'", ex)).to.equal(true);
      expect(await when("${header.missing} startsWith 'A'", ex)).to.equal(false);
    });

    it('range / !range / not range', async () => {
      const ex = payment();
      expect(await when("${header.count} range '1..5'", ex)).to.equal(true);
      expect(await when("${header.count} range '3..3'", ex)).to.equal(true);
      expect(await when("${header.count} range '4..9'", ex)).to.equal(false);
      expect(await when("${header.amount} range '1000..2000'", ex)).to.equal(true);
      expect(await when("${header.count} !range '1..5'", ex)).to.equal(false);
      expect(await when("${header.count} not range '4..9'", ex)).to.equal(true);
    });

    it('is / !is / not is with Java type names', async () => {
      const ex = payment();
      expect(await when("${header.type} is 'String'", ex)).to.equal(true);
      expect(await when("${header.type} is 'java.lang.String'", ex)).to.equal(true);
      expect(await when("${header.count} is 'Integer'", ex)).to.equal(true);
      expect(await when("${body.amount} is 'Integer'", ex)).to.equal(false);
      expect(await when("${body.amount} is 'Number'", ex)).to.equal(true);
      expect(await when("${header.amount} is 'Integer'", ex)).to.equal(false);
      expect(await when("${header.flag} is 'Boolean'", ex)).to.equal(false);
      expect(await when("${body.meta} is 'java.util.Map'", ex)).to.equal(true);
      expect(await when("${body.meta} is 'Map'", ex)).to.equal(true);
      expect(await when("${body.tags} is 'java.util.List'", ex)).to.equal(true);
      expect(await when("${body.tags} is 'Map'", ex)).to.equal(false);
      expect(await when("${body.tags} !is 'List'", ex)).to.equal(false);
      expect(await when("${header.type} not is 'Integer'", ex)).to.equal(true);
    });
  });

  describe('logical operators', () => {
    it('&& and ||, and the old and / or spellings', async () => {
      const ex = payment();
      expect(await when("${header.amount} > 1000 && ${body.currency} == 'EUR'", ex)).to.equal(true);
      expect(await when("${header.amount} > 1000 && ${body.currency} == 'USD'", ex)).to.equal(false);
      expect(await when("${header.amount} > 9000 || ${body.currency} == 'EUR'", ex)).to.equal(true);
      expect(await when("${header.amount} > 9000 || ${body.currency} == 'USD'", ex)).to.equal(false);
      expect(await when("${header.amount} > 1000 and ${body.currency} == 'EUR'", ex)).to.equal(true);
      expect(await when("${header.amount} > 9000 or ${body.currency} == 'EUR'", ex)).to.equal(true);
    });

    it('applies operators left to right, as Camel does', async () => {
      const ex = payment();
      // (true || true) && false = false; with && binding tighter it would be true
      expect(await when('${header.flag} || ${header.flag} && ${header.off}', ex)).to.equal(false);
    });

    it('short-circuits', async () => {
      const ex = payment();
      // the right side would fail (navigation through null) if it were evaluated
      expect(await when('${header.flag} || ${body.nothing.deeper} == 1', ex)).to.equal(true);
    });
  });

  describe('truthiness of a bare value', () => {
    it('converts like Camel', async () => {
      const ex = payment();
      expect(await when('${header.flag}', ex)).to.equal(true);
      expect(await when('${header.off}', ex)).to.equal(false);
      expect(await when('${header.blank}', ex)).to.equal(false);
      expect(await when('${header.missing}', ex)).to.equal(false);
      expect(await when('${header.zero}', ex)).to.equal(true);
      expect(await when('${header.type}', ex)).to.equal(true);
      expect(await when('${body.items}', ex)).to.equal(false);
      expect(await when('${body.tags}', ex)).to.equal(true);
      expect(await when('true', ex)).to.equal(true);
      expect(await when('false', ex)).to.equal(false);
    });
  });

  describe('literals with functions', () => {
    it('evaluates functions inside quotes as text', async () => {
      const ex = payment();
      expect(await when("${header.code} == 'ABC-${header.count}'", ex)).to.equal(false);
      ex.setHeader('code', 'ABC-3');
      expect(await when("${header.code} == 'ABC-${header.count}'", ex)).to.equal(true);
    });
  });
});
