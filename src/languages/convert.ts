/**
 * Camel-style type conversion shared by the languages: predicate truthiness, `resultType`, and the
 * coercing comparisons that simple's binary operators use.
 */
import { ExpressionError } from '../errors/index.js';

/**
 * Camel's ObjectHelper.evaluateValuePredicate: booleans as they are; a string is "true"/"false" (any case,
 * trimmed), blank is false, any other text is true; a collection is true when not empty; else "is not null".
 * Note that 0 is true, as in Camel.
 */
export function toPredicate(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return false;
    const lower = text.toLowerCase();
    if (lower === 'false') return false;
    return true;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Set || value instanceof Map) return value.size > 0;
  return true;
}

/**
 * The text of a value, as a template renders it: null is empty text, Buffers are UTF-8, dates are ISO,
 * objects and arrays are JSON (the router's bodies are JSON, so that is what a user expects to see).
 */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return Object.prototype.toString.call(value);
  }
}

const INTEGER = /^\s*[-+]?\d+\s*$/;
const DECIMAL = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A number when the value is one or is numeric text (Java's Long/Double parsing), else undefined. */
export function tryNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && DECIMAL.test(value)) return Number(value);
  if (Buffer.isBuffer(value)) return tryNumber(value.toString('utf8'));
  return undefined;
}

/** A boolean when the value is one or is the text true/false (any case), else undefined. */
export function tryBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** The result types a `resultType` option may name, with every spelling Camel users write. */
export type ResultType = 'String' | 'Integer' | 'Long' | 'Double' | 'Boolean' | 'Object' | 'Map' | 'List';

const RESULT_TYPE_SPELLINGS: Record<string, ResultType> = {
  string: 'String',
  'java.lang.string': 'String',
  integer: 'Integer',
  int: 'Integer',
  'java.lang.integer': 'Integer',
  short: 'Integer',
  'java.lang.short': 'Integer',
  long: 'Long',
  'java.lang.long': 'Long',
  double: 'Double',
  'java.lang.double': 'Double',
  float: 'Double',
  'java.lang.float': 'Double',
  'java.math.bigdecimal': 'Double',
  bigdecimal: 'Double',
  boolean: 'Boolean',
  'java.lang.boolean': 'Boolean',
  object: 'Object',
  'java.lang.object': 'Object',
  map: 'Map',
  'java.util.map': 'Map',
  list: 'List',
  'java.util.list': 'List',
};

export const SUPPORTED_RESULT_TYPES = [
  'String',
  'Integer (int)',
  'Long',
  'Double',
  'Boolean',
  'Object',
  'java.util.Map',
  'java.util.List',
] as const;

/** Reads a `resultType` option at compile time; throws on a type the router cannot produce. */
export function parseResultType(raw: unknown): ResultType | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const type = RESULT_TYPE_SPELLINGS[toText(raw).trim().toLowerCase()];
  if (!type) {
    throw new Error(
      `Unsupported resultType "${toText(raw)}": supported are ${SUPPORTED_RESULT_TYPES.join(', ')} ` +
        `(java.lang.* spellings accepted)`,
    );
  }
  return type;
}

function conversionError(value: unknown, type: string): ExpressionError {
  const shown =
    typeof value === 'string'
      ? `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`
      : describeType(value);
  return new ExpressionError(`Cannot convert ${shown} to ${type}`, { details: { targetType: type } });
}

/** A short name of the value's type for error messages (never the value itself: it may be personal data). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (Buffer.isBuffer(value)) return 'bytes';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function parseJsonText(value: unknown): unknown {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (typeof text !== 'string') return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

/** Converts a value to a result type; null stays null (as Camel's converters return null for null). */
export function convertTo(value: unknown, type: ResultType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'String':
      return toText(value);
    case 'Integer':
    case 'Long': {
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw conversionError(value, type);
        return Math.trunc(value);
      }
      if (typeof value === 'boolean') throw conversionError(value, type);
      const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
      if (typeof text === 'string' && INTEGER.test(text)) return Number.parseInt(text.trim(), 10);
      throw conversionError(value, type);
    }
    case 'Double': {
      const number = typeof value === 'boolean' ? undefined : tryNumber(value);
      if (number === undefined) throw conversionError(value, type);
      return number;
    }
    case 'Boolean': {
      const bool = tryBoolean(Buffer.isBuffer(value) ? value.toString('utf8') : value);
      if (bool === undefined) throw conversionError(value, type);
      return bool;
    }
    case 'Map': {
      const parsed = parseJsonText(value);
      if (
        parsed !== null &&
        typeof parsed === 'object' &&
        !Array.isArray(parsed) &&
        !Buffer.isBuffer(parsed)
      ) {
        return parsed;
      }
      throw conversionError(value, 'java.util.Map');
    }
    case 'List': {
      const parsed = parseJsonText(value);
      if (Array.isArray(parsed)) return parsed;
      throw conversionError(value, 'java.util.List');
    }
    case 'Object':
      return value;
  }
}

/**
 * Equality with Camel's type coercion (ObjectHelper.typeCoerceEquals): numbers compare as numbers when the
 * other side is numeric text, booleans as booleans, anything else as text. `ignoreCase` is the `=~` operator.
 */
export function coerceEquals(left: unknown, right: unknown, ignoreCase = false): boolean {
  const leftNull = left === null || left === undefined;
  const rightNull = right === null || right === undefined;
  if (leftNull || rightNull) return leftNull && rightNull;
  if (typeof left === 'number' || typeof right === 'number') {
    const a = tryNumber(left);
    const b = tryNumber(right);
    if (a !== undefined && b !== undefined) return a === b;
  }
  if (typeof left === 'boolean' || typeof right === 'boolean') {
    const a = tryBoolean(left);
    const b = tryBoolean(right);
    if (a !== undefined && b !== undefined) return a === b;
  }
  const a = toText(left);
  const b = toText(right);
  return ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * Ordering with Camel's coercion (ObjectHelper.typeCoerceCompare): numeric when both sides are numeric
 * (so `"1500" > 1000`), dates by time, otherwise by text. Returns undefined when either side is null:
 * Camel's ordering operators are false against null.
 */
export function coerceCompare(left: unknown, right: unknown): number | undefined {
  if (left === null || left === undefined || right === null || right === undefined) return undefined;
  const a = tryNumber(left instanceof Date ? left.getTime() : left);
  const b = tryNumber(right instanceof Date ? right.getTime() : right);
  if (a !== undefined && b !== undefined) return a === b ? 0 : a < b ? -1 : 1;
  const x = toText(left);
  const y = toText(right);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Reads a boolean option that may arrive as a YAML boolean or as text ("true"). */
export function booleanOption(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const raw = options[name];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = tryBoolean(raw);
  if (value === undefined) throw new Error(`Option ${name} must be true or false, got "${toText(raw)}"`);
  return value;
}

/** Reads a positive integer option that may arrive as a number or as text. */
export function integerOption(options: Record<string, unknown>, name: string): number | undefined {
  const raw = options[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value =
    typeof raw === 'number' ? raw : INTEGER.test(toText(raw)) ? Number.parseInt(toText(raw), 10) : NaN;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Option ${name} must be a positive whole number, got "${toText(raw)}"`);
  }
  return value;
}

/** Reads a text option. */
export function stringOption(options: Record<string, unknown>, name: string): string | undefined {
  const raw = options[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  return toText(raw);
}
