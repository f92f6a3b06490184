import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../runtime/json-schema.js';
import type { Registry } from '../runtime/registry.js';
import { buildDslSchema } from './dsl-schema.js';

/** The assembled DSL schema and its compiled validator; compiled once per registry. */
export interface DslValidator {
  schema: JsonSchema;
  /**
   * Validates a whole file's data. Unquoted scalars are coerced in place to the type the schema wants
   * (`constant: true` → "true", `redeliveryDelay: 200` → "200"), as Camel's loader does.
   */
  validate(data: unknown): ErrorObject[];
}

const validators = new WeakMap<Registry, { size: number; validator: DslValidator }>();

export function dslValidator(registry: Registry): DslValidator {
  const size = registry.steps.size + registry.languages.size + registry.components.size + registry.documents.size;
  const cached = validators.get(registry);
  if (cached && cached.size === size) return cached.validator;
  const schema = buildDslSchema(registry);
  // Language and expression schemas are referenced from every expression-aware EIP: calling them instead of
  // inlining them halves the compile time of the whole schema.
  const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes: true, strict: false, inlineRefs: false });
  addFormatsModule.default(ajv);
  const compiled: ValidateFunction = ajv.compile(schema);
  const validator: DslValidator = {
    schema,
    validate(data) {
      return compiled(data) ? [] : [...(compiled.errors ?? [])];
    },
  };
  validators.set(registry, { size, validator });
  return validator;
}
