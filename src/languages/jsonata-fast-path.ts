import type { Exchange } from '../runtime/exchange.js';

/**
 * A synchronous evaluator for the plain-mapping part of JSONata, compiled once from jsonata's own AST.
 *
 * jsonata 2.x evaluates every node through `async` functions: a ten-field mapping awaits a few hundred
 * promises and costs ~30 µs per message, the largest single cost of a validate → map → publish route. Most
 * mappings are object constructors over field paths, literals, `&`, comparisons and conditionals; for those
 * this module builds plain closures (~1 µs).
 *
 * It is a fast path, never a second implementation: it compiles only node shapes it knows completely (any
 * other key on a node — a predicate, a group, `[]`, a focus — and the whole expression stays with jsonata),
 * and at run time it gives up ({@link BAIL}) on anything whose JSONata meaning involves sequences, type
 * coercion or an error: an array anywhere on a path, a number where `&` wants a string, mixed types in `<`,
 * a non-finite number, a value that is not plain JSON. The caller then evaluates the same input with jsonata
 * itself, so results and error messages are jsonata's in every case. Nothing in the subset has an effect
 * or reads the clock ($now, $random are not in it), so evaluating twice costs only the time. Objects built
 * here have Object.prototype where jsonata's have none; they read and serialise alike.
 * test/languages/jsonata-fast-path.test.ts checks the two against each other on generated expressions and
 * documents.
 */
// One instance, thrown every time: no stack is captured per message.
export const BAIL: Error = new Error('jsonata fast path declined this input');

/** Evaluates against the context value; `root` is the input document (`$$`). Returns a value or throws BAIL. */
type Fast = (context: unknown, exchange: Exchange, root: unknown) => unknown;

/** The shape of jsonata's AST nodes, as far as this module reads them. */
interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  expression?: AstNode;
  expressions?: AstNode[];
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  procedure?: AstNode;
  arguments?: AstNode[];
}

/** The exchange's values bound for JSONata (see compileJsonata): the same objects jsonata gets. */
const BINDINGS: Record<string, (exchange: Exchange) => unknown> = {
  headers: (exchange) => exchange.message.headers,
  properties: (exchange) => exchange.properties,
  variables: (exchange) => exchange.variables,
  exchangeId: (exchange) => exchange.exchangeId,
  correlationId: (exchange) => exchange.correlationId,
};

/**
 * Compiles the fast path for a jsonata AST, or returns undefined when some part of it is outside the subset.
 * The result returns what jsonata's evaluate would (undefined included) or throws {@link BAIL}.
 */
export function compileFastPath(ast: unknown): ((input: unknown, exchange: Exchange) => unknown) | undefined {
  const fast = compileNode(ast as AstNode);
  if (!fast) return undefined;
  return (input, exchange) => {
    // jsonata wraps an array input in a sequence of one: sequence rules, left to jsonata.
    const root = plain(input);
    return fast(root, exchange, root);
  };
}

/** True when the node has no keys beyond `allowed` (and `position`): anything else changes its meaning. */
function only(node: AstNode, allowed: readonly string[]): boolean {
  for (const key of Object.keys(node)) {
    if (key !== 'type' && key !== 'position' && !allowed.includes(key)) return false;
  }
  return true;
}

function compileNode(node: AstNode): Fast | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      if (!only(node, ['value'])) return undefined;
      const value = node.value;
      return () => value;
    }
    case 'path':
      return compilePath(node);
    case 'variable':
      return only(node, ['value']) ? compileVariable(node.value) : undefined;
    case 'unary':
      if (node.value === '{') return compileObject(node);
      if (node.value === '-') return compileNegation(node);
      return undefined;
    case 'binary':
      return compileBinary(node);
    case 'condition':
      return compileCondition(node);
    case 'function':
      return compileFunction(node);
    case 'block':
      return compileBlock(node);
    default:
      return undefined;
  }
}

/**
 * A value passed on as jsonata passes it: JSON primitives and plain objects. Arrays (jsonata flattens and
 * unwraps them as sequences), non-finite numbers (jsonata throws D1001 on use), functions and class instances
 * (Buffers, Dates: jsonata's lookups differ on them) are declined.
 */
function plain(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw BAIL;
    case 'object': {
      if (value === null) return value;
      if (Array.isArray(value)) throw BAIL;
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) throw BAIL;
      for (const marker of JSONATA_MARKERS) if (Object.hasOwn(value, marker)) throw BAIL;
      return value;
    }
    default:
      throw BAIL;
  }
}

/**
 * Fields jsonata reads on any object to tell what it is: a function (`_jsonata_function`, `_jsonata_lambda`:
 * lookups on it give nothing), its own wrapper of an array input (`outerWrapper`: `$` is then its first
 * item), a tuple stream (`tupleStream`: an object constructor then reads `@` and binds every field). A JSON
 * document may carry them; jsonata decides what they mean there.
 */
const JSONATA_MARKERS = ['_jsonata_function', '_jsonata_lambda', 'outerWrapper', 'tupleStream'] as const;

/** jsonata's `lookup` for a plain value: own properties of objects only, nothing on primitives. */
function lookup(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.hasOwn(value, name) ? plain((value as Record<string, unknown>)[name]) : undefined;
}

