import { expect } from 'chai';
import { HttpOperationFailedError } from '../../src/errors/index.js';
import { ExpressionError } from '../../src/errors/index.js';
import { evaluate, exchange } from './helpers.js';

const simple = (text: string, ex = exchange(), options: Record<string, unknown> = {}) =>
  evaluate('simple', text, ex, options);

describe('simple language: functions', () => {
  const order = () =>
    exchange({
      body: {
        order: { id: 'A-1', lines: [{ sku: 'X' }, { sku: 'Y' }, { sku: 'Z' }] },
        name: 'Ada',
        empty: null,
      },
      headers: { 'X-Id': 42, amount: '1500', 'kafka.KEY': 'key-1', 'payload-json': { nested: { a: 1 } } },
      properties: { flowName: 'kyc-check' },
    });

  describe('templates', () => {
    it('renders text around functions', async () => {
      expect(await simple('CUST-${header.X-Id}', order())).to.equal('CUST-42');
    });

    it('returns the raw value when the whole text is one function', async () => {
      expect(await simple('${header.X-Id}', order())).to.equal(42);
      expect(await simple('${body.order.lines}', order())).to.deep.equal([
        { sku: 'X' },
        { sku: 'Y' },
        { sku: 'Z' },
      ]);
    });

    it('renders a null function as empty text inside a template', async () => {
      expect(await simple('a-${header.missing}-b', order())).to.equal('a--b');
    });

    it('returns null for a single null function', async () => {
      expect(await simple('${header.missing}', order())).to.equal(null);
    });

    it('renders objects as JSON inside a template', async () => {
      expect(await simple('order=${body.order.lines[0]}', order())).to.equal('order={"sku":"X"}');
    });

    it('trims the text by default and keeps it with trim: false', async () => {
      expect(await simple('  ${body.name}  ', order())).to.equal('Ada');
      expect(await simple('  ${body.name}  ', order(), { trim: false })).to.equal('  Ada  ');
      expect(await simple('  ${body.name}  ', order(), { trim: 'false' })).to.equal('  Ada  ');
    });

    it('turns \\n and \\t escapes in text into characters', async () => {
      expect(await simple('a\\nb\\tc', order())).to.equal('a\nb\tc');
    });

    it('returns plain text as it is', async () => {
      expect(await simple('hello', order())).to.equal('hello');
    });
  });

  describe('body', () => {
    it('${body} and ${in.body}', async () => {
      const ex = exchange({ body: { a: 1 } });
      expect(await simple('${body}', ex)).to.equal(ex.body);
      expect(await simple('${in.body}', ex)).to.equal(ex.body);
    });

    it('navigates with dots, brackets, indexes and last', async () => {
      const ex = order();
      expect(await simple('${body.order.id}', ex)).to.equal('A-1');
      expect(await simple('${body[order][id]}', ex)).to.equal('A-1');
      expect(await simple("${body['order']['id']}", ex)).to.equal('A-1');
      expect(await simple('${body.order.lines[1].sku}', ex)).to.equal('Y');
      expect(await simple('${body.order.lines[last].sku}', ex)).to.equal('Z');
      expect(await simple('${body.order.lines[last-2].sku}', ex)).to.equal('X');
      expect(await simple('${body.order.lines[9]}', ex)).to.equal(null);
    });

    it('navigates into a JSON text body and a JSON Buffer body', async () => {
      expect(await simple('${body.a.b}', exchange({ body: '{"a":{"b":7}}' }))).to.equal(7);
      expect(await simple('${body[0]}', exchange({ body: Buffer.from('["x","y"]') }))).to.equal('x');
    });

    it('reads text as JSON only when the content type is a JSON one or there is none', async () => {
      const text = '{"kind":"k1"}';
      for (const headers of [
        { 'Content-Type': 'application/json' },
        { 'content-type': 'application/vnd.acme+json; charset=utf-8' },
        { CamelSpringRabbitmqContentType: 'application/json' },
        {},
      ]) {
        expect(await simple('${body[kind]}', exchange({ body: text, headers })), JSON.stringify(headers)).to.equal('k1');
      }
      for (const headers of [
        { 'Content-Type': 'text/plain' },
        { CamelSpringRabbitmqContentType: 'text/plain; charset=utf-8' },
        // The route's own Content-Type wins over the one the message was consumed with.
        { 'Content-Type': 'text/csv', CamelSpringRabbitmqContentType: 'application/json' },
      ]) {
        for (const body of [text, Buffer.from(text)]) {
          let failure: unknown;
          try {
            await simple('${body[kind]}', exchange({ body, headers }));
          } catch (error) {
            failure = error;
          }
          expect(failure, JSON.stringify(headers)).to.be.instanceOf(ExpressionError);
        }
      }
      expect(
        await simple('${body[kind]}', exchange({ body: text, headers: { 'Content-Type': 'application/json', CamelSpringRabbitmqContentType: 'text/plain' } })),
      ).to.equal('k1');
    });

    it('a missing key is null; navigating through null fails unless ?. is used', async () => {
      const ex = order();
      expect(await simple('${body.nope}', ex)).to.equal(null);
      expect(await simple('${body?.nope?.deeper}', ex)).to.equal(null);
      expect(await simple('${body.empty?.x}', ex)).to.equal(null);
      let failure: unknown;
      try {
        await simple('${body.nope.deeper}', ex);
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(ExpressionError);
      expect((failure as Error).message).to.contain('?.');
    });

    it('yields null when navigating a missing body', async () => {
      expect(await simple('${body.a.b}', exchange({ body: null }))).to.equal(null);
    });

    it('bodyAs converts the body', async () => {
      expect(await simple('${bodyAs(String)}', exchange({ body: { a: 1 } }))).to.equal('{"a":1}');
      expect(await simple('${bodyAs(String)}', exchange({ body: Buffer.from('bytes') }))).to.equal('bytes');
      expect(await simple('${bodyAs(Integer)}', exchange({ body: ' 12 ' }))).to.equal(12);
      expect(await simple('${bodyAs(Long)}', exchange({ body: '9007199254740' }))).to.equal(9007199254740);
      expect(await simple('${bodyAs(Double)}', exchange({ body: '12.5' }))).to.equal(12.5);
      expect(await simple('${bodyAs(Boolean)}', exchange({ body: 'TRUE' }))).to.equal(true);
      expect(await simple('${bodyAs(java.lang.String)}', exchange({ body: 5 }))).to.equal('5');
      expect(await simple('${bodyAs(String)}', exchange({ body: null }))).to.equal(null);
    });

    it('bodyAs fails with an ExpressionError on text that is not a number', async () => {
      let failure: unknown;
      try {
        await simple('${bodyAs(Integer)}', exchange({ body: 'twelve' }));
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(ExpressionError);
      expect((failure as Error).message).to.contain('Integer');
    });
  });

  describe('headers, properties, variables', () => {
    it('reads headers in every spelling, case-insensitively', async () => {
      const ex = order();
      for (const text of [
        '${header.X-Id}',
        '${headers.X-Id}',
        '${in.header.X-Id}',
        '${in.headers.X-Id}',
        '${header[X-Id]}',
        "${header['X-Id']}",
        '${header:X-Id}',
        '${header.x-id}',
      ]) {
        expect(await simple(text, ex), text).to.equal(42);
      }
    });

    it('reads a dotted header name whole before navigating', async () => {
      const ex = order();
      expect(await simple('${header.kafka.KEY}', ex)).to.equal('key-1');
      expect(await simple('${header.kafka.KEY.toUpperCase()}', ex)).to.equal('KEY-1');
      expect(await simple('${header.payload-json.nested.a}', ex)).to.equal(1);
    });

    it('${headers} is the whole header map', async () => {
      const ex = order();
      expect(await simple('${headers}', ex)).to.equal(ex.message.headers);
    });

    it('reads exchange properties and variables', async () => {
      const ex = order();
      ex.variables['step'] = 'two';
      expect(await simple('${exchangeProperty.flowName}', ex)).to.equal('kyc-check');
      expect(await simple('${exchangeProperty[flowName]}', ex)).to.equal('kyc-check');
      expect(await simple('${variable.step}', ex)).to.equal('two');
      expect(await simple('${variables}', ex)).to.deep.equal({ step: 'two' });
    });
  });

  describe('exception', () => {
    it('reads message, statusCode and responseBody from the error being handled', async () => {
      const ex = order();
      ex.error = new HttpOperationFailedError('https://partner/x', 503, '{"err":"down"}');
      expect(await simple('${exception.message}', ex)).to.equal(
        'HTTP operation failed invoking https://partner/x with statusCode: 503',
      );
      expect(await simple('${exception.statusCode}', ex)).to.equal(503);
      expect(await simple('${exception.responseBody}', ex)).to.equal('{"err":"down"}');
      expect(await simple('${exception}', ex)).to.equal(ex.error);
      expect(await simple('failed: ${exception.message}', ex)).to.match(/^failed: HTTP operation failed/);
    });

    it('reads getters of an error class, the stack trace and the cause', async () => {
      class PartnerError extends Error {
        get statusCode(): number {
          return 429;
        }
      }
      const ex = order();
      ex.error = new PartnerError('slow down', { cause: new Error('root') });
      expect(await simple('${exception.statusCode}', ex)).to.equal(429);
      expect(await simple('${exception.stacktrace}', ex)).to.contain('slow down');
      expect(await simple('${exception.cause.message}', ex)).to.equal('root');
      expect(await simple('${exception.toString}', ex)).to.equal(null);
    });

    it('reads only own keys of a JSON body', async () => {
      expect(await simple('${body.constructor}', exchange({ body: { a: 1 } }))).to.equal(null);
      expect(await simple('${body.toString}', exchange({ body: { a: 1 } }))).to.equal(null);
    });

    it('is null when there is no error', async () => {
      expect(await simple('${exception.message}', order())).to.equal(null);
      expect(await simple('${exception}', order())).to.equal(null);
    });
  });

  describe('exchange facts', () => {
    it('routeId, exchangeId, id, uuid, null', async () => {
      const ex = order();
      ex.routeId = 'orders-in';
      expect(await simple('${routeId}', ex)).to.equal('orders-in');
      expect(await simple('${exchangeId}', ex)).to.equal(ex.exchangeId);
      expect(await simple('${id}', ex)).to.equal(ex.exchangeId);
      const a = await simple('${uuid}', ex);
      const b = await simple('${uuid}', ex);
      expect(a).to.match(/^[0-9a-f-]{36}$/);
      expect(a).to.not.equal(b);
      expect(await simple('${null}', ex)).to.equal(null);
    });

    it('env.NAME and env:NAME read the environment at evaluation', async () => {
      process.env['PIPES_TEST_ENV'] = 'one';
      expect(await simple('${env.PIPES_TEST_ENV}')).to.equal('one');
      expect(await simple('${env:PIPES_TEST_ENV}')).to.equal('one');
      delete process.env['PIPES_TEST_ENV'];
      expect(await simple('${env.PIPES_TEST_ENV}')).to.equal(null);
    });

    it('random(n) stays in [0, n) and random(a,b) in [a, b)', async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 300; i++) {
        const value = (await simple('${random(3)}')) as number;
        expect(value).to.be.within(0, 2);
        expect(Number.isInteger(value)).to.equal(true);
        seen.add(value);
        expect(await simple('${random(10,12)}')).to.be.oneOf([10, 11]);
      }
      expect(seen.size).to.equal(3);
    });
  });

  describe('dates', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');

    it('formats now', async () => {
      const before = new Date();
      const text = (await simple('${date:now:yyyy-MM-dd}')) as string;
      const after = new Date();
      const expected = [before, after].map(
        (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
      );
      expect(expected).to.include(text);
    });

    it('formats a header date with literals, millis and zone', async () => {
      const date = new Date(2024, 1, 3, 4, 5, 6, 7);
      const ex = exchange({ headers: { when: date } });
      const offset = -date.getTimezoneOffset();
      const zone =
        offset === 0
          ? 'Z'
          : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
      expect(await simple("${date:header.when:yyyy-MM-dd'T'HH:mm:ss.SSSXXX}", ex)).to.equal(
        `2024-02-03T04:05:06.007${zone}`,
      );
      expect(await simple("${date:header.when:dd/MM/yy 'at' HH''mm}", ex)).to.equal("03/02/24 at 04'05");
      expect(await simple('${date:header.when:Z}', ex)).to.match(/^[+-]\d{4}$/);
    });

    it('reads ISO text and epoch millis, and returns the Date without a format', async () => {
      const ex = exchange({ headers: { iso: '2024-05-06T07:08:09Z', millis: 0 } });
      expect(await simple('${date:header.iso}', ex)).to.be.instanceOf(Date);
      expect(((await simple('${date:header.iso}', ex)) as Date).toISOString()).to.equal(
        '2024-05-06T07:08:09.000Z',
      );
      expect(((await simple('${date:header.millis}', ex)) as Date).getTime()).to.equal(0);
    });

    it('applies offsets', async () => {
      const ex = exchange({ headers: { iso: '2024-05-06T07:08:09Z' } });
      const earlier = (await simple('${date:header.iso-1h}', ex)) as Date;
      expect(earlier.toISOString()).to.equal('2024-05-06T06:08:09.000Z');
      const now = Date.now();
      const yesterday = ((await simple('${date:now-1d}')) as Date).getTime();
      expect(now - yesterday).to.be.within(86_400_000 - 5_000, 86_400_000 + 5_000);
    });

    it('a missing header date is null', async () => {
      expect(await simple('${date:header.none:yyyy}')).to.equal(null);
    });
  });

  describe('methods', () => {
    it('length, size, toUpperCase, toLowerCase, trim on any function', async () => {
      const ex = exchange({ body: { name: '  Ada  ', list: [1, 2, 3] }, headers: { code: 'eUr' } });
      expect(await simple('${body.name.trim()}', ex)).to.equal('Ada');
      expect(await simple('${body.name.length()}', ex)).to.equal(7);
      expect(await simple('${body.list.size()}', ex)).to.equal(3);
      expect(await simple('${body.size()}', ex)).to.equal(2);
      expect(await simple('${header.code.toUpperCase()}', ex)).to.equal('EUR');
      expect(await simple('${header.code.toLowerCase()}', ex)).to.equal('eur');
      expect(await simple('${bodyAs(String).length()}', exchange({ body: 'abcd' }))).to.equal(4);
      expect(await simple('${body.name.trim().toUpperCase().length()}', ex)).to.equal(3);
    });

    it('a method on a missing header is null', async () => {
      expect(await simple('${header.none.toUpperCase()}')).to.equal(null);
    });

    it('toUpperCase on a number is an ExpressionError', async () => {
      let failure: unknown;
      try {
        await simple('${header.n.toUpperCase()}', exchange({ headers: { n: 5 } }));
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(ExpressionError);
    });
  });

  describe('resultType', () => {
    it('converts the result', async () => {
      const ex = exchange({ headers: { n: '15', flag: 'true', price: '9.5' } });
      expect(await simple('${header.n}', ex, { resultType: 'Integer' })).to.equal(15);
      expect(await simple('${header.n}', ex, { resultType: 'int' })).to.equal(15);
      expect(await simple('${header.n}', ex, { resultType: 'java.lang.Long' })).to.equal(15);
      expect(await simple('${header.price}', ex, { resultType: 'Double' })).to.equal(9.5);
      expect(await simple('${header.flag}', ex, { resultType: 'java.lang.Boolean' })).to.equal(true);
      expect(await simple('${header.n}0', ex, { resultType: 'Integer' })).to.equal(150);
      expect(await simple('${body}', exchange({ body: 5 }), { resultType: 'String' })).to.equal('5');
    });
  });
});
