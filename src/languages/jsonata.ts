import jsonata from 'jsonata';
import { ExpressionError, toError } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';
import { convertTo, parseResultType, toPredicate } from './convert.js';
import { compileSyncJsonata } from './jsonata-sync/index.js';
import { jsonInput } from './json-input.js';
import type { LanguageSpec } from '../runtime/language.js';
import { RESULT_TYPE_OPTION } from './options.js';

/**
 * A compiled JSONata expression, evaluated against `input` with the exchange's values bound. `now` is set
 * when the expression runs on the synchronous evaluator: the same answer (or the same ExpressionError,
 * thrown) without a promise, for callers that can use it directly.
 */
export type JsonataEvaluator = ((exchange: Exchange, input: unknown) => Promise<unknown>) & {
  readonly now?: (exchange: Exchange, input: unknown) => unknown;
};

interface JsonataFailure {
  message: string;
  code?: string;
  position?: number;
  token?: string;
}

function isJsonataFailure(error: unknown): error is JsonataFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** "line 2, column 7" for a jsonata position (the offset just after the offending token). */
function locate(text: string, position: number): { line: number; column: number; lineText: string } {
  const index = Math.max(0, Math.min(text.length, position - 1));
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const lineEndRaw = text.indexOf('\n', index);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  return {
    line: text.slice(0, lineStart).split('\n').length,
    column: index - lineStart + 1,
    lineText: text.slice(lineStart, lineEnd),
  };
}

/** The exchange's values bound for the expression, plus the caller's fixed `constants`. */
export function bindingsFor(
  exchange: Exchange,
  constants: Record<string, unknown> | undefined,
): Record<string, unknown> {
  // Without constants (every jsonata endpoint) a literal of one shape: spreading `undefined` into the object
  // takes V8's generic copy path on every evaluation.
  if (constants === undefined)
    return {
      headers: exchange.message.headers,
      properties: exchange.properties,
      variables: exchange.variables,
      exchangeId: exchange.exchangeId,
      correlationId: exchange.correlationId,
    };
  return {
    ...constants,
    headers: exchange.message.headers,
    properties: exchange.properties,
    variables: exchange.variables,
    exchangeId: exchange.exchangeId,
    correlationId: exchange.correlationId,
  };
}

/** jsonata's failure (or a crash inside an evaluator) as the route's ExpressionError. */
function evaluationError(where: string, error: unknown): Error {
  if (error instanceof ExpressionError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message))
    // The synchronous evaluator recurses on the JavaScript stack: jsonata's code for a stack overflow.
    return new ExpressionError(`${where} failed: Stack overflow (recursion too deep) [D1011]`, {
      cause: error,
      details: { jsonataCode: 'D1011' },
    });
  if (!isJsonataFailure(error))
    return new ExpressionError(`${where} failed: ${String(error)}`, { cause: error });
  const code = error.code ? ` [${error.code}]` : '';
  const at = typeof error.position === 'number' ? ` at position ${error.position}` : '';
  return new ExpressionError(`${where} failed: ${error.message}${code}${at}`, {
    cause: error,
    details: { jsonataCode: error.code },
  });
}

/** Options of {@link compileJsonata}. */
export interface JsonataCompileOptions {
  /** Values bound under these names on every evaluation, beside the exchange's ($headers wins on a clash). */
  constants?: Record<string, unknown>;
}

/**
 * Compiles JSONata text once. `where` names it in messages (a file name, or "jsonata expression").
 * A syntax error throws with jsonata's message, its code and the line/column in the text.
 * Bindings available to the expression: `$headers`, `$properties`, `$variables`, `$exchangeId`,
 * `$correlationId`.
 *
 * The expression runs on the synchronous evaluator (src/languages/jsonata-sync/), which answers as jsonata
 * does (jsonata's own test suite, test/languages/jsonata-suite.test.ts) at a fraction of the cost of
 * jsonata's promise per node; only what it declines when compiling stays with jsonata, for every message.
 */
export function compileJsonata(
  text: string,
  where = 'jsonata expression',
  options: JsonataCompileOptions = {},
): JsonataEvaluator {
  let expression: ReturnType<typeof jsonata>;
  try {
    expression = jsonata(text);
  } catch (error) {
    if (!isJsonataFailure(error)) throw error;
    const code = error.code ? ` [${error.code}]` : '';
    if (typeof error.position !== 'number') throw new Error(`${where}: ${error.message}${code}`);
    const { line, column, lineText } = locate(text, error.position);
    throw new Error(
      `${where}: ${error.message}${code} at line ${line}, column ${column} (position ${error.position})\n` +
        `    ${lineText}\n    ${' '.repeat(Math.max(0, column - 1))}^`,
    );
  }
  const { constants } = options;
  const sync = compileSyncJsonata(expression.ast());
  if (sync) {
    const now = (exchange: Exchange, input: unknown): unknown => {
      try {
        const result = sync.evaluate(input, bindingsFor(exchange, constants));
        return result === undefined ? null : result;
      } catch (error) {
        throw evaluationError(where, error);
      }
    };
    const evaluator = (exchange: Exchange, input: unknown): Promise<unknown> => {
      try {
        return Promise.resolve(now(exchange, input));
      } catch (error) {
        return Promise.reject(toError(error));
      }
    };
    return Object.assign(evaluator, { now });
  }
  return async (exchange, input) => {
    try {
      const result: unknown = await expression.evaluate(input, bindingsFor(exchange, constants));
      return result === undefined ? null : result;
    } catch (error) {
      throw evaluationError(where, error);
    }
  };
}

/** The JSONata input for a body: JSON text (or bytes) parsed, anything else as it is. */
export function jsonataInput(body: unknown): unknown {
  return jsonInput(body, false);
}

/**
 * Inline JSONata through Camel's generic form `language: {language: jsonata, expression: ...}`. The text
 * may also be `resource:<uri>` to read a mapping file.
 */
export const jsonataLanguage: LanguageSpec = {
  name: 'jsonata',
  textProperty: 'expression',
  summary:
    'A JSONata expression over the body, with $headers, $properties, $variables, $exchangeId, $correlationId.',
  options: { resultType: RESULT_TYPE_OPTION },

  compile(definition, context) {
    const raw = definition.expression;
    const resource = /^\s*resource:(.+)$/s.exec(raw)?.[1]?.trim();
    const text = resource ? context.readResource(resource) : raw;
    const evaluate = compileJsonata(text, resource ? `jsonata ${resource}` : 'jsonata expression');
    const resultType = parseResultType(definition.options['resultType']);
    // On the synchronous evaluator the value itself (a throw for a failure): steps such as setBody then finish
    // when they return. A compiled expression may answer a value or a promise of one.
    const { now } = evaluate;
    if (now) {
      if (!resultType) return (exchange) => now(exchange, jsonataInput(exchange.body));
      return (exchange) => convertTo(now(exchange, jsonataInput(exchange.body)), resultType);
    }
    if (!resultType) return (exchange) => evaluate(exchange, jsonataInput(exchange.body));
    return async (exchange) => convertTo(await evaluate(exchange, jsonataInput(exchange.body)), resultType);
  },

  compilePredicate(definition, context) {
    const evaluate = jsonataLanguage.compile(definition, context);
    return async (exchange) => toPredicate(await evaluate(exchange));
  },
};
