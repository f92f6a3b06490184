/**
 * Builds closures from the simple syntax tree. Everything that can be decided from the text (which value,
 * which operator, literal right-hand sides, regexes, ranges, type names, date patterns) is decided here,
 * once; a closure only reads the exchange.
 */
import { randomUUID } from 'node:crypto';
import type { Exchange } from '../../runtime/exchange.js';
import { ExpressionError } from '../../errors/index.js';
import { coerceCompare, coerceEquals, convertTo, describeType, toPredicate, toText } from '../convert.js';
import { bodyMayBeJson, jsonInput, looksLikeJsonDocument } from '../json-input.js';
import type { DateSource, FunctionCall, Step, SupportedMethod } from './functions.js';
import type { BinaryOperator, Operand, PredicateNode, Template } from './parser.js';
import { SimpleSyntaxError } from './syntax-error.js';

export type Evaluator = (exchange: Exchange) => unknown;
export type PredicateEvaluator = (exchange: Exchange) => boolean;

/** A template: one function alone yields its raw value; anything else renders text (null as empty). */
export function compileTemplate(template: Template): Evaluator {
  const parts = template.parts;
  if (parts.length === 0) return () => '';
  if (parts.length === 1) {
    const only = parts[0]!;
    if (only.kind === 'text') {
      const text = only.text;
      return () => text;
    }
    return compileFunction(only.call);
  }
  const pieces = parts.map((part): string | Evaluator =>
    part.kind === 'text' ? part.text : compileFunction(part.call),
  );
  return (exchange) => {
    let out = '';
    for (const piece of pieces) out += typeof piece === 'string' ? piece : toText(piece(exchange));
    return out;
  };
}

/** Quoted text in a predicate is always text, even when it is a single function (`'${header.id}'`). */
function compileTextTemplate(template: Template): Evaluator {
  const parts = template.parts;
  if (parts.every((part) => part.kind === 'text')) {
    const text = parts.map((part) => (part.kind === 'text' ? part.text : '')).join('');
    return () => text;
  }
  const evaluate = compileTemplate(template);
  return parts.length === 1 ? (exchange) => toText(evaluate(exchange)) : evaluate;
}

/** The literal text of a quoted operand, when it holds no function (decided at compile time). */
function constantText(operand: Operand): string | undefined {
  if (operand.kind !== 'literal') return undefined;
  if (!operand.template.parts.every((part) => part.kind === 'text')) return undefined;
  return operand.template.parts.map((part) => (part.kind === 'text' ? part.text : '')).join('');
}

