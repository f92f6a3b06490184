import { deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  addHttpGuard,
  createHttpServer,
  httpExtensions,
  protectExtension,
  type HttpServer,
} from '../../src/server/http-server.js';
import { setReadinessCheck } from '../../src/runtime/readiness.js';
import { AuthenticationError, TransportError } from '../../src/errors/index.js';
import type { Consumer } from '../../src/runtime/component.js';
import type { Exchange } from '../../src/runtime/exchange.js';
import type { Processor } from '../../src/runtime/processor.js';
import { TestBuild } from '../components/test-context.js';

const validPayment = {
  paymentId: '3f2c9a4e-8b1d-4c7e-9f0a-1b2c3d4e5f60',
  amount: { value: 125.5, currency: 'EUR' },
  payer: { email: 'ops@bank.example' },
  requestedAt: '2026-03-01T10:15:00Z',
};

describe('HTTP server with platform-http and rest entries', () => {
  let build: TestBuild;
  let server: HttpServer;
  let base: string;
  const consumers: Consumer[] = [];
  const seen: Exchange[] = [];

  async function entry(uri: string, ...processors: Processor[]): Promise<Consumer> {
    const consumer = build.consumer(uri, build.route(`route-${consumers.length}`, ...processors));
    await consumer.start();
    consumers.push(consumer);
    return consumer;
  }

  const record: Processor = async (exchange) => void seen.push(exchange);

  before(async () => {
    build = new TestBuild({ bodyLimitBytes: 2048 });
    await entry(
      'platform-http:/payments?httpMethodRestrict=POST&consumes=application/json',
      record,
      build.producer('json-validator:payment.schema.json').process,
      async (exchange) => {
        exchange.setHeader('CamelHttpResponseCode', 202);
        exchange.body = { accepted: true, paymentId: (exchange.body as { paymentId: string }).paymentId };
      },
    );
    await entry('rest:get:/payments/{id}', record, async (exchange) => {
      exchange.body = {
        id: exchange.getHeader('id'),
        expand: exchange.getHeader('expand'),
        method: exchange.getHeader('CamelHttpMethod'),
        uri: exchange.getHeader('CamelHttpUri'),
        query: exchange.getHeader('CamelHttpQuery'),
      };
    });
    await entry('rest:get:/payments/{id}/refunds/{refundId}', async (exchange) => {
      exchange.body = { id: exchange.getHeader('id'), refundId: exchange.getHeader('refundId') };
    });
    await entry('platform-http:/report', async (exchange) => {
      exchange.setHeader('Content-Type', 'text/csv');
      exchange.setHeader('CamelHttpResponseCode', 201);
      exchange.setHeader('X-Report-Id', 'r-1');
      exchange.setHeader('CamelSecretThing', 'internal');
      exchange.body = 'id,amount\n1,10\n';
    });
    await entry('platform-http:/json-text', async (exchange) => {
      // A body already serialised by the route (e.g. a template), labelled JSON by the route itself.
      exchange.setHeader('Content-Type', 'application/json');
      exchange.setHeader('X-Trace', exchange.getHeader('x-trace'));
      exchange.body = '{"ok":true}';
    });
    await entry('platform-http:/json-untouched', async (exchange) => {
      exchange.body = 'plain words';
    });
    await entry('platform-http:/empty', async (exchange) => void (exchange.body = null));
    await entry(
      'platform-http:/bytes',
      async (exchange) => void (exchange.body = Buffer.from([0, 1, 2, 255])),
    );
    await entry('platform-http:/boom', async () => {
      throw new Error('connection to db://ledger:password123@10.0.0.5 refused');
    });
    await entry('platform-http:/busy', async () => {
      throw new TransportError('PUBLISH_TIMEOUT', 'broker did not confirm publish to payments.in', {
        retryAfterSeconds: 7,
      });
    });
    await entry('platform-http:/files?matchOnUriPrefix=true', record, async (exchange) => {
      exchange.body = { path: exchange.getHeader('CamelHttpPath') };
    });
    await entry('platform-http:/echo', record, async (exchange) => {
      exchange.body = { code: exchange.getHeader('CamelHttpResponseCode') ?? null, text: exchange.body };
    });
    await entry('direct:core', async (exchange) => {
      exchange.setHeader('handledBy', 'core');
      exchange.body = { core: exchange.body };
    });
    await entry(
      'platform-http:/via-direct?httpMethodRestrict=POST',
      record,
      build.producer('direct:core').process,
      async (exchange) => {
        exchange.body = {
          ...(exchange.body as object),
          sameExchange: seen.at(-1) === exchange,
          handledBy: exchange.getHeader('handledBy'),
        };
      },
    );

    await entry(
      'rest:post:/ledger:/entries',
      build.producer('json-validator:payment.schema.json').process,
      build.producer('jsonata:mappings/payment-to-ledger.jsonata').process,
    );
    await entry('rest:get:/payments/search', async (exchange) => void (exchange.body = { search: true }));

    server = createHttpServer(build.services);
    const address = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    await server.close();
    for (const consumer of consumers) await consumer.stop();
  });

  beforeEach(() => (seen.length = 0));

  function post(
    path: string,
    body: string,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(base + path, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  }

  it('answers a valid JSON request with the route status and JSON body', async () => {
    const response = await post('/payments', JSON.stringify(validPayment));
    expect(response.status).to.equal(202);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(await response.json()).to.deep.equal({ accepted: true, paymentId: validPayment.paymentId });
    expect(seen[0]!.pattern).to.equal('InOut');
    expect(seen[0]!.getHeader('CamelHttpMethod')).to.equal('POST');
  });

  it('answers a json-validator failure with 400 and every error', async () => {
    const response = await post(
      '/payments',
      JSON.stringify({ ...validPayment, paymentId: 'x', payer: { email: 'nope' } }),
    );
    expect(response.status).to.equal(400);
    const body = (await response.json()) as {
      error: string;
      errors: { instancePath: string }[];
      exchangeId: string;
      message: string;
    };
    expect(body.error).to.equal('VALIDATION_FAILED');
    expect(body.errors.map((e) => e.instancePath).sort()).to.deep.equal(['/payer/email', '/paymentId']);
    expect(body.exchangeId).to.equal(seen[0]!.exchangeId);
    expect(body.message).to.contain('payment.schema.json');
  });

  it('turns path parameters and query parameters into headers', async () => {
    const response = await fetch(`${base}/payments/PAY%2F42?expand=refunds&tag=a&tag=b`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      id: 'PAY/42',
      expand: 'refunds',
      method: 'GET',
      uri: '/payments/PAY%2F42',
      query: 'expand=refunds&tag=a&tag=b',
    });
    expect(seen[0]!.getHeader('tag')).to.deep.equal(['a', 'b']);
    const nested = await fetch(`${base}/payments/P1/refunds/R9`);
    expect(await nested.json()).to.deep.equal({ id: 'P1', refundId: 'R9' });
  });

  it('honours CamelHttpResponseCode and Content-Type and never sends Camel headers', async () => {
    const response = await fetch(`${base}/report`);
    expect(response.status).to.equal(201);
    expect(response.headers.get('content-type')).to.match(/^text\/csv/);
    expect(response.headers.get('x-report-id')).to.equal('r-1');
    expect(response.headers.get('camelsecretthing')).to.equal(null);
    expect(response.headers.get('camelhttpresponsecode')).to.equal(null);
    expect(await response.text()).to.equal('id,amount\n1,10\n');
  });

  it('answers with the Content-Type the route set, also when the request carried the same one', async () => {
    const response = await post('/json-text', '{"q":1}', 'application/json', { 'x-trace': 't-1' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    // Set by the route (to the request's value): the route's header, so it is sent.
    expect(response.headers.get('x-trace')).to.equal('t-1');
    expect(await response.json()).to.deep.equal({ ok: true });
    // A route that leaves the request's Content-Type alone does not answer under it.
    const untouched = await post('/json-untouched', '{"q":1}');
    expect(untouched.headers.get('content-type')).to.match(/^text\/plain/);
    expect(await untouched.text()).to.equal('plain words');
  });

  it('answers 204 for an empty body and raw bytes for a Buffer', async () => {
    const empty = await fetch(`${base}/empty`);
    expect(empty.status).to.equal(204);
    expect(await empty.text()).to.equal('');
    const bytes = await fetch(`${base}/bytes`);
    expect(bytes.headers.get('content-type')).to.equal('application/octet-stream');
    expect([...new Uint8Array(await bytes.arrayBuffer())]).to.deep.equal([0, 1, 2, 255]);
  });

  it('does not echo request headers and ignores Camel headers sent by a caller', async () => {
    const response = await post('/echo?CamelHttpResponseCode=299', 'hello', 'text/plain', {
      authorization: 'Bearer secret-token',
      CamelHttpResponseCode: '298',
    });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ code: null, text: 'hello' });
    expect(response.headers.get('authorization')).to.equal(null);
    expect(seen[0]!.getHeader('authorization')).to.equal('Bearer secret-token');
  });

  it('uses a plain X-Correlation-Id from the caller and returns it', async () => {
    const response = await post('/echo', 'x', 'text/plain', { 'x-correlation-id': 'pay-2026-000123' });
    expect(response.headers.get('x-correlation-id')).to.equal('pay-2026-000123');
    expect(seen[0]!.correlationId).to.equal('pay-2026-000123');
    const odd = await post('/echo', 'x', 'text/plain', { 'x-correlation-id': 'has spaces <script>' });
    expect(odd.headers.get('x-correlation-id')).to.equal(seen[1]!.exchangeId);
  });

  it('matches on the URI prefix when asked', async () => {
    const response = await fetch(`${base}/files/statements/2026/03.pdf`);
    expect(await response.json()).to.deep.equal({ path: '/files/statements/2026/03.pdf' });
    expect((await fetch(`${base}/filesystem`)).status).to.equal(404);
  });

  it('calls a direct route on the same exchange', async () => {
    const response = await post('/via-direct', JSON.stringify({ n: 1 }));
    expect(await response.json()).to.deep.equal({ core: { n: 1 }, sameExchange: true, handledBy: 'core' });
  });

  it('validates then transforms: the JSONata output is the answer', async () => {
    const response = await post('/ledger/entries', JSON.stringify({ ...validPayment, reference: 'INV-7' }));
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      ledgerRef: validPayment.paymentId,
      debit: 125.5,
      currency: 'EUR',
      lines: 0,
    });
  });

  it('prefers a literal path over a template', async () => {
    expect(await (await fetch(`${base}/payments/search`)).json()).to.deep.equal({ search: true });
  });

  describe('refusals', () => {
    it('404 for an unknown path', async () => {
      const response = await fetch(`${base}/nowhere`);
      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.include({ error: 'NOT_FOUND' });
    });

    it('405 with Allow for a known path and another method', async () => {
      const response = await fetch(`${base}/payments`, { method: 'DELETE' });
      expect(response.status).to.equal(405);
      expect(response.headers.get('allow')).to.equal('POST');
      expect(await response.json()).to.deep.include({ error: 'METHOD_NOT_ALLOWED' });
      const options = await fetch(`${base}/payments/1`, { method: 'OPTIONS' });
      expect(options.status).to.equal(204);
      expect(options.headers.get('allow')).to.equal('GET, HEAD');
    });

    it('serves HEAD from a GET entry', async () => {
      const response = await fetch(`${base}/payments/7`, { method: 'HEAD' });
      expect(response.status).to.equal(200);
    });

    it('415 for a content type the entry does not consume', async () => {
      const response = await post('/payments', 'paymentId=1', 'application/x-www-form-urlencoded');
      expect(response.status).to.equal(415);
      expect(await response.json()).to.deep.include({ error: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(seen).to.have.length(0);
    });

    it('400 for malformed JSON', async () => {
      const response = await post('/payments', '{"paymentId": ');
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.include({ error: 'MALFORMED_JSON' });
      expect(seen).to.have.length(0);
    });

    it('400 for a JSON body with a __proto__ key', async () => {
      const response = await post('/payments', '{"a": {"__proto__": {"isAdmin": true}}}');
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.include({ error: 'FORBIDDEN_JSON_KEY' });
    });

    it('413 for a body over the limit', async () => {
      const response = await post(
        '/payments',
        JSON.stringify({ ...validPayment, reference: 'x'.repeat(4000) }),
      );
      expect(response.status).to.equal(413);
      expect(await response.json()).to.deep.include({ error: 'PAYLOAD_TOO_LARGE' });
      expect(seen).to.have.length(0);
    });

    it('413 for a chunked body (no Content-Length) that grows over the limit', async () => {
      const big = JSON.stringify({ ...validPayment, reference: 'x'.repeat(4000) });
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < big.length; at += 500) controller.enqueue(Buffer.from(big.slice(at, at + 500)));
          controller.close();
        },
      });
      const response = await fetch(`${base}/payments`, {
        method: 'POST',
        body: stream,
        headers: { 'content-type': 'application/json' },
        duplex: 'half',
      });
      expect(response.status).to.equal(413);
      expect(await response.json()).to.deep.include({ error: 'PAYLOAD_TOO_LARGE' });
      expect(seen).to.have.length(0);
    });

    it('reads gzip and deflate request bodies (Content-Encoding), and refuses an unknown coding with 415', async () => {
      for (const [coding, pack] of [
        ['gzip', gzipSync],
        ['deflate', deflateSync],
      ] as const) {
        const response = await fetch(`${base}/payments`, {
          method: 'POST',
          body: pack(Buffer.from(JSON.stringify(validPayment))),
          headers: { 'content-type': 'application/json', 'content-encoding': coding },
        });
        expect(response.status, coding).to.equal(202);
        expect(await response.json()).to.deep.equal({ accepted: true, paymentId: validPayment.paymentId });
      }
      const unknown = await fetch(`${base}/payments`, {
        method: 'POST',
        body: JSON.stringify(validPayment),
        headers: { 'content-type': 'application/json', 'content-encoding': 'x-squeeze' },
      });
      expect(unknown.status).to.equal(415);
      expect(await unknown.json()).to.deep.include({ error: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('500 INTERNAL without internals for an unexpected error, logged in full', async () => {
      const response = await fetch(`${base}/boom`);
      expect(response.status).to.equal(500);
      const text = await response.text();
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(body).to.have.all.keys('error', 'message', 'exchangeId');
      expect(body).to.include({ error: 'INTERNAL', message: 'Internal error' });
      expect(text).not.to.contain('password123');
      expect(text).not.to.contain('at ');
      const logged = build.log
        .lines()
        .find((line) => line.exchangeId === body.exchangeId && line.level === 'error');
      expect(logged?.message).to.contain('db://ledger');
    });

    it('503 with Retry-After for a transport error', async () => {
      const response = await fetch(`${base}/busy`);
      expect(response.status).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal('7');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.error).to.equal('PUBLISH_TIMEOUT');
      expect(String(body.message)).not.to.contain('payments.in');
    });
  });

  it('puts security headers on every answer and no x-powered-by', async () => {
    for (const response of [
      await fetch(`${base}/payments/1`),
      await fetch(`${base}/nowhere`),
      await fetch(`${base}/health/live`),
    ]) {
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.headers.get('x-frame-options')).to.equal('DENY');
      expect(response.headers.get('cache-control')).to.equal('no-store');
      expect(response.headers.get('x-powered-by')).to.equal(null);
    }
  });

  it('health: live is 200; ready follows the readiness checks', async () => {
    expect((await fetch(`${base}/health/live`)).status).to.equal(200);
    expect((await fetch(`${base}/health/ready`)).status).to.equal(200);
    const remove = setReadinessCheck(build.services, 'broker', () => ({
      ready: false,
      detail: 'connecting',
    }));
    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).to.equal(503);
    expect(await notReady.json()).to.deep.equal({
      status: 'DOWN',
      checks: { broker: { ready: false, detail: 'connecting' } },
    });
    remove();
    expect((await fetch(`${base}/health/ready`)).status).to.equal(200);
  });

  it('adds and removes entries while the server runs', async () => {
    expect((await fetch(`${base}/late`)).status).to.equal(404);
    const consumer = build.consumer(
      'platform-http:/late',
      build.route('late', async (e) => void (e.body = 'here')),
    );
    await consumer.start();
    expect(await (await fetch(`${base}/late`)).text()).to.equal('here');
    await consumer.stop();
    expect((await fetch(`${base}/late`)).status).to.equal(404);
  });

  it('refuses a second entry for the same method and path', async () => {
    const duplicate = build.consumer(
      'rest:post:/payments',
      build.route('dup', async () => {}),
    );
    const error = await duplicate.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.contain('POST /payments is already served by route route-0');
  });

  it('runs guards before the route and answers their refusal', async () => {
    const remove = addHttpGuard(build.services, ({ request, entry, properties }) => {
      if (entry.path === '/echo' && request.headers['x-api-key'] !== 'k1') throw new AuthenticationError();
      properties.principal = 'partner-a';
    });
    try {
      const refused = await post('/echo', 'x', 'text/plain');
      expect(refused.status).to.equal(401);
      expect(await refused.json()).to.deep.include({ error: 'UNAUTHENTICATED' });
      expect(seen).to.have.length(0);
      const allowed = await post('/echo', 'x', 'text/plain', { 'x-api-key': 'k1' });
      expect(allowed.status).to.equal(200);
      expect(seen[0]!.properties.principal).to.equal('partner-a');
    } finally {
      remove();
    }
  });

  it('serves extension endpoints mounted by other parts under the prefix they declared', async () => {
    httpExtensions(build.services).get(
      '/admin/ping',
      (_request, response) => void response.json({ pong: true }),
    );
    httpExtensions(build.services).get(
      '/undeclared/ping',
      (_request, response) => void response.json({ pong: true }),
    );
    const unprotect = protectExtension(build.services, '/admin/ping', 'admin:routes');
    try {
      expect(await (await fetch(`${base}/admin/ping`)).json()).to.deep.equal({ pong: true });
      // Without a declared prefix the path belongs to the route entries, as it does under access control.
      const undeclared = await fetch(`${base}/undeclared/ping`);
      expect(undeclared.status).to.equal(404);
      expect(((await undeclared.json()) as { error: string }).error).to.equal('NOT_FOUND');
    } finally {
      unprotect();
    }
  });
});

describe('HTTP server shutdown', () => {
  it('lets a request in flight finish, then closes', async () => {
    const build = new TestBuild();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inRoute = new Promise<void>((resolve) => (entered = resolve));
    const consumer = build.consumer(
      'platform-http:/slow',
      build.route('slow', async (e) => {
        entered();
        await gate;
        e.body = 'done';
      }),
    );
    await consumer.start();
    const server = createHttpServer(build.services);
    const { port } = await server.listen(0, '127.0.0.1');
    const pending = fetch(`http://127.0.0.1:${port}/slow`);
    await inRoute;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).to.equal(false);
    release();
    const response = await pending;
    expect(await response.text()).to.equal('done');
    await closing;
    expect(closed).to.equal(true);
    await consumer.stop();
  });
});
