import { expect } from 'chai';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createHash } from 'node:crypto';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { redoclyProblems } from '../helpers/openapi-lint.js';

/**
 * The OpenAPI documents a router serves: the routes' HTTP entries (platform-http, rest DSL) beside the
 * async engine's, both linted by redocly (0 errors) and validated against the OpenAPI 3.1 schema, with the
 * security schemes the server really accepts.
 */

const KEY = 'docs-test-key-5e1c9a7b3d2f4068';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const ROUTES = `
- route:
    id: payments-intake
    description: Take a payment instruction
    from:
      uri: platform-http:/payments
      parameters:
        httpMethodRestrict: POST
        consumes: application/json
      steps:
        - log: "payment in"
        - to: json-validator:payment.schema.json
        - setBody:
            constant: ok
- rest:
    path: /api
    tag: fees
    get:
      - path: /fees/{currency}
        routeId: fees-rest
        description: Quote a fee
        param:
          - {name: amount, type: query, required: true, dataType: number, description: The amount}
        security:
          - key: oauth
            scopes: "fees:read"
        to: direct:fees
    put:
      - path: /fees/{currency}
        routeId: fees-set
        consumes: application/json
        to: direct:set-fee
- route:
    id: fees
    from:
      uri: direct:fees
      steps:
        - setBody:
            constant: quoted
- route:
    id: set-fee
    from:
      uri: direct:set-fee
      steps:
        - to: json-validator:fee.schema.json
- route:
    id: anything
    from:
      uri: platform-http:/anything
      steps:
        - setBody:
            constant: hi
`;

const FILES = {
  'routes/api.yaml': ROUTES,
  'schemas/payment.schema.json': JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['paymentId', 'amount', 'payer'],
    properties: {
      paymentId: { type: 'string' },
      amount: { $ref: 'common/money.schema.json' },
      payer: { $ref: '#/definitions/party' },
    },
    definitions: { party: { type: 'object', properties: { name: { type: 'string' } } } },
  }),
  'schemas/common/money.schema.json': JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['value'],
    properties: { value: { type: 'number' }, currency: { type: 'string', enum: ['EUR'] } },
  }),
  'schemas/fee.schema.json': JSON.stringify({ type: 'object', required: ['fee'], properties: { fee: { type: 'number' } } }),
};

const RBAC = `
version: 1
roles:
  writer: [route:payments-intake, route:fees-rest, route:fees-set, route:anything]
principals:
  - id: docs-reader
    roles: [writer]
    apiKeySha256: ${sha256(KEY)}
`;

type Doc = Record<string, unknown> & {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Record<string, unknown> & { responses: Record<string, unknown> }>>;
  components: { securitySchemes?: Record<string, unknown>; schemas: Record<string, Record<string, unknown>> };
};

async function documentAt(test: TestRouter, path: string): Promise<Doc> {
  const response = await fetch(test.baseUrl + path);
  expect(response.status, path).to.equal(200);
  return (await response.json()) as Doc;
}

async function expectValid(document: Doc): Promise<void> {
  const { errors } = await redoclyProblems(document);
  expect(errors, errors.join('\n')).to.deep.equal([]);
  const result = await new Validator().validate(document);
  expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
}

