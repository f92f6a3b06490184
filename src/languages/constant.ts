import { booleanOption, convertTo, parseResultType, toPredicate } from './convert.js';
import type { LanguageSpec } from '../runtime/language.js';
import { RESULT_TYPE_OPTION, TRIM_OPTION } from './options.js';

/** Camel's constant language: the text itself, converted once to `resultType` when one is given. */
export const constantLanguage: LanguageSpec = {
  name: 'constant',
  textProperty: 'expression',
  summary: 'A fixed value: the expression text, optionally converted with resultType.',
  options: { resultType: RESULT_TYPE_OPTION, trim: TRIM_OPTION },

  compile(definition) {
    const text = booleanOption(definition.options, 'trim', true)
      ? definition.expression.trim()
      : definition.expression;
    const resultType = parseResultType(definition.options['resultType']);
    let value: unknown = text;
    if (resultType) {
      try {
        value = convertTo(text, resultType);
      } catch (error) {
        // The text never changes, so a value that cannot be converted is a mistake in the route file.
        throw new Error(`constant "${text}": ${(error as Error).message}`);
      }
    }
    return () => value;
  },

  compilePredicate(definition) {
    const text = booleanOption(definition.options, 'trim', true)
      ? definition.expression.trim()
      : definition.expression;
    const result = toPredicate(text);
    return () => Promise.resolve(result);
  },
};