/** Names that would reach an object's prototype machinery instead of a field. */
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** `a.b.c` and `$var.b.c`: field steps only (no predicates, wildcards, `[]`, `%`, `@`, `#`). */
function compilePath(node: AstNode): Fast | undefined {
  if (!only(node, ['steps']) || !Array.isArray(node.steps) || node.steps.length === 0) return undefined;
  const [first, ...rest] = node.steps;
  let start: Fast | undefined;
  if (first!.type === 'variable' && only(first!, ['value'])) start = compileVariable(first!.value);
  else start = compileName(first!);
  if (!start) return undefined;
  const names: string[] = [];
  for (const step of rest) {
    if (step.type !== 'name' || !only(step, ['value']) || typeof step.value !== 'string') return undefined;
    if (UNSAFE_NAMES.has(step.value)) return undefined;
    names.push(step.value);
  }
  const begin = start;
  if (names.length === 0) return begin;
  return (context, exchange, root) => {
    let value = begin(context, exchange, root);
    for (const name of names) {
      if (value === undefined) return undefined;
      value = lookup(value, name);
    }
    return value;
  };
}

function compileName(step: AstNode): Fast | undefined {
  if (step.type !== 'name' || !only(step, ['value']) || typeof step.value !== 'string') return undefined;
  if (UNSAFE_NAMES.has(step.value)) return undefined;
  const name = step.value;
  return (context) => lookup(context, name);
}

/** `$` (the context), `$$` (the input) and the exchange bindings; any other name may be a function: declined. */
function compileVariable(name: unknown): Fast | undefined {
  if (name === '') return (context) => context;
  if (name === '$') return (_context, _exchange, root) => root;
  if (typeof name !== 'string' || !Object.hasOwn(BINDINGS, name)) return undefined;
  const read = BINDINGS[name]!;
  return (_context, exchange) => plain(read(exchange));
}

/** `{"key": value, ...}` with literal, distinct keys; a value that is undefined leaves its key out. */
function compileObject(node: AstNode): Fast | undefined {
  if (!only(node, ['value', 'lhs']) || !Array.isArray(node.lhs)) return undefined;
  const keys: string[] = [];
  const values: Fast[] = [];
  for (const pair of node.lhs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const [keyNode, valueNode] = pair as [AstNode, AstNode];
    if (keyNode.type !== 'string' || !only(keyNode, ['value']) || typeof keyNode.value !== 'string')
      return undefined;
    const key = keyNode.value;
    // Duplicates are jsonata's error D1009; its own flags are refused (D1013); `__proto__` would set the
    // prototype of a plain object where jsonata (null-prototype objects) makes a field.
    if (keys.includes(key) || key === '__proto__' || key.startsWith('_jsonata_')) return undefined;
    const value = compileNode(valueNode);
    if (!value) return undefined;
    keys.push(key);
    values.push(value);
  }
  return (context, exchange, root) => {
    const result: Record<string, unknown> = {};
    for (let index = 0; index < keys.length; index++) {
      const value = values[index]!(context, exchange, root);
      if (value !== undefined) result[keys[index]!] = value;
    }
    return result;
  };
}

function compileNegation(node: AstNode): Fast | undefined {
  if (!only(node, ['value', 'expression']) || !node.expression) return undefined;
  const operand = compileNode(node.expression);
  if (!operand) return undefined;
  return (context, exchange, root) => {
    const value = operand(context, exchange, root);
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw BAIL;
    return -value;
  };
}

/** jsonata's effective boolean for the values the fast path handles; objects (keys counted) are declined. */
function truthy(value: unknown): boolean | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'boolean':
      return value;
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    default:
      if (value === null) return false;
      throw BAIL;
  }
}

