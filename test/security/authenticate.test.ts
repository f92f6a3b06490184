import { expect } from 'chai';
import { UnsecuredJWT } from 'jose';
import { Authenticator } from '../../src/security/index.js';
import { rbacFrom, sign } from './helpers.js';

const SECRET = 'authenticate-test-secret-0123456789abcdef';

describe('security: Authenticator reasons (what the audit line says)', () => {
  const rbac = rbacFrom(
    `roles: {r: [route:x]}
principals: [{id: svc, roles: [r], apiKeyEnv: SVC_KEY}]
jwt: {secretEnv: S, issuer: https://idp.test/, audience: service-pipes, rolesClaim: 'https://example.com/roles'}
`,
    'rbac.yaml',
    { SVC_KEY: 'svc-key-0123456789abcdef', S: SECRET },
  );
  const authenticator = new Authenticator(rbac);
  const key = new TextEncoder().encode(SECRET);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('classifies each refusal', async () => {
    const cases: [Record<string, string | string[]>, string][] = [
      [{ 'x-api-key': 'nope-nope-nope-nope' }, 'unknown-api-key'],
      [{ 'x-api-key': ['svc-key-0123456789abcdef', 'svc-key-0123456789abcdef'] }, 'multiple-credentials'],
      [{ 'x-api-key': 'x'.repeat(9000) }, 'malformed-credentials'],
      [{ authorization: 'Basic abc' }, 'unsupported-scheme'],
      [{ authorization: 'Bearer ' }, 'malformed-credentials'],
      [bearer('a.b.c'), 'token-malformed'],
      [bearer(await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 600 })), 'token-expired'],
      [bearer(await sign(key, { notBefore: '10m', expiresIn: '20m' })), 'token-not-yet-valid'],
      [bearer(await sign(key, { issuer: 'https://other/' })), 'token-claim-invalid'],
      [bearer(await sign(new TextEncoder().encode('x'.repeat(40)))), 'token-signature-invalid'],
      [
        bearer(
          new UnsecuredJWT({})
            .setIssuer('https://idp.test/')
            .setAudience('service-pipes')
            .setExpirationTime('5m')
            .encode(),
        ),
        'token-algorithm-not-allowed',
      ],
    ];
    for (const [headers, reason] of cases) {
      expect(await authenticator.authenticate(headers), JSON.stringify(headers).slice(0, 80)).to.deep.equal({
        outcome: 'invalid',
        reason,
      });
    }
  });

  it('refuses a repeated Authorization or X-API-Key header, which Node reduces to one value (finding 12)', async () => {
    const good = await sign(key, { subject: 'u1' });
    const cases: [Record<string, string>, Record<string, string[]>][] = [
      // Node keeps the first Authorization in req.headers: only headersDistinct shows the second.
      [bearer(good), { authorization: [`Bearer ${good}`, 'Bearer forged'] }],
      [bearer(good), { authorization: [`Bearer ${good}`, `Bearer ${good}`] }],
      // Node joins repeated X-API-Key values with ', '.
      [{ 'x-api-key': 'svc-key-0123456789abcdef, other' }, { 'x-api-key': ['svc-key-0123456789abcdef', 'other'] }],
    ];
    for (const [headers, distinct] of cases) {
      expect(await authenticator.authenticate(headers, distinct), JSON.stringify(distinct).slice(0, 80)).to.deep.equal({
        outcome: 'invalid',
        reason: 'multiple-credentials',
      });
    }
    expect((await authenticator.authenticate(bearer(good), { authorization: [`Bearer ${good}`] })).outcome).to.equal('authenticated');
  });

  it('reads roles from a claim whose name contains dots', async () => {
    const token = await sign(key, { subject: 'u1', claims: { 'https://example.com/roles': ['r', 'other'] } });
    expect(await authenticator.authenticate(bearer(token))).to.deep.equal({
      outcome: 'authenticated',
      principal: { id: 'u1', roles: ['r', 'other'], via: 'jwt' },
    });
  });
});
