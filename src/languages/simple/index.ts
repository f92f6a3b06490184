import type { ExpressionDefinition } from '../../runtime/definitions.js';
import { ExpressionError } from '../../errors/index.js';
import type { Exchange } from '../../runtime/exchange.js';
import { booleanOption, convertTo, parseResultType } from '../convert.js';
import type { CompiledExpression, CompiledPredicate, LanguageSpec } from '../../runtime/language.js';
import { RESULT_TYPE_OPTION, TRIM_OPTION } from '../options.js';
import { fromSyncPredicate } from '../predicate.js';
import { compilePredicateTree, compileTemplate } from './evaluator.js';
import { parsePredicate, parseTemplate } from './parser.js';
import { SimpleSyntaxError } from './syntax-error.js';

export { simpleParseCount } from './parser.js';
export { SimpleSyntaxError } from './syntax-error.js';

/** The text to parse and how far it moved from what the user wrote (trim), so errors point at the right column. */
function prepare(definition: ExpressionDefinition): { text: string; offset: number } {
  const raw = definition.expression;
  if (!booleanOption(definition.options, 'trim', true)) return { text: raw, offset: 0 };
  const offset = raw.length - raw.trimStart().length;
  return { text: raw.trim(), offset };
}

function parsed<T>(definition: ExpressionDefinition, parse: (text: string) => T): T {
  const { text, offset } = prepare(definition);
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof SimpleSyntaxError) throw error.shifted(definition.expression, offset);
    throw error;
  }
}

/** Evaluation failures all surface as ExpressionError naming the expression, whatever went wrong inside. */
function guarded<T>(text: string, evaluate: (exchange: Exchange) => T): (exchange: Exchange) => T {
  return (exchange) => {
    try {
      return evaluate(exchange);
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      throw new ExpressionError(`simple expression ${text} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
}

export const simpleLanguage: LanguageSpec = {
  name: 'simple',
  textProperty: 'expression',
  summary:
    "Camel's simple language: templates such as CUST-${header.id} and predicates such as ${header.amount} > 1000.",
  options: {
    resultType: RESULT_TYPE_OPTION,
    trim: TRIM_OPTION,
  },

  compile(definition): CompiledExpression {
    const resultType = parseResultType(definition.options['resultType']);
    const evaluate = compileTemplate(parsed(definition, parseTemplate));
    if (!resultType) return guarded(definition.expression, evaluate);
    return guarded(definition.expression, (exchange) => convertTo(evaluate(exchange), resultType));
  },

  compilePredicate(definition): CompiledPredicate {
    const test = parsed(definition, (source) => compilePredicateTree(parsePredicate(source), source));
    const evaluate = guarded(definition.expression, test);
    return fromSyncPredicate(evaluate);
  },
};
