import { expect } from 'chai';
import { base64url, UnsecuredJWT } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { RouteLoadError } from '../../src/errors/index.js';
import { requestPrincipal } from '../../src/security/http-guard.js';
import { httpExtensions, protectExtension } from '../../src/server/http-server.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import {
  FORBIDDEN_BODY,
  sha256Hex,
  sign,
  signingKey,
  UNAUTHORIZED_BODY,
  type SigningKey,
} from '../security/helpers.js';

/**
 * Access control end to end: real route files, a real RBAC file and JWKS, the real router and its HTTP
 * server, called over HTTP. Refused calls must not run (or publish) anything: every route records what
 * reached it in a `mock:` endpoint as its first step.
 */

const LEDGER_KEY = 'ledger-e2e-key-4b1f9c2d7a6e8053';
const REPORTING_KEY = 'reporting-e2e-key-93d0a7c4e1f25b68';
const OPS_KEY = 'operator-e2e-key-0c5e2b7d9a4f1836';
const UNKNOWN_KEY = 'unknown-e2e-key-71a3c5e9b2d40f86';

const ROUTES = `
- beans:
    - name: refundPolicy
      type: org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy
      properties:
        requiredRoles: refunds-approver

- route:
    id: payments-in
    from:
      uri: platform-http:/payments
      parameters:
        httpMethodRestrict: POST
        consumes: application/json
      steps:
        - to: mock:payments-in
        - setBody:
            expression:
              language:
                language: jsonata
                expression: >-
                  {"caller": $properties.ServicePipesPrincipal,
                   "apiKeySeen": $exists($headers.'x-api-key'),
                   "authorizationSeen": $exists($headers.authorization)}
        - setHeader:
            name: CamelHttpResponseCode
            constant: 201

- rest:
    path: /api
    get:
      - path: /fees/{currency}
        routeId: fees-rest
        security:
          - key: oauth
            scopes: "fees:read"
        to: direct:fees

- route:
    id: fees
    from:
      uri: direct:fees
      steps:
        - to: mock:fees
        - setBody:
            expression:
              language:
                language: jsonata
                expression: '{"currency": $headers.currency, "caller": $properties.ServicePipesPrincipal.id}'

- route:
    id: refunds-in
    from:
      uri: platform-http:/refunds
      steps:
        - to: mock:refunds-entered
        - policy:
            ref: refundPolicy
            steps:
              - to: mock:refunds-approved
              - setBody:
                  constant: approved

- route:
    id: orphan-in
    from:
      uri: platform-http:/orphan
      steps:
        - to: mock:orphan
`;

const RBAC = `
version: 1
roles:
  payments-writer: [route:payments-in]
  fee-reader: [route:fees-rest]
  'fees:read':
    description: the rest verb's oauth scope, held as a role
    permissions: [route:fees-rest]
  refunds-clerk: [route:refunds-in]
  operator: [admin:*]
  flow-starter: [flow:*]
principals:
  - id: ledger-service
    roles: [payments-writer, fee-reader, 'fees:read', flow-starter]
    apiKeySha256: ${sha256Hex(LEDGER_KEY)}
  - id: reporting
    roles: [fee-reader]
    apiKeySha256: ${sha256Hex(REPORTING_KEY)}
  - id: ops-console
    roles: [operator]
    apiKeySha256: ${sha256Hex(OPS_KEY)}
jwt:
  jwksFile: jwks.json
  issuer: https://idp.test/
  audience: service-pipes
  algorithms: [RS256]
  rolesClaim: realm_access.roles
  clockToleranceSeconds: 5
open:
  health: false
  metrics: true
`;

const PAYMENT = { paymentId: 'p-1', amount: 12 };
const CHALLENGE = 'Bearer realm="service-pipes", ApiKey';

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  url: string,
  headers: Record<string, string> = {},
  method = 'POST',
  body: unknown = PAYMENT,
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

