import type { ComponentSpec } from '../../src/runtime/component.js';
import type { JsonSchema } from '../../src/runtime/json-schema.js';
import { Registry } from '../../src/runtime/registry.js';
import type { StepSpec } from '../../src/runtime/step.js';
import type { LanguageSpec } from '../../src/runtime/language.js';

/**
 * A small registry with realistic step, language and component declarations, so the loader is tested on
 * its own (the real catalog has its own test in catalog-schema.test.ts).
 */

const steps: JsonSchema = { $ref: '#/$defs/steps' };
const create: StepSpec['create'] = () => async () => undefined;

function step(keyword: string, schema: JsonSchema): StepSpec {
  return { keyword, summary: `${keyword} (fixture)`, schema, create };
}

const namedValue: JsonSchema = {
  type: 'object',
  'x-expression': 'required',
  properties: { name: { type: 'string' } },
  required: ['name'],
  additionalProperties: false,
};

export const fixtureSteps: StepSpec[] = [
  step('to', {
    type: 'object',
    'x-shorthand': 'uri',
    properties: { uri: { type: 'string' }, parameters: { type: 'object' }, pattern: { type: 'string', enum: ['InOnly', 'InOut'] } },
    required: ['uri'],
  }),
  step('log', {
    type: 'object',
    'x-shorthand': 'message',
    properties: {
      message: { type: 'string' },
      loggingLevel: { type: 'string', enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'] },
      logName: { type: 'string' },
    },
    required: ['message'],
  }),
  step('setHeader', namedValue),
  step('setProperty', namedValue),
  step('setBody', { type: 'object', 'x-expression': 'required', properties: {} }),
  step('removeHeader', { type: 'object', 'x-shorthand': 'name', properties: { name: { type: 'string' } }, required: ['name'] }),
  step('choice', {
    type: 'object',
    properties: {
      when: {
        type: 'array',
        items: { type: 'object', 'x-expression': 'required', properties: { id: { type: 'string' }, steps }, additionalProperties: false },
      },
      otherwise: { type: 'object', properties: { id: { type: 'string' }, steps }, additionalProperties: false },
    },
  }),
  step('filter', { type: 'object', 'x-expression': 'required', properties: { steps, statusPropertyName: { type: 'string' } } }),
  step('split', {
    type: 'object',
    'x-expression': 'required',
    properties: { steps, stopOnException: { type: 'boolean' }, delimiter: { type: 'string' }, aggregationStrategy: { type: 'string' } },
  }),
  step('doTry', {
    type: 'object',
    properties: {
      steps,
      doCatch: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            exception: { type: 'array', items: { type: 'string' }, minItems: 1 },
            onWhen: { 'x-sub-expression': true },
            steps,
          },
          required: ['exception'],
          additionalProperties: false,
        },
      },
      doFinally: { type: 'object', properties: { steps }, additionalProperties: false },
    },
  }),
  step('circuitBreaker', {
    type: 'object',
    properties: {
      steps,
      resilience4jConfiguration: {
        type: 'object',
        additionalProperties: false,
        properties: { failureRateThreshold: { type: 'number' }, waitDurationInOpenState: { type: 'integer' }, minimumNumberOfCalls: { type: 'integer' } },
      },
      onFallback: { type: 'object', properties: { steps }, additionalProperties: false },
    },
  }),
  step('stop', { type: 'object', properties: {} }),
];

const compile: LanguageSpec['compile'] = () => () => undefined;

export const fixtureLanguages: LanguageSpec[] = [
  { name: 'simple', textProperty: 'expression', summary: 'simple', options: { resultType: { type: 'string' }, trim: { type: 'boolean' } }, compile },
  { name: 'constant', textProperty: 'expression', summary: 'constant', options: { resultType: { type: 'string' }, trim: { type: 'boolean' } }, compile },
  {
    name: 'jsonpath',
    textProperty: 'expression',
    summary: 'jsonpath',
    options: { suppressExceptions: { type: 'boolean' }, writeAsString: { type: 'boolean' }, resultType: { type: 'string' } },
    compile,
  },
  { name: 'tokenize', textProperty: 'token', summary: 'tokenize', options: { regex: { type: 'boolean' }, group: { type: ['string', 'integer'] } }, compile },
  { name: 'jsonata', textProperty: 'expression', summary: 'jsonata', options: {}, compile },
];

function component(scheme: string, pathParameter: string): ComponentSpec {
  return { scheme, syntax: `${scheme}:${pathParameter}`, pathParameter, pathRequired: true, summary: scheme, options: {} };
}

export function fixtureRegistry(): Registry {
  const registry = new Registry();
  for (const language of fixtureLanguages) registry.addLanguage(language);
  for (const spec of fixtureSteps) registry.addStep(spec);
  for (const spec of [component('direct', 'name'), component('log', 'loggerName'), component('platform-http', 'path')]) {
    registry.addComponent(spec);
  }
  return registry;
}
