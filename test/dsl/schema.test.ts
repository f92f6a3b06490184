import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../../src/app/catalog.js';
import { buildDslSchema, dslSchemaText, PUBLISHED_SCHEMA_PATH } from '../../src/dsl/dsl-schema.js';
import type { JsonSchema } from '../../src/runtime/json-schema.js';
import { RouteFolder, errors, yaml } from './helpers.js';
import { fixtureRegistry } from './fixture-registry.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('dsl: the JSON Schema of the route DSL', () => {
  it('is assembled from the registry: strict one-key steps with the common keys, language keys, shorthands', () => {
    const schema = buildDslSchema(fixtureRegistry());
    const defs = schema.$defs as Record<string, JsonSchema>;
    expect(defs.step).to.include({ minProperties: 1, maxProperties: 1, additionalProperties: false });
    const eips = defs.step!.properties as Record<string, JsonSchema>;
    const setHeader = eips.setHeader!;
    expect(setHeader.additionalProperties).to.equal(false);
    expect(Object.keys(setHeader.properties as object)).to.include.members(['id', 'description', 'note', 'disabled', 'name', 'simple', 'constant', 'language', 'expression']);
    expect(eips.to!['x-shorthand']).to.equal('uri');
    expect((eips.to!.anyOf as JsonSchema[])[0]).to.include({ type: 'string' });
    expect(defs['language-tokenize']!.anyOf).to.deep.include({
      type: 'object',
      required: ['token'],
      additionalProperties: false,
      properties: { token: { type: 'string' }, id: { type: 'string' }, regex: { type: 'boolean' }, group: { type: ['string', 'integer'] } },
    });
    const documentKeys = Object.keys((defs.document!.properties as object));
    expect(documentKeys).to.include.members(['route', 'from', 'rest', 'onException', 'errorHandler', 'beans', 'flow', 'routeTemplate', 'kamelet']);
  });

  it('takes the flow schema from the registry when one is registered', async () => {
    const registry = fixtureRegistry().addDocument('flow', {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, steps: { type: 'array' } },
      additionalProperties: false,
    });
    const folder = await RouteFolder.create();
    try {
      await folder.write('flow.yaml', '- flow:\n    nme: kyc\n');
      const found = errors(await folder.load({ registry }));
      expect(found.map((e) => e.message)).to.deep.equal(['Unknown option `nme` in `flow`']);
      expect(found[0]!.suggestions).to.deep.equal(['name']);
    } finally {
      await folder.cleanup();
    }
  });

  it('is published as schema/camel-yaml-dsl.schema.json, identical to what the full registry assembles (npm run schema)', async () => {
    const published = await readFile(path.join(projectRoot, PUBLISHED_SCHEMA_PATH), 'utf8');
    expect(published, 'the published schema is stale: run `npm run schema`').to.equal(dslSchemaText(createRegistry()));
  });

  describe('with the full registry', () => {
    let folder: RouteFolder;
    before(async () => (folder = await RouteFolder.create()));
    after(async () => folder.cleanup());

    it('loads a canonical and a compact example route file without errors', async () => {
      await folder.write('canonical.camel.yaml', yaml(`
        - onException:
            exception: [org.apache.camel.component.jsonvalidator.JsonValidationException]
            handled: {constant: {expression: "true"}}
            steps:
              - setHeader:
                  name: CamelHttpResponseCode
                  expression: {constant: {expression: "400"}}
        - route:
            id: payments-in
            from:
              uri: platform-http:/payments
              parameters: {httpMethodRestrict: POST}
              steps:
                - to: {uri: json-validator:payment.schema.json}
                - to: {uri: jsonata:payment-to-ledger.jsonata}
                - setProperty:
                    name: flowName
                    expression: {constant: {expression: kyc-check}}
                - choice:
                    when:
                      - expression: {simple: {expression: "\${header.amount} > 1000"}}
                        steps:
                          - to: {uri: direct:review}
                    otherwise:
                      steps:
                        - to: {uri: direct:callAsyncEngine}
      `));
      await folder.write('compact.yaml', yaml(`
        - from:
            uri: direct:review
            steps:
              - log: "review \${body}"
              - setBody:
                  language: {language: jsonata, expression: "$.amount"}
              - split:
                  tokenize: ","
                  steps:
                    - to: direct:line
      `));
      const set = await folder.load({ registry: createRegistry() });
      expect(errors(set)).to.deep.equal([]);
      expect(set.routes.map((r) => [r.id, r.notation, r.steps.map((s) => s.keyword).join(',')])).to.deep.equal([
        ['payments-in', 'canonical', 'to,to,setProperty,choice'],
        ['route-compact-1', 'compact', 'log,setBody,split'],
      ]);
    });
  });
});