/** A JSON primitive: compared with `===` by jsonata's deep equality. */
function primitive(value: unknown): boolean {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

type Combine = (a: unknown, b: unknown) => unknown;

/** `+ - * / %`: numbers only (jsonata throws on others), undefined when a side is, non-finite results declined. */
function arithmetic(op: (a: number, b: number) => number): Combine {
  return (a, b) => {
    if ((a !== undefined && typeof a !== 'number') || (b !== undefined && typeof b !== 'number')) throw BAIL;
    if (a === undefined || b === undefined) return undefined;
    const result = op(a, b);
    if (!Number.isFinite(result)) throw BAIL;
    return result;
  };
}

/** `< <= > >=`: both strings or both numbers; undefined when a side is; jsonata's errors declined. */
function comparison(op: (x: number | string, y: number | string) => boolean): Combine {
  return (a, b) => {
    const ta = typeof a;
    const tb = typeof b;
    if (
      (ta !== 'undefined' && ta !== 'string' && ta !== 'number') ||
      (tb !== 'undefined' && tb !== 'string' && tb !== 'number')
    )
      throw BAIL;
    if (a === undefined || b === undefined) return undefined;
    if (ta !== tb) throw BAIL;
    return op(a as number | string, b as number | string);
  };
}

/** `= !=`: false when a side is undefined; primitives by `===`; objects and arrays (deep equality) declined. */
function equality(equal: boolean): Combine {
  return (a, b) => {
    if (a === undefined || b === undefined) return false;
    if (!primitive(a) || !primitive(b)) throw BAIL;
    return (a === b) === equal;
  };
}

/** Operators that evaluate both sides, left first, as jsonata does. */
const BOTH_SIDES: Record<string, Combine> = {
  // jsonata's $string: numbers get 15 significant digits, objects become JSON: declined.
  '&': (a, b) => {
    if ((a !== undefined && typeof a !== 'string') || (b !== undefined && typeof b !== 'string')) throw BAIL;
    return (a ?? '') + (b ?? '');
  },
  '+': arithmetic((a, b) => a + b),
  '-': arithmetic((a, b) => a - b),
  '*': arithmetic((a, b) => a * b),
  '/': arithmetic((a, b) => a / b),
  '%': arithmetic((a, b) => a % b),
  '=': equality(true),
  '!=': equality(false),
  '<': comparison((x, y) => x < y),
  '<=': comparison((x, y) => x <= y),
  '>': comparison((x, y) => x > y),
  '>=': comparison((x, y) => x >= y),
};

function compileBinary(node: AstNode): Fast | undefined {
  if (!only(node, ['value', 'lhs', 'rhs']) || !node.rhs || Array.isArray(node.lhs) || !node.lhs)
    return undefined;
  const left = compileNode(node.lhs);
  const right = compileNode(node.rhs);
  if (!left || !right) return undefined;
  if (typeof node.value === 'string' && Object.hasOwn(BOTH_SIDES, node.value)) {
    const combine = BOTH_SIDES[node.value]!;
    return (context, exchange, root) =>
      combine(left(context, exchange, root), right(context, exchange, root));
  }
  switch (node.value) {
    case 'and':
      // jsonata evaluates the right side only when needed; so does this.
      return (context, exchange, root) =>
        (truthy(left(context, exchange, root)) ?? false) && (truthy(right(context, exchange, root)) ?? false);
    case 'or':
      return (context, exchange, root) =>
        (truthy(left(context, exchange, root)) ?? false) || (truthy(right(context, exchange, root)) ?? false);
    default:
      return undefined;
  }
}

function compileCondition(node: AstNode): Fast | undefined {
  if (!only(node, ['condition', 'then', 'else']) || !node.condition || !node.then) return undefined;
  const test = compileNode(node.condition);
  const then = compileNode(node.then);
  const otherwise = node.else === undefined ? () => undefined : compileNode(node.else);
  if (!test || !then || !otherwise) return undefined;
  return (context, exchange, root) =>
    truthy(test(context, exchange, root))
      ? then(context, exchange, root)
      : otherwise(context, exchange, root);
}

/** Built-in functions of one argument whose result for plain values is exactly this. */
const FUNCTIONS: Record<string, (value: unknown) => unknown> = {
  exists: (value) => value !== undefined,
  boolean: (value) => truthy(value),
  not: (value) => {
    const result = truthy(value);
    return result === undefined ? undefined : !result;
  },
  string: (value) => {
    if (value === undefined || typeof value === 'string') return value;
    throw BAIL;
  },
  number: (value) => {
    if (value === undefined || typeof value === 'number') return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    // jsonata's decimal form; hexadecimal, octal and binary strings are left to it.
    if (typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(value)) {
      const result = parseFloat(value);
      if (Number.isFinite(result)) return result;
    }
    throw BAIL;
  },
  uppercase: (value) => {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.toUpperCase();
    throw BAIL;
  },
  lowercase: (value) => {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.toLowerCase();
    throw BAIL;
  },
};

function compileFunction(node: AstNode): Fast | undefined {
  // The parser leaves `name: undefined` on calls (it names partial applications); a set name is declined.
  if (!only(node, ['value', 'procedure', 'arguments', 'name']) || node.value !== '(') return undefined;
  if ((node as { name?: unknown }).name !== undefined) return undefined;
  const procedure = node.procedure;
  if (!procedure || procedure.type !== 'variable' || !only(procedure, ['value'])) return undefined;
  const name = procedure.value;
  if (typeof name !== 'string' || !Object.hasOwn(FUNCTIONS, name)) return undefined;
  // Exactly one argument: with none, some of these take the context; with more, jsonata's signature error.
  if (!Array.isArray(node.arguments) || node.arguments.length !== 1) return undefined;
  const argument = compileNode(node.arguments[0]!);
  if (!argument) return undefined;
  const apply = FUNCTIONS[name]!;
  return (context, exchange, root) => apply(argument(context, exchange, root));
}

/** `(a; b)` without bindings: every expression evaluated (each may decline), the last one's value. */
function compileBlock(node: AstNode): Fast | undefined {
  if (!only(node, ['expressions']) || !Array.isArray(node.expressions)) return undefined;
  const parts: Fast[] = [];
  for (const expression of node.expressions) {
    const part = compileNode(expression);
    if (!part) return undefined;
    parts.push(part);
  }
  return (context, exchange, root) => {
    let result: unknown;
    for (const part of parts) result = part(context, exchange, root);
    return result;
  };
}
