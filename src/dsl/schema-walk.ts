import type { JsonSchema } from '../runtime/json-schema.js';

/** Helpers to follow the assembled DSL schema alongside the data it describes. */

export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return 'object';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows local `$ref`s (`#/$defs/x`) to the schema they name. */
export function resolveRef(root: JsonSchema, schema: JsonSchema | undefined): JsonSchema | undefined {
  let current = schema;
  for (let guard = 0; current && typeof current.$ref === 'string' && guard < 20; guard++) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const segment of path) target = isPlainObject(target) ? target[segment] : undefined;
    current = target as JsonSchema | undefined;
  }
  return current;
}

/** The JSON types a schema accepts, or undefined when it does not say. */
export function schemaTypes(root: JsonSchema, schema: JsonSchema | undefined): JsonType[] | undefined {
  const resolved = resolveRef(root, schema);
  if (!resolved) return undefined;
  if (typeof resolved.type === 'string') return [resolved.type as JsonType];
  if (Array.isArray(resolved.type)) return resolved.type as JsonType[];
  if (Array.isArray(resolved.anyOf) || Array.isArray(resolved.oneOf)) {
    const branches = (resolved.anyOf ?? resolved.oneOf) as JsonSchema[];
    const types = branches.map((b) => schemaTypes(root, b));
    if (types.some((t) => t === undefined)) return undefined;
    return [...new Set(types.flat() as JsonType[])];
  }
  return undefined;
}

export function acceptsType(types: readonly JsonType[] | undefined, value: unknown): boolean {
  if (!types) return true;
  const type = jsonType(value);
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

/** The index of the anyOf/oneOf branch meant for this data: the first whose type accepts it, or -1. */
export function branchFor(root: JsonSchema, branches: readonly JsonSchema[], value: unknown): number {
  return branches.findIndex((branch) => acceptsType(schemaTypes(root, branch), value));
}

/** The object schema that applies to `value` (resolving `$ref` and choosing the anyOf/oneOf branch by type). */
export function effectiveSchema(root: JsonSchema, schema: JsonSchema | undefined, value: unknown): JsonSchema | undefined {
  const resolved = resolveRef(root, schema);
  if (!resolved) return undefined;
  const branches = (resolved.anyOf ?? resolved.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(branches)) {
    const index = branchFor(root, branches, value);
    return index < 0 ? undefined : effectiveSchema(root, branches[index], value);
  }
  return resolved;
}

export function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  return (isPlainObject(schema?.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
}
