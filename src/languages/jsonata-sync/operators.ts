/**
 * Operators: the binary ones (numeric, equality, comparison, `and`/`or`, `&`, `in`, `..`) chosen when
 * compiled, and the unary ones (negation, the array and object constructors).
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

import { compile, INSTRUMENTED } from './compile.js';
import { append } from './functions/array.js';
import { boolean } from './functions/boolean.js';
import { string } from './functions/string.js';
import { compileGroupExpression } from './group.js';
import type {
  AstNode,
  BinaryNode,
  Environment,
  Evaluator,
  GroupSpec,
  JsonataError,
  Mode,
  Sequence,
  UnaryNode,
} from './types.js';
import { isDeepEqual, isNumeric } from './values.js';

/**
 * Binary expression: the operator chosen at compile time
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @returns {Function} evaluator
 */
export function compileBinary(expr: BinaryNode, mode: Mode): Evaluator {
  const lhs = compile(expr.lhs, mode);
  const rhs = compile(expr.rhs, mode);
  const op = expr.value;
  const position = expr.position;

  // (what an operator throws is jsonata's error object, or a JavaScript error: both take the fields)
  function located(err: unknown): JsonataError {
    (err as JsonataError).position = position;
    (err as JsonataError).token = op;
    return err as JsonataError;
  }

  if (op === 'and' || op === 'or') {
    const isAnd = op === 'and';
    // the right side only when needed
    return function (input, environment) {
      const left = lhs(input, environment);
      try {
        const lBool = boolize(left);
        if (isAnd) {
          return lBool && boolize(rhs(input, environment));
        }
        return lBool || boolize(rhs(input, environment));
      } catch (err) {
        throw located(err);
      }
    };
  }

  let combine: (l: unknown, r: unknown) => unknown;
  switch (op) {
    case '+':
      combine = function (l, r) {
        return evaluateNumericExpression(l, r, '+');
      };
      break;
    case '-':
    case '*':
    case '/':
    case '%':
      combine = function (l, r) {
        return evaluateNumericExpression(l, r, op);
      };
      break;
    case '=':
    case '!=':
      combine = function (l, r) {
        return evaluateEqualityExpression(l, r, op);
      };
      break;
    case '<':
    case '<=':
    case '>':
    case '>=':
      combine = function (l, r) {
        return evaluateComparisonExpression(l, r, op);
      };
      break;
    case '&':
      combine = evaluateStringConcat;
      break;
    case 'in':
      combine = evaluateIncludesExpression;
      break;
    case '..':
      return function (input, environment) {
        const left = lhs(input, environment);
        const right = rhs(input, environment);
        try {
          return evaluateRangeExpression(left, right, environment);
        } catch (err) {
          throw located(err);
        }
      };
    default:
      combine = function () {
        return undefined;
      };
  }
  return function (input, environment) {
    const left = lhs(input, environment);
    const right = rhs(input, environment);
    try {
      return combine(left, right);
    } catch (err) {
      throw located(err);
    }
  };
}

/**
 * Unary expression: negation, array constructor, object constructor
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @returns {Function} evaluator
 */
