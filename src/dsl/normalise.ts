import type { JsonSchema } from '../runtime/json-schema.js';
import type { LanguageSpec } from '../runtime/language.js';
import type { ExpressionDefinition, LoadDiagnostic, StepDefinition } from '../runtime/definitions.js';
import { DEFS } from './dsl-schema.js';
import { pointerChild, pointerParent } from './json-pointer.js';
import { effectiveSchema, isPlainObject, propertiesOf, resolveRef } from './schema-walk.js';
import type { LocationIndex } from './yaml-source.js';

export interface NormaliseContext {
  /** The assembled DSL schema (see dsl-schema.ts). */
  root: JsonSchema;
  languages: ReadonlyMap<string, LanguageSpec>;
  locations: LocationIndex;
  report(diagnostic: LoadDiagnostic): void;
  /** True when the schema check already reported a problem at this node or one of its keys. */
  hasSchemaError(pointer: string): boolean;
}

const STEPS_REF = `#/$defs/${DEFS.steps}`;
const GENERIC_LANGUAGE = 'language';

/**
 * Turns validated route-file data into the model, guided by the schema's annotations: shorthands are
 * expanded, every expression spelling becomes an ExpressionDefinition, nested step lists become
 * StepDefinition[]. Data the schema check rejected is passed through as written (its error is reported).
 */
export class Normaliser {
  constructor(private readonly context: NormaliseContext) {}

  steps(value: unknown, pointer: string): StepDefinition[] {
    if (!Array.isArray(value)) return [];
    const out: StepDefinition[] = [];
    value.forEach((item, i) => {
      const step = this.step(item, pointerChild(pointer, i));
      if (step) out.push(step);
    });
    return out;
  }

  step(item: unknown, pointer: string): StepDefinition | undefined {
    if (!isPlainObject(item)) return undefined;
    const eips = propertiesOf(resolveRef(this.context.root, { $ref: `#/$defs/${DEFS.step}` }));
    const keyword = Object.keys(item).find((key) => key in eips);
    if (!keyword) return undefined;
    const stepPointer = pointerChild(pointer, keyword);
    const schema = eips[keyword]!;
    const shorthand = schema['x-shorthand'];
    let raw = item[keyword];
    if (raw === null || raw === undefined) raw = {};
    else if (!isPlainObject(raw) && typeof shorthand === 'string') raw = { [shorthand]: raw };
    const objectSchema = effectiveSchema(this.context.root, schema, raw);
    const options = isPlainObject(raw) ? this.object(raw, objectSchema, stepPointer) : {};
    const step: StepDefinition = { keyword, options, loc: this.context.locations.locate(stepPointer) };
    for (const key of ['id', 'description', 'note', 'disabled'] as const) {
      if (options[key] === undefined) continue;
      (step as unknown as Record<string, unknown>)[key] = options[key];
      delete options[key];
    }
    return step;
  }

  value(value: unknown, schema: JsonSchema | undefined, pointer: string): unknown {
    if (schema?.$ref === STEPS_REF) return this.steps(value, pointer);
    const effective = effectiveSchema(this.context.root, schema, value);
    if (effective?.['x-sub-expression'] && isPlainObject(value)) return this.subExpression(value, pointer);
    if (Array.isArray(value)) {
      const items = isPlainObject(effective?.items) ? (effective.items as JsonSchema) : undefined;
      return value.map((item, i) => this.value(item, items, pointerChild(pointer, i)));
    }
    if (isPlainObject(value)) {
      if (effective && (effective.properties || effective['x-expression'])) return this.object(value, effective, pointer);
      return structuredClone(value);
    }
    return value;
  }

  object(value: Record<string, unknown>, schema: JsonSchema | undefined, pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const properties = propertiesOf(schema);
    let skip = new Set<string>();
    let expression: ExpressionDefinition | undefined;
    if (schema?.['x-expression']) {
      const languageKeys = this.languageKeys(value);
      skip = new Set([...languageKeys, 'expression']);
      expression = this.ownExpression(value, languageKeys, schema['x-expression'] === 'required', pointer);
    }
    for (const [key, child] of Object.entries(value)) {
      if (!skip.has(key)) out[key] = this.value(child, properties[key], pointerChild(pointer, key));
      // The expression takes the place where the file wrote it, so rendered snippets keep the user's order.
      else if (expression && out.expression === undefined) out.expression = expression;
    }
    return out;
  }

