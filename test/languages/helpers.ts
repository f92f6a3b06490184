import type { ExpressionDefinition } from '../../src/runtime/definitions.js';
import { languages } from '../../src/languages/index.js';
import type { LanguageCompileContext, LanguageSpec } from '../../src/runtime/language.js';
import { Exchange } from '../../src/runtime/exchange.js';

export const context: LanguageCompileContext = {
  readResource: (uri) => {
    throw new Error(`no resource ${uri} in tests`);
  },
};

export function language(name: string): LanguageSpec {
  const spec = languages.find((l) => l.name === name);
  if (!spec) throw new Error(`language ${name} not exported`);
  return spec;
}

export function definition(
  name: string,
  expression: string,
  options: Record<string, unknown> = {},
): ExpressionDefinition {
  return { language: name, expression, options, loc: { file: 'test.yaml', line: 1, col: 1, path: '[0]' } };
}

/** Compiles and evaluates once. */
export async function evaluate(
  name: string,
  expression: string,
  exchange: Exchange,
  options: Record<string, unknown> = {},
): Promise<unknown> {
  return language(name).compile(definition(name, expression, options), context)(exchange);
}

export async function test(
  name: string,
  expression: string,
  exchange: Exchange,
  options: Record<string, unknown> = {},
): Promise<boolean> {
  const spec = language(name);
  const predicate = spec.compilePredicate!(definition(name, expression, options), context);
  return predicate(exchange);
}

/** The message of the error `fn` throws (fails the test when it throws nothing). */
export function compileError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a compile error, got none');
}

export function exchange(
  init: { body?: unknown; headers?: Record<string, unknown>; properties?: Record<string, unknown> } = {},
): Exchange {
  return new Exchange(init);
}
