import { expect } from 'chai';
import { Ajv } from 'ajv';
import type { JsonSchema } from '../../src/runtime/json-schema.js';
import { steps } from '../../src/eips/index.js';

const KEYWORDS = [
  'to',
  'toD',
  'setBody',
  'transform',
  'setHeader',
  'setProperty',
  'setVariable',
  'removeHeader',
  'removeHeaders',
  'removeProperty',
  'removeProperties',
  'log',
  'choice',
  'filter',
  'split',
  'multicast',
  'wireTap',
  'stop',
  'doTry',
  'throwException',
  'convertBodyTo',
];

function compile(schema: JsonSchema) {
  const ajv = new Ajv({ allErrors: true });
  for (const keyword of ['x-shorthand', 'x-expression', 'x-sub-expression']) ajv.addKeyword(keyword);
  return ajv.compile({ ...schema, $defs: { steps: { type: 'array' } } });
}

function spec(keyword: string) {
  const found = steps.find((s) => s.keyword === keyword);
  if (!found) throw new Error(`no step ${keyword}`);
  return found;
}

/** Every object schema reachable through `properties` and `items`, with its path. */
function objectSchemas(schema: JsonSchema, path: string): [string, JsonSchema][] {
  const out: [string, JsonSchema][] = [];
  if (schema.properties) {
    out.push([path, schema]);
    for (const [name, child] of Object.entries(schema.properties as Record<string, JsonSchema>))
      out.push(...objectSchemas(child, `${path}.${name}`));
  }
  if (schema.items) out.push(...objectSchemas(schema.items as JsonSchema, `${path}[]`));
  return out;
}

describe('EIP declarations', () => {
  it('export every EIP of the v1 subset, each keyword once', () => {
    const keywords = steps.map((s) => s.keyword);
    expect(keywords).to.include.members(KEYWORDS);
    expect(new Set(keywords).size).to.equal(keywords.length);
  });

  it('every schema compiles, is strict and documents each option', () => {
    for (const { keyword, schema, summary } of steps) {
      expect(summary, keyword).to.be.a('string').and.not.equal('');
      compile(schema);
      for (const [path, object] of objectSchemas(schema, keyword)) {
        expect(object.additionalProperties, `${path} additionalProperties`).to.equal(false);
        for (const [name, property] of Object.entries(object.properties as Record<string, JsonSchema>)) {
          expect(property.description, `${path}.${name} description`).to.be.a('string');
        }
      }
    }
  });

  it('declares the string shorthand where Camel has one', () => {
    const shorthands = Object.fromEntries(
      steps.filter((s) => s.schema['x-shorthand']).map((s) => [s.keyword, s.schema['x-shorthand']]),
    );
    expect(shorthands).to.deep.equal({
      to: 'uri',
      toD: 'uri',
      log: 'message',
      removeHeader: 'name',
      removeHeaders: 'pattern',
      removeProperty: 'name',
      removeProperties: 'pattern',
      convertBodyTo: 'type',
    });
    expect(spec('wireTap').schema['x-shorthand']).to.equal(undefined);
  });

  it('marks expression-aware EIPs and nested predicates', () => {
    for (const keyword of [
      'setBody',
      'transform',
      'setHeader',
      'setProperty',
      'setVariable',
      'filter',
      'split',
    ]) {
      expect(spec(keyword).schema['x-expression'], keyword).to.equal('required');
    }
    const when = (spec('choice').schema.properties as Record<string, JsonSchema>).when!.items as JsonSchema;
    expect(when['x-expression']).to.equal('required');
    const doCatch = (spec('doTry').schema.properties as Record<string, JsonSchema>).doCatch!
      .items as JsonSchema;
    expect((doCatch.properties as Record<string, JsonSchema>).onWhen!['x-sub-expression']).to.equal(true);
    expect((doCatch.properties as Record<string, JsonSchema>).steps!.$ref).to.equal('#/$defs/steps');
  });

  it('rejects misspelt options and bad enum values', () => {
    const to = compile(spec('to').schema);
    expect(to({ uri: 'direct:x', pattern: 'InOnly' })).to.equal(true);
    expect(to({ uri: 'direct:x', pattern: 'OutOnly' })).to.equal(false);
    expect(to({ uri: 'direct:x', paramters: {} })).to.equal(false);
    expect(to({})).to.equal(false);
    const log = compile(spec('log').schema);
    expect(log({ message: 'x', loggingLevel: 'TRACE' })).to.equal(true);
    expect(log({ message: 'x', loggingLevel: 'LOUD' })).to.equal(false);
    const doTry = compile(spec('doTry').schema);
    expect(
      doTry({
        steps: [],
        doCatch: [{ exception: ['java.lang.Exception'], steps: [] }],
        doFinally: { steps: [] },
      }),
    ).to.equal(true);
    expect(doTry({ doCatch: [{ exception: [], steps: [] }] })).to.equal(false);
    expect(doTry({ doCatch: [{ steps: [] }] })).to.equal(false);
  });
});
