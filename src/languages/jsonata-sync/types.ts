/**
 * The shapes the ported evaluator works on: jsonata's AST, JSONata values and sequences, frames, errors.
 *
 * Ported from jsonata 2.2.2 (https://github.com/jsonata-js/jsonata), made synchronous for service-pipes:
 * jsonata's evaluator and higher-order functions are async; here they are plain functions returning values.
 * jsonata is MIT licensed:
 *
 * Copyright (c) 2016 IBM Corporation
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 * associated documentation files (the "Software"), to deal in the Software without restriction, including
 * without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
 * following conditions: The above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software.
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
 * LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
 * EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN
 * AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE
 * OR OTHER DEALINGS IN THE SOFTWARE.
 */
/**
 * © Copyright IBM Corp. 2016, 2018 All Rights Reserved
 *   Project name: JSONata
 *   This project is licensed under the MIT License, see LICENSE
 */

/**
 * A JSONata value: whatever JSON gives (or a binding supplies), a function, or a sequence. The evaluator
 * narrows it where a rule needs a shape; nothing about it is known beforehand.
 */
export type Value = unknown;

/** A record read field by field (an object value, a tuple of a tuple stream). */
export type Fields = Record<string | symbol, unknown>;

/**
 * An array the evaluator made: jsonata marks its own arrays (sequences) apart from the arrays of the input,
 * by fields on the array itself.
 */
export interface Sequence<T = unknown> extends Array<T> {
  /** A sequence of results (flattened and unwrapped by the path rules), not an array value. */
  sequence?: boolean;
  /** Kept as an array even when it holds one item (`[]` on a step). */
  keepSingleton?: boolean;
  /** Its items are tuples ({'@': context, $var: binding}) of a path with focus or index bindings. */
  tupleStream?: boolean;
  /** Built by an array constructor `[...]`: not flattened into the sequence around it. */
  cons?: boolean;
  /** The input array wrapped as one item, so `$` is the whole array. */
  outerWrapper?: boolean;
}

/** One tuple of a tuple stream: the context `@` and the step's bindings. */
export type Tuple = Record<string, unknown> & { '@'?: unknown };

/** A jsonata error (thrown as a plain object, as jsonata does), with the fields its messages name. */
export interface JsonataError {
  code: string;
  message?: string;
  stack?: string | undefined;
  position?: number | undefined;
  token?: unknown;
  value?: unknown;
  value2?: unknown;
  index?: number;
  type?: string | undefined;
  offset?: number;
  error?: unknown;
  [field: string]: unknown;
}

/** A parsed signature (`<s-nn?:s>`): validates and fixes up a call's arguments. */
export interface Signature {
  definition: string;
  validate(args: readonly unknown[], context: unknown): unknown[];
}

/** One match of a regex, as jsonata's matchers answer it: the text, where, its groups and the next match. */
export interface RegexMatch {
  match: string;
  start: number;
  end: number;
  groups: string[];
  next: Matcher;
}

/** A compiled regex (or a custom matcher function): the first match in the string, then `next()` for more. */
export type Matcher = (str?: string) => RegexMatch | undefined;

/** The `?` placeholder of a partial application, as an argument. */
export interface Placeholder {
  type: 'operator';
  value: '?';
}

/** Where a node sits in the text (jsonata's tokens carry it). */
interface Located {
  position?: number;
}

/** A predicate or `[]`-stage of a step. */
export interface FilterStage {
  type: 'filter';
  expr: AstNode;
  position?: number;
}

/** A `#$i` stage: binds the position in the tuple stream. */
export interface IndexStage {
  type: 'index';
  value: string;
  position?: number;
}

export type Stage = FilterStage | IndexStage;

/** A group `{key: value, ...}` after a step or path: the key/value pairs. */
export interface GroupSpec {
  lhs: [AstNode, AstNode][];
  position?: number;
}

/** A `^(...)` term: an expression and whether it sorts descending. */
export interface SortTerm {
  descending: boolean;
  expression: AstNode;
}

