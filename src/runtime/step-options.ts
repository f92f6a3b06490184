import type { ExpressionDefinition, SourceLocation, StepDefinition } from './definitions.js';
import { DefinitionError } from '../errors/index.js';

/**
 * Typed reads of a normalised step's options. The loader has checked the shapes against the step schema, but
 * factories are also called by tests and tools with hand-made definitions, so every read still checks its
 * type and says what to write instead of failing later on a message.
 */

export function optionalString(definition: StepDefinition, key: string): string | undefined {
  const value = definition.options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  // Camel's loader coerces scalars (`name: 42`), so do we.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new DefinitionError({
    message: `${definition.keyword}.${key} must be a text, got ${describe(value)}`,
    loc: definition.loc,
    expected: 'a string',
  });
}

export function requiredString(definition: StepDefinition, key: string, snippet: string): string {
  const value = optionalString(definition, key);
  if (value === undefined || value.trim() === '') {
    throw new DefinitionError({
      message: `${definition.keyword} needs '${key}'`,
      loc: definition.loc,
      expected: `${key}: <text>`,
      snippet,
    });
  }
  return value;
}

/** Booleans as Camel reads them: `true`, or the strings "true"/"false" from an unquoted-or-quoted scalar. */
export function booleanOption(definition: StepDefinition, key: string, fallback: boolean): boolean {
  const value = definition.options[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DefinitionError({
    message: `${definition.keyword}.${key} must be true or false, got ${describe(value)}`,
    loc: definition.loc,
    expected: 'true | false',
  });
}

export function isExpressionDefinition(value: unknown): value is ExpressionDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ExpressionDefinition).language === 'string' &&
    typeof (value as ExpressionDefinition).expression === 'string'
  );
}

/** The step's own expression (`options.expression`), required for expression-aware EIPs. */
export function stepExpression(definition: StepDefinition, snippet: string): ExpressionDefinition {
  const value = definition.options.expression;
  if (isExpressionDefinition(value)) return value;
  throw new DefinitionError({
    message: `${definition.keyword} needs an expression`,
    loc: definition.loc,
    expected: 'a language key (simple, constant, jsonpath, ...) or an expression: block',
    snippet,
  });
}

/**
 * A sub-element expression such as `doCatch.onWhen`. The normalised form is an ExpressionDefinition at the key;
 * the wrapper form `{expression: ExpressionDefinition}` (an expression-aware object) is accepted as well.
 */
export function subExpression(value: unknown): ExpressionDefinition | undefined {
  if (value === undefined || value === null) return undefined;
  if (isExpressionDefinition(value)) return value;
  if (typeof value === 'object' && isExpressionDefinition((value as { expression?: unknown }).expression)) {
    return (value as { expression: ExpressionDefinition }).expression;
  }
  return undefined;
}

/** A nested `steps:` list (StepDefinition[] once normalised); missing means none. */
export function stepList(value: unknown, owner: string, loc: SourceLocation): StepDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every(isStepDefinition)) return value;
  throw new DefinitionError({
    message: `${owner}.steps must be a list of steps`,
    loc,
    expected: 'steps: [ ... ]',
  });
}

function isStepDefinition(value: unknown): value is StepDefinition {
  return typeof value === 'object' && value !== null && typeof (value as StepDefinition).keyword === 'string';
}

/** A nested object (`otherwise`, `doFinally`, a `when[]` item) as a plain record. */
export function objectOption(
  value: unknown,
  owner: string,
  loc: SourceLocation,
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new DefinitionError({ message: `${owner} must be a map`, loc, expected: `${owner}: {steps: [...]}` });
}

/** Location of a nested element, falling back to the step's own. */
export function locOf(value: unknown, fallback: SourceLocation): SourceLocation {
  const loc = (value as { loc?: SourceLocation } | null | undefined)?.loc;
  return loc && typeof loc.line === 'number' ? loc : fallback;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value)}`;
}
