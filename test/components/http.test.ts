import { expect } from 'chai';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { sendToDirect } from '../../src/components/direct/direct-registry.js';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { RouteLoadError } from '../../src/errors/index.js';
import { ConnectError, HttpOperationFailedError, TimeoutError } from '../../src/errors/index.js';
import { startPartner, type Partner } from './http-partner.js';

/** The http/https producer against real local partners, through YAML routes. */
describe('http component', () => {
  let router: TestRouter | undefined;
  let partner: Partner | undefined;
  afterEach(async () => {
    await router?.stop();
    await partner?.close();
    router = undefined;
    partner = undefined;
  });

  async function start(yaml: string, http = false, egressAllow: string[] = []): Promise<TestRouter> {
    router = await startRouter({ 'routes/http.yaml': yaml }, { http, egressAllow });
    return router;
  }

  function send(name: string, init: ConstructorParameters<typeof Exchange>[0]): Promise<Exchange> {
    return sendToDirect(router!.router.services, name, new Exchange(init));
  }

  async function failure(name: string, init: ConstructorParameters<typeof Exchange>[0]): Promise<unknown> {
    return send(name, init).then(
      () => expect.fail('the call should have failed'),
      (error: unknown) => error,
    );
  }

  const callRoute = (uri: string, extra = '') => `
- route:
    id: call-partner
    from:
      uri: direct:call
      steps:${extra}
        - to:
            uri: "${uri}"
        - to: mock:answer
`;

  it('POSTs a JSON body with the route headers, forwards unknown parameters and maps the answer', async () => {
    partner = await startPartner({ status: 201, body: { ledgerRef: 'L-1' }, headers: { 'x-partner-trace': 't-9' } });
    await start(
      callRoute(`${partner.url}/api/payments?tenant=acme&throwExceptionOnFailure=true&connectTimeout=2s`, `
        - setHeader:
            name: X-Request-Id
            constant: r-1`),
    );
    const done = await send('call', {
      body: { amount: 12.5, currency: 'EUR' },
      headers: { CamelHttpResponseCode: 999, CamelFoo: 'internal', Connection: 'close', Host: 'evil.example' },
    });
    const [request] = partner.requests;
    expect(request).to.include({ method: 'POST', url: '/api/payments?tenant=acme' });
    expect(JSON.parse(request!.body)).to.deep.equal({ amount: 12.5, currency: 'EUR' });
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.headers['x-request-id']).to.equal('r-1');
    expect(request!.headers.host).to.equal(`127.0.0.1:${partner.port}`);
    expect(Object.keys(request!.headers).filter((h) => h.startsWith('camel'))).to.deep.equal([]);
    expect(done.message.body).to.deep.equal({ ledgerRef: 'L-1' });
    expect(done.getHeader('CamelHttpResponseCode')).to.equal(201);
    expect(done.getHeader('CamelHttpResponseText')).to.equal('Created');
    expect(done.getHeader('x-partner-trace')).to.equal('t-9');
    expect(done.getHeader('content-type')).to.equal('application/json');
    expect(mockEndpoint(router!.router.services, 'answer').bodies).to.deep.equal([{ ledgerRef: 'L-1' }]);
  });

  it('picks the method: option, then CamelHttpMethod, then POST with a body and GET without', async () => {
    partner = await startPartner({ status: 200, body: 'fine' });
    await start(`
- route:
    id: methods
    from:
      uri: direct:call
      steps:
        - to: "${partner.url}/a"
- route:
    id: forced
    from:
      uri: direct:forced
      steps:
        - to: "${partner.url}/b?httpMethod=PATCH"
`);
    const get = await send('call', {});
    await send('call', { body: 'text body' });
    await send('call', { body: { id: 1 }, headers: { CamelHttpMethod: 'put' } });
    await send('call', { body: null, headers: { CamelHttpMethod: 'DELETE' } });
    await send('forced', { body: [1, 2], headers: { CamelHttpMethod: 'GET' } });
    expect(partner.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).to.deep.equal([
      'GET /a ',
      'POST /a text body',
      'PUT /a {"id":1}',
      'DELETE /a ',
      'PATCH /b [1,2]',
    ]);
    expect(partner.requests[1]!.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(get.message.body).to.equal('fine');
  });

  it('never passes the inbound caller credentials on, and sends the partner credentials from the options', async () => {
    partner = await startPartner({ status: 200, body: { ok: true } });
    await start(
      `
- route:
    id: entry
    from:
      uri: platform-http:/in/payments
      steps:
        - to: "${partner.url}/api/payments"
- route:
    id: with-token
    from:
      uri: platform-http:/in/token
      steps:
        - to:
            uri: "${partner.url}/api/token"
            parameters:
              authBearerToken: partner-secret
`,
      true,
    );
    const call = (path: string) =>
      fetch(`${router!.baseUrl}${path}?q=1`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer caller-token',
          'x-api-key': 'caller-key',
          cookie: 'session=caller',
          'x-tenant': 'acme',
        },
        body: JSON.stringify({ amount: 1 }),
      });
    const answer = await call('/in/payments');
    expect(answer.status).to.equal(200);
    expect(await answer.json()).to.deep.equal({ ok: true });
    expect((await call('/in/token')).status).to.equal(200);

    const [plain, withToken] = partner.requests;
    for (const request of [plain!, withToken!]) {
      expect(request.headers['x-api-key']).to.equal(undefined);
      expect(request.headers.cookie).to.equal(undefined);
      // An HTTP caller's own headers stop at the exchange: the route did not set x-tenant.
      expect(request.headers['x-tenant']).to.equal(undefined);
    }
    expect(plain!.headers.authorization).to.equal(undefined);
    expect(withToken!.headers.authorization).to.equal('Bearer partner-secret');
    // The entry's own CamelHttpUri / CamelHttpPath / CamelHttpQuery describe the inbound call: not applied.
    expect(plain!.url).to.equal('/api/payments');
    expect(plain!.method).to.equal('POST');
  });

  it('takes a per-message credential from the httpAuthorization property only', async () => {
    partner = await startPartner({ status: 204 });
    await start(
      callRoute(`${partner.url}/x`, `
        - setProperty:
            name: httpAuthorization
            simple: "Bearer \${header.token}"`),
    );
    const done = await send('call', { body: { a: 1 }, headers: { token: 't-42', Authorization: 'Bearer from-caller' } });
    expect(partner.requests[0]!.headers.authorization).to.equal('Bearer t-42');
    expect(done.message.body).to.equal(null);
    expect(done.getHeader('CamelHttpResponseCode')).to.equal(204);
  });

  it('lets CamelHttpUri replace the URL, CamelHttpPath extend it and CamelHttpQuery set the query', async () => {
    partner = await startPartner({ status: 200, body: {} });
    await start(callRoute('http://192.0.2.1:9/unused'), false, ['127.0.0.1']);
    await send('call', { headers: { CamelHttpUri: `${partner.url}/override`, CamelHttpPath: '/42', CamelHttpQuery: 'expand=lines' } });
    expect(partner.requests[0]!.url).to.equal('/override/42?expand=lines');
  });

  it('sends a call that CamelHttpUri or a redirect moved to another origin only where the egress policy allows', async () => {
    const target = await startPartner({ status: 200, body: { moved: true } });
    try {
      partner = await startPartner({ status: 307, headers: { location: `${target.url}/new` } });
      await start(`
- route:
    id: moved
    from:
      uri: direct:moved
      steps:
        - to: "${partner.url}/base"
- route:
    id: follow
    from:
      uri: direct:follow
      steps:
        - to: "${partner.url}/old?followRedirects=true"
`);
      const moved = await failure('moved', { headers: { CamelHttpUri: `${target.url}/elsewhere` } });
      expect(moved).to.be.instanceOf(ConnectError);
      expect((moved as ConnectError).message).to.equal('Connection to 127.0.0.1 failed');
      const redirected = await failure('follow', { body: {} });
      expect(redirected).to.be.instanceOf(ConnectError);
      // The endpoint's own origin is the operator's: the first hop went out, the moved ones did not.
      expect(partner.requests).to.have.length(1);
      expect(target.requests).to.deep.equal([]);
      const refusals = router!.log.lines.filter((line) => line.message === 'egress refused');
      expect(refusals.map((line) => line.purpose)).to.deep.equal(['CamelHttpUri', 'redirect']);
    } finally {
      await target.close();
    }
  });

  it('fails a 4xx with a non-retryable HttpOperationFailedException carrying status and body', async () => {
    partner = await startPartner({ status: 400, body: { error: 'iban invalid' } });
    await start(callRoute(`${partner.url}/pay`));
    const error = (await failure('call', { body: { iban: 'x' } })) as HttpOperationFailedError;
    expect(error).to.be.instanceOf(HttpOperationFailedError);
    expect(error.statusCode).to.equal(400);
    expect(JSON.parse(error.responseBody)).to.deep.equal({ error: 'iban invalid' });
    expect(error.retryable).to.equal(false);
    expect(error.camelName).to.equal('org.apache.camel.http.base.HttpOperationFailedException');
    expect(error.message).to.contain(`${partner.url}/pay`);
  });

  it('reads Retry-After from a 429 (seconds or HTTP date) and marks 429 and 503 retryable', async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    partner = await startPartner(
      { status: 429, body: 'slow down', headers: { 'retry-after': '7' } },
      { status: 503, body: 'maintenance', headers: { 'retry-after': inTwoMinutes } },
    );
    await start(callRoute(`${partner.url}/pay?secretToken=abc`));
    const limited = (await failure('call', { body: {} })) as HttpOperationFailedError;
    expect(limited.statusCode).to.equal(429);
    expect(limited.retryAfterMs).to.equal(7000);
    expect(limited.retryable).to.equal(true);
    expect(limited.message).not.to.contain('abc');
    const down = (await failure('call', { body: {} })) as HttpOperationFailedError;
    expect(down.statusCode).to.equal(503);
    expect(down.retryable).to.equal(true);
    expect(down.retryAfterMs).to.be.greaterThan(60_000).and.at.most(120_000);
    expect(down.responseBody).to.equal('maintenance');
  });

  it('with throwExceptionOnFailure=false the failed answer becomes the message', async () => {
    partner = await startPartner({ status: 404, body: { error: 'unknown payment' } });
    await start(callRoute(`${partner.url}/pay/9?throwExceptionOnFailure=false`));
    const done = await send('call', {});
    expect(done.getHeader('CamelHttpResponseCode')).to.equal(404);
    expect(done.message.body).to.deep.equal({ error: 'unknown payment' });
  });

  it('treats statuses outside okStatusCodeRange as failures', async () => {
    partner = await startPartner({ status: 202, body: {} });
    await start(callRoute(`${partner.url}/pay?okStatusCodeRange=200-201,204`));
    const error = (await failure('call', { body: {} })) as HttpOperationFailedError;
    expect(error.statusCode).to.equal(202);
  });

  it('reports a partner that is down as a retryable ConnectException', async () => {
    partner = await startPartner();
    const url = partner.url;
    await partner.close();
    await start(callRoute(`${url}/pay`));
    const error = (await failure('call', { body: {} })) as ConnectError;
    expect(error).to.be.instanceOf(ConnectError);
    expect(error.camelName).to.equal('java.net.ConnectException');
    expect(error.retryable).to.equal(true);
  });

  it('gives up on a slow partner after responseTimeout and closes the connection', async () => {
    partner = await startPartner({ hold: true });
    await start(callRoute(`${partner.url}/slow?responseTimeout=150`));
    const error = (await failure('call', { body: {} })) as TimeoutError;
    expect(error).to.be.instanceOf(TimeoutError);
    expect(error.camelName).to.equal('java.util.concurrent.TimeoutException');
    await partner.until(() => partner!.abandoned === 1);
  });

  it('reuses kept-alive connections across messages', async () => {
    partner = await startPartner({ status: 200, body: {} });
    await start(callRoute(`${partner.url}/pay`));
    for (let i = 0; i < 5; i++) await send('call', { body: { i } });
    expect(partner.requests).to.have.length(5);
    expect(partner.connections).to.equal(1);
  });

  it('follows redirects only when asked, without credentials across origins', async () => {
    const target = await startPartner({ status: 200, body: { moved: true } });
    try {
      partner = await startPartner({ status: 307, headers: { location: `${target.url}/new` } });
      await start(`
- route:
    id: strict
    from:
      uri: direct:strict
      steps:
        - to: "${partner.url}/old"
- route:
    id: follow
    from:
      uri: direct:follow
      steps:
        - to: "${partner.url}/old?followRedirects=true&authBearerToken=tok"
`, false, ['127.0.0.1']);
      const error = (await failure('strict', { body: {} })) as HttpOperationFailedError;
      expect(error.statusCode).to.equal(307);
      const done = await send('follow', { body: { a: 1 } });
      expect(done.message.body).to.deep.equal({ moved: true });
      expect(target.requests[0]).to.include({ method: 'POST', url: '/new', body: '{"a":1}' });
      expect(target.requests[0]!.headers.authorization).to.equal(undefined);
      expect(partner.requests[1]!.headers.authorization).to.equal('Bearer tok');
    } finally {
      await target.close();
    }
  });

  it('refuses credentials in the URI at load, and warns about a parameter that looks like a misspelt option', async () => {
    const error = await startRouter({ 'routes/bad.yaml': callRoute('https://user:pw@partner.example.com/x') }, { http: false }).then(
      (started) => {
        router = started;
        return expect.fail('should not load');
      },
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(RouteLoadError);
    const messages = (error as RouteLoadError).diagnostics.map((d) => d.message);
    expect(messages.some((m) => m.includes('authUsername'))).to.equal(true);
    expect(messages.join(' ')).not.to.contain('pw@');

    partner = await startPartner({ status: 200, body: {} });
    await start(callRoute(`${partner.url}/x?throwExceptionOnFailur=false`));
    const warning = router!.router.diagnostics.find((d) => d.message.includes('throwExceptionOnFailur'));
    expect(warning?.severity).to.equal('warning');
    expect(warning?.suggestions).to.include('throwExceptionOnFailure');
  });

  it('accepts https endpoints and keeps the scheme', async () => {
    await start(callRoute('https://127.0.0.1:1/pay?connectTimeout=500'));
    const error = await failure('call', { body: {} });
    expect(error).to.be.instanceOf(ConnectError);
    expect((error as ConnectError).message).to.contain('127.0.0.1:1');
  });
});
