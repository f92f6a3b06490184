import type { JsonSchema } from '../runtime/json-schema.js';
import type { Registry } from '../runtime/registry.js';
import type { LanguageSpec } from '../runtime/language.js';
import { publishedSchema } from './published-schema.js';
import { TOP_LEVEL_DEFS, TOP_LEVEL_KEYS, UNSUPPORTED_TOP_LEVEL } from './top-level-schemas.js';

/**
 * The JSON Schema of the route DSL, assembled from the registry: one source of truth for editors
 * (`schema/camel-yaml-dsl.schema.json`, its portable form: see published-schema.ts), `pipes validate` and
 * the loader.
 *
 * Annotations kept in the output, read by the loader's diagnostics and normaliser:
 * - `x-kind`: `document` (a top-level item), `step` (a step item), `expression` (the `expression:` wrapper),
 *   `sub-expression`, `language`, `generic-language`;
 * - `x-keyword` on each EIP schema; `x-shorthand` where the string form exists;
 * - `x-expression` on expression-aware objects; `x-unsupported` on Camel keys this router rejects.
 */

export const STEP_COMMON_PROPERTIES: Readonly<Record<string, JsonSchema>> = {
  id: { type: 'string', description: 'Step id (shown in traces and metrics).' },
  description: { type: 'string', description: 'Description' },
  note: { type: 'string', description: 'Note' },
  disabled: { type: 'boolean', description: 'Skip this step.' },
};

export function languageDefName(name: string): string {
  return `language-${name}`;
}

/** `$defs` keys of the parts the loader normalises. */
export const DEFS = {
  steps: 'steps',
  step: 'step',
  expression: 'expression',
  genericLanguage: 'generic-language',
  document: 'document',
  endpointUri: 'endpointUri',
} as const;

export function buildDslSchema(registry: Registry): JsonSchema {
  const languages = [...registry.languages.values()].sort((a, b) => a.name.localeCompare(b.name));
  const languageProps = languageProperties(languages);
  const annotate = (schema: JsonSchema): JsonSchema => annotateExpressions(schema, languageProps);

  const steps = [...registry.steps.values()].sort((a, b) => a.keyword.localeCompare(b.keyword));
  const stepProperties: Record<string, JsonSchema> = {};
  for (const spec of steps) stepProperties[spec.keyword] = stepSchema(spec.keyword, spec.summary, annotate(spec.schema));

  const defs: Record<string, JsonSchema> = {};
  for (const language of languages) defs[languageDefName(language.name)] = languageSchema(language);
  defs[DEFS.genericLanguage] = {
    'x-kind': 'generic-language',
    type: 'object',
    description: 'Any supported language by name: `language: {language: jsonata, expression: ...}`.',
    required: ['language', 'expression'],
    additionalProperties: false,
    properties: {
      language: { type: 'string', enum: languages.map((l) => l.name) },
      expression: { type: 'string' },
      id: { type: 'string' },
      trim: { type: 'boolean' },
      resultType: { type: 'string' },
    },
  };
  defs[DEFS.expression] = {
    'x-kind': 'expression',
    type: 'object',
    description: 'Exactly one language: `expression: {simple: {expression: "${body}"}}`.',
    additionalProperties: false,
    properties: languageProps,
  };
  defs[DEFS.endpointUri] = {
    type: 'string',
    minLength: 1,
    description: `Endpoint URI \`scheme:path?option=value\`. Schemes: ${registry.schemes().join(', ') || '(none)'}.`,
    examples: [...registry.components.values()].map((c) => c.syntax).sort(),
  };
  defs[DEFS.steps] = { type: 'array', description: 'Steps, run in order.', items: { $ref: `#/$defs/${DEFS.step}` } };
  defs[DEFS.step] = {
    'x-kind': 'step',
    type: 'object',
    description: 'One step: a map with exactly one key, the EIP.',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: stepProperties,
  };
  for (const [name, schema] of Object.entries(TOP_LEVEL_DEFS)) defs[name] = annotate(clone(schema));

  const documentProperties: Record<string, JsonSchema> = {};
  for (const key of TOP_LEVEL_KEYS) {
    const registered = registry.documents.get(key);
    if (registered) defs[key] = annotate(clone(registered));
    else if (key === 'flow') defs[key] = { type: 'object', description: 'An async-engine flow.' };
    documentProperties[key] = { $ref: `#/$defs/${key}` };
  }
  for (const [key, advice] of Object.entries(UNSUPPORTED_TOP_LEVEL)) {
    documentProperties[key] = { 'x-unsupported': advice, description: `Camel's \`${key}\`: not supported by this router.`, not: {} };
  }
  defs[DEFS.document] = {
    'x-kind': 'document',
    type: 'object',
    description: 'A top-level item: a map with exactly one key.',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: documentProperties,
  };

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://service-pipes.dev/schema/camel-yaml-dsl.schema.json',
    title: 'service-pipes route file (Camel YAML DSL subset)',
    description: 'A YAML list of routes (`- route:` canonical, `- from:` compact), rest, onException, errorHandler, beans and flow documents.',
    type: 'array',
    items: { $ref: `#/$defs/${DEFS.document}` },
    $defs: defs,
  };
}

