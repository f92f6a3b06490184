import type { Exchange } from '../runtime/exchange.js';
import { booleanOption, convertTo, parseResultType } from './convert.js';
import type { LanguageSpec } from '../runtime/language.js';
import { RESULT_TYPE_OPTION, TRIM_OPTION } from './options.js';
import { predicateFromExpression } from './predicate.js';

type Reader = (exchange: Exchange, name: string) => unknown;

/** The header, exchangeProperty and variable languages: the expression text names the value to read. */
function namedValueLanguage(name: string, what: string, read: Reader): LanguageSpec {
  const spec: LanguageSpec = {
    name,
    textProperty: 'expression',
    summary: `The value of the ${what} named by the expression.`,
    options: { resultType: RESULT_TYPE_OPTION, trim: TRIM_OPTION },
    compile(definition) {
      const raw = definition.expression;
      const key = booleanOption(definition.options, 'trim', true) ? raw.trim() : raw;
      if (key.trim() === '') throw new Error(`The ${name} language needs the name of a ${what}`);
      const resultType = parseResultType(definition.options['resultType']);
      if (!resultType) return (exchange) => read(exchange, key) ?? null;
      return (exchange) => convertTo(read(exchange, key), resultType);
    },
    compilePredicate: (definition, context) => predicateFromExpression(spec.compile(definition, context)),
  };
  return spec;
}

export const headerLanguage = namedValueLanguage('header', 'message header', (exchange, key) =>
  exchange.getHeader(key),
);
export const exchangePropertyLanguage = namedValueLanguage(
  'exchangeProperty',
  'exchange property',
  (exchange, key) => exchange.properties[key],
);
export const variableLanguage = namedValueLanguage(
  'variable',
  'variable',
  (exchange, key) => exchange.variables[key],
);
