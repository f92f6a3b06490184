import { ExpressionError } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';
import { booleanOption, describeType, integerOption, stringOption, toText } from './convert.js';
import type { ExpressionDefinition } from '../runtime/definitions.js';
import type { CompiledExpression, LanguageSpec } from '../runtime/language.js';
import { predicateFromExpression } from './predicate.js';

/**
 * Camel's tokenize language, as `split` uses it: the body (or a header) cut at a token or a regex into an
 * array of strings. `group` packs N parts per item joined by the token, `skipFirst` drops a header line.
 */
export const tokenizeLanguage: LanguageSpec = {
  name: 'tokenize',
  textProperty: 'token',
  summary: 'Splits the body (or a header) into an array of strings at a token or a regular expression.',
  options: {
    regex: { type: 'boolean', default: false, description: 'Whether the token is a regular expression.' },
    group: {
      type: ['string', 'integer'],
      description: 'Packs this many parts into each item, joined by the token (or groupDelimiter).',
    },
    groupDelimiter: { type: 'string', description: 'Joins the parts of a group; defaults to the token.' },
    skipFirst: { type: 'boolean', default: false, description: 'Drops the first part (e.g. a header line).' },
    headerName: { type: 'string', description: 'Tokenizes this header instead of the body.' },
  },

  compile: compileTokenize,
  compilePredicate: (definition) => predicateFromExpression(compileTokenize(definition)),
};

function compileTokenize(definition: ExpressionDefinition): CompiledExpression {
  const options = definition.options;
  // The token is the text property; `token` in options covers callers that kept it there.
  const token = definition.expression !== '' ? definition.expression : (stringOption(options, 'token') ?? '');
  if (token === '') throw new Error('tokenize needs a token, e.g. tokenize: {token: ","}');
  const regex = booleanOption(options, 'regex', false);
  const group = integerOption(options, 'group');
  // Camel joins a group with the token text even when the token is a regex, unless groupDelimiter is set.
  const groupDelimiter = stringOption(options, 'groupDelimiter') ?? token;
  const skipFirst = booleanOption(options, 'skipFirst', false);
  const headerName = stringOption(options, 'headerName');

  let separator: string | RegExp = token;
  if (regex) {
    try {
      separator = new RegExp(token);
    } catch (error) {
      throw new Error(
        `tokenize regex "${token}" is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }

  const read = headerName
    ? (exchange: Exchange) => exchange.getHeader(headerName)
    : (exchange: Exchange) => exchange.body;

  return (exchange) => {
    const value = read(exchange);
    let parts: unknown[];
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) {
      parts = value;
    } else if (typeof value === 'string' || Buffer.isBuffer(value) || typeof value === 'number') {
      const text = toText(value);
      if (text === '') return [];
      parts = text.split(separator);
      // Like Java's Scanner, a trailing delimiter does not make an empty last part.
      if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    } else {
      throw new ExpressionError(`tokenize cannot split ${describeType(value)}; it needs text or a list`);
    }
    if (skipFirst) parts = parts.slice(1);
    if (!group || group <= 1) return parts;
    const grouped: string[] = [];
    for (let i = 0; i < parts.length; i += group) {
      grouped.push(
        parts
          .slice(i, i + group)
          .map(toText)
          .join(groupDelimiter),
      );
    }
    return grouped;
  };
}
