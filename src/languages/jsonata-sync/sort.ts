/**
 * The order-by step `^(...)`: a stable merge sort by its terms, on the step's sequence or tuples.
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

import { compile } from './compile.js';
import { createFrameFromTuple } from './frame.js';
import { sort } from './functions/array.js';
import type { Environment, Evaluator, JsonataError, Mode, Sequence, SortNode, Tuple } from './types.js';

/** A sort step: its input (a sequence, or the tuples of a tuple stream) in order. */
export type SortRun = (input: Sequence, environment: Environment) => Sequence;

/**
 * sort / order-by operator
 * @param {Object} expr - AST for operator
 * @param {number} mode - compilation mode
 * @returns {Function} (input, environment) => ordered sequence
 */
export function compileSortExpression(expr: SortNode, mode: Mode): SortRun {
  const terms = expr.terms.map(function (term) {
    return { run: compile(term.expression, mode), descending: term.descending === true };
  });
  return function (input, environment) {
    // evaluate the lhs, then sort the results in order according to rhs expression
    const lhs = input;
    const isTupleSort = input.tupleStream ? true : false;

    // sort the lhs array
    // use comparator function
    const comparator = function (a: unknown, b: unknown): boolean {
      // expr.terms is an array of order-by in priority order
      let comp = 0;
      for (let index = 0; comp === 0 && index < terms.length; index++) {
        const term = terms[index] as { run: Evaluator; descending: boolean };
        //evaluate the sort term in the context of a
        let context = a;
        let env = environment;
        if (isTupleSort) {
          context = (a as Tuple)['@'];
          env = createFrameFromTuple(environment, a as Tuple);
        }
        const aa = term.run(context, env);
        //evaluate the sort term in the context of b
        context = b;
        env = environment;
        if (isTupleSort) {
          context = (b as Tuple)['@'];
          env = createFrameFromTuple(environment, b as Tuple);
        }
        const bb = term.run(context, env);

        // type checks
        const atype = typeof aa;
        const btype = typeof bb;
        // undefined should be last in sort order
        if (atype === 'undefined') {
          // swap them, unless btype is also undefined
          comp = btype === 'undefined' ? 0 : 1;
          continue;
        }
        if (btype === 'undefined') {
          comp = -1;
          continue;
        }

        // if aa or bb are not string or numeric values, then throw an error
        if (!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
          throw {
            code: 'T2008',
            stack: new Error().stack,
            position: expr.position,
            value: !(atype === 'string' || atype === 'number') ? aa : bb,
          } as JsonataError;
        }

        //if aa and bb are not of the same type
        if (atype !== btype) {
          throw {
            code: 'T2007',
            stack: new Error().stack,
            position: expr.position,
            value: aa,
            value2: bb,
          } as JsonataError;
        }
        if (aa === bb) {
          // both the same - move on to next term
          continue;
        } else if ((aa as number) < (bb as number)) {
          // (both numbers or both strings, checked above: `<` orders either)
          comp = -1;
        } else {
          comp = 1;
        }
        if (term.descending === true) {
          comp = -comp;
        }
      }
      // only swap a & b if comp equals 1
      return comp === 1;
    };

    // (jsonata calls $sort with a focus of the environment and input, which $sort never reads)
    // a defined array gives an array
    return sort(lhs, comparator) as Sequence;
  };
}
