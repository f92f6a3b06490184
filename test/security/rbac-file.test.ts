import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import type { LoadDiagnostic } from '../../src/runtime/definitions.js';
import { checkRbacReferences, loadRbacFile, parseRbacFile } from '../../src/security/index.js';
import { rbacFrom, sha256Hex, signingKey, tempDir, writeJwks } from './helpers.js';

const FILE = '/etc/service-pipes/rbac.yaml';

function errorsOf(text: string, env: NodeJS.ProcessEnv = {}, file = FILE): LoadDiagnostic[] {
  const result = parseRbacFile(text, file, { env });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(result.rbac, 'a file with errors yields no policy').to.equal(
    errors.length ? undefined : result.rbac,
  );
  return errors;
}

/** `file:line:col message` for compact assertions. */
const where = (d: LoadDiagnostic): string => `${d.loc!.file}:${d.loc!.line}:${d.loc!.col} ${d.message}`;

const MINIMAL = `roles:
  payments-writer: [route:payments-intake]
principals:
  - id: ledger
    roles: [payments-writer]
    apiKeySha256: ${sha256Hex('ledger-key-0123456789abcdef')}
`;

describe('security: RBAC file', () => {
  it('parses roles (both forms), principals, anonymous, open and amqp with defaults', () => {
    const rbac = rbacFrom(
      `version: 1
roles:
  writer:
    description: writes
    permissions: [route:payments-*, flow:kyc-check]
  ops: ['admin:*']
principals:
  - id: ledger
    roles: [writer, ops]
    apiKeyEnv: LEDGER_KEY
  - id: amqp-publisher
    roles: [writer]
anonymous:
  roles: [writer]
amqp:
  requireUserId: true
`,
      FILE,
      { LEDGER_KEY: 'ledger-key-0123456789abcdef' },
    );
    expect([...rbac.roles.keys()]).to.deep.equal(['writer', 'ops']);
    expect(rbac.roles.get('writer')).to.include({ description: 'writes' });
    expect(rbac.roles.get('writer')!.permissions).to.deep.equal(['route:payments-*', 'flow:kyc-check']);
    expect(rbac.roles.get('ops')!.permissions).to.deep.equal(['admin:*']);
    expect(rbac.principals.map((p) => [p.id, p.roles, p.apiKey?.origin])).to.deep.equal([
      ['ledger', ['writer', 'ops'], 'env'],
      ['amqp-publisher', ['writer'], undefined],
    ]);
    expect(rbac.principals[0]!.apiKey!.sha256.bytes().toString('hex')).to.equal(
      sha256Hex('ledger-key-0123456789abcdef'),
    );
    expect(rbac.anonymousRoles).to.deep.equal(['writer']);
    expect(rbac.open).to.deep.equal({ health: true, metrics: true });
    expect(rbac.amqp).to.deep.equal({ requireUserId: true });
  });

  it('never shows key material when the parsed file is printed or serialised', () => {
    const rbac = rbacFrom(
      `roles: {r: [route:x]}
principals: [{id: a, roles: [r], apiKeyEnv: A_KEY}]
jwt: {secretEnv: S, issuer: i, audience: a}
`,
      FILE,
      { A_KEY: 'api-key-value-0123456789', S: 'jwt-secret-value-0123456789abcdefghij' },
    );
    const printed = inspect(rbac, { depth: 10 }) + JSON.stringify({ ...rbac, roles: [...rbac.roles] });
    for (const secret of [
      'api-key-value-0123456789',
      'jwt-secret-value-0123456789abcdefghij',
      sha256Hex('api-key-value-0123456789'),
    ]) {
      expect(printed).not.to.include(secret);
    }
    expect(printed).to.include('[secret]');
  });

  describe('errors carry file:line:col, the YAML path and a did-you-mean', () => {
    it('misspelt keys at every level', () => {
      const errors = errorsOf(`roles:
  writer:
    permisions: [route:a]
principals:
  - id: x
    role: [writer]
prinicpals: []
`);
      expect(errors.map(where)).to.include.members([
        // The route loader's wording: the RBAC file is read through a JSON Schema as route files are.
        `${FILE}:3:5 Unknown option \`permisions\` in \`writer\``,
        `${FILE}:6:5 Unknown option \`role\` in \`principals[0]\``,
        `${FILE}:7:1 Unknown option \`prinicpals\` in \`rbac.yaml\``,
      ]);
      expect(errors.find((e) => e.message.includes('`permisions`'))!.suggestions).to.deep.equal([
        'permissions',
      ]);
      expect(errors.find((e) => e.message.includes('`role`'))!.suggestions).to.deep.equal(['roles']);
      expect(errors.find((e) => e.message.includes('`prinicpals`'))!.suggestions).to.deep.equal([
        'principals',
      ]);
      expect(errors.find((e) => e.message.includes('`permisions`'))!.loc!.path).to.equal(
        'roles.writer.permisions',
      );
    });

    it('unknown roles named by principals and anonymous', () => {
      const errors = errorsOf(`roles:
  payments-writer: [route:a]
principals:
  - id: ledger
    roles: [payment-writer]
anonymous:
  roles: [guest]
`);
      expect(errors.map(where)).to.deep.equal([
        `${FILE}:5:13 Unknown role 'payment-writer'`,
        `${FILE}:7:11 Unknown role 'guest'`,
      ]);
      expect(errors[0]!.suggestions).to.deep.equal(['payments-writer']);
      expect(errors[0]!.loc!.path).to.equal('principals[0].roles[0]');
    });

    it('anonymous callers granted * or any admin: permission (finding 13)', () => {
      const errors = errorsOf(`roles:
  reader: [route:reports]
  ops: ['admin:*']
  root: ['*']
  dlq: [admin:dead-letters]
anonymous:
  roles: [reader, ops, root, dlq]
`);
      expect(errors.map(where)).to.deep.equal([
        `${FILE}:7:19 Role 'ops' grants 'admin:*' to anonymous callers: the admin API would answer anyone without credentials`,
        `${FILE}:7:24 Role 'root' grants '*' to anonymous callers: the admin API would answer anyone without credentials`,
        `${FILE}:7:30 Role 'dlq' grants 'admin:dead-letters' to anonymous callers: the admin API would answer anyone without credentials`,
      ]);
      expect(errors[0]!.loc!.path).to.equal('anonymous.roles[1]');
      expect(errors[0]!.hint).to.include(`'admin:*' (at ${FILE}:3:9)`).and.include('open.health');
      // The same roles held by principals with credentials are fine.
      expect(
        errorsOf(`roles:
  ops: ['admin:*']
principals:
  - {id: ops-console, roles: [ops], apiKeySha256: ${sha256Hex('ops-console-key-0123456789')}}
anonymous:
  roles: []
`),
      ).to.deep.equal([]);
    });

    it('bad permissions, bad hashes, duplicate principals and shared keys', () => {
      const hash = sha256Hex('same-key-for-two-callers');
      const errors = errorsOf(`roles:
  r: [rout:payments, 'route:', flow:ok]
principals:
  - {id: a, roles: [r], apiKeySha256: ${hash}}
  - {id: a, roles: [r]}
  - {id: b, roles: [r], apiKeySha256: ${hash}}
  - {id: c, roles: [r], apiKeySha256: abc123}
`);
      const texts = errors.map(where);
      expect(texts[0]).to.match(new RegExp(`^${FILE}:2:7 Unknown permission kind 'rout'`));
      expect(errors[0]!.suggestions).to.deep.equal(['route:payments']);
      expect(texts[1]).to.match(new RegExp(`^${FILE}:2:22 'route:' has no usable name`));
      expect(texts).to.include(`${FILE}:5:10 Principal 'a' is declared twice (first at line 4)`);
      expect(texts).to.include(`${FILE}:7:39 apiKeySha256 of 'c' is not a SHA-256 hex digest`);
      expect(texts).to.include(`${FILE}:6:10 Principals 'a' and 'b' have the same API key`);
    });

    it('YAML syntax errors and duplicate keys', () => {
      const errors = errorsOf(`roles:
  r: [route:a]
  r: [route:b]
`);
      expect(errors).to.have.length(1);
      expect(errors[0]!.loc).to.include({ file: FILE, line: 3, col: 3 });
      expect(errors[0]!.message).to.match(/unique/i);
      const broken = errorsOf('roles:\n  r: [route:a\n');
      expect(broken[0]!.loc!.file).to.equal(FILE);
      expect(broken[0]!.loc!.line).to.be.greaterThan(1);
    });

    it('the shape is checked against the RBAC schema, in the route loader\'s words', () => {
      const errors = errorsOf(`roles: {r: [route:a]}
principals: {id: x}
open:
  health: maybe
amqp: [requireUserId]
`);
      expect(errors.map(where)).to.deep.equal([
        `${FILE}:2:13 \`principals\` must be an array, not an object`,
        `${FILE}:4:11 \`health\` must be a boolean, not a string`,
        `${FILE}:5:7 \`amqp\` must be an object, not an array`,
      ]);
      expect(errorsOf('- roles\n').map((e) => e.message)).to.deep.equal(['The RBAC file must be a mapping']);
      // Unquoted scalars are read as the route loader reads them: "false" is false.
      expect(parseRbacFile('roles: {r: [route:a]}\nopen: {health: "false"}\n', FILE).rbac?.open.health).to.equal(false);
    });

    it('an empty file and a file without roles', () => {
      expect(errorsOf('').map((e) => e.message)).to.deep.equal(['The RBAC file is empty']);
      expect(errorsOf('principals: []\n').map((e) => e.message)).to.deep.equal([
        "The RBAC file has no 'roles'",
      ]);
    });

    it('API keys from the environment: unset, too short, default hash, production', () => {
      const text = (extra: string): string => `roles: {r: [route:x]}
principals:
  - id: demo
    roles: [r]
    apiKeyEnv: DEMO_KEY
${extra}`;
      expect(errorsOf(text('')).map(where)).to.deep.equal([
        `${FILE}:5:16 Environment variable DEMO_KEY (API key of 'demo') is not set`,
      ]);
      expect(errorsOf(text(''), { DEMO_KEY: 'short' }).map((e) => e.message)).to.deep.equal([
        'The API key in DEMO_KEY is shorter than 16 characters',
      ]);
      const withDefault = text(`    apiKeySha256: ${sha256Hex('documented-default-key')}\n`);
      const local = parseRbacFile(withDefault, FILE, { env: {} });
      expect(local.rbac!.principals[0]!.apiKey!.origin).to.equal('default');
      expect(local.diagnostics.map((d) => `${d.severity} ${d.message}`)).to.deep.equal([
        "warning DEMO_KEY is not set: principal 'demo' accepts its documented default key (local use only)",
      ]);
      const fromEnv = parseRbacFile(withDefault, FILE, { env: { DEMO_KEY: 'a-real-key-from-the-env-000' } });
      expect(fromEnv.rbac!.principals[0]!.apiKey!.origin).to.equal('env');
      expect(fromEnv.diagnostics).to.deep.equal([]);
      expect(errorsOf(withDefault, { NODE_ENV: 'production' }).map((e) => e.message)).to.deep.equal([
        "DEMO_KEY is not set and NODE_ENV=production: the default key of 'demo' is refused",
      ]);
      // The documented key passed through the variable is the same public key.
      const passedThrough = { NODE_ENV: 'production', DEMO_KEY: 'documented-default-key' };
      expect(errorsOf(withDefault, passedThrough).map(where)).to.deep.equal([
        `${FILE}:5:16 DEMO_KEY holds the documented default key of 'demo', and NODE_ENV=production refuses it`,
      ]);
      expect(
        parseRbacFile(withDefault, FILE, { env: { DEMO_KEY: 'documented-default-key' } }).rbac,
      ).to.not.equal(undefined);
    });

    it('JWT settings: alg none, mixed key kinds, weak secret, missing issuer/audience, http JWKS URL', () => {
      const jwt = (body: string): string => `roles: {r: [route:x]}\njwt:\n${body}`;
      expect(
        errorsOf(jwt('  secretEnv: S\n  issuer: i\n  audience: a\n  algorithms: [none]\n'), {
          S: 'x'.repeat(40),
        }).map(where),
      ).to.deep.equal([
        `${FILE}:6:16 jwt.algorithms must not contain 'none': unsigned tokens are never accepted`,
      ]);
      expect(
        errorsOf(jwt('  jwksUrl: https://idp/jwks\n  issuer: i\n  audience: a\n  algorithms: [HS256]\n'))[0]!
          .message,
      ).to.match(/^Algorithm HS256 does not fit a JWKS/);
      expect(
        errorsOf(jwt('  secretEnv: S\n  issuer: i\n  audience: a\n'), { S: 'too-short' })[0]!.message,
      ).to.equal('The JWT secret is 9 bytes; HS256 needs at least 32');
      expect(
        errorsOf(jwt('  secretEnv: S\n  issuer: i\n  audience: a\n  algorithms: [HS512]\n'), {
          S: 'x'.repeat(40),
        })[0]!.message,
      ).to.equal('The JWT secret is 40 bytes; HS512 needs at least 64');
      expect(errorsOf(jwt('  secretEnv: S\n'), { S: 'x'.repeat(40) }).map((e) => e.message)).to.deep.equal([
        'jwt.issuer is required: without it a token minted for another service would be accepted',
        'jwt.audience is required: without it a token minted for another service would be accepted',
      ]);
      expect(
        errorsOf(jwt('  jwksUrl: http://idp.example.com/jwks\n  issuer: i\n  audience: a\n'))[0]!.message,
      ).to.equal('jwt.jwksUrl must use https (plain http only for localhost)');
      expect(
        errorsOf(jwt('  jwksFile: j.json\n  secretEnv: S\n  issuer: i\n  audience: a\n'), {
          S: 'x'.repeat(40),
        })[0]!.message,
      ).to.equal('jwt has several keys (secretEnv, jwksFile); give exactly one');
      expect(errorsOf(jwt('  jwksFile: missing.json\n  issuer: i\n  audience: a\n'))[0]!.message).to.equal(
        `Cannot read JWKS file ${path.resolve('/etc/service-pipes/missing.json')}: ENOENT`,
      );
    });

    it('a JWKS file is read relative to the RBAC file', async () => {
      const temp = tempDir();
      try {
        writeJwks(temp.dir, [await signingKey('ES256', 'k1')]);
        const file = path.join(temp.dir, 'rbac.yaml');
        writeFileSync(
          file,
          'roles: {r: [route:x]}\njwt:\n  jwksFile: jwks.json\n  issuer: i\n  audience: a\n  algorithms: [ES256]\n',
        );
        const { rbac, diagnostics } = loadRbacFile(file, { env: {} });
        expect(diagnostics).to.deep.equal([]);
        expect(rbac!.jwt!.key.kind).to.equal('jwks-file');
        expect(rbac!.jwt).to.include({
          rolesClaim: 'roles',
          principalClaim: 'sub',
          clockToleranceSeconds: 30,
        });
      } finally {
        temp.remove();
      }
    });

    it('a missing RBAC file', () => {
      const { rbac, diagnostics } = loadRbacFile('/nonexistent/rbac.yaml');
      expect(rbac).to.equal(undefined);
      expect(diagnostics.map(where)).to.deep.equal([
        '/nonexistent/rbac.yaml:1:1 Cannot read the RBAC file /nonexistent/rbac.yaml: ENOENT',
      ]);
    });
  });

  describe('checkRbacReferences', () => {
    const rbac = rbacFrom(
      `roles:
  writer:
    permissions:
      - route:payments-intake
      - route:paymnets-refund
      - flow:kyc-chek
      - route:ledger-*
      - admin:dead-leters
      - 'route:*'
`,
      FILE,
    );

    it('reports unknown routes, flows and admin areas with did-you-mean, and wildcards that match nothing', () => {
      const diagnostics = checkRbacReferences(rbac, {
        routeIds: ['payments-intake', 'payments-refund', 'fee-quotes-rest'],
        flowNames: ['kyc-check'],
        adminAreas: ['dead-letters', 'breakers'],
      });
      expect(
        diagnostics.map((d) => `${d.severity} ${where(d)} ${(d.suggestions ?? []).join(',')}`),
      ).to.deep.equal([
        `error ${FILE}:5:9 Role 'writer' grants 'route:paymnets-refund', but there is no route 'paymnets-refund' route:payments-refund`,
        `error ${FILE}:6:9 Role 'writer' grants 'flow:kyc-chek', but there is no flow 'kyc-chek' flow:kyc-check`,
        `warning ${FILE}:7:9 Grant 'route:ledger-*' of role 'writer' matches no route `,
        `error ${FILE}:8:9 Role 'writer' grants 'admin:dead-leters', but there is no admin area 'dead-leters' admin:dead-letters`,
      ]);
    });

    it('of a partial route set: grants of routes and flows outside it are one note; admin areas are still checked', () => {
      const diagnostics = checkRbacReferences(rbac, {
        routeIds: ['payments-intake'],
        flowNames: [],
        adminAreas: ['dead-letters', 'breakers'],
        partialRouteSet: true,
      });
      expect(diagnostics.map((d) => `${d.severity} ${where(d)}`)).to.deep.equal([
        `error ${FILE}:8:9 Role 'writer' grants 'admin:dead-leters', but there is no admin area 'dead-leters'`,
        `note ${FILE}:5:9 Not checked: route:paymnets-refund, flow:kyc-chek, route:ledger-* (no such route or flow in the files validated; validating the whole route set checks them)`,
      ]);
    });

    it('does not check admin areas unless told which exist, and warns about HTTP entries nobody is granted', () => {
      const narrow = rbacFrom('roles:\n  w: [route:payments-intake, admin:anything]\n', FILE);
      const diagnostics = checkRbacReferences(narrow, {
        routeIds: ['payments-intake', 'fee-quotes-rest'],
        flowNames: [],
        httpEntryRouteIds: ['payments-intake', 'fee-quotes-rest'],
      });
      expect(diagnostics.map((d) => `${d.severity} ${d.message}`)).to.deep.equal([
        "warning No role grants 'route:fee-quotes-rest': this HTTP entry answers 403 to every caller",
      ]);
    });

    it('passes a file whose grants all exist', () => {
      const ok = rbacFrom(MINIMAL, FILE);
      expect(checkRbacReferences(ok, { routeIds: ['payments-intake'], flowNames: [] })).to.deep.equal([]);
    });
  });

  it('the complete example in docs/security.md loads', () => {
    const doc = readFileSync(path.resolve('docs/security.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(example).to.include('principals:');
    const rbac = rbacFrom(example, path.resolve('docs/rbac.yaml'), {
      LEDGER_API_KEY: 'ledger-key-from-env-0123456789',
    });
    expect([...rbac.roles.keys()]).to.deep.equal([
      'payments-writer',
      'fee-reader',
      'operator',
      'break-glass',
    ]);
    expect(rbac.jwt!.key.kind).to.equal('jwks-url');
    expect(rbac.jwt!.rolesClaim).to.equal('realm_access.roles');
  });

  describe('the demo rbac.yaml at the repository root', () => {
    const demo = path.resolve('rbac.yaml');

    it('loads with its documented local-only default keys, warning about each', () => {
      const { rbac, diagnostics } = loadRbacFile(demo, { env: {} });
      expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(diagnostics.filter((d) => d.severity === 'warning')).to.have.length(3);
      const defaults: Record<string, string> = {
        'payments-demo': 'demo-payments-key-local-only',
        'reports-demo': 'demo-reports-key-local-only',
        'operator-demo': 'demo-operator-key-local-only',
      };
      for (const principal of rbac!.principals) {
        expect(principal.apiKey!.origin).to.equal('default');
        expect(principal.apiKey!.sha256.bytes().toString('hex')).to.equal(sha256Hex(defaults[principal.id]!));
      }
    });

    it('takes the keys from the environment when set, and refuses the defaults in production', () => {
      const env = {
        DEMO_API_KEY: 'k'.repeat(32),
        DEMO_REPORTS_API_KEY: 'r'.repeat(32),
        DEMO_OPS_API_KEY: 'o'.repeat(32),
      };
      const { rbac, diagnostics } = loadRbacFile(demo, { env });
      expect(diagnostics).to.deep.equal([]);
      expect(rbac!.principals.map((p) => p.apiKey!.origin)).to.deep.equal(['env', 'env', 'env']);
      const production = loadRbacFile(demo, { env: { NODE_ENV: 'production' } });
      expect(production.rbac).to.equal(undefined);
      expect(production.diagnostics.filter((d) => d.severity === 'error')).to.have.length(3);
      // What the old docker-compose.yml did: the documented keys in the variables, NODE_ENV=production.
      const documented = loadRbacFile(demo, {
        env: {
          NODE_ENV: 'production',
          DEMO_API_KEY: 'demo-payments-key-local-only',
          DEMO_REPORTS_API_KEY: 'demo-reports-key-local-only',
          DEMO_OPS_API_KEY: 'demo-operator-key-local-only',
        },
      });
      expect(documented.rbac).to.equal(undefined);
      expect(documented.diagnostics.map((d) => d.message)).to.deep.equal([
        "DEMO_API_KEY holds the documented default key of 'payments-demo', and NODE_ENV=production refuses it",
        "DEMO_REPORTS_API_KEY holds the documented default key of 'reports-demo', and NODE_ENV=production refuses it",
        "DEMO_OPS_API_KEY holds the documented default key of 'operator-demo', and NODE_ENV=production refuses it",
      ]);
    });

    it('names only routes the shipped examples define', () => {
      const { rbac } = loadRbacFile(demo, { env: {} });
      const diagnostics = checkRbacReferences(rbac!, {
        routeIds: ['payments-intake', 'fee-quotes-rest'],
        flowNames: [],
      });
      expect(diagnostics).to.deep.equal([]);
    });
  });
});
