import type { Exchange } from './exchange.js';
import type { ExpressionDefinition } from './definitions.js';
import type { JsonSchema } from './json-schema.js';

/** A compiled expression: evaluated per message, compiled once at load. */
export type CompiledExpression = (exchange: Exchange) => unknown;
/** A compiled predicate; always yields a boolean. */
export type CompiledPredicate = (exchange: Exchange) => Promise<boolean>;

export interface LanguageCompileContext {
  /** Reads a resource (e.g. `resource:classpath:x.jsonata`) relative to the route file's resource roots. */
  readResource(uri: string): string;
}

/**
 * A language of the route DSL (`simple`, `constant`, `jsonpath`, ...). Declared once; the DSL schema,
 * the loader and the runtime all read this declaration.
 */
export interface LanguageSpec {
  name: string;
  /** The property that holds the text in object form: `expression` for most, `token` for tokenize. */
  textProperty: 'expression' | 'token';
  /** JSON Schema `properties` of the object form, besides the text property (resultType, trim, ...). */
  options: Record<string, JsonSchema>;
  summary: string;
  /**
   * Compiles the expression; throws an Error whose message says what is wrong with the text (the loader
   * adds file:line:col). Evaluation may return a value or a Promise.
   */
  compile(definition: ExpressionDefinition, context: LanguageCompileContext): CompiledExpression;
  /** Optional dedicated predicate compilation (simple's `${a} > 5`); default: compile + truthiness. */
  compilePredicate?(definition: ExpressionDefinition, context: LanguageCompileContext): CompiledPredicate;
}