function compileOperand(operand: Operand): Evaluator {
  switch (operand.kind) {
    case 'function':
      return compileFunction(operand.call);
    case 'literal':
      return compileTextTemplate(operand.template);
    case 'number': {
      const value = operand.value;
      return () => value;
    }
    case 'boolean': {
      const value = operand.value;
      return () => value;
    }
    case 'null':
      return () => null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Functions

function compileFunction(call: FunctionCall): Evaluator {
  const source = call.source;
  const root = compileSource(call);
  if (call.steps.length === 0) return root;
  const navigate = compileSteps(call.steps, call.text);
  if (
    (source.kind === 'header' || source.kind === 'exchangeProperty' || source.kind === 'variable') &&
    source.fullName !== source.name
  ) {
    // Camel tries the whole dotted text as a name first (`${header.kafka.KEY}`), then the first word
    // with navigation; trailing methods apply either way.
    const read = reader(source.kind);
    const { fullName } = source;
    const applyMethods = compileSteps(trailingMethods(call.steps), call.text);
    return (exchange) => {
      const whole = read(exchange, fullName);
      return whole !== null ? applyMethods(whole) : navigate(root(exchange));
    };
  }
  return (exchange) => navigate(root(exchange));
}

function trailingMethods(steps: Step[]): Step[] {
  let start = steps.length;
  while (start > 0 && steps[start - 1]!.kind === 'method') start--;
  return steps.slice(start);
}

function compileSource(call: FunctionCall): Evaluator {
  const source = call.source;
  switch (source.kind) {
    case 'body':
      // Navigation into a body that arrived as JSON text (or bytes) reads the parsed document, unless the
      // message's content type says it is something else (text/plain stays text).
      return call.steps.some((step) => step.kind !== 'method')
        ? (exchange) => navigableBody(exchange)
        : (exchange) => exchange.body;
    case 'bodyAs': {
      const { type, mandatory } = source;
      return (exchange) => {
        const body = exchange.body;
        if (body === null || body === undefined) {
          if (mandatory) throw new ExpressionError(`${call.text}: the message has no body`);
          return null;
        }
        return convertTo(body, type);
      };
    }
    case 'header':
    case 'exchangeProperty':
    case 'variable': {
      const read = reader(source.kind);
      const name = source.name;
      return (exchange) => read(exchange, name);
    }
    case 'headers':
      return (exchange) => exchange.message.headers;
    case 'variables':
      return (exchange) => exchange.variables;
    case 'exception':
      return (exchange) => exchange.error ?? null;
    case 'routeId':
      return (exchange) => exchange.routeId ?? null;
    case 'exchangeId':
    case 'messageId':
      return (exchange) => exchange.exchangeId;
    case 'uuid':
      return () => randomUUID();
    case 'null':
      return () => null;
    case 'date': {
      const read = dateReader(source.source, call.text);
      const format = source.format;
      return format
        ? (exchange) => {
            const date = read(exchange);
            return date === null ? null : format(date);
          }
        : read;
    }
    case 'random': {
      const { min, max } = source;
      return () => min + Math.floor(Math.random() * (max - min));
    }
    case 'env': {
      const name = source.name;
      return () => process.env[name] ?? null;
    }
  }
}

function reader(
  kind: 'header' | 'exchangeProperty' | 'variable',
): (exchange: Exchange, name: string) => unknown {
  switch (kind) {
    case 'header':
      return (exchange, name) => exchange.getHeader(name) ?? null;
    case 'exchangeProperty':
      return (exchange, name) => exchange.properties[name] ?? null;
    case 'variable':
      return (exchange, name) => exchange.variables[name] ?? null;
  }
}

function navigableBody(exchange: Exchange): unknown {
  const body = exchange.body;
  if (Buffer.isBuffer(body)) return bodyMayBeJson(exchange) ? jsonInput(body, false) : body;
  if (typeof body === 'string' && looksLikeJsonDocument(body) && bodyMayBeJson(exchange)) return jsonInput(body, false);
  return body;
}

function dateReader(source: DateSource, text: string): (exchange: Exchange) => Date | null {
  const offset = source.offsetMs;
  if (source.kind === 'now') return () => new Date(Date.now() + offset);
  const read: Evaluator =
    source.kind === 'body'
      ? (exchange) => exchange.body
      : (
          (r, name) => (exchange: Exchange) =>
            r(exchange, name)
        )(reader(source.kind), source.name);
  return (exchange) => {
    const value = read(exchange);
    if (value === null || value === undefined) return null;
    const date = toDate(value);
    if (!date) throw new ExpressionError(`${text}: cannot read ${describeType(value)} as a date`);
    return offset === 0 ? date : new Date(date.getTime() + offset);
  };
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const date = /^\d+$/.test(trimmed) ? new Date(Number(trimmed)) : new Date(trimmed);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/** Navigation and methods. Null-safe steps (`?.`) yield null on null; others fail, as in Camel. */
function compileSteps(steps: Step[], text: string): (value: unknown) => unknown {
  const ops = steps.map((step) => compileStep(step, text));
  return (start) => {
    // The root value being null ends the chain quietly (Camel returns null for ${body.x} on no body).
    if (start === null || start === undefined) return null;
    let value: unknown = start;
    for (let i = 0; i < ops.length; i++) {
      if (value === null || value === undefined) {
        if (steps[i]!.nullSafe) return null;
        throw new ExpressionError(`${text}: ${describeStep(steps[i]!)} on null (use ?. to allow null)`);
      }
      value = ops[i]!(value);
    }
    return value ?? null;
  };
}

function describeStep(step: Step): string {
  if (step.kind === 'method') return `cannot call ${step.name}()`;
  if (step.kind === 'key') return `cannot read .${step.key}`;
  return `cannot read [${step.index === 'last' ? `last${step.offset ? `-${step.offset}` : ''}` : step.index}]`;
}

function compileStep(step: Step, text: string): (value: unknown) => unknown {
  switch (step.kind) {
    case 'key': {
      const key = step.key;
      const numeric = /^\d+$/.test(key) ? Number(key) : undefined;
      return (value) => {
        if (Array.isArray(value)) {
          if (numeric !== undefined) return value[numeric] as unknown;
          throw new ExpressionError(`${text}: cannot read .${key} of a list`);
        }
        if (value instanceof Map) return value.get(key) as unknown;
        if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value))
          return readProperty(value, key);
        throw new ExpressionError(`${text}: cannot read .${key} of ${describeType(value)}`);
      };
    }
    case 'index': {
      const { index, offset } = step;
      return (value) => {
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)) {
          // A map indexed by a number reads the key of that name.
          return index === 'last' ? null : ((value as Record<string, unknown>)[String(index)] ?? null);
        }
        if (!Array.isArray(value) && typeof value !== 'string') {
          throw new ExpressionError(`${text}: cannot index ${describeType(value)}`);
        }
        const position =
          index === 'last' ? value.length - 1 - offset : index < 0 ? value.length + index : index;
        return position >= 0 && position < value.length ? (value[position] as unknown) : null;
      };
    }
    case 'method':
      return methodOf(step.name, text);
  }
}

