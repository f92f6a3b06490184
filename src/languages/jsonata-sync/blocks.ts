/**
 * Blocks, bindings, conditions, variables and regexes: the nodes that scope, bind, choose and look up.
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

import { builtinReferences, staticFrame } from './builtins.js';
import { compile } from './compile.js';
import { createFrame } from './frame.js';
import { boolean } from './functions/boolean.js';
import type {
  BindNode,
  BlockNode,
  ConditionNode,
  Environment,
  Evaluator,
  JsonataError,
  Matcher,
  Mode,
  RegexMatch,
  RegexNode,
  Sequence,
  VariableNode,
} from './types.js';

export function compileBind(expr: BindNode, mode: Mode): Evaluator {
  // The RHS is the expression to evaluate
  // The LHS is the name of the variable to bind to - should be a VARIABLE token (enforced by parser)
  const rhs = compile(expr.rhs, mode);
  const name = expr.lhs.value;
  return function (input, environment) {
    const value = rhs(input, environment);
    environment.bind(name, value);
    return value;
  };
}

export function compileCondition(expr: ConditionNode, mode: Mode): Evaluator {
  const condition = compile(expr.condition, mode);
  const then = compile(expr.then, mode);
  const otherwise = typeof expr.else !== 'undefined' ? compile(expr.else, mode) : null;
  return function (input, environment) {
    if (boolean(condition(input, environment))) {
      return then(input, environment);
    } else if (otherwise !== null) {
      return otherwise(input, environment);
    }
    return undefined;
  };
}

export function compileBlock(expr: BlockNode, mode: Mode): Evaluator {
  const expressions = expr.expressions.map(function (expression) {
    return compile(expression, mode);
  });
  return function (input, environment) {
    let result: unknown;
    // create a new frame to limit the scope of variable assignments
    const frame = createFrame(environment);
    // invoke each expression in turn
    // only return the result of the last one
    for (let ii = 0; ii < expressions.length; ii++) {
      result = (expressions[ii] as Evaluator)(input, frame);
    }
    return result;
  };
}

/**
 * Prepare a regex
 * @param {Object} expr - expression containing regex
 * @returns {Function} Higher order function representing prepared regex
 */
export function evaluateRegex(expr: RegexNode, input: unknown, environment: Environment): Matcher {
  const re = new environment.base.RegexEngine(expr.value);
  // (the functions that run a matcher always give it their string)
  const closure = function (str?: string, fromIndex?: number): RegexMatch | undefined {
    let result: RegexMatch | undefined;
    re.lastIndex = fromIndex || 0;
    const match = re.exec(str as string);
    if (match !== null) {
      // `next` is added below, as jsonata does
      result = {
        match: match[0],
        start: match.index,
        end: match.index + match[0].length,
        groups: [] as string[],
      } as RegexMatch;
      if (match.length > 1) {
        for (let i = 1; i < match.length; i++) {
          // (an unmatched group is undefined, passed on as it is)
          result.groups.push(match[i] as string);
        }
      }
      result.next = function () {
        if (re.lastIndex >= (str as string).length) {
          return undefined;
        } else {
          const next = closure(str, re.lastIndex);
          if (next && next.match === '') {
            // matches zero length string; this will never progress
            throw {
              code: 'D1004',
              stack: new Error().stack,
              position: expr.position,
              value: expr.value.source,
            } as JsonataError;
          }
          return next;
        }
      };
    }

    return result;
  };
  return closure;
}

/**
 * Variable: the context for `$`, else the innermost binding. A built-in function's name that nothing in
 * the expression rebinds is the built-in itself, unless this evaluation's bindings shadow it.
 * @param {Object} expr - JSONata expression
 * @returns {Function} evaluator
 */
export function compileVariable(expr: VariableNode): Evaluator {
  const name = expr.value;
  // if the variable name is empty string, then it refers to context value
  if (name === '') {
    return function (input) {
      return input && (input as Sequence).outerWrapper ? (input as Sequence)[0] : input;
    };
  }
  if (builtinReferences.has(expr)) {
    const builtin = staticFrame.lookup(name);
    return function (input, environment) {
      return environment.base.shadowsBuiltin ? environment.lookup(name) : builtin;
    };
  }
  return function (input, environment) {
    return environment.lookup(name);
  };
}
