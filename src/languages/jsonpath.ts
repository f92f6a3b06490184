import { JSONPath } from 'jsonpath-plus';
import type { ExpressionDefinition } from '../runtime/definitions.js';
import { ExpressionError } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';
import { booleanOption, convertTo, parseResultType, stringOption, toPredicate } from './convert.js';
import { jsonInput } from './json-input.js';
import type { CompiledExpression, CompiledPredicate, LanguageSpec } from '../runtime/language.js';
import { RESULT_TYPE_OPTION } from './options.js';
import { fromSyncPredicate } from './predicate.js';

/** What jsonpath-plus evaluates per message; the parsed path lives in the instance and the library's caches. */
interface PreparedPath {
  evaluate(expr: undefined, json: unknown): unknown;
}

/** The value a path yields when it finds nothing; kept apart from a found `null`. */
const MISSING = Symbol('missing');

/**
 * Whether the path names one place (Jayway's "definite" path): no wildcard, deep scan, filter, union
 * or slice. Camel returns one value for those and a list for the rest.
 */
export function isDefinitePath(segments: readonly string[]): boolean {
  return segments.slice(segments[0] === '$' ? 1 : 0).every((segment) => {
    if (segment === '*' || segment === '..' || segment === '~' || segment === '^') return false;
    if (segment.startsWith('?(') || segment.startsWith('(')) return false;
    // A quoted single name may hold commas or colons; a bare one with them is a union or a slice.
    if (/^'.*'$/s.test(segment) && !segment.includes("','")) return true;
    return !segment.includes(',') && !segment.includes(':');
  });
}

/**
 * Filters (`[?(@.amount > 100)]`) are scripts that jsonpath-plus parses on first use; parse them now so a
 * typo fails at load, not on the first message that reaches the filter.
 */
function checkScripts(path: string, segments: readonly string[]): void {
  const Script = (JSONPath.prototype as unknown as { safeVm?: { Script?: new (code: string) => unknown } })
    .safeVm?.Script;
  if (!Script) return;
  for (const segment of segments) {
    const script = /^\??\((.*)\)$/s.exec(segment)?.[1];
    if (script === undefined) continue;
    const code = script.replace(
      /@(parentProperty|parent|property|root|path)?(?![\w$])?/g,
      (_m, name?: string) => (name ? `_$_${name}` : '_$_v'),
    );
    try {
      new Script(code);
    } catch (error) {
      throw new Error(`jsonpath ${path}: invalid filter (${script}): ${(error as Error).message}`);
    }
  }
}

function sourceReader(definition: ExpressionDefinition): {
  read: (exchange: Exchange) => unknown;
  what: string;
} {
  const options = definition.options;
  const headerName = stringOption(options, 'headerName');
  const propertyName = stringOption(options, 'propertyName');
  const variableName = stringOption(options, 'variableName');
  const source = stringOption(options, 'source');
  if (headerName) return { read: (exchange) => exchange.getHeader(headerName), what: `header ${headerName}` };
  if (propertyName) {
    return {
      read: (exchange) => exchange.properties[propertyName],
      what: `exchange property ${propertyName}`,
    };
  }
  if (variableName)
    return { read: (exchange) => exchange.variables[variableName], what: `variable ${variableName}` };
  if (source) {
    const match = /^(header|property|exchangeProperty|variable|body)(?::(.+))?$/.exec(source.trim());
    if (!match || (match[1] !== 'body' && !match[2])) {
      throw new Error(
        `jsonpath source "${source}" must be body, header:name, property:name or variable:name`,
      );
    }
    const name = match[2]!;
    switch (match[1]) {
      case 'header':
        return { read: (exchange) => exchange.getHeader(name), what: `header ${name}` };
      case 'property':
      case 'exchangeProperty':
        return { read: (exchange) => exchange.properties[name], what: `exchange property ${name}` };
      case 'variable':
        return { read: (exchange) => exchange.variables[name], what: `variable ${name}` };
    }
  }
  return { read: (exchange) => exchange.body, what: 'body' };
}