/**
 * A JSON document is read by its own keys only (so `${body.constructor}` is null, not a function); any other
 * object, such as the error being handled, also by its getters, like Camel's bean-style `${exception.statusCode}`.
 */
function readProperty(value: object, key: string): unknown {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype || proto === null) {
    return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : null;
  }
  if (value instanceof Error && key === 'stacktrace') return value.stack ?? null;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'function' ? null : found;
}

function methodOf(name: SupportedMethod, text: string): (value: unknown) => unknown {
  const needText = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    throw new ExpressionError(`${text}: ${name}() needs text, got ${describeType(value)}`);
  };
  switch (name) {
    case 'toUpperCase':
      return (value) => needText(value).toUpperCase();
    case 'toLowerCase':
      return (value) => needText(value).toLowerCase();
    case 'trim':
      return (value) => needText(value).trim();
    case 'length':
    case 'size':
      return (value) => {
        if (typeof value === 'string' || Array.isArray(value)) return value.length;
        if (Buffer.isBuffer(value)) return value.length;
        if (value instanceof Map || value instanceof Set) return value.size;
        if (typeof value === 'object' && value !== null) return Object.keys(value).length;
        throw new ExpressionError(
          `${text}: ${name}() needs text, a list or an object, got ${describeType(value)}`,
        );
      };
  }
}

// ---------------------------------------------------------------------------------------------------
// Predicates

export function compilePredicateTree(node: PredicateNode, source: string): PredicateEvaluator {
  switch (node.kind) {
    case 'value': {
      const evaluate = compileOperand(node.operand);
      return (exchange) => toPredicate(evaluate(exchange));
    }
    case 'logical': {
      const left = compilePredicateTree(node.left, source);
      const right = compilePredicateTree(node.right, source);
      return node.operator === 'and'
        ? (exchange) => left(exchange) && right(exchange)
        : (exchange) => left(exchange) || right(exchange);
    }
    case 'binary': {
      const left = compileOperand(node.left);
      const test = compileBinary(node.operator, node.right, source, node.written);
      if (node.negated) return (exchange) => !test(left(exchange), exchange);
      return (exchange) => test(left(exchange), exchange);
    }
  }
}

type BinaryTest = (left: unknown, exchange: Exchange) => boolean;

function compileBinary(
  operator: BinaryOperator,
  rightOperand: Operand,
  source: string,
  written: string,
): BinaryTest {
  const right = compileOperand(rightOperand);
  const literal = constantText(rightOperand);
  const fail = (reason: string): never => {
    throw new SimpleSyntaxError(reason, source, rightOperand.index);
  };
  switch (operator) {
    case '==':
      return (left, exchange) => coerceEquals(left, right(exchange));
    case '!=':
      return (left, exchange) => !coerceEquals(left, right(exchange));
    case '=~':
      return (left, exchange) => coerceEquals(left, right(exchange), true);
    case '>':
      return (left, exchange) => (coerceCompare(left, right(exchange)) ?? NaN) > 0;
    case '>=':
      return (left, exchange) => compareOrBothNull(left, right(exchange), (c) => c >= 0);
    case '<':
      return (left, exchange) => (coerceCompare(left, right(exchange)) ?? NaN) < 0;
    case '<=':
      return (left, exchange) => compareOrBothNull(left, right(exchange), (c) => c <= 0);
    case 'contains':
      return (left, exchange) => contains(left, right(exchange), false);
    case '~~':
      return (left, exchange) => contains(left, right(exchange), true);
    case 'startsWith':
      return (left, exchange) => !isNullish(left) && toText(left).startsWith(toText(right(exchange)));
    case 'endsWith':
      return (left, exchange) => !isNullish(left) && toText(left).endsWith(toText(right(exchange)));
    case 'regex': {
      if (literal !== undefined) {
        const pattern = compileRegex(literal, fail);
        return (left) => !isNullish(left) && pattern.test(toText(left));
      }
      return (left, exchange) => {
        if (isNullish(left)) return false;
        const text = toText(right(exchange));
        return compileRegex(text, (reason) => {
          throw new ExpressionError(`${written}: ${reason}`);
        }).test(toText(left));
      };
    }
    case 'in': {
      if (literal !== undefined) {
        const items = splitList(literal);
        return (left) => items.some((item) => coerceEquals(left, item));
      }
      return (left, exchange) => {
        const value = right(exchange);
        const items = Array.isArray(value) ? value : splitList(toText(value));
        return items.some((item) => coerceEquals(left, item));
      };
    }
    case 'range': {
      if (literal !== undefined) {
        const bounds = parseRange(literal);
        if (!bounds) fail(`range needs 'from..to' with whole numbers, e.g. '1..5'; got '${literal}'`);
        const [from, to] = bounds!;
        return (left) => inRange(left, from, to);
      }
      if (rightOperand.kind !== 'function') fail(`range needs 'from..to' in quotes, e.g. '1..5'`);
      return (left, exchange) => {
        const text = toText(right(exchange));
        const bounds = parseRange(text);
        if (!bounds) throw new ExpressionError(`range needs 'from..to' with whole numbers; got '${text}'`);
        return inRange(left, bounds[0], bounds[1]);
      };
    }
    case 'is': {
      const typeName = literal;
      if (typeName === undefined) fail(`is needs a type name in quotes, e.g. is 'String'`);
      const check = typeCheck(typeName!.trim());
      if (!check) {
        fail(`Unknown type '${typeName}' for is: supported are ${SUPPORTED_IS_TYPES.join(', ')}`);
      }
      return (left) => check!(left);
    }
  }
}