/** The slot of a `%` (parent) reference, filled by the parser. */
export interface Slot {
  label: string;
  level: number;
  index: number;
}

/** The fields a step of a path may carry (the parser puts them on any node it makes a step). */
interface StepFields extends Located {
  predicate?: FilterStage[];
  stages?: Stage[];
  group?: GroupSpec;
  focus?: string;
  index?: string;
  tuple?: boolean;
  ancestor?: Slot;
  consarray?: boolean;
  keepArray?: boolean;
  /** A built-in's name the expression never rebinds (see resolveBuiltins). */
  builtin?: unknown;
}

export interface PathNode extends StepFields {
  type: 'path';
  steps: AstNode[];
  keepSingletonArray?: boolean;
  seekingParent?: Slot[];
}
export interface BinaryNode extends StepFields {
  type: 'binary';
  value: string;
  lhs: AstNode;
  /** An object constructor `{...}` has its pairs here. */
  rhs: AstNode;
}
/** `{...}` as a unary node: the pairs; `[...]` the items; `-` the operand. */
export interface UnaryNode extends StepFields {
  type: 'unary';
  value: string;
  expression?: AstNode;
  expressions?: AstNode[];
  lhs?: [AstNode, AstNode][];
}
export interface NameNode extends StepFields {
  type: 'name';
  value: string;
}
export interface StringNode extends StepFields {
  type: 'string';
  value: string;
}
export interface NumberNode extends StepFields {
  type: 'number';
  value: number;
}
/** `true`, `false`, `null`. */
export interface ValueNode extends StepFields {
  type: 'value';
  value: boolean | null;
}
export interface WildcardNode extends StepFields {
  type: 'wildcard';
  value?: string;
}
export interface DescendantNode extends StepFields {
  type: 'descendant';
  value?: string;
}
export interface ParentNode extends StepFields {
  type: 'parent';
  slot: Slot;
}
export interface ConditionNode extends StepFields {
  type: 'condition';
  condition: AstNode;
  then: AstNode;
  else?: AstNode;
}
export interface BlockNode extends StepFields {
  type: 'block';
  expressions: AstNode[];
}
export interface BindNode extends StepFields {
  type: 'bind';
  value: string;
  lhs: VariableNode;
  rhs: AstNode;
}
export interface RegexNode extends StepFields {
  type: 'regex';
  value: RegExp;
}
export interface FunctionNode extends StepFields {
  type: 'function';
  value: string;
  procedure: AstNode;
  arguments: AstNode[];
}
export interface PartialNode extends StepFields {
  type: 'partial';
  value: string;
  procedure: AstNode;
  arguments: (AstNode | OperatorNode)[];
}
export interface VariableNode extends StepFields {
  type: 'variable';
  value: string;
}
export interface LambdaNode extends StepFields {
  type: 'lambda';
  arguments: VariableNode[];
  signature?: Signature;
  /** A partial application of a native function puts the function itself here. */
  body: AstNode | NativeFunction;
  thunk?: boolean;
}
export interface ApplyNode extends StepFields {
  type: 'apply';
  value: string;
  lhs: AstNode;
  rhs: AstNode;
}
export interface TransformNode extends StepFields {
  type: 'transform';
  pattern: AstNode;
  update: AstNode;
  delete?: AstNode;
}
export interface SortNode extends StepFields {
  type: 'sort';
  terms: SortTerm[];
}
/** The `?` of a partial application (never evaluated, only seen). */
export interface OperatorNode extends StepFields {
  type: 'operator';
  value: string;
}

/** A node of jsonata 2.2.2's AST, by `type` (index.ts declines a tree with any other). */
export type AstNode =
  | PathNode
  | BinaryNode
  | UnaryNode
  | NameNode
  | StringNode
  | NumberNode
  | ValueNode
  | WildcardNode
  | DescendantNode
  | ParentNode
  | ConditionNode
  | BlockNode
  | BindNode
  | RegexNode
  | FunctionNode
  | PartialNode
  | VariableNode
  | LambdaNode
  | ApplyNode
  | TransformNode
  | SortNode
  | OperatorNode;