describe('e2e: role-based access control through the router', function () {
  let signer: SigningKey;
  let stranger: SigningKey;
  let app: TestRouter;
  /** Every credential sent, to prove none of them reaches the log. */
  const secrets = new Set<string>([LEDGER_KEY, REPORTING_KEY, OPS_KEY, UNKNOWN_KEY]);

  const token = async (
    roles: string[],
    options: Parameters<typeof sign>[1] = {},
    key?: SigningKey,
  ): Promise<string> => {
    const jwt = await sign(key ?? signer, {
      ...options,
      claims: { realm_access: { roles }, ...options.claims },
    });
    secrets.add(jwt);
    secrets.add(jwt.split('.')[2]!);
    return jwt;
  };
  const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` });
  const mock = (name: string) => mockEndpoint(app.router.services, name);
  const access = (): Record<string, unknown>[] => app.log.lines.filter((line) => line.event === 'access');

  before(async () => {
    signer = await signingKey('RS256', 'idp-1');
    stranger = await signingKey('RS256', 'idp-1'); // same kid, a key the router does not know
    secrets.add(String(signer.privateJwk.d));
    app = await startRouter(
      { 'routes/rbac.yaml': ROUTES, 'jwks.json': JSON.stringify({ keys: [signer.publicJwk] }) },
      { rbac: RBAC },
    );
    // Extensions as the admin and async APIs mount them, with their declared permissions.
    const services = app.router.services;
    // A stand-in beside the real admin API (which the router mounts itself under /admin/dead-letters).
    protectExtension(services, '/e2e-admin/dead-letters', 'admin:dead-letters');
    protectExtension(services, '/e2e-flows/start', (req) =>
      typeof req.query.flowName === 'string' ? `flow:${req.query.flowName}` : undefined,
    );
    httpExtensions(services).get('/e2e-admin/dead-letters', (req, res) => {
      res.json({ deadLetters: [], caller: requestPrincipal(req)?.id ?? null });
    });
    httpExtensions(services).post('/e2e-flows/start', (req, res) => {
      res.status(202).json({ started: req.query.flowName, caller: requestPrincipal(req)?.id ?? null });
    });
    httpExtensions(services).get('/unprotected', (_req, res) => void res.json({ leaked: true }));
  });

  after(async () => {
    await app?.stop();
  });

  describe('platform-http entry (route:payments-in)', () => {
    const refused: {
      name: string;
      status: 401 | 403;
      headers: () => Promise<Record<string, string>>;
      reason: string;
    }[] = [
      { name: 'no credentials', status: 401, headers: async () => ({}), reason: 'not-granted' },
      {
        name: 'an unknown API key',
        status: 401,
        headers: async () => apiKey(UNKNOWN_KEY),
        reason: 'unknown-api-key',
      },
      {
        name: 'an expired token',
        status: 401,
        headers: async () =>
          bearer(await token(['payments-writer'], { expiresIn: Math.floor(Date.now() / 1000) - 3600 })),
        reason: 'token-expired',
      },
      {
        name: 'a token from another issuer',
        status: 401,
        headers: async () => bearer(await token(['payments-writer'], { issuer: 'https://evil.test/' })),
        reason: 'token-claim-invalid',
      },
      {
        name: 'a token for another audience',
        status: 401,
        headers: async () => bearer(await token(['payments-writer'], { audience: 'another-service' })),
        reason: 'token-claim-invalid',
      },
      {
        name: 'an unsigned token (alg: none)',
        status: 401,
        headers: async () => {
          const jwt = new UnsecuredJWT({ realm_access: { roles: ['payments-writer'] } })
            .setIssuer('https://idp.test/')
            .setAudience('service-pipes')
            .setSubject('mallory')
            .setIssuedAt()
            .setExpirationTime('5m')
            .encode();
          secrets.add(jwt);
          return bearer(jwt);
        },
        reason: 'token-algorithm-not-allowed',
      },
      {
        name: 'a tampered token (roles raised, signature kept)',
        status: 401,
        headers: async () => {
          const [header, payload, signature] = (await token(['fee-reader'])).split('.');
          const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as Record<
            string,
            unknown
          >;
          claims.realm_access = { roles: ['payments-writer'] };
          const forged = `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
          secrets.add(forged);
          return bearer(forged);
        },
        reason: 'token-signature-invalid',
      },
      {
        name: 'a token signed by a key the router does not know',
        status: 401,
        headers: async () => bearer(await token(['payments-writer'], {}, stranger)),
        reason: 'token-signature-invalid',
      },
      {
        name: 'an API key and a token together',
        status: 401,
        headers: async () => ({ ...apiKey(LEDGER_KEY), ...bearer(await token(['payments-writer'])) }),
        reason: 'multiple-credentials',
      },
      {
        name: 'a known API key without the permission',
        status: 403,
        headers: async () => apiKey(REPORTING_KEY),
        reason: 'not-granted',
      },
      {
        name: 'a valid token without the permission',
        status: 403,
        headers: async () => bearer(await token(['fee-reader'])),
        reason: 'not-granted',
      },
    ];

    for (const refusal of refused) {
      it(`answers ${refusal.status} to ${refusal.name}, runs nothing and audits why`, async () => {
        const before = access().length;
        const answer = await call(`${app.baseUrl}/payments`, await refusal.headers());
        expect(answer.status).to.equal(refusal.status);
        expect(answer.body).to.deep.equal(refusal.status === 401 ? UNAUTHORIZED_BODY : FORBIDDEN_BODY);
        expect(answer.headers.get('www-authenticate')).to.equal(refusal.status === 401 ? CHALLENGE : null);
        expect(answer.headers.get('cache-control')).to.equal('no-store');
        expect(mock('payments-in').received).to.have.length(0);
        const audit = access().slice(before);
        expect(audit).to.have.length(1);
        expect(audit[0]).to.include({
          decision: 'denied',
          permission: 'route:payments-in',
          routeId: 'payments-in',
          reason: refusal.reason,
        });
      });
    }

    it('admits a known API key with the permission: 201, the caller on the exchange, no credentials in the route', async () => {
      const answer = await call(`${app.baseUrl}/payments`, {
        ...apiKey(LEDGER_KEY),
        'x-correlation-id': 'corr-e2e-1',
      });
      expect(answer.status).to.equal(201);
      expect(answer.body).to.deep.equal({
        caller: {
          id: 'ledger-service',
          roles: ['payments-writer', 'fee-reader', 'fees:read', 'flow-starter'],
          via: 'api-key',
        },
        apiKeySeen: false,
        authorizationSeen: false,
      });
      expect(answer.headers.get('x-correlation-id')).to.equal('corr-e2e-1');
      expect(mock('payments-in').received).to.have.length(1);
      expect(mock('payments-in').received[0]!.correlationId).to.equal('corr-e2e-1');
      const allowed = access().filter((line) => line.correlationId === 'corr-e2e-1');
      expect(allowed).to.have.length(1);
      expect(allowed[0]).to.include({
        decision: 'allowed',
        principal: 'ledger-service',
        via: 'api-key',
        reason: 'granted',
      });
    });

    it('admits a valid token with the permission', async () => {
      const answer = await call(
        `${app.baseUrl}/payments`,
        bearer(await token(['payments-writer'], { subject: 'alice' })),
      );
      expect(answer.status).to.equal(201);
      expect((answer.body as { caller: unknown }).caller).to.deep.equal({
        id: 'alice',
        roles: ['payments-writer'],
        via: 'jwt',
      });
      expect(mock('payments-in').received).to.have.length(2);
    });
  });

  describe('rest entry with security scopes (route:fees-rest + role fees:read)', () => {
    it('refuses a caller granted the route but without the scope: 403, the route does not run', async () => {
      const byKey = await call(`${app.baseUrl}/api/fees/EUR`, apiKey(REPORTING_KEY), 'GET');
      const byToken = await call(`${app.baseUrl}/api/fees/EUR`, bearer(await token(['fee-reader'])), 'GET');
      for (const answer of [byKey, byToken]) {
        expect(answer.status).to.equal(403);
        expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
      }
      expect(mock('fees').received).to.have.length(0);
      expect(
        access()
          .filter((l) => l.permission === 'route:fees-rest')
          .map((l) => l.reason),
      ).to.deep.equal(['missing-role', 'missing-role']);
    });

    it('refuses anonymous callers with 401', async () => {
      const answer = await call(`${app.baseUrl}/api/fees/EUR`, {}, 'GET');
      expect(answer.status).to.equal(401);
      expect(mock('fees').received).to.have.length(0);
    });

    it('admits callers holding the scope (as a file role or a token role)', async () => {
      const byKey = await call(`${app.baseUrl}/api/fees/EUR`, apiKey(LEDGER_KEY), 'GET');
      expect(byKey.status).to.equal(200);
      expect(byKey.body).to.deep.equal({ currency: 'EUR', caller: 'ledger-service' });
      const byToken = await call(
        `${app.baseUrl}/api/fees/GBP`,
        bearer(await token(['fee-reader', 'fees:read'], { subject: 'bob' })),
        'GET',
      );
      expect(byToken.status).to.equal(200);
      expect(byToken.body).to.deep.equal({ currency: 'GBP', caller: 'bob' });
      expect(mock('fees').received).to.have.length(2);
    });
  });

  describe('policy step with a Keycloak security-policy bean', () => {
    it('stops a caller without the required role at the policy: 403, nothing inside the policy runs', async () => {
      const answer = await call(`${app.baseUrl}/refunds`, bearer(await token(['refunds-clerk'])));
      expect(answer.status).to.equal(403);
      expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
      expect(mock('refunds-entered').received).to.have.length(1);
      expect(mock('refunds-approved').received).to.have.length(0);
      const policyLines = access().filter((l) => l.permission === 'policy:refundPolicy');
      expect(policyLines).to.have.length(1);
      expect(policyLines[0]).to.include({
        decision: 'denied',
        reason: 'missing-role',
        routeId: 'refunds-in',
      });
    });

    it('lets a caller with the role through the policy', async () => {
      const answer = await call(
        `${app.baseUrl}/refunds`,
        bearer(await token(['refunds-clerk', 'refunds-approver'])),
      );
      expect(answer.status).to.equal(200);
      expect(answer.body).to.equal('approved');
      expect(mock('refunds-approved').received).to.have.length(1);
    });

    it('never reaches the policy for a caller not granted the route', async () => {
      const answer = await call(`${app.baseUrl}/refunds`, bearer(await token(['refunds-approver'])));
      expect(answer.status).to.equal(403);
      expect(mock('refunds-entered').received).to.have.length(2);
    });
  });

  describe('an entry nobody is granted (deny by default)', () => {
    it('answers 403 to every known caller and 401 to anonymous ones', async () => {
      for (const key of [LEDGER_KEY, REPORTING_KEY, OPS_KEY]) {
        const answer = await call(`${app.baseUrl}/orphan`, apiKey(key));
        expect(answer.status).to.equal(403);
      }
      expect((await call(`${app.baseUrl}/orphan`)).status).to.equal(401);
      expect(mock('orphan').received).to.have.length(0);
    });

    it('was reported at load as a warning', () => {
      const warning = app.router.diagnostics.find((d) => d.message.includes("'route:orphan-in'"));
      expect(warning?.severity).to.equal('warning');
    });
  });

  describe('probes and extension endpoints', () => {
    it('closes /health/* when the file says open.health: false (admin:health)', async () => {
      expect((await call(`${app.baseUrl}/health/live`, {}, 'GET')).status).to.equal(401);
      expect((await call(`${app.baseUrl}/HEALTH/LIVE`, {}, 'GET')).status).to.equal(401);
      expect((await call(`${app.baseUrl}/health/ready`, apiKey(LEDGER_KEY), 'GET')).status).to.equal(403);
      const ops = await call(`${app.baseUrl}/health/live`, apiKey(OPS_KEY), 'GET');
      expect(ops.status).to.equal(200);
      expect(ops.body).to.deep.equal({ status: 'UP' });
    });

    it('guards an extension with the permission its mounter declared', async () => {
      expect((await call(`${app.baseUrl}/e2e-admin/dead-letters`, {}, 'GET')).status).to.equal(401);
      expect((await call(`${app.baseUrl}/e2e-admin/dead-letters`, apiKey(LEDGER_KEY), 'GET')).status).to.equal(
        403,
      );
      const ops = await call(`${app.baseUrl}/e2e-admin/dead-letters`, apiKey(OPS_KEY), 'GET');
      expect(ops.status).to.equal(200);
      expect(ops.body).to.deep.equal({ deadLetters: [], caller: 'ops-console' });
    });

    it("guards the router's own admin API (admin:dead-letters, admin:breakers)", async () => {
      expect((await call(`${app.baseUrl}/admin/dead-letters`, {}, 'GET')).status).to.equal(401);
      expect((await call(`${app.baseUrl}/admin/dead-letters`, apiKey(LEDGER_KEY), 'GET')).status).to.equal(403);
      expect((await call(`${app.baseUrl}/admin/dead-letters/redrive`, apiKey(LEDGER_KEY))).status).to.equal(403);
      const ops = await call(`${app.baseUrl}/admin/dead-letters`, apiKey(OPS_KEY), 'GET');
      expect(ops.status).to.equal(200);
      expect(ops.body).to.deep.equal({ deadLetters: [], queues: [] });
      expect((await call(`${app.baseUrl}/admin/breakers`, apiKey(LEDGER_KEY), 'GET')).status).to.equal(403);
    });

    it('derives an extension permission from the request (flow:<flowName>)', async () => {
      const started = await call(`${app.baseUrl}/e2e-flows/start?flowName=kyc-check`, apiKey(LEDGER_KEY));
      expect(started.status).to.equal(202);
      expect(started.body).to.deep.equal({ started: 'kyc-check', caller: 'ledger-service' });
      expect(
        (await call(`${app.baseUrl}/e2e-flows/start?flowName=kyc-check`, apiKey(OPS_KEY))).status,
      ).to.equal(403);
      // A wildcard is never a permission a request may ask for.
      expect((await call(`${app.baseUrl}/e2e-flows/start?flowName=*`, apiKey(LEDGER_KEY))).status).to.equal(
        404,
      );
    });

    it('never serves an extension mounted without a declared permission', async () => {
      const answer = await call(`${app.baseUrl}/unprotected`, apiKey(OPS_KEY), 'GET');
      expect(answer.status).to.equal(404);
      expect(answer.body).to.not.deep.include({ leaked: true });
    });

    it('puts security headers on every answer, refusals included', async () => {
      for (const answer of [
        await call(`${app.baseUrl}/payments`),
        await call(`${app.baseUrl}/health/live`, apiKey(OPS_KEY), 'GET'),
        await call(`${app.baseUrl}/payments`, apiKey(LEDGER_KEY)),
      ]) {
        expect(answer.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(answer.headers.get('x-frame-options')).to.equal('DENY');
        expect(answer.headers.get('content-security-policy')).to.match(/default-src 'none'/);
        expect(answer.headers.get('x-powered-by')).to.equal(null);
      }
    });
  });

  describe('the log', () => {
    it('holds no API key, token, signature, private key or key digest anywhere', () => {
      const text = app.log.text();
      expect(text.length).to.be.greaterThan(0);
      const digests = [LEDGER_KEY, REPORTING_KEY, OPS_KEY, UNKNOWN_KEY].map(sha256Hex);
      for (const secret of [...secrets, ...digests]) {
        expect(text.includes(secret), `a credential (${secret.slice(0, 6)}...) appears in the log`).to.equal(
          false,
        );
      }
    });
  });
});

