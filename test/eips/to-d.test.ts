/**
 * toD with values from the caller: each value is encoded for the part of the URI it lands in (no options,
 * no path climbing, no file outside the resource roots), and a value that picks the host goes through the
 * egress policy. Partners are local servers on 127.0.0.1; a refused host is refused before any socket.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { startPartner, type Partner } from '../asyncengine/support.js';
import { ResourceResolver } from '../../src/runtime/resources.js';
import { compileEndpointTemplate, encodeUriValue } from '../../src/eips/shared/endpoint-template.js';
import { watchSockets } from '../security/egress-sockets.js';
import { FakeContext } from './fake-context.js';
import fc from 'fast-check';
import { Exchange } from '../../src/runtime/exchange.js';
import { parseEndpointUri } from '../../src/runtime/endpoint-uri.js';

describe('toD: values from the message are placed, never parsed', function () {
  this.timeout(20_000);
  let partner: Partner;
  let test: TestRouter;

  before(async () => {
    partner = await startPartner();
    const port = new URL(partner.url).port;
    test = await startRouter(
      {
        'routes/tod.yaml': `
- route:
    id: tod-path
    from:
      uri: platform-http:/x/tod/{id}
      steps:
        - toD: "${partner.url}/orders/\${header.id}?secret=1"
- route:
    id: tod-header
    from:
      uri: platform-http:/x/todh
      steps:
        - toD: "${partner.url}/orders/\${header.X-Order}"
- route:
    id: tod-query
    from:
      uri: platform-http:/x/q/{v}
      steps:
        - toD: "${partner.url}/search?term=\${header.v}&httpMethod=GET"
- route:
    id: tod-host
    from:
      uri: platform-http:/x/host/{h}
      steps:
        - toD: "http://\${header.h}:${port}/hosted"
- route:
    id: tod-mapping
    from:
      uri: platform-http:/x/map/{m}
      steps:
        - toD: "jsonata:mappings/\${header.m}"
`,
        'routes/mappings/hello.json': '{"hello": "mapped"}',
        'priv.json': '{"secret": "outside the roots"}',
      },
      { egressAllow: ['127.0.0.1'] },
    );
  });

  after(async () => {
    await test?.stop();
    await partner?.close();
  });

  beforeEach(() => {
    partner.requests.length = 0;
  });

  it('a value with ? and = stays in its path segment: it cannot set httpMethod or other options', async () => {
    const response = await fetch(`${test.baseUrl}/x/tod/x%3FhttpMethod%3DDELETE`);
    expect(response.status).to.equal(200);
    expect(partner.requests).to.have.length(1);
    expect(partner.requests[0]!.path).to.equal('/orders/x%3FhttpMethod%3DDELETE?secret=1');
  });

  it('a value with encoded slashes and dots cannot climb out of the path', async () => {
    const climb = await fetch(`${test.baseUrl}/x/tod/..%2F..%2Finternal%2Fadmin`);
    expect(climb.status).to.equal(200);
    expect(partner.requests.map((r) => r.path)).to.deep.equal(['/orders/..%2F..%2Finternal%2Fadmin?secret=1']);
    partner.requests.length = 0;
    // A whole segment of dots (any spelling WHATWG URLs read as one) is refused before any call.
    // (The HTTP entry itself refuses dot segments in its own path, so the value comes in a header here.)
    for (const dots of ['..', '.']) {
      const response = await rawGet(test.baseUrl, '/x/todh', { 'X-Order': dots });
      expect(response.status, dots).to.equal(400);
      expect((JSON.parse(response.body) as { error: string }).error, dots).to.equal('BAD_ENDPOINT_VALUE');
    }
    expect(partner.requests).to.deep.equal([]);
    // Percent signs are encoded too, so '%2e%2e' arrives as the text it is, never as a dot segment.
    const text = await rawGet(test.baseUrl, '/x/todh', { 'X-Order': '%2e%2e' });
    expect(text.status).to.equal(200);
    expect(partner.requests.map((r) => r.path)).to.deep.equal(['/orders/%252e%252e']);
  });

  it('a query value cannot add or end options (& = RAW( are encoded)', async () => {
    const response = await fetch(`${test.baseUrl}/x/q/${encodeURIComponent('a&httpMethod=DELETE&RAW(')}`);
    expect(response.status).to.equal(200);
    expect(partner.requests).to.have.length(1);
    expect(partner.requests[0]!.path).to.equal('/search?term=a%26httpMethod%3DDELETE%26RAW%28');
  });

  it('a value that picks the host goes through the egress policy: refused hosts get no socket', async () => {
    const sockets = watchSockets();
    try {
      for (const host of ['169.254.169.254', '10.0.0.1', '2130706434', '0x7f000002', 'localhost', '[::ffff:10.0.0.1]']) {
        const response = await fetch(`${test.baseUrl}/x/host/${encodeURIComponent(host)}`);
        expect(response.status, host).to.be.oneOf([400, 502]);
      }
      // A value trying to smuggle credentials or a path into the host is refused too.
      const smuggled = await fetch(`${test.baseUrl}/x/host/${encodeURIComponent('127.0.0.1@10.0.0.1')}`);
      expect(smuggled.status).to.equal(400);
      // The allow-listed loopback partner is reached.
      const allowed = await fetch(`${test.baseUrl}/x/host/127.0.0.1`);
      expect(allowed.status).to.equal(200);
    } finally {
      sockets.stop();
    }
    expect(sockets.notLoopback(), 'no connection left this machine').to.deep.equal([]);
    // Only the test's own fetches to the router and the one allowed call to the partner.
    const partnerPort = new URL(partner.url).port;
    expect(sockets.opened.filter((to) => to.endsWith(`:${partnerPort}`))).to.have.length.at.most(1);
    expect(partner.requests.map((r) => r.path)).to.deep.equal(['/hosted']);
    const refusals = test.log.lines.filter((line) => line.message === 'egress refused');
    expect(refusals.map((line) => line.host)).to.include.members(['169.254.169.254', '10.0.0.1', '127.0.0.2', 'localhost']);
  });

  it('jsonata:mappings/${header.m} cannot read a file outside the resource roots', async () => {
    const inside = await fetch(`${test.baseUrl}/x/map/hello.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(inside.status).to.equal(200);
    expect(await inside.json()).to.deep.equal({ hello: 'mapped' });
    const outside = await fetch(`${test.baseUrl}/x/map/..%2F..%2Fpriv.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const text = await outside.text();
    expect(outside.status, text).to.not.equal(200);
    expect(text).to.not.include('outside the roots');
  });
});

/** A GET whose path goes out exactly as written. */
function rawGet(baseUrl: string, requestPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: requestPath, method: 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('resource resolution stays inside the resource roots', () => {
  it('refuses names that climb out, and symbolic links pointing out', () => {
    const dir = path.join(process.env.TMPDIR ?? '/tmp', `pipes-res-${process.pid}-${Date.now()}`);
    mkdirSync(path.join(dir, 'root', 'mappings'), { recursive: true });
    writeFileSync(path.join(dir, 'root', 'mappings', 'ok.json'), '{}');
    writeFileSync(path.join(dir, 'secret.json'), '{}');
    symlinkSync(path.join(dir, 'secret.json'), path.join(dir, 'root', 'mappings', 'link.json'));
    const resolver = new ResourceResolver([path.join(dir, 'root')], path.join(dir, 'root'));
    expect(resolver.resolve('mappings/ok.json')).to.equal(path.join(dir, 'root', 'mappings', 'ok.json'));
    expect(resolver.resolve('mappings/../mappings/ok.json')).to.equal(path.join(dir, 'root', 'mappings', 'ok.json'));
    expect(resolver.resolve('mappings/../../secret.json')).to.equal(undefined);
    expect(resolver.resolve('classpath:../secret.json')).to.equal(undefined);
    expect(resolver.resolve('mappings/link.json')).to.equal(undefined);
  });
});

describe('endpoint templates: where each value lands', () => {
  const ctx = new FakeContext();
  const cases: [string, string[], boolean][] = [
    ['https://partner.example/orders/${header.a}', ['path'], false],
    ['https://partner.example/search?q=${header.a}#${header.b}', ['query', 'fragment'], false],
    ['https://${header.a}/x', ['authority'], true],
    ['http:${header.a}/x', ['authority'], true],
    ['https://api.${header.a}.example/x', ['authority'], true],
    ['${header.a}:queue', ['scheme'], true],
    ['${header.a}://${header.b}/x', ['scheme', 'authority'], true],
    ['mock:${header.a}', ['path'], false],
    ['jsonata:mappings/${header.a}', ['path'], false],
    ['spring-rabbitmq:${header.a}?routingKey=${header.b}', ['path', 'query'], false],
  ];
  for (const [template, parts, steered] of cases) {
    it(template, () => {
      const compiled = compileEndpointTemplate(template, ctx, { file: 't.yaml', line: 1, column: 1 } as never);
      expect(compiled.parts).to.deep.equal(parts);
      expect(compiled.messageSteered).to.equal(steered);
    });
  }

  it('property: no value moves out of its path segment or query value', async () => {
    const path = compileEndpointTemplate('https://partner.example/orders/${header.v}/lines?fixed=1&term=${header.w}', ctx, { file: 't.yaml', line: 1, column: 1 } as never);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), async (v, w) => {
        const exchange = new Exchange({ headers: { v, w } });
        let uri: string;
        try {
          uri = await path.compute(exchange);
        } catch (error) {
          // Only a whole dot segment is refused.
          expect(['.', '..'], JSON.stringify(v)).to.include(v);
          expect((error as { code?: string }).code).to.equal('BAD_ENDPOINT_VALUE');
          return;
        }
        const url = new URL(uri);
        expect(url.host).to.equal('partner.example');
        const segments = url.pathname.split('/').slice(1);
        expect(segments).to.have.length(3);
        expect(segments[0]).to.equal('orders');
        expect(decodeURIComponent(segments[1]!)).to.equal(v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
        expect(segments[2]).to.equal('lines');
        const options = parseEndpointUri(`https:${uri.slice('https:'.length)}`).query;
        expect(Object.keys(options)).to.deep.equal(['fixed', 'term']);
        expect(options.fixed).to.equal('1');
      }),
      { numRuns: 400 },
    );
  });

  it('encodes every reserved character', () => {
    expect(encodeUriValue("a/b?c#d&e=f%g(h)!*' i")).to.equal('a%2Fb%3Fc%23d%26e%3Df%25g%28h%29%21%2A%27%20i');
  });
});
