import { expect } from 'chai';
import { JsonValidationError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { DefinitionError } from '../../src/errors/index.js';
import { errorAnswer } from '../../src/server/error-response.js';
import { TestBuild } from './test-context.js';
import { stateNamed } from '../helpers/state.js';

function validPayment(): Record<string, unknown> {
  return {
    paymentId: '3f2c9a4e-8b1d-4c7e-9f0a-1b2c3d4e5f60',
    amount: { value: 125.5, currency: 'EUR' },
    payer: { email: 'ops@bank.example' },
    requestedAt: '2026-03-01T10:15:00Z',
  };
}

async function failure(promise: Promise<unknown>): Promise<JsonValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'validation should have failed').to.be.instanceOf(JsonValidationError);
  return error as JsonValidationError;
}

describe('json-validator component', () => {
  it('lets a valid body through unchanged', async () => {
    const build = new TestBuild();
    const producer = build.producer('json-validator:payment.schema.json');
    const body = validPayment();
    const exchange = new Exchange({ body });
    await producer.process(exchange);
    expect(exchange.body).to.equal(body);
    expect(exchange.body).to.deep.equal(validPayment());
  });

  it('reports every error with its instancePath, through $refs across files and formats', async () => {
    const producer = new TestBuild().producer('json-validator:payment.schema.json');
    const error = await failure(
      producer.process(
        new Exchange({
          body: {
            paymentId: 'not-a-uuid',
            amount: { value: -3, currency: 'XXX' },
            payer: { email: 'not-an-email' },
            requestedAt: 'yesterday',
            surprise: true,
          },
        }),
      ),
    );
    const byPath = error.errors.map((issue) => `${issue.instancePath} ${issue.keyword}`).sort();
    expect(byPath).to.deep.equal([
      ' additionalProperties',
      '/amount/currency enum',
      '/amount/value exclusiveMinimum',
      '/payer/email format',
      '/paymentId format',
      '/requestedAt format',
    ]);
    expect(error.httpStatus).to.equal(400);
    expect(error.code).to.equal('VALIDATION_FAILED');
    expect(error.camelName).to.equal('org.apache.camel.component.jsonvalidator.JsonValidationException');
    expect(error.message).to.contain('payment.schema.json with 6 errors');
    expect(error.errors.find((i) => i.keyword === 'enum')?.params).to.have.property('allowedValues');
  });

  it('keeps the first 20 issues and the count when a body has thousands (finding 9)', async () => {
    const body: Record<string, unknown> = validPayment();
    for (let i = 0; i < 30_000; i++) body[`extra${i}`] = i;
    const error = await failure(
      new TestBuild().producer('json-validator:payment.schema.json').process(new Exchange({ body })),
    );
    expect(error.errors).to.have.length(20);
    expect(error.errorCount).to.equal(30_000);
    expect(error.truncated).to.equal(true);
    expect(error.errors[0]).to.include({ keyword: 'additionalProperties' });
    expect(error.message).to.contain('with 30000 errors').and.contain('and 29995 more');
    expect(error.message.length).to.be.below(2100);
    const answer = errorAnswer(error);
    expect(answer.body).to.include({ errorCount: 30_000, truncated: true });
    expect(JSON.stringify(answer.body).length).to.be.below(8 * 1024);
  });

  it('reports a missing required property at its parent path', async () => {
    const body = validPayment();
    delete body.payer;
    const error = await failure(
      new TestBuild().producer('json-validator:payment.schema.json').process(new Exchange({ body })),
    );
    expect(error.errors).to.have.length(1);
    expect(error.errors[0]).to.include({ instancePath: '', keyword: 'required' });
    expect(error.errors[0]!.message).to.contain('payer');
  });

  it('parses JSON text and bytes for validation only, leaving the body as it was', async () => {
    const producer = new TestBuild().producer('json-validator:payment.schema.json');
    const text = JSON.stringify(validPayment());
    const asText = new Exchange({ body: text });
    await producer.process(asText);
    expect(asText.body).to.equal(text);
    const asBytes = new Exchange({ body: Buffer.from(text) });
    await producer.process(asBytes);
    expect(Buffer.isBuffer(asBytes.body)).to.equal(true);

    const error = await failure(producer.process(new Exchange({ body: '{"paymentId": ' })));
    expect(error.errors[0]!.message).to.contain('not valid JSON');
  });

  it('fails on a null body unless failOnNullBody=false', async () => {
    const build = new TestBuild();
    await failure(build.producer('json-validator:payment.schema.json').process(new Exchange({ body: null })));
    const exchange = new Exchange({ body: null });
    await build.producer('json-validator:payment.schema.json?failOnNullBody=false').process(exchange);
    expect(exchange.body).to.equal(null);
  });

  it('validates a header instead of the body with headerName', async () => {
    const producer = new TestBuild().producer('json-validator:payment.schema.json', {
      headerName: 'payload',
    });
    await producer.process(new Exchange({ body: 'not json at all', headers: { payload: validPayment() } }));
    const error = await failure(
      producer.process(new Exchange({ body: validPayment(), headers: { payload: { paymentId: 'x' } } })),
    );
    expect(error.message).to.contain('payment.schema.json');
    await failure(producer.process(new Exchange({ body: validPayment() })));
  });

  it('supports JSON Schema 2020-12 (prefixItems, $defs)', async () => {
    const producer = new TestBuild().producer('json-validator:batch-2020.schema.json');
    await producer.process(
      new Exchange({ body: { header: ['BATCH', 7], lines: [{ iban: 'RO49AAAA1B31007593840000' }] } }),
    );
    const error = await failure(
      producer.process(new Exchange({ body: { header: ['BATCH', 7, 'extra'], lines: [{ iban: 'nope' }] } })),
    );
    expect(error.errors.map((i) => i.instancePath).sort()).to.deep.equal(['/header', '/lines/0/iban']);
  });

  it('resolves relative $refs of a schema with an http $id next to its file', async () => {
    const producer = new TestBuild().producer('json-validator:with-id.schema.json');
    await producer.process(new Exchange({ body: { amount: { value: 1, currency: 'RON' } } }));
    const error = await failure(
      producer.process(new Exchange({ body: { amount: { value: 1, currency: 'ABC' } } })),
    );
    expect(error.errors[0]!.instancePath).to.equal('/amount/currency');
  });

  it('compiles each schema once per router and shares it between endpoints', () => {
    const build = new TestBuild();
    build.producer('json-validator:payment.schema.json');
    build.producer('json-validator:with-id.schema.json');
    build.producer('json-validator:payment.schema.json?failOnNullBody=false');
    const store = stateNamed(build.services, 'json-validator') as { validators: Map<string, unknown> };
    expect([...store.validators.keys()].filter((key) => key.endsWith('payment.schema.json'))).to.have.length(
      1,
    );
  });

  describe('load errors', () => {
    function loadError(uri: string): DefinitionError {
      try {
        new TestBuild().producer(uri);
      } catch (error) {
        expect(error).to.be.instanceOf(DefinitionError);
        return error as DefinitionError;
      }
      throw new Error(`${uri} loaded`);
    }

    it('a schema file that does not exist', () => {
      expect(loadError('json-validator:nowhere.schema.json').message).to.contain(
        "Resource 'nowhere.schema.json' not found",
      );
    });

    it('a schema that is not a valid JSON Schema, naming the file and the reason', () => {
      const error = loadError('json-validator:not-a-schema.schema.json');
      expect(error.message).to.match(/not-a-schema\.schema\.json is not a valid JSON Schema: .*type/);
      expect(error.diagnostic.loc?.path).to.equal('json-validator:not-a-schema.schema.json');
    });

    it('a schema whose $ref names a file that does not exist', () => {
      expect(loadError('json-validator:dangling-ref.schema.json').message).to.match(
        /dangling-ref\.schema\.json references "does-not-exist\.schema\.json", which cannot be loaded/,
      );
    });

    it('a schema file that is not JSON', () => {
      expect(loadError('json-validator:truncated.schema.json').message).to.contain(
        'truncated.schema.json is not valid JSON',
      );
    });

    it('an unknown option, with the known ones', () => {
      expect(() => new TestBuild().producer('json-validator:payment.schema.json?failOnNull=true')).to.throw(
        "Unknown option 'failOnNull' for component 'json-validator'",
      );
    });
  });
});
