/**
 * The transform `| pattern | update, delete |`: a function that clones its argument and changes the copy.
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

import { apply } from './apply.js';
import { defineFunction } from './builtins.js';
import { compile } from './compile.js';
import type { AstNode, Evaluator, Fields, JsonataError, Mode, TransformNode } from './types.js';
import { isArrayOfStrings, isFunction, keys } from './values.js';

/**
 * create a transformer function
 * @param {Object} expr - AST for operator
 * @param {number} mode - compilation mode
 * @returns {Function} (input, environment) => transformer function
 */
export function compileTransformExpression(expr: TransformNode, mode: Mode): Evaluator {
  const pattern = compile(expr.pattern, mode);
  const update = compile(expr.update, mode);
  const deletion = typeof expr.delete !== 'undefined' ? compile(expr.delete, mode) : null;
  return function (input, environment) {
    // create a function to implement the transform definition
    const transformer = function (obj: unknown): unknown {
      // signature <(oa):o>
      // undefined inputs always return undefined
      if (typeof obj === 'undefined') {
        return undefined;
      }

      // this function returns a copy of obj with changes specified by the pattern/operation
      const cloneFunction = environment.lookup('clone');
      if (!isFunction(cloneFunction)) {
        // throw type error
        throw {
          code: 'T2013',
          stack: new Error().stack,
          position: expr.position,
        } as JsonataError;
      }
      const result = apply(cloneFunction, [obj], null, environment);
      let matches = pattern(result, environment);
      if (typeof matches !== 'undefined') {
        if (!Array.isArray(matches)) {
          matches = [matches];
        }
        const matched = matches as unknown[];
        for (let ii = 0; ii < matched.length; ii++) {
          // (the fields are set and deleted as jsonata does: on anything but an object that throws)
          const match = matched[ii] as Fields;
          // evaluate the update value for each match
          const updated = update(match, environment);
          // update must be an object
          const updateType = typeof updated;
          if (updateType !== 'undefined') {
            if (updateType !== 'object' || updated === null || Array.isArray(updated)) {
              // throw type error
              throw {
                code: 'T2011',
                stack: new Error().stack,
                position: expr.update.position,
                value: updated,
              } as JsonataError;
            }
            // merge the update
            for (const prop of keys(updated)) {
              match[prop] = (updated as Fields)[prop];
            }
          }

          // delete, if specified, must be an array of strings (or single string)
          if (deletion !== null) {
            let deletions = deletion(match, environment);
            if (typeof deletions !== 'undefined') {
              const val = deletions;
              if (!Array.isArray(deletions)) {
                deletions = [deletions];
              }
              if (!isArrayOfStrings(deletions)) {
                // throw type error
                throw {
                  code: 'T2012',
                  stack: new Error().stack,
                  position: (expr.delete as AstNode).position,
                  value: val,
                } as JsonataError;
              }
              for (let jj = 0; jj < deletions.length; jj++) {
                if (typeof match === 'object' && match !== null) {
                  delete match[deletions[jj] as string];
                }
              }
            }
          }
        }
      }

      return result;
    };

    return defineFunction(transformer, '<(oa):o>');
  };
}