  /** An expression-aware EIP's expression: a language key on the EIP or the `expression:` wrapper. */
  private ownExpression(value: Record<string, unknown>, languageKeys: string[], required: boolean, pointer: string): ExpressionDefinition | undefined {
    const candidates = [...languageKeys, ...(value.expression !== undefined ? ['expression'] : [])];
    if (candidates.length !== 1) {
      if ((candidates.length > 1 || required) && !this.context.hasSchemaError(pointer)) this.reportLanguageCount(candidates, pointer);
      return undefined;
    }
    const key = candidates[0]!;
    if (key !== 'expression') return this.language(key, value[key], pointerChild(pointer, key));
    const wrapper = value.expression;
    const wrapperPointer = pointerChild(pointer, 'expression');
    if (!isPlainObject(wrapper)) return undefined;
    return this.subExpression(wrapper, wrapperPointer, false);
  }

  /**
   * A map whose single key is the language (`handled: {constant: true}`, the inside of the `expression:`
   * wrapper); sub-elements such as `onWhen` may also hold the wrapper itself.
   */
  subExpression(value: Record<string, unknown>, pointer: string, allowWrapper = true): ExpressionDefinition | undefined {
    const keys = [...this.languageKeys(value), ...(allowWrapper && value.expression !== undefined ? ['expression'] : [])];
    if (keys.length !== 1) {
      if (!this.context.hasSchemaError(pointer)) this.reportLanguageCount(keys, pointer);
      return undefined;
    }
    const key = keys[0]!;
    if (key === 'expression') {
      return isPlainObject(value.expression) ? this.subExpression(value.expression, pointerChild(pointer, key), false) : undefined;
    }
    return this.language(key, value[key], pointerChild(pointer, key));
  }

  private language(key: string, value: unknown, pointer: string): ExpressionDefinition {
    const loc = this.context.locations.locate(pointer);
    if (key === GENERIC_LANGUAGE && isPlainObject(value)) {
      const { language, expression, ...options } = value;
      return { language: String(language), expression: text(expression), options: structuredClone(options), loc };
    }
    const textProperty = this.context.languages.get(key)?.textProperty ?? 'expression';
    if (isPlainObject(value)) {
      const { [textProperty]: body, ...options } = value;
      return { language: key, expression: text(body), options: structuredClone(options), loc };
    }
    return { language: key, expression: text(value), options: {}, loc };
  }

  private languageKeys(value: Record<string, unknown>): string[] {
    return Object.keys(value).filter((key) => this.context.languages.has(key) || key === GENERIC_LANGUAGE);
  }

  private reportLanguageCount(found: string[], pointer: string): void {
    const names = [...this.context.languages.keys()].sort();
    const owner = ownerName(pointer);
    this.context.report({
      severity: 'error',
      message:
        found.length === 0
          ? `\`${owner}\` needs an expression in exactly one language, found none`
          : `\`${owner}\` needs exactly one language, found ${found.length}: ${found.join(', ')}`,
      loc: this.context.locations.locate(found.length > 1 ? pointerChild(pointer, found[1]!) : pointer),
      expected: `exactly one of: ${names.join(', ')} (or the \`expression:\` wrapper around one of them)`,
      snippet: `- ${owner}:\n    expression:\n      ${names.includes('simple') ? 'simple' : (names[0] ?? 'simple')}:\n        expression: "..."`,
    });
  }
}

/** Expression texts are strings; Camel coerces unquoted scalars (`constant: 403`) the same way. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The name a user would call the node at `pointer` (its key, or `parent[i]` for list items). */
export function ownerName(pointer: string): string {
  const segments = pointer.split('/').slice(1);
  const last = segments[segments.length - 1] ?? '';
  if (/^\d+$/.test(last)) return `${segments[segments.length - 2] ?? ''}[${last}]`;
  return last.replace(/~1/g, '/').replace(/~0/g, '~') || pointerParent(pointer);
}