export function compileUnary(expr: UnaryNode, mode: Mode): Evaluator {
  switch (expr.value) {
    case '-': {
      // (a negation has its operand)
      const operand = compile(expr.expression as AstNode, mode);
      return function (input, environment) {
        const result = operand(input, environment);
        if (typeof result === 'undefined') {
          return undefined;
        } else if (isNumeric(result)) {
          return -result;
        }
        throw {
          code: 'D1002',
          stack: new Error().stack,
          position: expr.position,
          token: expr.value,
          value: result,
        } as JsonataError;
      };
    }
    case '[': {
      // (an array constructor has its items)
      const expressions = expr.expressions as AstNode[];
      const items = expressions.map(function (item) {
        return compile(item, mode);
      });
      const nested = expressions.map(function (item) {
        return (item as { value?: unknown }).value === '[';
      });
      const consarray = expr.consarray;
      const instrumented = mode === INSTRUMENTED;
      return function (input, environment) {
        // array constructor - evaluate each item, then gather them
        const values = new Array<unknown>(items.length);
        for (let idx = 0; idx < items.length; idx++) {
          if (instrumented) {
            environment.isParallelCall = idx > 0;
          }
          values[idx] = (items[idx] as Evaluator)(input, environment);
        }
        let result: unknown[] = [];
        for (let idx = 0; idx < values.length; idx++) {
          const value = values[idx];
          if (typeof value !== 'undefined') {
            if (nested[idx]) {
              result.push(value);
            } else {
              // (an array and a defined value: an array)
              result = append.call(environment.base.focus, result, value) as unknown[];
            }
          }
        }
        if (consarray) {
          Object.defineProperty(result, 'cons', {
            enumerable: false,
            configurable: false,
            value: true,
          });
        }
        return result;
      };
    }
    case '{':
      // object constructor - apply grouping (the node holds the pairs)
      return compileGroupExpression(expr as GroupSpec, mode);
    default:
      return function () {
        return undefined;
      };
  }
}

function boolize(value: unknown): boolean {
  const booledValue = boolean(value);
  return typeof booledValue === 'undefined' ? false : booledValue;
}

/**
 * Evaluate numeric expression against input data
 * @param {Object} lhs - LHS value
 * @param {Object} rhs - RHS value
 * @param {Object} op - opcode
 * @returns {*} Result
 */
function evaluateNumericExpression(lhs: unknown, rhs: unknown, op: string): number | undefined {
  let result: number | undefined;

  if (typeof lhs !== 'undefined' && !isNumeric(lhs)) {
    throw {
      code: 'T2001',
      stack: new Error().stack,
      value: lhs,
    } as JsonataError;
  }
  if (typeof rhs !== 'undefined' && !isNumeric(rhs)) {
    throw {
      code: 'T2002',
      stack: new Error().stack,
      value: rhs,
    } as JsonataError;
  }

  if (typeof lhs === 'undefined' || typeof rhs === 'undefined') {
    // if either side is undefined, the result is undefined
    return result;
  }

  switch (op) {
    case '+':
      result = lhs + rhs;
      break;
    case '-':
      result = lhs - rhs;
      break;
    case '*':
      result = lhs * rhs;
      break;
    case '/':
      result = lhs / rhs;
      break;
    case '%':
      result = lhs % rhs;
      break;
  }
  return result;
}

/**
 * Evaluate equality expression against input data
 * @param {Object} lhs - LHS value
 * @param {Object} rhs - RHS value
 * @param {Object} op - opcode
 * @returns {*} Result
 */
function evaluateEqualityExpression(lhs: unknown, rhs: unknown, op: string): boolean | undefined {
  let result: boolean | undefined;

  // type checks
  const ltype = typeof lhs;
  const rtype = typeof rhs;

  if (ltype === 'undefined' || rtype === 'undefined') {
    // if either side is undefined, the result is false
    return false;
  }

  switch (op) {
    case '=':
      result = isDeepEqual(lhs, rhs);
      break;
    case '!=':
      result = !isDeepEqual(lhs, rhs);
      break;
  }
  return result;
}

/**
 * Evaluate comparison expression against input data
 * @param {Object} lhs - LHS value
 * @param {Object} rhs - RHS value
 * @param {Object} op - opcode
 * @returns {*} Result
 */
