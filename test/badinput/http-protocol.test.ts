/**
 * Bad requests below the body, generated (fast-check): header bytes Node's parser refuses, conflicting
 * lengths, oversized headers, unknown methods, paths, routes and flows, odd query strings. Each gets one
 * documented JSON answer, and the router keeps serving.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import {
  CaseCount,
  expectRefusal,
  expectStillServing,
  parseRaw,
  rawRequest,
  send,
  startBadInputRouter,
  validPayment,
} from './support.js';
import { httpPort } from '../../src/server/http-server-module.js';

const RUNS = Number(process.env.BADINPUT_RUNS || 60);

describe('bad input: HTTP requests (generated)', function () {
  this.timeout(60_000);
  let router: Awaited<ReturnType<typeof startBadInputRouter>>;
  let port: number;
  const cases = new CaseCount();
  let goodRequests = 0;

  before(async () => {
    router = await startBadInputRouter();
    port = httpPort(router.router.services)!;
  });
  after(async () => {
    cases.print('bad input: HTTP requests');
    await router?.cleanUp();
  });
  afterEach(async () => {
    await expectStillServing(router.baseUrl, 800_000 + goodRequests++);
  });

  const paymentRequest = (headerLines: (string | Buffer)[], body = JSON.stringify(validPayment(1))): Buffer =>
    Buffer.concat([
      Buffer.from('POST /payments HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\n'),
      ...headerLines.map((line) => Buffer.concat([Buffer.from(line), Buffer.from('\r\n')])),
      Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    ]);

  function expectRawRefusal(answer: string, status: number, code: string): void {
    const { status: got, json, head } = parseRaw(answer);
    expect(got, answer.slice(0, 300)).to.equal(status);
    expect(json?.error, answer.slice(0, 300)).to.equal(code);
    expect(head.toLowerCase()).to.include('content-type: application/json');
  }

  it(`refuses ${RUNS} header names and values with forbidden bytes with a JSON 400`, async () => {
    const forbidden = fc.constantFrom(
      ...[...Array(32).keys()].filter((c) => c !== 9 && c !== 10 && c !== 13).map((c) => String.fromCharCode(c)),
      '\u007f',
    );
    const separator = fc.constantFrom('(', ')', '<', '>', '@', ',', ';', '\\', '"', '/', '[', ']', '?', '=', '{', '}', ' ');
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
    const badLine = fc.oneof(
      // A name with a byte no header name may hold.
      fc.tuple(name, fc.oneof(forbidden, separator), name).map(([a, bad, b]) => `${a}${bad}${b}: value`),
      // A value with a control character.
      fc.tuple(name, fc.string({ maxLength: 8 }), forbidden).map(([n, v, bad]) => `X-${n}: ${v.replace(/[\r\n]/g, '')}${bad}tail`),
      // No colon at all.
      name.map((n) => `${n}NoColon`),
    );
    await fc.assert(
      fc.asyncProperty(badLine, async (line) => {
        expectRawRefusal(await rawRequest(port, paymentRequest([line])), 400, 'BAD_REQUEST');
      }),
      { numRuns: cases.add('forbidden header bytes', RUNS) },
    );
  });

  it(`refuses ${Math.ceil(RUNS / 3)} conflicting or malformed lengths with a JSON 400`, async () => {
    const framing = fc.oneof(
      fc.tuple(fc.nat(100), fc.nat(100)).filter(([a, b]) => a !== b).map(([a, b]) => [`Content-Length: ${a}`, `Content-Length: ${b}`]),
      fc.stringMatching(/^[a-z+-][0-9a-z]{0,5}$/).map((junk) => [`Content-Length: ${junk}`]),
      fc.constant(['Transfer-Encoding: chunked', 'Content-Length: 2']),
      fc.constantFrom('gzip', 'chunked, gzip', 'identity', 'x').map((te) => [`Transfer-Encoding: ${te}`]),
    );
    await fc.assert(
      fc.asyncProperty(framing, async (lines) => {
        const request = Buffer.from(
          `POST /payments HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\n${lines.join('\r\n')}\r\n\r\n{}`,
        );
        expectRawRefusal(await rawRequest(port, request), 400, 'BAD_REQUEST');
      }),
      { numRuns: cases.add('framing', Math.ceil(RUNS / 3)) },
    );
  });

  it(`refuses ${Math.ceil(RUNS / 6)} oversized header blocks with 431 and a JSON body`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 17 * 1024, max: 64 * 1024 }), fc.boolean(), async (size, many) => {
        const lines = many
          ? Array.from({ length: Math.ceil(size / 100) }, (_, i) => `X-Filler-${i}: ${'v'.repeat(90)}`)
          : [`X-Big: ${'v'.repeat(size)}`];
        expectRawRefusal(await rawRequest(port, paymentRequest(lines)), 431, 'HEADERS_TOO_LARGE');
      }),
      { numRuns: cases.add('oversized headers', Math.ceil(RUNS / 6)) },
    );
  });

  it(`serves ${RUNS} requests with arbitrary well-formed headers, honouring X-Correlation-Id only when plain`, async () => {
    const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/).filter(
      (n) => !/^(content-|transfer-|host$|connection$|expect$|upgrade$|te$|trailer$|keep-alive$)/i.test(n),
    );
    const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/);
    const correlation = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), headerValue, fc.string({ minLength: 129, maxLength: 200 }).map((s) => 'a'.repeat(129) + s.replace(/[^\x21-\x7e]/g, '')));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(headerName, headerValue, { maxKeys: 8 }), correlation, async (headers, correlationId) => {
        const answer = await send(`${router.baseUrl}/payments`, {
          body: JSON.stringify(validPayment(7)),
          contentType: 'application/json',
          headers: { ...headers, 'X-Correlation-Id': correlationId },
        });
        expect(answer.status, answer.text).to.equal(202);
        const echoed = answer.headers.get('x-correlation-id');
        if (/^[A-Za-z0-9._:-]{1,128}$/.test(correlationId)) expect(echoed).to.equal(correlationId);
        else expect(echoed).to.match(/^[0-9a-f-]{36}$/);
        // What the caller sent is never echoed back.
        for (const name of Object.keys(headers)) {
          if (!/^x-correlation-id$/i.test(name)) expect(answer.headers.get(name), name).to.equal(null);
        }
      }),
      { numRuns: cases.add('well-formed headers', RUNS) },
    );
  });

  it(`answers ${RUNS} unknown paths with 404 and ${RUNS} wrong methods with 405 + Allow`, async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/);
    const path = fc
      .array(segment, { minLength: 1, maxLength: 5 })
      .map((segments) => `/${segments.join('/')}`)
      .filter((p) => !/^\/(payments|api|async|health|badinput|metrics|admin)(\/|$)/i.test(p));
    await fc.assert(
      fc.asyncProperty(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), async (at, method) => {
        const answer = await send(`${router.baseUrl}${at}`, { method, body: method === 'GET' ? undefined : '{}', contentType: 'application/json' });
        // Percent-encoding that does not decode, dot segments: refused before routing (src/server/request-path.ts).
        if (answer.status === 400) expectRefusal(answer, 400, 'BAD_PATH');
        else expectRefusal(answer, 404, 'NOT_FOUND');
      }),
      { numRuns: cases.add('unknown paths', RUNS) },
    );
    const method = fc.oneof(
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'),
      fc.stringMatching(/^[A-Z]{3,10}$/).filter((m) => !['POST', 'HEAD', 'OPTIONS', 'GET', 'PUT', 'DELETE', 'PATCH', 'CONNECT', 'TRACE'].includes(m)),
    );
    await fc.assert(
      fc.asyncProperty(method, async (verb) => {
        const raw = await rawRequest(port, `${verb} /payments HTTP/1.1\r\nHost: router\r\nContent-Length: 0\r\n\r\n`);
        const { status, json, head } = parseRaw(raw);
        // Methods Node does not know at all are refused by its parser; known ones reach the entry table.
        if (status === 400) expect(json?.error).to.equal('BAD_REQUEST');
        else {
          expect(status, raw.slice(0, 200)).to.equal(405);
          expect(json?.error).to.equal('METHOD_NOT_ALLOWED');
          expect(head).to.match(/\r\nAllow: POST\b/i);
        }
      }),
      { numRuns: cases.add('wrong methods', RUNS) },
    );
  });

  it(`answers ${RUNS} unknown or malformed flow names at the async API with 404 or 400, never starting a run`, async () => {
    const name = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z0-9_-]{1,30}$/)).filter((n) => n !== 'kyc-check');
    await fc.assert(
      fc.asyncProperty(name, fc.boolean(), async (flowName, twice) => {
        const query = twice
          ? `flowName=${encodeURIComponent(flowName)}&flowName=kyc-check`
          : `flowName=${encodeURIComponent(flowName)}`;
        const answer = await send(`${router.baseUrl}/async/api/start?${query}`, {
          body: JSON.stringify({ customerId: 'C1001', country: 'DE' }),
          contentType: 'application/json',
        });
        if (twice || flowName === '') expectRefusal(answer, 400, 'FLOW_NAME_MISSING');
        else expectRefusal(answer, 404, 'FLOW_NOT_FOUND');
      }),
      { numRuns: cases.add('unknown flows', RUNS) },
    );
  });

  it(`answers ${RUNS} odd fee-quote paths and query strings with 200 or 400, never a 5xx`, async () => {
    const currency = fc.oneof(fc.constantFrom('EUR', 'GBP', 'JPY'), fc.stringMatching(/^[A-Za-z0-9%._~-]{1,8}$/).filter((c) => !/^\.{1,2}$/.test(c))); // fetch resolves . and ..
    const amount = fc.oneof(
      fc.nat().map(String),
      fc.double({ noNaN: true }).map(String),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', '1e999', '0x10', '-5', '12.345', ' 12', 'NaN', 'Infinity'),
    );
    await fc.assert(
      fc.asyncProperty(currency, fc.array(amount, { maxLength: 2 }), async (cur, amounts) => {
        const query = amounts.map((a) => `amount=${encodeURIComponent(a)}`).join('&');
        const answer = await send(`${router.baseUrl}/api/fees/${cur}?${query}`, { method: 'GET' });
        expect([200, 400], answer.text).to.include(answer.status);
        expect(answer.json, answer.text).to.be.an('object');
        if (answer.status === 200) expect(answer.json!.fee).to.be.a('number');
        else expect(answer.json!.message).to.be.a('string');
      }),
      { numRuns: cases.add('fee quotes', RUNS) },
    );
  });
});