function languageProperties(languages: readonly LanguageSpec[]): Record<string, JsonSchema> {
  const props: Record<string, JsonSchema> = {};
  for (const language of languages) props[language.name] = { $ref: `#/$defs/${languageDefName(language.name)}` };
  props.language = { $ref: `#/$defs/${DEFS.genericLanguage}` };
  return props;
}

function languageSchema(language: LanguageSpec): JsonSchema {
  return {
    'x-kind': 'language',
    'x-language': language.name,
    description: language.summary,
    anyOf: [
      { type: 'string', description: `The ${language.textProperty === 'token' ? 'token' : 'expression'} text.` },
      {
        type: 'object',
        required: [language.textProperty],
        additionalProperties: false,
        properties: {
          [language.textProperty]: { type: 'string' },
          id: { type: 'string' },
          ...clone(language.options),
        },
      },
    ],
  };
}

/** Wraps an EIP's object schema: common keys, strict keys, and the string shorthand where it exists. */
function stepSchema(keyword: string, summary: string, schema: JsonSchema): JsonSchema {
  const { 'x-shorthand': shorthand, ...objectSchema } = schema;
  const properties = { ...STEP_COMMON_PROPERTIES, ...((objectSchema.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  const object: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    ...objectSchema,
    'x-keyword': keyword,
    properties,
  };
  if (typeof shorthand !== 'string') return { description: summary, ...object };
  return {
    'x-keyword': keyword,
    'x-shorthand': shorthand,
    description: summary,
    anyOf: [{ type: 'string', description: `Shorthand for \`${keyword}: {${shorthand}: ...}\`.` }, object],
  };
}

/**
 * Expression-aware objects get the language keys (`simple: ...`) and the `expression:` wrapper;
 * sub-expression properties become a map of language keys. Walks nested schemas of an EIP.
 */
function annotateExpressions(schema: JsonSchema, languageProps: Record<string, JsonSchema>): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node as JsonSchema)) {
      if (key === 'properties' && value && typeof value === 'object') {
        const properties: Record<string, unknown> = {};
        for (const [name, property] of Object.entries(value as Record<string, JsonSchema>)) {
          properties[name] = property?.['x-sub-expression'] ? subExpression(property, languageProps) : walk(property);
        }
        out[key] = properties;
      } else {
        out[key] = walk(value);
      }
    }
    if (out['x-expression']) {
      out.type = 'object';
      out.properties = {
        ...(out.properties as Record<string, JsonSchema> | undefined),
        ...languageProps,
        expression: { $ref: `#/$defs/${DEFS.expression}` },
      };
      if (out.additionalProperties === undefined) out.additionalProperties = false;
    }
    return out;
  };
  return walk(clone(schema)) as JsonSchema;
}

function subExpression(property: JsonSchema, languageProps: Record<string, JsonSchema>): JsonSchema {
  const rest = { ...property };
  delete rest['x-sub-expression'];
  return {
    ...rest,
    'x-kind': 'sub-expression',
    'x-sub-expression': true,
    type: 'object',
    additionalProperties: false,
    // Camel's language-key form; the `expression:` wrapper too, as doCatch/onException `onWhen` take it.
    properties: { ...languageProps, expression: { $ref: `#/$defs/${DEFS.expression}` } },
  };
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The published schema: the loader's, without its annotations and with the scalar forms the loader's
 * coercion accepts spelled out, so strict validators and editors accept exactly the files the loader loads.
 */
export function publishedDslSchema(registry: Registry): JsonSchema {
  return publishedSchema(buildDslSchema(registry));
}

/** The published file's text (`npm run schema`): stable key order, two-space indent, final newline. */
export function dslSchemaText(registry: Registry): string {
  return `${JSON.stringify(publishedDslSchema(registry), null, 2)}\n`;
}

/** Where the published schema lives, relative to the project root. */
export const PUBLISHED_SCHEMA_PATH = 'schema/camel-yaml-dsl.schema.json';
