import { stringify } from 'yaml';
import type { ExpressionDefinition, RouteDefinition, StepDefinition } from '../runtime/definitions.js';
import { isPlainObject } from './schema-walk.js';

/**
 * Renders model nodes back as canonical Camel YAML (`to: {uri}`, `expression: {simple: {expression}}`),
 * the form the loader's hints show and a `normalize` command would write.
 */

/** Languages Camel itself knows by key; any other (jsonata) is written in the generic `language:` form. */
const CAMEL_LANGUAGE_KEYS = new Set([
  'constant', 'csimple', 'datasonnet', 'exchangeProperty', 'groovy', 'header', 'hl7terser', 'java', 'joor', 'jq',
  'js', 'jsonpath', 'method', 'mvel', 'ognl', 'python', 'ref', 'simple', 'spel', 'tokenize', 'variable', 'wasm',
  'xpath', 'xquery', 'xtokenize',
]);

export function isExpressionDefinition(value: unknown): value is ExpressionDefinition {
  return isPlainObject(value) && typeof value.language === 'string' && typeof value.expression === 'string' && isPlainObject(value.options) && isPlainObject(value.loc);
}

export function isStepDefinition(value: unknown): value is StepDefinition {
  return isPlainObject(value) && typeof value.keyword === 'string' && isPlainObject(value.options) && isPlainObject(value.loc);
}

/** `{simple: {expression: "..."}}`, or `{language: {language: jsonata, expression: "..."}}`. */
export function canonicalLanguage(expression: ExpressionDefinition): Record<string, unknown> {
  if (!CAMEL_LANGUAGE_KEYS.has(expression.language)) {
    return { language: { language: expression.language, expression: expression.expression, ...expression.options } };
  }
  const textProperty = expression.language === 'tokenize' ? 'token' : 'expression';
  return { [expression.language]: { [textProperty]: expression.expression, ...expression.options } };
}

export function canonicalStep(step: StepDefinition): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (step.id !== undefined) body.id = step.id;
  if (step.description !== undefined) body.description = step.description;
  if (step.note !== undefined) body.note = step.note;
  if (step.disabled !== undefined) body.disabled = step.disabled;
  Object.assign(body, canonicalOptions(step.options));
  return { [step.keyword]: body };
}

/** Options of a step (or of a nested object such as a `when` clause) in canonical form. */
export function canonicalOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'expression' && isExpressionDefinition(value)) out.expression = canonicalLanguage(value);
    else out[key] = canonicalValue(value);
  }
  return out;
}

function canonicalValue(value: unknown): unknown {
  if (isExpressionDefinition(value)) return canonicalLanguage(value);
  if (isStepDefinition(value)) return canonicalStep(value);
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (isPlainObject(value)) return canonicalOptions(value);
  return value;
}

export function canonicalRoute(route: RouteDefinition): Record<string, unknown> {
  const from: Record<string, unknown> = {};
  if (route.from.id !== undefined) from.id = route.from.id;
  from.uri = route.from.uri;
  if (Object.keys(route.from.parameters).length > 0) from.parameters = route.from.parameters;
  from.steps = route.steps.map(canonicalStep);
  const body: Record<string, unknown> = { id: route.id };
  if (route.description !== undefined) body.description = route.description;
  if (route.group !== undefined) body.group = route.group;
  if (!route.autoStartup) body.autoStartup = false;
  Object.assign(body, route.extra);
  if (route.errorHandler) body.errorHandler = canonicalValue(route.errorHandler);
  body.from = from;
  return { route: body };
}

/** A YAML list item, as a user would paste it into a route file. */
export function toYamlSnippet(item: unknown): string {
  return stringify([item], { lineWidth: 0 }).trimEnd();
}