describe('OpenAPI documents of the routes and the async engine', function () {
  this.timeout(30_000);
  let test: TestRouter;

  before(async () => {
    test = await startRouter(FILES, { rbac: RBAC });
  });
  after(async () => test?.stop());

  it('documents every platform-http and rest entry with its path parameters, body schema and RBAC', async () => {
    const document = await documentAt(test, '/async/specifications/routes/openapi.json');
    await expectValid(document);
    expect(document.servers).to.have.length.greaterThan(0);
    expect(Object.keys(document.paths).sort()).to.deep.equal(['/anything', '/api/fees/{currency}', '/payments']);

    const intake = document.paths['/payments']!.post!;
    expect(Object.keys(document.paths['/payments']!)).to.deep.equal(['post']);
    expect(intake.operationId).to.equal('payments-intake');
    expect(intake.requestBody).to.deep.equal({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Schema.payment' } } },
    });
    const payment = document.components.schemas['Schema.payment']!;
    expect(payment.properties).to.deep.equal({
      paymentId: { type: 'string' },
      amount: { $ref: '#/components/schemas/Schema.money' },
      payer: { $ref: '#/components/schemas/Schema.payment/definitions/party' },
    });
    expect(payment).not.to.have.property('$schema');
    expect(document.components.schemas['Schema.money']!.required).to.deep.equal(['value']);
    expect(intake.responses).to.include.keys('200', '400', '401', '403', '413', '415');

    const quote = document.paths['/api/fees/{currency}']!.get!;
    expect(quote.operationId).to.equal('fees-rest');
    expect(quote.tags).to.deep.equal(['fees']);
    expect(quote.parameters).to.deep.equal([
      { name: 'currency', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'amount', in: 'query', required: true, description: 'The amount', schema: { type: 'number' } },
    ]);
    expect(quote).not.to.have.property('requestBody');
    expect(quote.security).to.deep.equal([{ apiKey: ['fees:read'] }]);
    expect(quote.description).to.contain('route:fees-rest');
    expect(quote.responses).to.include.keys('401', '403');
    expect(quote.responses).not.to.have.property('415');

    // Behind the direct it calls, the rest verb validates against fee.schema.json.
    const setFee = document.paths['/api/fees/{currency}']!.put!;
    expect(setFee.requestBody).to.deep.include({ required: true });
    expect(JSON.stringify(setFee.requestBody)).to.contain('Schema.fee');
    expect(setFee.responses).to.include.keys('400', '415');

    // No httpMethodRestrict: every method.
    expect(Object.keys(document.paths['/anything']!).sort()).to.deep.equal(['delete', 'get', 'patch', 'post', 'put']);
    expect(document.paths['/anything']!.get!.operationId).to.equal('anything.get');

    // No jwt: in the RBAC file, so no bearer scheme (the server challenges with ApiKey only).
    expect(document.components.securitySchemes).to.have.keys('apiKey');
    expect(document.security).to.deep.equal([{ apiKey: [] }]);
  });

  it('the async engine document has servers, 401/403/415 and only the API key scheme', async () => {
    const document = await documentAt(test, '/async/specifications/openapi.json');
    await expectValid(document);
    expect(document.servers).to.deep.equal([{ url: '/', description: 'This router' }]);
    expect(document.paths['/async/api/start']!.post!.responses).to.include.keys('202', '401', '403', '415');
    expect(document.paths['/async/api/runs']!.get!.responses).to.include.keys('401', '403');
    expect(document.components.securitySchemes).to.have.keys('apiKey');
    const challenge = (await fetch(`${test.baseUrl}/async/api/runs`)).headers.get('www-authenticate');
    expect(challenge).to.equal('ApiKey');
  });

  it('Swagger UI offers both documents and loads them by URL, not as [object Object]', async () => {
    const init = await (await fetch(`${test.baseUrl}/async/specifications/swagger-ui/swagger-ui-init.js`)).text();
    expect(init).not.to.match(/"swaggerUrl":\s*\{\s*\}/);
    expect(init).to.contain('"swaggerUrl": "/async/specifications/openapi.json"');
    expect(init).to.contain('/async/specifications/routes/openapi.json');
  });

  it('offers the bearer scheme when the RBAC file configures JWTs, and nothing without access control', async () => {
    const withJwt = await startRouter(FILES, {
      rbac: `${RBAC}jwt:\n  secret: "0123456789abcdef0123456789abcdef"\n  issuer: https://idp.test/\n  audience: pipes\n  algorithms: [HS256]\n`,
    });
    try {
      for (const at of ['/async/specifications/openapi.json', '/async/specifications/routes/openapi.json']) {
        const document = await documentAt(withJwt, at);
        await expectValid(document);
        expect(document.components.securitySchemes, at).to.have.keys('apiKey', 'bearer');
      }
    } finally {
      await withJwt.stop();
    }
    const open = await startRouter(FILES);
    try {
      for (const at of ['/async/specifications/openapi.json', '/async/specifications/routes/openapi.json']) {
        const document = await documentAt(open, at);
        await expectValid(document);
        expect(document.components, at).not.to.have.property('securitySchemes');
        expect(document.security, at).to.deep.equal([]);
        expect(document.paths['/async/api/start']?.post?.responses ?? {}, at).not.to.have.property('401');
      }
    } finally {
      await open.stop();
    }
  });
});
