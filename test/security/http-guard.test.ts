import { expect } from 'chai';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import path from 'node:path';
import { rolesFromRestSecurity } from '../../src/security/index.js';
import {
  call,
  FORBIDDEN_BODY,
  rbacFrom,
  sha256Hex,
  sign,
  signingKey,
  startGuardedApp,
  tempDir,
  UNAUTHORIZED_BODY,
  writeJwks,
  type GuardedApp,
  type SigningKey,
} from './helpers.js';

const LEDGER_KEY = 'ledger-key-6f1d0c2b9a8e7f65';
const REPORTING_KEY = 'reporting-key-0a9b8c7d6e5f4321';
const OPERATOR_KEY = 'operator-key-11aa22bb33cc44dd';
const HMAC_SECRET = 'hmac-secret-for-tests-7c1e4b9d2a8f6e3c5b0a';

const rbacText = (jwt: string): string => `
version: 1
roles:
  payments-writer:
    description: Posts payments and starts KYC checks
    permissions: [route:payments-*, flow:kyc-check]
  reports-reader: [route:reports-in]
  operator:
    permissions: [admin:*]
principals:
  - id: ledger-service
    roles: [payments-writer]
    apiKeyEnv: LEDGER_KEY
  - id: reporting
    roles: [reports-reader]
    apiKeySha256: ${sha256Hex(REPORTING_KEY)}
  - id: ops-console
    roles: [operator]
    apiKeyEnv: OPERATOR_KEY
open:
  metrics: false
${jwt}
`;

const WWW_AUTHENTICATE = 'Bearer realm="service-pipes", ApiKey';

