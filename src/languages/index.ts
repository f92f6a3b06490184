import { constantLanguage } from './constant.js';
import { jsonataLanguage } from './jsonata.js';
import { jsonpathLanguage } from './jsonpath.js';
import type { LanguageSpec } from '../runtime/language.js';
import { exchangePropertyLanguage, headerLanguage, variableLanguage } from './named-value.js';
import { simpleLanguage } from './simple/index.js';
import { tokenizeLanguage } from './tokenize.js';

/** Every expression language the router understands; the registry, the DSL schema and the loader read this. */
export const languages: LanguageSpec[] = [
  simpleLanguage,
  constantLanguage,
  headerLanguage,
  exchangePropertyLanguage,
  variableLanguage,
  jsonpathLanguage,
  tokenizeLanguage,
  jsonataLanguage,
];

export { compileJsonata, type JsonataEvaluator } from './jsonata.js';
export { toPredicate, toText, convertTo, parseResultType, type ResultType } from './convert.js';
export { compilePredicateWith, predicateFromExpression } from './predicate.js';
export { SimpleSyntaxError, simpleParseCount } from './simple/index.js';
