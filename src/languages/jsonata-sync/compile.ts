/**
 * Compiling the AST: the memo of each node's closure per mode, and the sequence rules every node's result
 * goes through.
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
 * © Copyright IBM Corp. 2016, 2017 All Rights Reserved
 *   Project name: JSONata
 *   This project is licensed under the MIT License, see LICENSE
 */

import type { AstNode, Environment, Evaluator, Mode } from './types.js';
import { isSequence } from './values.js';

/*
 * The evaluator, compiled. jsonata walks the AST on every evaluation (evaluate(expr, input, environment)
 * switches on expr.type per node); here every node is turned once into a closure
 * `(input, environment) => result` that holds its children's closures, with the operator, the step kinds
 * and the node's flags decided at compile time. Each closure does what jsonata's evaluate does for its
 * node, in the same order, so results and errors are jsonata's.
 *
 * Two compilations exist per node: a plain one, and an instrumented one that also does what jsonata does
 * on every node for its guard rails and hooks (the depth count and timeout of the `stack` and `timeout`
 * options, the `__evaluate_entry` / `__evaluate_exit` callbacks, `isParallelCall`). An evaluation uses the
 * instrumented one only when one of those is set, so a plain evaluation pays for none of them.
 */
export const PLAIN = 0;
export const INSTRUMENTED = 1;
export const ENTRY = Symbol.for('jsonata.__evaluate_entry');
export const EXIT = Symbol.for('jsonata.__evaluate_exit');
export const FRAME_PUSH = Symbol.for('jsonata.__createFrame_push');

/** jsonata's debugger hooks, as an expression's assign() binds them (looked up when instrumented). */
export type EntryHook = (expr: AstNode, input: unknown, environment: Environment) => void;
export type ExitHook = (expr: AstNode, input: unknown, environment: Environment, result: unknown) => void;

// called only as hasOwn.call(object, key), which gives it the object to test as `this`
// eslint-disable-next-line @typescript-eslint/unbound-method
export const hasOwn = Object.prototype.hasOwnProperty;

const compiledNodes: readonly [WeakMap<AstNode, Evaluator>, WeakMap<AstNode, Evaluator>] = [
  new WeakMap(),
  new WeakMap(),
];

/*
 * The compiler of one node (node.ts), handed in by expression.ts when it loads. The node compilers of every
 * kind compile their children through compile() below, and node.ts imports them all: a plain import of
 * node.ts here would close that circle. It is called only when a node is compiled, never per evaluation.
 */
let compileNode: (expr: AstNode, mode: Mode) => Evaluator = function () {
  throw new Error('jsonata-sync: no node compiler is set (expression.ts sets it when it loads)');
};

export function setNodeCompiler(compiler: (expr: AstNode, mode: Mode) => Evaluator): void {
  compileNode = compiler;
}

/**
 * Evaluate expression against input data (the compiled closure of the node, compiled on first use)
 * @param {Object} expr - JSONata expression
 * @param {Object} input - Input data to evaluate against
 * @param {Object} environment - Environment
 * @returns {*} Evaluated input data
 */
export function evaluate(expr: AstNode, input: unknown, environment: Environment): unknown {
  return compile(expr, environment.base.mode)(input, environment);
}

/**
 * The closure evaluating a node (memoised per node and mode).
 * @param {Object} expr - JSONata expression
 * @param {number} mode - PLAIN or INSTRUMENTED
 * @returns {Function} (input, environment) => result
 */
export function compile(expr: AstNode, mode: Mode): Evaluator {
  const memo = compiledNodes[mode];
  let run = memo.get(expr);
  if (run === undefined) {
    run = compileNode(expr, mode);
    memo.set(expr, run);
  }
  return run;
}

// a sequence of none is undefined, a sequence of one its item (unless kept as an array)
export function normalise(result: unknown, keepArray: boolean | undefined): unknown {
  if (result && isSequence(result) && !result.tupleStream) {
    if (keepArray) {
      result.keepSingleton = true;
    }
    if (result.length === 0) {
      result = undefined;
    } else if (result.length === 1) {
      result = result.keepSingleton ? result : result[0];
    }
  }
  return result;
}

// a step with nothing on it but its name: no predicate, stage, group, focus, index, tuple, keep-array
export function plainStep(step: AstNode): boolean {
  // own keys only: the parser's nodes inherit its token fields (id, lbp, nud)
  const keys = Object.keys(step);
  for (let ii = 0; ii < keys.length; ii++) {
    const key = keys[ii];
    if (key !== 'type' && key !== 'value' && key !== 'position') {
      return false;
    }
  }
  return true;
}
