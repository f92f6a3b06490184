import type { JsonSchema } from '../runtime/json-schema.js';

/**
 * The published route schema (`schema/camel-yaml-dsl.schema.json`) is the loader's schema made portable:
 * the same tree from the same registry, so the two cannot drift, with two differences that let any
 * standard validator (ajv in strict mode, editors) use it and accept every file the loader accepts.
 *
 * 1. The loader's annotations (`x-kind`, `x-keyword`, ...) are dropped: strict validators refuse unknown
 *    keywords. Property names that start with `x-` are names, not keywords, and stay.
 * 2. The loader validates with ajv's type coercion, as Camel reads unquoted YAML scalars
 *    (`redeliveryDelay: 1000` is the text "1000", `constant: true` the text "true"). Every scalar `type`
 *    is widened to the values that coercion turns into it, so a validator without coercion accepts them:
 *    - string   ← numbers, booleans, null (as "");
 *    - number and integer ← numeric strings, booleans, null (as 0);
 *    - boolean  ← "true" / "false", 0 / 1, null (as false);
 *    - null     ← "", 0, false.
 *    Where the scalar has an `enum` or `const`, only the values coercion maps onto it are added. Other
 *    constraints (pattern, minimum, ...) apply to the coerced value in the loader; here the added forms
 *    are not checked against them, so an editor may accept a little more than the loader, never less.
 *    Union types (`type: [string, integer]`, `[object, array]`) become `anyOf`, which strict mode asks for.
 */
export function publishedSchema(schema: JsonSchema): JsonSchema {
  return publishNode(schema) as JsonSchema;
}

/** Keywords whose value is a map of names to schemas (the names are not keywords). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Annotations an editor shows on hover: kept on the outer schema when a scalar is widened. */
const ANNOTATIONS = ['title', 'description', 'examples', 'default', 'deprecated'];
const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null']);

/** Decimal numbers as ajv's coercion reads them from strings (`+"1000"`), surrounding blanks allowed. */
const NUMERIC = '^\\s*[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*$';

function publishNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(publishNode);
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) {
    if (key.startsWith('x-')) continue;
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, publishNode(child)]));
    } else {
      out[key] = publishNode(value);
    }
  }
  return widenScalars(out);
}

function widenScalars(node: JsonSchema): JsonSchema {
  const types: unknown[] = Array.isArray(node.type) ? node.type : [node.type];
  const union = Array.isArray(node.type);
  if (node.type === undefined || !types.every((type) => typeof type === 'string')) return node;
  if (!union && !SCALARS.has(types[0] as string)) return node;
  const constraints = { ...node };
  delete constraints.type;
  const outer: JsonSchema = {};
  const inner: JsonSchema = {};
  for (const [key, value] of Object.entries(constraints))
    (ANNOTATIONS.includes(key) ? outer : inner)[key] = value;
  const branches: JsonSchema[] = [];
  for (const type of types) {
    branches.push({ type, ...inner });
    if (SCALARS.has(type)) branches.push(...coercedInto(type, inner));
  }
  return { ...outer, anyOf: dedupe(branches) };
}

/** The schemas of the values ajv's coercion turns into `type`, given the target's constraints. */
function coercedInto(type: string, constraints: JsonSchema): JsonSchema[] {
  const allowed = allowedValues(constraints);
  if (allowed) {
    // Only the sources that coerce onto one of the allowed values.
    const sources = allowed.flatMap((value) => sourcesOf(type, value));
    return sources.length > 0 ? [{ enum: sources }] : [];
  }
  switch (type) {
    case 'string':
      return [{ type: 'number' }, { type: 'boolean' }, { type: 'null' }];
    case 'number':
      return [{ type: 'string', pattern: NUMERIC }, { type: 'boolean' }, { type: 'null' }];
    case 'integer':
      // "1e3" and "15.0" are integers to the coercion too; "2.5" passes here and not in the loader.
      return [{ type: 'string', pattern: NUMERIC }, { type: 'boolean' }, { type: 'null' }];
    case 'boolean':
      return [{ enum: ['true', 'false', 0, 1, null] }];
    case 'null':
      return [{ enum: ['', 0, false] }];
    default:
      return [];
  }
}

function allowedValues(constraints: JsonSchema): unknown[] | undefined {
  if (Array.isArray(constraints.enum)) return constraints.enum as unknown[];
  if ('const' in constraints) return [constraints.const];
  return undefined;
}

/** The non-`type` values that coerce to `value` of `type`. */
function sourcesOf(type: string, value: unknown): unknown[] {
  if (type === 'string' && typeof value === 'string') {
    const sources: unknown[] = [];
    if (value !== '' && String(Number(value)) === value) sources.push(Number(value));
    if (value === 'true') sources.push(true);
    if (value === 'false') sources.push(false);
    if (value === '') sources.push(null);
    return sources;
  }
  if ((type === 'number' || type === 'integer') && typeof value === 'number') {
    return [String(value), ...(value === 1 ? [true] : value === 0 ? [false, null] : [])];
  }
  if (type === 'boolean' && typeof value === 'boolean') return value ? ['true', 1] : ['false', 0, null];
  return [];
}

function dedupe(branches: JsonSchema[]): JsonSchema[] {
  const seen = new Set<string>();
  return branches.filter((branch) => {
    const key = JSON.stringify(branch);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
