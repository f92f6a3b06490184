/**
 * One node compiled: its own evaluation by kind, then its predicates and group, then the sequence rules.
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

import { compileBind, compileBlock, compileCondition, compileVariable, evaluateRegex } from './blocks.js';
import { ENTRY, EXIT, hasOwn, INSTRUMENTED, normalise, type EntryHook, type ExitHook } from './compile.js';
import { compileGroupExpression } from './group.js';
import {
  compileApplyExpression,
  compileFunction,
  compileLambda,
  compilePartialApplication,
} from './lambda.js';
import { compileBinary, compileUnary } from './operators.js';
import { compileFilter, compileName, compilePath, evaluateDescendants, evaluateWildcard } from './path.js';
import { compileTransformExpression } from './transform.js';
import type {
  AstNode,
  Evaluator,
  FilterStage,
  GroupSpec,
  Mode,
  NumberNode,
  Sequence,
  StringNode,
  ValueNode,
} from './types.js';

// jsonata's evaluate(): the node's own evaluation, then its predicates and group, then the sequence rules
export function compileNode(expr: AstNode, mode: Mode): Evaluator {
  const body = compileBody(expr, mode);
  let predicates: Evaluator[] | null = null;
  if (hasOwn.call(expr, 'predicate')) {
    // (an own key: the parser's array of filters)
    predicates = (expr.predicate as FilterStage[]).map(function (predicate) {
      return compileFilter(predicate.expr, mode);
    });
  }
  let group: Evaluator | null = null;
  if (expr.type !== 'path' && hasOwn.call(expr, 'group')) {
    group = compileGroupExpression(expr.group as GroupSpec, mode);
  }
  const keepArray = expr.keepArray;

  if (mode === INSTRUMENTED) {
    return function (input, environment) {
      let result: unknown;
      environment.base.depth++;
      environment.base.guardrails();
      const entryCallback = environment.lookup(ENTRY);
      if (entryCallback) {
        (entryCallback as EntryHook)(expr, input, environment);
      }
      result = body(input, environment);
      if (predicates !== null) {
        for (let ii = 0; ii < predicates.length; ii++) {
          result = (predicates[ii] as Evaluator)(result, environment);
        }
      }
      if (group !== null) {
        result = group(result, environment);
      }
      const exitCallback = environment.lookup(EXIT);
      if (exitCallback) {
        (exitCallback as ExitHook)(expr, input, environment, result);
      }
      result = normalise(result, keepArray);
      environment.base.depth--;
      return result;
    };
  }

  // literals: nothing to normalise
  if (
    (expr.type === 'string' || expr.type === 'number' || expr.type === 'value') &&
    predicates === null &&
    group === null
  ) {
    return body;
  }
  if (predicates === null && group === null) {
    return function (input, environment) {
      const result = body(input, environment);
      if (
        result &&
        (result as Sequence).sequence === true &&
        !(result as Sequence).tupleStream &&
        Array.isArray(result)
      ) {
        return normalise(result, keepArray);
      }
      return result;
    };
  }
  return function (input, environment) {
    let result = body(input, environment);
    if (predicates !== null) {
      for (let ii = 0; ii < predicates.length; ii++) {
        result = (predicates[ii] as Evaluator)(result, environment);
      }
    }
    if (group !== null) {
      result = group(result, environment);
    }
    return normalise(result, keepArray);
  };
}

function compileBody(expr: AstNode, mode: Mode): Evaluator {
  switch (expr.type) {
    case 'path':
      return compilePath(expr, mode);
    case 'binary':
      return compileBinary(expr, mode);
    case 'unary':
      return compileUnary(expr, mode);
    case 'name':
      return compileName(expr);
    case 'string':
    case 'number':
    case 'value':
      return compileLiteral(expr);
    case 'wildcard':
      return evaluateWildcard;
    case 'descendant':
      return evaluateDescendants;
    case 'parent': {
      const label = expr.slot.label;
      return function (input, environment) {
        return environment.lookup(label);
      };
    }
    case 'condition':
      return compileCondition(expr, mode);
    case 'block':
      return compileBlock(expr, mode);
    case 'bind':
      return compileBind(expr, mode);
    case 'regex':
      return function (input, environment) {
        return evaluateRegex(expr, input, environment);
      };
    case 'function': {
      const call = compileFunction(expr, mode);
      return function (input, environment) {
        return call(input, environment, undefined);
      };
    }
    case 'variable':
      return compileVariable(expr);
    case 'lambda':
      return compileLambda(expr, mode);
    case 'partial':
      return compilePartialApplication(expr, mode);
    case 'apply':
      return compileApplyExpression(expr, mode);
    case 'transform':
      return compileTransformExpression(expr, mode);
    default:
      return function () {
        return undefined;
      };
  }
}

function compileLiteral(expr: StringNode | NumberNode | ValueNode): Evaluator {
  const value = expr.value;
  return function () {
    return value;
  };
}