/** The root of a parsed expression: a node, with the parse errors `recover` kept. */
export type RootNode = AstNode & { errors?: unknown[] };

/** PLAIN: the fast closures; INSTRUMENTED: jsonata's guards and debugger hooks on every node. */
export type Mode = 0 | 1;

/** Options of an expression (jsonata's own, plus the RegexEngine a caller may swap in). */
export interface SyncOptions {
  /** jsonata's evaluation guard: maximum evaluation depth (D1011). */
  stack?: number;
  /** jsonata's evaluation guard: milliseconds before D1012. */
  timeout?: number;
  /** jsonata's maximum sequence length (D2015). */
  sequence?: number;
  /** Parse text with jsonata's error recovery (the errors are then thrown on evaluation). */
  recover?: boolean;
  RegexEngine?: RegExpConstructor;
}

/** Makes an evaluation's sequences: empty, or of the one item given. */
export type CreateSequence = (...item: [] | [unknown]) => Sequence;

/** The `this` a built-in function is called with (jsonata's "focus"). */
export interface Focus {
  environment?: Frame;
  input?: unknown;
  options?: SyncOptions | undefined;
  createSequence: CreateSequence;
}

/** A variable scope: its bindings, and the scopes it sits in up to the one of the evaluation (`base`). */
export interface Frame {
  bindings: Map<string | symbol, unknown>;
  enclosing: Frame | null;
  timestamp: Date | null;
  async: boolean;
  isParallelCall: boolean;
  global: { ancestry: unknown[] };
  /** The frame of the evaluation; undefined on the static frame and an expression's own. */
  base: EvaluationFrame | undefined;
  bind(name: string | symbol, value: unknown): void;
  lookup(name: string | symbol): unknown;
}

/** The frame one evaluate() call makes: what every node of that evaluation reads from `base`. */
export interface EvaluationFrame extends Frame {
  base: EvaluationFrame;
  shadowsBuiltin: boolean;
  options: SyncOptions | undefined;
  createSequence: CreateSequence;
  guardrails(): void;
  depth: number;
  mode: Mode;
  /** The `this` of the built-ins the evaluator calls itself ($lookup, $append). */
  focus: Focus;
  RegexEngine: RegExpConstructor;
}

/**
 * A frame the evaluator runs in: an evaluation's, or one inside it. Only the static frame and an expression's
 * own frame have no `base`, and nothing is evaluated in those.
 */
export type Environment = Frame & { base: EvaluationFrame };

/** The closure a node compiles to. */
export type Evaluator = (input: unknown, environment: Environment) => unknown;

/** A native implementation: jsonata calls it with the focus as `this`. */
export type NativeFunction = (this: Focus, ...args: never[]) => unknown;

/** A built-in (or registered) function: `$string`, `$now`, ... */
export interface JsonataFunction {
  _jsonata_function: true;
  implementation: NativeFunction;
  signature?: Signature;
  token?: unknown;
  position?: number | undefined;
}

/** A lambda value: the closure of `function($x) {...}` over the frame it was made in. */
export interface Lambda {
  _jsonata_lambda: true;
  input: unknown;
  environment: Environment;
  arguments: VariableNode[];
  signature?: Signature | undefined;
  body: AstNode | NativeFunction;
  thunk?: boolean;
  apply?: (self: { environment?: Frame } | null | undefined, args: unknown[]) => unknown;
  token?: unknown;
  position?: number | undefined;
}

/** A JavaScript function given by a binding (a plugin function), maybe with the arity jsonata reads. */
export type PlainFunction = ((...args: unknown[]) => unknown) & { arity?: number };

/** Anything `$f(...)` may call. */
export type Callable = JsonataFunction | Lambda | PlainFunction;
