/**
 * The boolean functions: $boolean (jsonata's truthiness), $not, $exists.
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

import { isFunction, isNumeric, keys } from '../values.js';

/**
 * Evaluate an input and return a boolean
 * @param {*} arg - Arguments
 * @returns {boolean} Boolean
 */
export function boolean(arg: unknown): boolean | undefined {
  // cast arg to its effective boolean value
  // boolean: unchanged
  // string: zero-length -> false; otherwise -> true
  // number: 0 -> false; otherwise -> true
  // null -> false
  // array: empty -> false; length > 1 -> true
  // object: empty -> false; non-empty -> true
  // function -> false

  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  let result: boolean | undefined = false;
  if (Array.isArray(arg)) {
    if (arg.length === 1) {
      result = boolean(arg[0]);
    } else if (arg.length > 1) {
      const trues = arg.filter(function (val): boolean | undefined {
        return boolean(val);
      });
      result = trues.length > 0;
    }
  } else if (typeof arg === 'string') {
    if (arg.length > 0) {
      result = true;
    }
  } else if (isNumeric(arg)) {
    if (arg !== 0) {
      result = true;
    }
  } else if (arg !== null && typeof arg === 'object' && !isFunction(arg)) {
    if (keys(arg).length > 0) {
      result = true;
    }
  } else if (typeof arg === 'boolean' && arg === true) {
    result = true;
  }
  return result;
}

/**
 * returns the Boolean NOT of the arg
 * @param {*} arg - argument
 * @returns {boolean} - NOT arg
 */
export function not(arg: unknown): boolean | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  return !boolean(arg);
}

/**
 * Determines if the argument is undefined
 * @param {*} arg - argument
 * @returns {boolean} False if argument undefined, otherwise true
 */
export function exists(arg: unknown): boolean {
  if (typeof arg === 'undefined') {
    return false;
  } else {
    return true;
  }
}