describe('e2e: access control set-up', () => {
  const ENTRY = `
- route:
    id: payments-in
    from:
      uri: platform-http:/payments
      steps:
        - to: mock:payments-in
`;

  async function loadError(start: Promise<TestRouter>): Promise<RouteLoadError> {
    const outcome = await start.then(
      async (router) => {
        await router.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(outcome).to.be.instanceOf(RouteLoadError);
    return outcome as RouteLoadError;
  }

  /** Runs `fn` in an empty working directory, where there is no rbac.yaml to fall back on. */
  async function inEmptyDirectory<T>(fn: () => Promise<T>): Promise<T> {
    const previous = process.cwd();
    const empty = mkdtempSync(path.join(tmpdir(), 'pipes-no-rbac-'));
    process.chdir(empty);
    try {
      return await fn();
    } finally {
      process.chdir(previous);
      rmSync(empty, { recursive: true, force: true });
    }
  }

  it('refuses to start with HTTP entries and no RBAC file at all', async () => {
    const error = await inEmptyDirectory(() =>
      loadError(startRouter({ 'routes/a.yaml': ENTRY }, { rbac: 'off', security: 'enforced' })),
    );
    const problem = error.diagnostics.find((d) => d.severity === 'error');
    expect(problem?.message).to.equal(
      'There is no RBAC file, so nobody may call the HTTP entries (payments-in): the router does not start',
    );
    expect(problem?.loc?.file).to.match(/a\.yaml$/);
    expect(problem?.hint).to.include('RBAC_FILE');
  });

  it('without an RBAC file and without HTTP entries, starts and denies every guarded endpoint', async () => {
    const timerOnly = `
- route:
    id: ticker
    from:
      uri: timer:tick?period=3600000
      steps:
        - to: mock:ticks
`;
    const router = await inEmptyDirectory(() =>
      startRouter({ 'routes/t.yaml': timerOnly }, { rbac: 'off', security: 'enforced' }),
    );
    try {
      protectExtension(router.router.services, '/admin/runs', 'admin:runs');
      httpExtensions(router.router.services).get('/admin/runs', (_req, res) => void res.json({ runs: [] }));
      expect((await call(`${router.baseUrl}/admin/runs`, {}, 'GET')).status).to.equal(401);
      expect((await call(`${router.baseUrl}/admin/runs`, apiKey(OPS_KEY), 'GET')).status).to.equal(401);
      expect((await call(`${router.baseUrl}/health/live`, {}, 'GET')).status).to.equal(200);
      expect(router.router.diagnostics.map((d) => d.message)).to.include(
        'No RBAC file: access control denies everything; the admin and async APIs answer 401/403 to every caller (probes stay open)',
      );
    } finally {
      await router.stop();
    }
  });

  it('with access control disabled, serves every caller and says so loudly', async () => {
    const router = await startRouter({ 'routes/a.yaml': ENTRY });
    try {
      const answer = await call(`${router.baseUrl}/payments`);
      expect(answer.status).to.equal(200);
      expect(mockEndpoint(router.router.services, 'payments-in').received).to.have.length(1);
      const warnings = router.log.lines.filter(
        (l) => l.level === 'warn' && String(l.message).startsWith('ACCESS CONTROL IS DISABLED'),
      );
      expect(warnings.length).to.be.greaterThan(0);
    } finally {
      await router.stop();
    }
  });

  it('refuses to disable access control when NODE_ENV=production', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const error = await loadError(startRouter({ 'routes/a.yaml': ENTRY }));
      expect(error.diagnostics.map((d) => d.message)).to.include(
        'Access control cannot be disabled when NODE_ENV=production',
      );
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previous;
    }
  });

  it('fails the load when a grant names a route that does not exist, with a did-you-mean', async () => {
    const error = await loadError(
      startRouter({ 'routes/a.yaml': ENTRY }, { rbac: 'roles:\n  writer: [route:payment-in]\n' }),
    );
    const problem = error.diagnostics.find((d) => d.severity === 'error');
    expect(problem?.message).to.equal(
      "Role 'writer' grants 'route:payment-in', but there is no route 'payment-in'",
    );
    expect(problem?.suggestions).to.deep.equal(['route:payments-in']);
    expect(problem?.loc).to.include({ line: 2 });
  });

  it('checks admin grants against the admin areas the router serves', async () => {
    const error = await loadError(
      startRouter(
        { 'routes/a.yaml': ENTRY },
        { rbac: 'roles:\n  writer: [route:payments-in]\n  ops: [admin:dead-leters, admin:runs]\n' },
      ),
    );
    const problem = error.diagnostics.find((d) => d.severity === 'error');
    expect(problem?.message).to.equal(
      "Role 'ops' grants 'admin:dead-leters', but there is no admin area 'dead-leters'",
    );
    expect(problem?.suggestions).to.deep.equal(['admin:dead-letters']);
  });

  it('fails the load when a policy bean requires permissions and access control is disabled', async () => {
    const routes = `
- beans:
    - name: p
      type: org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy
      properties:
        requiredPermissions: route:payments-in
${ENTRY.replace('        - to: mock:payments-in', '        - policy:\n            ref: p\n            steps:\n              - to: mock:payments-in')}
`;
    const error = await loadError(startRouter({ 'routes/a.yaml': routes }));
    expect(error.diagnostics.map((d) => d.message)).to.include(
      "Policy bean 'p' requires permissions, but no RBAC file is loaded",
    );
  });
});

function apiKey(key: string): Record<string, string> {
  return { 'x-api-key': key };
}