/** Compiles a path into a function from the exchange to the raw result (MISSING when nothing matched). */
function compilePath(definition: ExpressionDefinition): {
  path: string;
  definite: boolean;
  find: (exchange: Exchange, suppress: boolean) => unknown;
} {
  const path = definition.expression.trim();
  if (path === '') throw new Error('jsonpath needs a path, e.g. $.order.id');
  if (path.includes('${')) {
    throw new Error(
      `jsonpath ${path}: simple placeholders (\${...}) inside a path are not supported; ` +
        'filter with a simple or jsonata predicate instead',
    );
  }
  let segments: string[];
  try {
    segments = JSONPath.toPathArray(path);
  } catch (error) {
    throw new Error(`jsonpath ${path} cannot be parsed: ${(error as Error).message}`);
  }
  checkScripts(path, segments);
  const definite = isDefinitePath(segments);
  const prepared = new (JSONPath as unknown as new (options: object) => PreparedPath)({
    path,
    autostart: false,
    wrap: true,
    eval: 'safe',
    resultType: 'value',
  });
  const { read, what } = sourceReader(definition);

  const find = (exchange: Exchange, suppress: boolean): unknown => {
    let document: unknown;
    try {
      document = jsonInput(read(exchange), true, what);
    } catch (error) {
      if (suppress) return MISSING;
      throw error;
    }
    if (document === null || document === undefined) {
      if (suppress) return MISSING;
      throw new ExpressionError(`jsonpath ${path}: the ${what} is empty`);
    }
    let results: unknown[];
    try {
      results = (prepared.evaluate(undefined, document) as unknown[] | undefined) ?? [];
    } catch (error) {
      if (suppress) return MISSING;
      throw new ExpressionError(`jsonpath ${path} failed: ${(error as Error).message}`, { cause: error });
    }
    if (!definite) return results;
    return results.length > 0 ? results[0] : MISSING;
  };
  return { path, definite, find };
}

function writeAsStringOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(writeOne);
  return writeOne(value);
}

function writeOne(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'string') return value ?? null;
  return JSON.stringify(value);
}

/**
 * Camel's jsonpath language on the body (JSON text is parsed) or on a header. Definite paths give one value,
 * wildcards and filters a list. `suppressExceptions` turns a missing path into null.
 */
export const jsonpathLanguage: LanguageSpec = {
  name: 'jsonpath',
  textProperty: 'expression',
  summary: 'Reads a value (definite path) or a list (wildcards, filters) from a JSON body or header.',
  options: {
    resultType: RESULT_TYPE_OPTION,
    suppressExceptions: {
      type: 'boolean',
      default: false,
      description: 'Whether a path that is not found yields null instead of an error.',
    },
    writeAsString: {
      type: 'boolean',
      default: false,
      description: 'Whether each result (or each element of a list) is written as JSON text.',
    },
    unpackArray: {
      type: 'boolean',
      default: false,
      description: 'Whether a list result with one element is unpacked into that element.',
    },
    headerName: { type: 'string', description: 'Evaluates on this header instead of the body.' },
    propertyName: { type: 'string', description: 'Evaluates on this exchange property instead of the body.' },
    variableName: { type: 'string', description: 'Evaluates on this variable instead of the body.' },
    source: {
      type: 'string',
      description: 'Where the JSON is: body, header:name, property:name or variable:name.',
    },
    trim: {
      type: 'boolean',
      default: true,
      description:
        'Accepted as in Camel; surrounding whitespace never belongs to a path, so it is always trimmed.',
    },
  },

  compile(definition): CompiledExpression {
    const options = definition.options;
    const suppress = booleanOption(options, 'suppressExceptions', false);
    const writeAsString = booleanOption(options, 'writeAsString', false);
    const unpackArray = booleanOption(options, 'unpackArray', false);
    const resultType = parseResultType(options['resultType']);
    const { path, find } = compilePath(definition);
    return (exchange) => {
      let value = find(exchange, suppress);
      if (value === MISSING) {
        if (suppress) return null;
        throw new ExpressionError(
          `jsonpath ${path}: no results (set suppressExceptions: true to get null instead)`,
        );
      }
      if (unpackArray && Array.isArray(value) && value.length === 1) value = value[0];
      if (writeAsString) value = writeAsStringOf(value);
      return resultType ? convertTo(value, resultType) : (value ?? null);
    };
  },

  compilePredicate(definition): CompiledPredicate {
    // A predicate asks "is it there (and true)?": a missing path is simply false.
    const { find } = compilePath(definition);
    return fromSyncPredicate((exchange) => {
      const value = find(exchange, true);
      return value === MISSING ? false : toPredicate(value);
    });
  },
};