function evaluateComparisonExpression(lhs: unknown, rhs: unknown, op: string): boolean | undefined {
  let result: boolean | undefined;

  // type checks
  const ltype = typeof lhs;
  const rtype = typeof rhs;

  const lcomparable = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
  const rcomparable = rtype === 'undefined' || rtype === 'string' || rtype === 'number';

  // if either aa or bb are not comparable (string or numeric) values, then throw an error
  if (!lcomparable || !rcomparable) {
    throw {
      code: 'T2010',
      stack: new Error().stack,
      value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs,
    } as JsonataError;
  }

  // if either side is undefined, the result is undefined
  if (ltype === 'undefined' || rtype === 'undefined') {
    return undefined;
  }

  //if aa and bb are not of the same type
  if (ltype !== rtype) {
    throw {
      code: 'T2009',
      stack: new Error().stack,
      value: lhs,
      value2: rhs,
    } as JsonataError;
  }

  // (both numbers or both strings, checked above: the operators compare either)
  switch (op) {
    case '<':
      result = (lhs as number) < (rhs as number);
      break;
    case '<=':
      result = (lhs as number) <= (rhs as number);
      break;
    case '>':
      result = (lhs as number) > (rhs as number);
      break;
    case '>=':
      result = (lhs as number) >= (rhs as number);
      break;
  }
  return result;
}

/**
 * Inclusion operator - in
 *
 * @param {Object} lhs - LHS value
 * @param {Object} rhs - RHS value
 * @returns {boolean} - true if lhs is a member of rhs
 */
function evaluateIncludesExpression(lhs: unknown, rhs: unknown): boolean {
  let result = false;

  if (typeof lhs === 'undefined' || typeof rhs === 'undefined') {
    // if either side is undefined, the result is false
    return false;
  }

  const members: unknown[] = Array.isArray(rhs) ? rhs : [rhs];

  for (let i = 0; i < members.length; i++) {
    if (members[i] === lhs) {
      result = true;
      break;
    }
  }

  return result;
}

/**
 * Evaluate string concatenation against input data
 * @param {Object} lhs - LHS value
 * @param {Object} rhs - RHS value
 * @returns {string|*} Concatenated string
 */
function evaluateStringConcat(lhs: unknown, rhs: unknown): string {
  let lstr = '';
  let rstr = '';
  // (the text of a defined value)
  if (typeof lhs !== 'undefined') {
    lstr = string(lhs) as string;
  }
  if (typeof rhs !== 'undefined') {
    rstr = string(rhs) as string;
  }

  const result = lstr.concat(rstr);
  return result;
}

/**
 * Evaluate range expression against input data
 * @param {Object} lhs - LHS value
 * @param {Object} rhs - RHS value
 * @returns {Array} Resultant array
 */
function evaluateRangeExpression(
  lhs: unknown,
  rhs: unknown,
  environment: Environment,
): Sequence<number> | undefined {
  if (typeof lhs !== 'undefined' && !Number.isInteger(lhs)) {
    throw {
      code: 'T2003',
      stack: new Error().stack,
      value: lhs,
    } as JsonataError;
  }
  if (typeof rhs !== 'undefined' && !Number.isInteger(rhs)) {
    throw {
      code: 'T2004',
      stack: new Error().stack,
      value: rhs,
    } as JsonataError;
  }

  if (typeof lhs === 'undefined' || typeof rhs === 'undefined') {
    // if either side is undefined, the result is undefined
    return undefined;
  }
  // (integers, checked above)
  const from = lhs as number;
  const to = rhs as number;

  if (from > to) {
    // if the lhs is greater than the rhs, return undefined
    return undefined;
  }

  // limit the size of the array to ten million entries (1e7)
  // this is an implementation defined limit to protect against
  // memory and performance issues.  This value may increase in the future.
  const size = to - from + 1;
  if (size > 1e7) {
    throw {
      code: 'D2014',
      stack: new Error().stack,
      value: size,
    } as JsonataError;
  }
  // (no maximum set: the comparison with undefined is false, as in jsonata)
  if (environment.base.options && size > (environment.base.options.sequence as number)) {
    throw {
      code: 'D2015',
      stack: new Error().stack,
      value: size,
    } as JsonataError;
  }

  const result: Sequence<number> = new Array<number>(size);
  for (let item = from, index = 0; item <= to; item++, index++) {
    result[index] = item;
  }
  result.sequence = true;
  return result;
}