function isNullish(value: unknown): boolean {
  return value === null || value === undefined;
}

function compareOrBothNull(left: unknown, right: unknown, test: (c: number) => boolean): boolean {
  if (isNullish(left) && isNullish(right)) return true;
  const compared = coerceCompare(left, right);
  return compared !== undefined && test(compared);
}

function contains(left: unknown, right: unknown, ignoreCase: boolean): boolean {
  if (isNullish(left)) return false;
  if (Array.isArray(left)) return left.some((item) => coerceEquals(item, right, ignoreCase));
  if (left instanceof Set) return [...left].some((item) => coerceEquals(item, right, ignoreCase));
  if (typeof left === 'object' && left !== null && !Buffer.isBuffer(left) && !(left instanceof Date)) {
    // A map contains its keys (Java's Map.containsKey is what `contains` on a map reads as).
    const key = toText(right);
    const keys = left instanceof Map ? [...left.keys()].map(String) : Object.keys(left);
    return ignoreCase ? keys.some((k) => k.toLowerCase() === key.toLowerCase()) : keys.includes(key);
  }
  const text = toText(left);
  const part = toText(right);
  return ignoreCase ? text.toLowerCase().includes(part.toLowerCase()) : text.includes(part);
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim());
}

function parseRange(text: string): [number, number] | undefined {
  const match = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function inRange(left: unknown, from: number, to: number): boolean {
  if (isNullish(left)) return false;
  const low = coerceCompare(left, from);
  const high = coerceCompare(left, to);
  return low !== undefined && high !== undefined && low >= 0 && high <= 0;
}

/** Java's String.matches: the whole text must match. A leading `(?i)` becomes the `i` flag. */
function compileRegex(pattern: string, fail: (reason: string) => never): RegExp {
  let body = pattern;
  let flags = 'u';
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const flag of inline[1]!) if (flag !== 'x' && !flags.includes(flag)) flags += flag;
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (error) {
    try {
      // Java patterns often escape characters that unicode-mode JavaScript rejects (`\-`, `\_`).
      return new RegExp(`^(?:${body})$`, flags.replace('u', ''));
    } catch {
      return fail(`Invalid regular expression '${pattern}': ${(error as Error).message}`);
    }
  }
}

const SUPPORTED_IS_TYPES = [
  'String',
  'Integer',
  'Long',
  'Double',
  'Number',
  'Boolean',
  'java.util.Map (Map)',
  'java.util.List (List)',
  'byte[]',
];

function typeCheck(name: string): ((value: unknown) => boolean) | undefined {
  const simpleName = name.replace(/^java\.(lang|util|math)\./, '');
  switch (simpleName) {
    case 'String':
    case 'CharSequence':
      return (value) => typeof value === 'string';
    case 'Integer':
    case 'int':
    case 'Long':
    case 'long':
    case 'Short':
      return (value) => typeof value === 'number' && Number.isInteger(value);
    case 'Double':
    case 'double':
    case 'Float':
    case 'Number':
    case 'BigDecimal':
      return (value) => typeof value === 'number';
    case 'Boolean':
    case 'boolean':
      return (value) => typeof value === 'boolean';
    case 'Map':
    case 'HashMap':
    case 'LinkedHashMap':
      return (value) =>
        value instanceof Map ||
        (typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          !Buffer.isBuffer(value) &&
          !(value instanceof Date));
    case 'List':
    case 'ArrayList':
    case 'Collection':
      return (value) => Array.isArray(value);
    case 'byte[]':
      return (value) => Buffer.isBuffer(value);
    case 'Date':
      return (value) => value instanceof Date;
    case 'Object':
      return (value) => value !== null && value !== undefined;
    default:
      return undefined;
  }
}