describe('security: HTTP guard with API keys and RS256/ES256 JWTs (JWKS file)', () => {
  const temp = tempDir();
  let rsa: SigningKey;
  let ec: SigningKey;
  let stranger: SigningKey;
  let app: GuardedApp;
  const tokens: string[] = [];

  before(async () => {
    rsa = await signingKey('RS256', 'rsa-1');
    ec = await signingKey('ES256', 'ec-1');
    stranger = await signingKey('RS256', 'rsa-1'); // same kid, key not in the JWKS
    writeJwks(temp.dir, [rsa, ec]);
    const file = path.join(temp.dir, 'rbac.yaml');
    const rbac = rbacFrom(
      rbacText(`jwt:
  jwksFile: jwks.json
  issuer: https://idp.test/
  audience: service-pipes
  algorithms: [RS256, ES256]
  rolesClaim: realm_access.roles
  clockToleranceSeconds: 5`),
      file,
      { LEDGER_KEY, OPERATOR_KEY },
    );
    app = await startGuardedApp(rbac);
  });
  after(async () => {
    await app.close();
    temp.remove();
  });

  const remember = (token: string): string => {
    tokens.push(token);
    return token;
  };
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${remember(token)}` });

  describe('401 for missing or invalid credentials', () => {
    const expect401 = (answer: Awaited<ReturnType<typeof call>>): void => {
      expect(answer.status).to.equal(401);
      expect(answer.body).to.deep.equal(UNAUTHORIZED_BODY);
      expect(answer.headers.get('www-authenticate')).to.equal(WWW_AUTHENTICATE);
      expect(answer.headers.get('cache-control')).to.equal('no-store');
    };

    it('no credentials', async () => {
      expect401(await call(`${app.url}/payments`));
    });
    it('unknown API key', async () => {
      expect401(await call(`${app.url}/payments`, { 'x-api-key': 'not-a-key-we-know-1234' }));
    });
    it('an API key and a bearer token together', async () => {
      const token = await sign(rsa, { claims: { realm_access: { roles: ['payments-writer'] } } });
      expect401(await call(`${app.url}/payments`, { 'x-api-key': LEDGER_KEY, ...bearer(token) }));
    });
    it('a scheme other than Bearer', async () => {
      expect401(
        await call(`${app.url}/payments`, {
          authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
        }),
      );
    });
    it('expired token', async () => {
      const token = await sign(rsa, {
        expiresIn: Math.floor(Date.now() / 1000) - 60,
        claims: { realm_access: { roles: ['payments-writer'] } },
      });
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('token not valid yet (nbf in the future beyond the tolerance)', async () => {
      const token = await sign(rsa, {
        notBefore: '10m',
        expiresIn: '20m',
        claims: { realm_access: { roles: ['payments-writer'] } },
      });
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('token without exp', async () => {
      const token = await sign(rsa, {
        noExpiry: true,
        claims: { realm_access: { roles: ['payments-writer'] } },
      });
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('wrong issuer', async () => {
      const token = await sign(rsa, {
        issuer: 'https://evil.test/',
        claims: { realm_access: { roles: ['payments-writer'] } },
      });
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('wrong audience', async () => {
      const token = await sign(rsa, {
        audience: 'another-service',
        claims: { realm_access: { roles: ['payments-writer'] } },
      });
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('alg: none', async () => {
      const token = new UnsecuredJWT({ realm_access: { roles: ['payments-writer'] } })
        .setIssuer('https://idp.test/')
        .setAudience('service-pipes')
        .setSubject('back-office-user')
        .setExpirationTime('5m')
        .encode();
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('tampered payload (roles raised after signing)', async () => {
      const token = await sign(rsa, { claims: { realm_access: { roles: ['reports-reader'] } } });
      const [header, , signature] = token.split('.');
      const forged = base64url.encode(
        JSON.stringify({
          iss: 'https://idp.test/',
          aud: 'service-pipes',
          sub: 'back-office-user',
          exp: Math.floor(Date.now() / 1000) + 300,
          realm_access: { roles: ['payments-writer'] },
        }),
      );
      expect401(await call(`${app.url}/payments`, bearer(`${header}.${forged}.${signature}`)));
    });
    it('signed by a key that is not in the JWKS (same kid)', async () => {
      const token = await sign(stranger, { claims: { realm_access: { roles: ['payments-writer'] } } });
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('HS256 token signed with the public key as secret (algorithm confusion)', async () => {
      const secret = new TextEncoder().encode(JSON.stringify(rsa.publicJwk));
      const token = await new SignJWT({ realm_access: { roles: ['payments-writer'] } })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setIssuer('https://idp.test/')
        .setAudience('service-pipes')
        .setSubject('back-office-user')
        .setExpirationTime('5m')
        .sign(secret);
      expect401(await call(`${app.url}/payments`, bearer(token)));
    });
    it('garbage after Bearer', async () => {
      expect401(await call(`${app.url}/payments`, { authorization: 'Bearer not.a.jwt' }));
    });
  });

  describe('403 for a known caller without the permission', () => {
    it('API key caller not granted the route', async () => {
      const answer = await call(`${app.url}/payments`, { 'x-api-key': REPORTING_KEY });
      expect(answer.status).to.equal(403);
      expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
      expect(answer.headers.get('www-authenticate')).to.equal(null);
    });
    it('JWT caller whose roles do not grant the route', async () => {
      const token = await sign(ec, {
        claims: { realm_access: { roles: ['reports-reader', 'not-in-the-file'] } },
      });
      const answer = await call(`${app.url}/payments`, bearer(token));
      expect(answer.status).to.equal(403);
      expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
    });
    it('the admin API needs an admin permission', async () => {
      const answer = await call(`${app.url}/admin/dead-letters`, { 'x-api-key': LEDGER_KEY }, 'GET');
      expect(answer.status).to.equal(403);
      expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
    });
    it('deny by default: an entry nobody is granted refuses every known caller', async () => {
      expect(app.security.authorizer.isGrantedToAnyone('route:orphan-entry')).to.equal(false);
      const token = await sign(rsa, {
        claims: { realm_access: { roles: ['payments-writer', 'reports-reader', 'operator'] } },
      });
      for (const headers of [
        { 'x-api-key': LEDGER_KEY },
        { 'x-api-key': OPERATOR_KEY },
        { 'x-api-key': REPORTING_KEY },
        bearer(token),
      ]) {
        const answer = await call(`${app.url}/unguarded-nobody`, headers);
        expect(answer.status).to.equal(403);
        expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
      }
      expect((await call(`${app.url}/unguarded-nobody`)).status).to.equal(401);
    });
    it('a flow start the caller is not granted', async () => {
      const answer = await call(`${app.url}/async/api/start?flowName=loan-scoring`, {
        'x-api-key': LEDGER_KEY,
      });
      expect(answer.status).to.equal(403);
      expect(answer.body).to.deep.equal(FORBIDDEN_BODY);
    });
  });

  describe('allowed callers', () => {
    it('API key from the environment, wildcard grant route:payments-*', async () => {
      for (const url of [`${app.url}/payments`, `${app.url}/payments/refunds`]) {
        const answer = await call(url, { 'x-api-key': LEDGER_KEY, 'x-correlation-id': 'corr-123' });
        expect(answer.status).to.equal(200);
        expect(answer.body).to.deep.equal({
          ok: true,
          principal: { id: 'ledger-service', roles: ['payments-writer'], via: 'api-key' },
          correlationId: 'corr-123',
        });
      }
    });
    it('API key stored as a SHA-256 hash', async () => {
      const answer = await call(`${app.url}/reports`, { 'x-api-key': REPORTING_KEY }, 'GET');
      expect(answer.status).to.equal(200);
      expect((answer.body as { principal: { id: string } }).principal.id).to.equal('reporting');
    });
    it('RS256 and ES256 tokens, roles from a nested claim', async () => {
      for (const key of [rsa, ec]) {
        const token = await sign(key, {
          subject: 'alice',
          claims: { realm_access: { roles: ['payments-writer'] } },
        });
        const answer = await call(`${app.url}/payments`, bearer(token));
        expect(answer.status).to.equal(200);
        expect((answer.body as { principal: unknown }).principal).to.deep.equal({
          id: 'alice',
          roles: ['payments-writer'],
          via: 'jwt',
        });
      }
    });
    it('a token a little past exp is still accepted within the clock tolerance', async () => {
      const token = await sign(rsa, {
        expiresIn: Math.floor(Date.now() / 1000) - 1,
        claims: { realm_access: { roles: ['payments-writer'] } },
      });
      expect((await call(`${app.url}/payments`, bearer(token))).status).to.equal(200);
    });
    it('flow grant and admin:* wildcard', async () => {
      expect(
        (await call(`${app.url}/async/api/start?flowName=kyc-check`, { 'x-api-key': LEDGER_KEY })).status,
      ).to.equal(200);
      expect(
        (await call(`${app.url}/admin/dead-letters`, { 'x-api-key': OPERATOR_KEY }, 'GET')).status,
      ).to.equal(200);
      expect((await call(`${app.url}/admin/breakers`, { 'x-api-key': OPERATOR_KEY }, 'GET')).status).to.equal(
        200,
      );
    });
  });

  describe('probes and headers', () => {
    it('health is open by default; metrics closed by the file need admin:metrics', async () => {
      expect((await call(`${app.url}/health/live`, {}, 'GET')).status).to.equal(200);
      const closed = await call(`${app.url}/metrics`, {}, 'GET');
      expect(closed.status).to.equal(401);
      expect(closed.body).to.deep.equal(UNAUTHORIZED_BODY);
      expect((await call(`${app.url}/metrics`, { 'x-api-key': OPERATOR_KEY }, 'GET')).status).to.equal(200);
    });
    it('security headers are set on allowed and refused answers', async () => {
      for (const answer of [
        await call(`${app.url}/payments`, { 'x-api-key': LEDGER_KEY }),
        await call(`${app.url}/payments`),
      ]) {
        expect(answer.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(answer.headers.get('x-frame-options')).to.equal('DENY');
        expect(answer.headers.get('content-security-policy')).to.equal(
          "default-src 'none'; frame-ancestors 'none'",
        );
        expect(answer.headers.get('x-powered-by')).to.equal(null);
      }
    });
  });

  describe('audit', () => {
    it('writes one access line per decision with principal, permission, decision, route and correlation id', async () => {
      const before = app.log.access().length;
      await call(`${app.url}/payments`, { 'x-api-key': LEDGER_KEY, 'x-correlation-id': 'audit-ok-1' });
      await call(`${app.url}/payments`, { 'x-api-key': REPORTING_KEY, 'x-correlation-id': 'audit-denied-1' });
      await call(`${app.url}/async/api/start?flowName=kyc-check`, {
        'x-api-key': 'wrong-key-000000000000',
        'x-correlation-id': 'audit-401-1',
      });
      const lines = app.log.access().slice(before);
      expect(lines).to.have.length(3);
      expect(lines[0]).to.include({
        event: 'access',
        principal: 'ledger-service',
        via: 'api-key',
        permission: 'route:payments-in',
        decision: 'allowed',
        reason: 'granted',
        routeId: 'payments-in',
        correlationId: 'audit-ok-1',
        level: 'info',
      });
      expect(lines[1]).to.include({
        event: 'access',
        principal: 'reporting',
        permission: 'route:payments-in',
        decision: 'denied',
        reason: 'not-granted',
        routeId: 'payments-in',
        correlationId: 'audit-denied-1',
        level: 'warn',
      });
      expect(lines[2]).to.include({
        event: 'access',
        principal: null,
        permission: 'flow:kyc-check',
        flow: 'kyc-check',
        decision: 'denied',
        reason: 'unknown-api-key',
        correlationId: 'audit-401-1',
      });
    });
    it('gives a request without a usable correlation id a fresh one, shared with the handler', async () => {
      const answer = await call(`${app.url}/payments`, {
        'x-api-key': LEDGER_KEY,
        'x-correlation-id': 'bad id with spaces',
      });
      const id = (answer.body as { correlationId: string }).correlationId;
      expect(id).to.match(/^[0-9a-f-]{36}$/);
      expect(app.log.access().at(-1)).to.include({ correlationId: id });
    });
    it('never logs an API key, a token or a key (runs last, over every line written)', () => {
      const text = app.log.text();
      expect(app.log.lines().length).to.be.greaterThan(20);
      const secrets = [
        LEDGER_KEY,
        REPORTING_KEY,
        OPERATOR_KEY,
        'not-a-key-we-know-1234',
        'wrong-key-000000000000',
        rsa.privateJwk.d!,
        ec.privateJwk.d!,
      ];
      for (const token of tokens) secrets.push(token, token.split('.')[2]!);
      expect(tokens.length).to.be.greaterThan(5);
      for (const secret of secrets.filter((s) => s.length > 8)) expect(text).not.to.include(secret);
      // Nor the stored digest, which would let a short key be brute-forced offline.
      expect(text).not.to.include(sha256Hex(REPORTING_KEY));
    });
  });
});

describe('security: HTTP guard with an HS256 secret, anonymous roles and rest scopes', () => {
  const temp = tempDir();
  let app: GuardedApp;
  const secret = new TextEncoder().encode(HMAC_SECRET);

  before(async () => {
    const rbac = rbacFrom(
      rbacText(`jwt:
  secretEnv: JWT_SECRET
  issuer: https://idp.test/
  audience: [service-pipes, service-pipes-staging]
  rolesClaim: scope
anonymous:
  roles: [reports-reader]`),
      path.join(temp.dir, 'rbac.yaml'),
      { LEDGER_KEY, OPERATOR_KEY, JWT_SECRET: HMAC_SECRET },
    );
    app = await startGuardedApp(rbac, {
      requiredRolesFor: (req) =>
        req.path === '/payments/refunds'
          ? rolesFromRestSecurity([{ key: 'oauth', scopes: 'payments-writer,refunds' }])
          : undefined,
    });
  });
  after(async () => {
    await app.close();
    temp.remove();
  });

  it('accepts an HS256 token, roles from a space-separated scope claim, either audience', async () => {
    for (const audience of ['service-pipes', 'service-pipes-staging']) {
      const token = await sign(secret, { audience, claims: { scope: 'payments-writer openid' } });
      const answer = await call(`${app.url}/payments`, { authorization: `Bearer ${token}` });
      expect(answer.status).to.equal(200);
      expect((answer.body as { principal: unknown }).principal).to.deep.equal({
        id: 'back-office-user',
        roles: ['payments-writer', 'openid'],
        via: 'jwt',
      });
    }
  });
  it('refuses an HS256 token signed with another secret, and alg none', async () => {
    const forged = await sign(new TextEncoder().encode('another-secret-of-sufficient-length-0123456789'), {
      claims: { scope: 'payments-writer' },
    });
    const none = new UnsecuredJWT({ scope: 'payments-writer' })
      .setIssuer('https://idp.test/')
      .setAudience('service-pipes')
      .setSubject('x')
      .setExpirationTime('5m')
      .encode();
    for (const token of [forged, none]) {
      const answer = await call(`${app.url}/payments`, { authorization: `Bearer ${token}` });
      expect(answer.status).to.equal(401);
      expect(answer.body).to.deep.equal(UNAUTHORIZED_BODY);
      expect(answer.headers.get('www-authenticate')).to.equal(WWW_AUTHENTICATE);
    }
  });
  it('lets anonymous callers in where the anonymous roles are granted, and asks for credentials elsewhere', async () => {
    const open = await call(`${app.url}/reports`, {}, 'GET');
    expect(open.status).to.equal(200);
    expect((open.body as { principal: unknown }).principal).to.deep.equal({
      id: 'anonymous',
      roles: ['reports-reader'],
      via: 'anonymous',
    });
    const closed = await call(`${app.url}/payments`);
    expect(closed.status).to.equal(401);
    expect(closed.body).to.deep.equal(UNAUTHORIZED_BODY);
  });
  it('enforces rest security scopes as roles on top of the route permission', async () => {
    const writerOnly = await sign(secret, { claims: { scope: 'payments-writer' } });
    const denied = await call(`${app.url}/payments/refunds`, { authorization: `Bearer ${writerOnly}` });
    expect(denied.status).to.equal(403);
    expect(denied.body).to.deep.equal(FORBIDDEN_BODY);
    expect(app.log.access().at(-1)).to.include({
      decision: 'denied',
      reason: 'missing-role',
      permission: 'route:payments-refunds',
    });
    const both = await sign(secret, { claims: { scope: 'payments-writer refunds' } });
    expect((await call(`${app.url}/payments/refunds`, { authorization: `Bearer ${both}` })).status).to.equal(
      200,
    );
    // The API key caller holds payments-writer but not the refunds scope.
    expect((await call(`${app.url}/payments/refunds`, { 'x-api-key': LEDGER_KEY })).status).to.equal(403);
  });
  it('never logs the HMAC secret', () => {
    expect(app.log.lines().length).to.be.greaterThan(5);
    expect(app.log.text()).not.to.include(HMAC_SECRET);
  });
});
