import type { ExpressionDefinition } from '../runtime/definitions.js';
import type { Exchange } from '../runtime/exchange.js';
import { toPredicate } from './convert.js';
import type {
  CompiledExpression,
  CompiledPredicate,
  LanguageCompileContext,
  LanguageSpec,
} from '../runtime/language.js';

/** A predicate from an expression: its value (awaited) through Camel's truthiness. */
export function predicateFromExpression(expression: CompiledExpression): CompiledPredicate {
  return async (exchange) => toPredicate(await expression(exchange));
}

/** Compiles a predicate with the language's own predicate compiler when it has one. */
export function compilePredicateWith(
  language: LanguageSpec,
  definition: ExpressionDefinition,
  context: LanguageCompileContext,
): CompiledPredicate {
  if (language.compilePredicate) return language.compilePredicate(definition, context);
  return predicateFromExpression(language.compile(definition, context));
}

/** Wraps a synchronous test as a CompiledPredicate; a throw becomes a rejection, never a sync exception. */
export function fromSyncPredicate(test: (exchange: Exchange) => boolean): CompiledPredicate {
  return (exchange) => {
    try {
      return Promise.resolve(test(exchange));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}
