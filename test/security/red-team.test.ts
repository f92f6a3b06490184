import { expect } from 'chai';
import fc from 'fast-check';
import { exportSPKI, importJWK, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { Partner } from '../components/http-partner.js';
import { sha256Hex, sign, signingKey, type SigningKey } from './helpers.js';
import { rawRequest, type RawAnswer, type RawRequest } from './red-team/raw-http.js';
import { httpPort } from '../../src/server/http-server-module.js';

/**
 * The red team's attacks as a table, against the real router (memory transport, real HTTP over raw
 * sockets so paths and repeated headers reach the server exactly as an attacker sends them). One row per
 * finding of issue 16 fixed here or before (1–4, 9–13; 5–8 are the async engine's and toD's, tested with
 * their fixes), then the classes of attack every entry must refuse. Each row also asserts that nothing a
 * refused request carried reached a route (the `mock:` endpoints every route records into first).
 * The threat-model table in docs/security.md points here.
 */

const LEDGER_KEY = 'rt-ledger-key-5f0c2a9e7d3b4186';
const REPORTING_KEY = 'rt-reporting-key-b2e94d07a1c6f358';
const OPS_KEY = 'rt-operator-key-0d7a3f5c9e21b864';
const PARTNER_TOKEN = 'rt-partner-bearer-token-9c41e7a2d05b3f68';

const PAYMENT_SCHEMA = JSON.stringify({
  type: 'object',
  required: ['paymentId', 'amount'],
  properties: { paymentId: { type: 'string' }, amount: { type: 'number' } },
  additionalProperties: false,
});

const routes = (partner: string, other: string): string => `
- route:
    id: payments-in
    from:
      uri: platform-http:/payments
      parameters: {httpMethodRestrict: POST, consumes: application/json}
      steps:
        - to: json-validator:payment.json
        - to: mock:payments-in
        - setHeader: {name: CamelHttpResponseCode, constant: 202}
        - setBody: {constant: '{"status":"accepted"}'}
- route:
    id: reports-in
    from:
      uri: platform-http:/reports
      parameters: {httpMethodRestrict: GET}
      steps:
        - to: mock:reports-in
        - setBody: {constant: '{"reports":[]}'}
- route:
    id: notes-in
    from:
      uri: platform-http:/notes
      parameters: {httpMethodRestrict: POST}
      steps:
        - to: mock:notes-in
        - setHeader:
            name: X-Note
            expression: {jsonata: {expression: note}}
        - setBody: {constant: '{"noted":true}'}
- route:
    id: forward-in
    from:
      uri: platform-http:/forward
      parameters: {httpMethodRestrict: POST}
      steps:
        - to: mock:forward-in
        - to: {uri: "spring-rabbitmq:rt-partner-calls", parameters: {routingKey: calls}}
- route:
    id: partner-calls
    from:
      uri: spring-rabbitmq:rt-partner-calls
      parameters: {queues: rt-partner-calls, routingKey: calls}
      steps:
        - to: mock:partner-calls
        - to:
            uri: "${partner}/collect"
            parameters: {httpMethod: POST, authBearerToken: "${PARTNER_TOKEN}"}
- route:
    id: orders-in
    from:
      uri: spring-rabbitmq:rt-orders
      parameters: {queues: rt-orders, routingKey: orders}
      steps:
        - to: mock:orders-in
- flow:
    name: kyc-echo
    input: {type: object, required: [name], properties: {name: {type: string}}, additionalProperties: false}
    steps:
      - {name: echo, uri: "script:scripts/echo.mjs"}
`.replace('__OTHER__', other);

const rbac = (jwks: string): string => `
version: 1
roles:
  payments-writer: [route:payments-in, route:notes-in, route:forward-in, flow:kyc-echo]
  reports-reader: [route:reports-in]
  operator: ['admin:*']
principals:
  - {id: ledger, roles: [payments-writer], apiKeySha256: ${sha256Hex(LEDGER_KEY)}}
  - {id: reporting, roles: [reports-reader], apiKeySha256: ${sha256Hex(REPORTING_KEY)}}
  - {id: ops-console, roles: [operator], apiKeySha256: ${sha256Hex(OPS_KEY)}}
jwt:
  jwksFile: ${jwks}
  issuer: https://idp.test/
  audience: service-pipes
  algorithms: [RS256]
  rolesClaim: realm_access.roles
  clockToleranceSeconds: 5
open: {health: true, metrics: true}
`;

const key = (value: string): [string, string] => ['X-API-Key', value];
const bearer = (jwt: string): [string, string] => ['Authorization', `Bearer ${jwt}`];
const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const PAYMENT = JSON.stringify({ paymentId: 'p-1', amount: 10 });

describe('security: red-team suite (issue 16)', function () {
  this.timeout(30_000);
  let app: TestRouter;
  let port: number;
  let signer: SigningKey;
  let stranger: SigningKey;
  const partner = new Partner();
  const other = new Partner();
  /** Every error body the suite received, scanned for secrets at the end. */
  const answers: RawAnswer[] = [];
  const secrets = new Set([LEDGER_KEY, REPORTING_KEY, OPS_KEY, PARTNER_TOKEN]);
  /** A valid token of every role, sent where no credential is read (the query string). */
  let queryToken = 'unset';

  const send = async (request: RawRequest): Promise<RawAnswer> => {
    const answer = await rawRequest(port, request);
    answers.push(answer);
    return answer;
  };
  const mock = (name: string) => mockEndpoint(app.router.services, name);
  const allMocks = ['payments-in', 'reports-in', 'notes-in', 'forward-in', 'orders-in', 'partner-calls'];
  const routesReached = (): number => allMocks.reduce((sum, name) => sum + mock(name).received.length, 0);
  const token = async (roles: string[], options: Parameters<typeof sign>[1] = {}, with_ = signer): Promise<string> => {
    const jwt = await sign(with_, { ...options, claims: { realm_access: { roles }, ...options.claims } });
    secrets.add(jwt.split('.')[2]!);
    return jwt;
  };
  /** A refusal in the router's JSON shape, with nothing reaching any route. */
  const refused = (answer: RawAnswer, statuses: number[], before: number): void => {
    expect(statuses, `${answer.status} ${answer.body.slice(0, 200)}`).to.include(answer.status);
    expect(answer.header('content-type') ?? '', answer.head).to.match(/application\/json/);
    expect(answer.json()).to.have.property('error');
    expect(routesReached(), 'a refused request reached a route').to.equal(before);
  };

  before(async () => {
    signer = await signingKey('RS256', 'idp-1');
    stranger = await signingKey('RS256', 'idp-2');
    secrets.add(String(signer.privateJwk.d));
    queryToken = await token(['payments-writer', 'reports-reader', 'operator']);
    await partner.start();
    await other.start();
    app = await startRouter(
      {
        'routes/red-team.yaml': routes(partner.url, other.url),
        'routes/scripts/echo.mjs': 'export default async function echo(payload) { return payload; }',
        'schemas/payment.json': PAYMENT_SCHEMA,
        'jwks.json': JSON.stringify({ keys: [signer.publicJwk] }),
      },
      { rbac: rbac('jwks.json') },
    );
    port = httpPort(app.router.services)!;
  });

  after(async () => {
    await app?.stop();
    await partner.close();
    await other.close();
  });

  describe('findings', () => {
    it('F1 AMQP Camel* headers do not steer the partner call (no Bearer token to another origin)', async () => {
      // Same code path as the broker (message-mapping fromDelivered); the real-broker run is e2e/header-boundaries.
      await app.router.services.transport().publish({
        exchange: 'rt-partner-calls',
        routingKey: 'calls',
        body: Buffer.from('{"n":1}'),
        contentType: 'application/json',
        headers: {
          CamelHttpUri: `${other.url}/steal`,
          CamelHttpMethod: 'DELETE',
          CamelHttpPath: '/steal',
          CamelHttpQuery: 'x=1',
        },
      });
      await mock('partner-calls').waitFor(1);
      await waitUntil(() => partner.requests.length >= 1);
      expect(other.requests, 'the other origin was called').to.deep.equal([]);
      expect(partner.requests[0]).to.include({ method: 'POST', url: '/collect' });
      expect(partner.requests[0]!.headers.authorization).to.equal(`Bearer ${PARTNER_TOKEN}`);
    });

    it('F2 an Idempotency-Key in the query does not shadow the header: both payments are delivered', async () => {
      mock('payments-in').reset();
      const first = await send({ method: 'POST', target: '/payments', headers: [key(LEDGER_KEY), JSON_TYPE, ['Idempotency-Key', 'rt-k1']], body: JSON.stringify({ paymentId: 'P1', amount: 1 }) });
      const second = await send({ method: 'POST', target: '/payments?Idempotency-Key=rt-k1', headers: [key(LEDGER_KEY), JSON_TYPE], body: JSON.stringify({ paymentId: 'P2', amount: 2 }) });
      expect([first.status, second.status]).to.deep.equal([202, 202]);
      expect(mock('payments-in').received.map((e) => (e.message.body as { paymentId: string }).paymentId)).to.deep.equal(['P1', 'P2']);
      // The same key with another body is a conflict, never an ack of something not done.
      const reused = await send({ method: 'POST', target: '/payments', headers: [key(LEDGER_KEY), JSON_TYPE, ['Idempotency-Key', 'rt-k1']], body: JSON.stringify({ paymentId: 'P3', amount: 3 }) });
      expect(reused.status).to.equal(409);
      expect(mock('payments-in').received).to.have.length(2);
    });

    it('F3 guard and express read one path: x\\..\\..\\..\\metrics is refused, not the dead-letter handler', async () => {
      const before = routesReached();
      for (const target of [
        '/admin/dead-letters/x\\..\\..\\..\\metrics',
        '/admin/dead-letters/x%5c..%5c..%5c..%5cmetrics',
        '/admin/dead-letters/x/../../../metrics',
        '/admin/dead-letters/%2e%2e/%2e%2e/metrics',
        '/admin/dead-letters/x/%252e%252e/metrics',
        '//admin/dead-letters',
        '/admin/dead-letters%00/x',
      ]) {
        const answer = await send({ target });
        refused(answer, [400], before);
        expect(answer.json(), target).to.include({ error: 'BAD_PATH' });
      }
      // The dead-letter sweep never ran: no audit line of an admin:dead-letters decision was needed.
      expect(app.log.lines.filter((l) => l.component === 'dead-letters')).to.deep.equal([]);
    });

    it('F3 property: no path spelling reaches a guarded endpoint without credentials', async () => {
      const before = routesReached();
      const pieces = ['admin', 'dead-letters', 'breakers', 'async', 'api', 'runs', 'metrics', 'health', 'payments', 'reports', 'x'];
      const tricks = ['..', '.', '%2e', '%2E%2e', '%2e%2e', '\\', '%5c', '%5C..', '%252e%252e', '', '%00', ';', '%2f..', 'METRICS', 'Admin'];
      // Climbing out of a guarded prefix into an open probe, spelt every way a reader might resolve.
      const up = fc.constantFrom('..', '%2e%2e', '%2E.', '.%2e', '%252e%252e');
      const separator = fc.constantFrom('/', '\\', '%5c', '%5C', '/\\');
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/admin/dead-letters/x', '/admin/breakers/y', '/async/api/runs/z', '/payments/p', '/reports'),
          fc.array(fc.tuple(separator, up), { minLength: 1, maxLength: 5 }),
          separator,
          fc.constantFrom('metrics', 'health', 'health/live'),
          async (prefix, climbs, last, open) => {
            const target = `${prefix}${climbs.map(([sep, dots]) => sep + dots).join('')}${last}${open}`;
            const answer = await rawRequest(port, { target });
            expect(answer.status, `${target} answered ${answer.status}`).to.equal(400);
            expect(routesReached()).to.equal(before);
          },
        ),
        { numRuns: 100, seed: 3 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.constantFrom(...pieces), fc.constantFrom(...tricks)), { minLength: 1, maxLength: 7 }),
          fc.constantFrom('/', '\\', '/\\'),
          fc.constantFrom('GET', 'POST', 'HEAD'),
          async (segments, separator, method) => {
            const target = `/${segments.join(separator)}`;
            const answer = await rawRequest(port, { method, target, headers: [JSON_TYPE], body: method === 'POST' ? '{}' : undefined });
            // Only the open probes answer 2xx to a caller without credentials.
            if (answer.status < 300) {
              const path = target.toLowerCase();
              expect(/^\/(metrics|health)(\/|$)/.test(path), `${method} ${target} answered ${answer.status}`).to.equal(true);
            }
            expect(routesReached()).to.equal(before);
          },
        ),
        { numRuns: 150, seed: 16 },
      );
    });

    it('F4 caller headers and query parameters do not travel to the broker or the partner', async () => {
      const before = partner.requests.length;
      const answer = await send({
        method: 'POST',
        target: '/forward?CC=rt-orders&CC=rt-orders&BCC=rt-orders',
        headers: [key(LEDGER_KEY), JSON_TYPE, ['X-Evil', 'steer'], ['CamelHttpUri', `${other.url}/x`], ['X-Correlation-Id', 'caller-chosen']],
        body: '{"n":2}',
      });
      expect(answer.status).to.be.below(300);
      await waitUntil(() => partner.requests.length > before);
      const call = partner.requests.at(-1)!;
      expect(call.headers).to.not.have.any.keys('x-evil', 'cc', 'bcc', 'camelhttpuri');
      expect(mock('orders-in').received, 'CC re-routed the message').to.deep.equal([]);
      expect(other.requests).to.deep.equal([]);
    });

    it('F9 validation errors do not amplify: 90,000 extra keys give at most 20 issues and a count', async () => {
      const before = routesReached();
      const body: Record<string, unknown> = { paymentId: 'p', amount: 1 };
      for (let i = 0; i < 90_000; i++) body[`k${i}`] = 0;
      const text = JSON.stringify(body);
      expect(text.length).to.be.below(1024 * 1024);
      const answer = await send({ method: 'POST', target: '/payments', headers: [key(LEDGER_KEY), JSON_TYPE], body: text });
      refused(answer, [400], before);
      const json = answer.json() as { errors: unknown[]; errorCount: number; truncated: boolean; message: string };
      expect(json.errors).to.have.length(20);
      expect(json).to.include({ errorCount: 90_000, truncated: true });
      expect(answer.body.length, 'answer size').to.be.below(8 * 1024);
      // The async API's input check goes through the same cap.
      const flowBody: Record<string, unknown> = { name: 'n' };
      for (let i = 0; i < 5000; i++) flowBody[`k${i}`] = 0;
      const flow = await send({ method: 'POST', target: '/async/api/start?flowName=kyc-echo', headers: [key(LEDGER_KEY), JSON_TYPE], body: JSON.stringify(flowBody) });
      expect(flow.status, flow.body.slice(0, 300)).to.equal(400);
      expect(flow.json()).to.deep.include({ errorCount: 5000, truncated: true });
      expect((flow.json() as { errors: unknown[] }).errors).to.have.length(20);
    });

    it('F10 a 6,000-deep JSON dead letter is listed as text; the listing answers 200', async () => {
      const deep = '['.repeat(6000) + ']'.repeat(6000);
      await app.router.services.transport().publish({
        exchange: '',
        routingKey: 'rt-orders.dlq',
        body: Buffer.from(deep),
        contentType: 'application/json',
        messageId: 'rt-deep-1',
      });
      const list = await send({ target: '/admin/dead-letters', headers: [key(OPS_KEY)] });
      expect(list.status, list.body.slice(0, 300)).to.equal(200);
      const found = (list.json() as { deadLetters: { id: string; bodyEncoding: string; body: unknown }[] }).deadLetters.find((d) => d.id === 'rt-deep-1');
      expect(found).to.include({ bodyEncoding: 'text', body: deep });
      const one = await send({ target: '/admin/dead-letters/rt-deep-1', headers: [key(OPS_KEY)] });
      expect(one.status).to.equal(200);
    });

    it('F11 an escaped __proto__ key (\\u005f_proto__) is refused like the literal one', async () => {
      const before = routesReached();
      for (const body of ['{"\\u005f_proto__":{"admin":true},"paymentId":"p","amount":1}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}']) {
        const answer = await send({ method: 'POST', target: '/payments', headers: [key(LEDGER_KEY), JSON_TYPE], body });
        refused(answer, [400], before);
        expect(answer.json()).to.include({ error: 'FORBIDDEN_JSON_KEY' });
      }
    });

    it('F12 repeated Authorization or X-API-Key headers are refused, whichever comes first', async () => {
      const before = routesReached();
      const good = await token(['reports-reader']);
      for (const headers of [
        [bearer(good), ['Authorization', 'Bearer garbage']],
        [['Authorization', 'Bearer garbage'], bearer(good)],
        [bearer(good), bearer(good)],
        [key(REPORTING_KEY), key(LEDGER_KEY)],
        [key(REPORTING_KEY), key(REPORTING_KEY)],
        [key(REPORTING_KEY), bearer(good)],
      ] as [string, string][][]) {
        const answer = await send({ target: '/reports', headers });
        refused(answer, [400, 401], before);
      }
      // The control: each credential alone is accepted.
      expect((await send({ target: '/reports', headers: [bearer(good)] })).status).to.equal(200);
      expect((await send({ target: '/reports', headers: [key(REPORTING_KEY)] })).status).to.equal(200);
      mock('reports-in').reset();
    });

    it('F13 an RBAC file granting admin:* (or *) to anonymous callers does not load', async () => {
      let failure: (Error & { diagnostics?: { message: string; loc?: { file: string; line: number; col: number } }[] }) | undefined;
      try {
        const router = await startRouter(
          { 'routes/r.yaml': '- route: {id: r, from: {uri: "platform-http:/r", steps: [{to: "mock:r"}]}}' },
          { rbac: "roles:\n  r: [route:r]\n  ops: ['admin:*']\nanonymous:\n  roles: [ops]\n", http: false },
        );
        await router.stop();
      } catch (error) {
        failure = error as Error;
      }
      const found = failure?.diagnostics?.find((d) => d.message.includes("grants 'admin:*' to anonymous callers"));
      expect(found, failure?.message).to.not.equal(undefined);
      expect(found!.loc).to.include({ line: 5, col: 11 });
      expect(found!.loc!.file).to.match(/rbac\.yaml$/);
    });
  });

  describe('authentication bypasses on every entry', () => {
    const entries: { name: string; method: string; target: string; body?: string }[] = [
      { name: 'platform-http POST', method: 'POST', target: '/payments', body: PAYMENT },
      { name: 'platform-http GET', method: 'GET', target: '/reports' },
      { name: 'admin list', method: 'GET', target: '/admin/dead-letters' },
      { name: 'admin redrive', method: 'POST', target: '/admin/dead-letters/redrive', body: '{"dryRun":false}' },
      { name: 'admin breakers', method: 'GET', target: '/admin/breakers' },
      { name: 'flow start', method: 'POST', target: '/async/api/start?flowName=kyc-echo', body: '{"name":"x"}' },
      { name: 'runs', method: 'GET', target: '/async/api/runs' },
    ];
    const withQuery = (target: string, query: string): string => `${target}${target.includes('?') ? '&' : '?'}${query}`;
    const attacks: { name: string; change: (e: (typeof entries)[number]) => RawRequest }[] = [
      { name: 'no credentials', change: (e) => ({ method: e.method, target: e.target, body: e.body }) },
      { name: 'API key in the query', change: (e) => ({ method: e.method, target: withQuery(e.target, `api_key=${OPS_KEY}&X-API-Key=${OPS_KEY}&apiKey=${OPS_KEY}`), body: e.body }) },
      { name: 'token in the query', change: (e) => ({ method: e.method, target: withQuery(e.target, `access_token=${queryToken}&token=${queryToken}`), body: e.body }) },
      { name: 'unknown API key', change: (e) => ({ method: e.method, target: e.target, body: e.body, headers: [key('rt-unknown-key-000000000000')] }) },
      { name: 'empty API key', change: (e) => ({ method: e.method, target: e.target, body: e.body, headers: [key('')] }) },
      { name: 'Basic scheme', change: (e) => ({ method: e.method, target: e.target, body: e.body, headers: [['Authorization', `Basic ${Buffer.from(`ops:${OPS_KEY}`).toString('base64')}`]] }) },
      { name: 'upper-case path', change: (e) => ({ method: e.method, target: e.target.toUpperCase().replace('FLOWNAME=KYC-ECHO', 'flowName=kyc-echo'), body: e.body }) },
      { name: 'trailing slash', change: (e) => ({ method: e.method, target: e.target.replace(/(\?|$)/, '/$1'), body: e.body }) },
      { name: 'dot segment', change: (e) => ({ method: e.method, target: `/x/..${e.target}`, body: e.body }) },
      { name: '%2e dot segment', change: (e) => ({ method: e.method, target: `/x/%2e%2e${e.target}`, body: e.body }) },
      { name: 'backslash', change: (e) => ({ method: e.method, target: e.target.replace(/\//g, '\\').replace(/^\\/, '/'), body: e.body }) },
      { name: 'HEAD', change: (e) => ({ method: 'HEAD', target: e.target }) },
      { name: 'OPTIONS', change: (e) => ({ method: 'OPTIONS', target: e.target }) },
      { name: 'X-HTTP-Method-Override', change: (e) => ({ method: 'POST', target: e.target, body: '{}', headers: [['X-HTTP-Method-Override', e.method === 'POST' ? 'GET' : e.method], ['X-Method-Override', 'GET'], JSON_TYPE] }) },
      { name: 'absolute-form target', change: (e) => ({ method: e.method, target: `http://127.0.0.1${e.target}`, body: e.body }) },
    ];
    for (const entry of entries) {
      it(`${entry.name} (${entry.method} ${entry.target}) refuses every unauthenticated spelling`, async () => {
        for (const attack of attacks) {
          const before = routesReached();
          const request = attack.change(entry);
          request.headers = [JSON_TYPE, ...(request.headers ?? [])];
          const answer = await send(request);
          const what = `${attack.name}: ${request.method} ${request.target} → ${answer.status} ${answer.body.slice(0, 120)}`;
          if (request.method === 'OPTIONS' && answer.status === 204) {
            // A preflight learns the methods (Allow) and nothing else: no body, no route run.
            expect(answer.body, what).to.equal('');
          } else {
            expect(answer.status, what).to.be.at.least(400);
            if (request.method !== 'HEAD') expect(answer.json(), what).to.have.property('error');
          }
          expect(routesReached(), what).to.equal(before);
        }
      });
    }
  });

  describe('JWT attacks (RS256 via JWKS)', () => {
    const cases: { name: string; jwt: () => Promise<string> }[] = [
      {
        name: 'alg none',
        jwt: () => Promise.resolve(new UnsecuredJWT({ realm_access: { roles: ['reports-reader'] } }).setIssuer('https://idp.test/').setAudience('service-pipes').setSubject('mallory').setExpirationTime('5m').encode()),
      },
      {
        name: 'HS256 signed with the public key (key confusion)',
        jwt: async () => {
          const pem = await exportSPKI((await importJWK(signer.publicJwk, 'RS256')) as CryptoKey);
          return new SignJWT({ realm_access: { roles: ['reports-reader'] } })
            .setProtectedHeader({ alg: 'HS256', kid: 'idp-1' })
            .setIssuer('https://idp.test/').setAudience('service-pipes').setSubject('mallory').setExpirationTime('5m')
            .sign(new TextEncoder().encode(pem));
        },
      },
      { name: 'expired', jwt: () => token(['reports-reader'], { expiresIn: Math.floor(Date.now() / 1000) - 600 }) },
      { name: 'not yet valid (nbf)', jwt: () => token(['reports-reader'], { notBefore: Math.floor(Date.now() / 1000) + 600 }) },
      { name: 'no exp', jwt: () => token(['reports-reader'], { noExpiry: true }) },
      { name: 'another issuer', jwt: () => token(['reports-reader'], { issuer: 'https://evil.test/' }) },
      { name: 'another audience', jwt: () => token(['reports-reader'], { audience: 'other-service' }) },
      { name: 'unknown kid (a key the router does not know)', jwt: () => token(['reports-reader'], {}, stranger) },
      { name: 'signature of another key under the known kid', jwt: async () => { const jwt = await token(['reports-reader'], {}, { ...stranger, kid: 'idp-1' }); return jwt; } },
      { name: 'tampered payload', jwt: async () => { const [h, , s] = (await token(['reports-reader'])).split('.'); return `${h}.${Buffer.from(JSON.stringify({ realm_access: { roles: ['operator'] }, iss: 'https://idp.test/', aud: 'service-pipes', sub: 'x', exp: 9e9 })).toString('base64url')}.${s}`; } },
      { name: 'oversized (9 KB of claims)', jwt: () => token(['reports-reader'], { claims: { pad: 'x'.repeat(9000) } }) },
    ];
    it('refuses each forged or out-of-policy token with 401; a good token passes', async () => {
      const before = routesReached();
      for (const attack of cases) {
        const answer = await send({ target: '/reports', headers: [bearer(await attack.jwt())] });
        expect(answer.status, attack.name).to.equal(401);
        expect(answer.header('www-authenticate'), attack.name).to.include('Bearer');
        expect(routesReached(), attack.name).to.equal(before);
      }
      expect((await send({ target: '/reports', headers: [bearer(await token(['reports-reader']))] })).status).to.equal(200);
      mock('reports-in').reset();
    });
  });

  describe('authorization across routes, flows and the admin API', () => {
    const cases: { who: string; credential: [string, string]; method: string; target: string; body?: string }[] = [
      { who: 'reporting', credential: key(REPORTING_KEY), method: 'POST', target: '/payments', body: PAYMENT },
      { who: 'ledger', credential: key(LEDGER_KEY), method: 'GET', target: '/reports' },
      { who: 'ledger', credential: key(LEDGER_KEY), method: 'GET', target: '/admin/dead-letters' },
      { who: 'ledger', credential: key(LEDGER_KEY), method: 'POST', target: '/admin/dead-letters/redrive', body: '{}' },
      { who: 'ledger', credential: key(LEDGER_KEY), method: 'GET', target: '/async/api/runs' },
      { who: 'reporting', credential: key(REPORTING_KEY), method: 'POST', target: '/async/api/start?flowName=kyc-echo', body: '{"name":"x"}' },
      { who: 'ledger', credential: key(LEDGER_KEY), method: 'POST', target: '/async/api/start?flowName=*', body: '{"name":"x"}' },
      { who: 'operator', credential: key(OPS_KEY), method: 'POST', target: '/payments', body: PAYMENT },
      { who: 'jwt reports-reader', credential: ['Authorization', 'PLACEHOLDER'], method: 'GET', target: '/admin/breakers' },
    ];
    it('a principal without the permission gets 403 (404 for a wildcard target), nothing runs', async () => {
      for (const attack of cases) {
        const before = routesReached();
        const credential: [string, string] = attack.credential[1] === 'PLACEHOLDER' ? bearer(await token(['reports-reader', 'operator-not-a-role'])) : attack.credential;
        const answer = await send({ method: attack.method, target: attack.target, body: attack.body, headers: [credential, JSON_TYPE] });
        refused(answer, [403, 404], before);
      }
    });
  });

  describe('header injection (CRLF)', () => {
    it('CR/LF in request headers, in the path and in a header set from message data never split the answer', async () => {
      const before = routesReached();
      const badHeader = await send({ target: '/reports', rawHead: 'X-Test: a\rb\r\n' });
      expect(badHeader.status).to.equal(400);
      const badPath = await send({ target: '/reports%0d%0aSet-Cookie:%20injected=1', headers: [key(REPORTING_KEY)] });
      refused(badPath, [400], before);
      const note = await send({ method: 'POST', target: '/notes', headers: [key(LEDGER_KEY), JSON_TYPE], body: JSON.stringify({ note: 'ok\r\nSet-Cookie: injected=1\r\n\r\n<html>' }) });
      expect(note.head).to.not.match(/^set-cookie/im);
      expect(note.headers.map(([n]) => n)).to.not.include('set-cookie');
      // The header set from message data is dropped (the answer is not split); a clean value is sent.
      expect(note.status).to.equal(200);
      expect(note.header('x-note')).to.equal(undefined);
      const clean = await send({ method: 'POST', target: '/notes', headers: [key(LEDGER_KEY), JSON_TYPE], body: JSON.stringify({ note: 'ok' }) });
      expect(clean.header('x-note')).to.equal('ok');
      mock('notes-in').reset();
    });
  });

  describe('exhaustion', () => {
    it('huge headers, many headers, large and deep bodies are refused with JSON before any route runs', async () => {
      const before = routesReached();
      const huge = await send({ target: '/reports', headers: [key(REPORTING_KEY), ['X-Pad', 'x'.repeat(20_000)]] });
      refused(huge, [431], before);
      const many = await send({ target: '/reports', headers: [key(REPORTING_KEY), ...Array.from({ length: 3000 }, (_, i): [string, string] => [`X-H${i}`, 'v'])] });
      expect([400, 431]).to.include(many.status);
      const large = await send({ method: 'POST', target: '/payments', headers: [key(LEDGER_KEY), JSON_TYPE], body: `{"paymentId":"${'x'.repeat(1_100_000)}","amount":1}` });
      refused(large, [413], before);
      const deep = await send({ method: 'POST', target: '/payments', headers: [key(LEDGER_KEY), JSON_TYPE], body: '['.repeat(100_000) + ']'.repeat(100_000) });
      refused(deep, [400], before);
      expect(deep.json()).to.include({ error: 'JSON_TOO_DEEP' });
      const longKey = await send({ target: '/reports', headers: [key('k'.repeat(9000))] });
      refused(longKey, [401], before);
    });
  });

  describe('secrets', () => {
    it('no API key, token signature, JWT private key or partner token appears in logs, metrics, error bodies, dead letters or the OpenAPI document', async () => {
      // A message that carried credentials in, and fails at the partner: its dead letter must not hold them.
      partner.reply({ status: 400, body: { error: 'refused' } });
      const forwarded = await send({ method: 'POST', target: '/forward', headers: [key(LEDGER_KEY), JSON_TYPE, ['Authorization-Extra', 'x']], body: '{"n":3}' });
      expect(forwarded.status).to.be.below(300);
      await waitUntil(async () => (await app.router.services.transport().queueInfo('rt-partner-calls.dlq')).messageCount > 0, 10_000);
      partner.reply({ status: 200, body: { ok: true } });
      const metrics = await send({ target: '/metrics' });
      expect(metrics.status).to.equal(200);
      const openapi = await send({ target: '/async/specifications/openapi.json' });
      expect(openapi.status).to.equal(200);
      const deadLetters = await send({ target: '/admin/dead-letters', headers: [key(OPS_KEY)] });
      expect(deadLetters.status).to.equal(200);
      expect(deadLetters.body).to.include('rt-partner-calls');
      const places: [string, string][] = [
        ['log', app.log.text()],
        ['metrics', metrics.body],
        ['OpenAPI document', openapi.body],
        ['dead letters', deadLetters.body],
        ['error bodies', answers.filter((a) => a.status >= 400).map((a) => `${a.head}\n${a.body}`).join('\n')],
      ];
      for (const [place, text] of places) {
        for (const secret of secrets) expect(text.includes(secret), `${place} holds ${secret.slice(0, 12)}…`).to.equal(false);
      }
    });
  });
});

async function waitUntil(test: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
