/**
 * The higher-order functions: $map, $filter, $single, $reduce, $sift.
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

import type { Fields, Focus, JsonataError, PlainFunction, Sequence } from '../types.js';
import { getFunctionArity, keys } from '../values.js';
import { boolean } from './boolean.js';

/**
 * Helper function to build the arguments to be supplied to the function arg of the
 * HOFs map, filter, each, sift and single
 * @param {function} func - the function to be invoked
 * @param {*} arg1 - the first (required) arg - the value
 * @param {*} arg2 - the second (optional) arg - the position (index or key)
 * @param {*} arg3 - the third (optional) arg - the whole structure (array or object)
 * @returns {*[]} the argument list
 */
export function hofFuncArgs(func: PlainFunction, arg1: unknown, arg2: unknown, arg3: unknown): unknown[] {
  const func_args = [arg1]; // the first arg (the value) is required
  // the other two are optional - only supply it if the function can take it
  const length = getFunctionArity(func);
  if (length >= 2) {
    func_args.push(arg2);
  }
  if (length >= 3) {
    func_args.push(arg3);
  }
  return func_args;
}

/**
 * Create a map from an array of arguments
 * @param {Array} [arr] - array to map over
 * @param {Function} func - function to apply
 * @returns {Array} Map array
 */
export function map(this: Focus, arr: unknown[] | undefined, func: PlainFunction): Sequence | undefined {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  const result = this.createSequence();
  // do the map - iterate over the arrays, and invoke func
  for (let i = 0; i < arr.length; i++) {
    const func_args = hofFuncArgs(func, arr[i], i, arr);
    // invoke func
    const res = func.apply(this, func_args);
    if (typeof res !== 'undefined') {
      result.push(res);
    }
  }

  return result;
}

/**
 * Create a map from an array of arguments
 * @param {Array} [arr] - array to filter
 * @param {Function} func - predicate function
 * @returns {Array} Map array
 */
export function filter(this: Focus, arr: unknown[] | undefined, func: PlainFunction): Sequence | undefined {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  const result = this.createSequence();

  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    const func_args = hofFuncArgs(func, entry, i, arr);
    // invoke func
    const res = func.apply(this, func_args);
    if (boolean(res)) {
      result.push(entry);
    }
  }

  return result;
}

/**
 * Given an array, find the single element matching a specified condition
 * Throws an exception if the number of matching elements is not exactly one
 * @param {Array} [arr] - array to filter
 * @param {Function} [func] - predicate function
 * @returns {*} Matching element
 */
export function single(this: Focus, arr: unknown[] | undefined, func: PlainFunction | undefined): unknown {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  let hasFoundMatch = false;
  let result: unknown;

  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    let positiveResult: boolean | undefined = true;
    if (typeof func !== 'undefined') {
      const func_args = hofFuncArgs(func, entry, i, arr);
      // invoke func
      const res = func.apply(this, func_args);
      positiveResult = boolean(res);
    }
    if (positiveResult) {
      if (!hasFoundMatch) {
        result = entry;
        hasFoundMatch = true;
      } else {
        throw {
          stack: new Error().stack,
          code: 'D3138',
          index: i,
        } as JsonataError;
      }
    }
  }

  if (!hasFoundMatch) {
    throw {
      stack: new Error().stack,
      code: 'D3139',
    } as JsonataError;
  }

  return result;
}

/**
 * Fold left function
 * @param {Array} sequence - Sequence
 * @param {Function} func - Function
 * @param {Object} init - Initial value
 * @returns {*} Result
 */
export function foldLeft(
  this: Focus,
  sequence: unknown[] | undefined,
  func: PlainFunction,
  init: unknown,
): unknown {
  // undefined inputs always return undefined
  if (typeof sequence === 'undefined') {
    return undefined;
  }

  let result: unknown;

  const arity = getFunctionArity(func);
  if (arity < 2) {
    throw {
      stack: new Error().stack,
      code: 'D3050',
      index: 1,
    } as JsonataError;
  }

  let index;
  if (typeof init === 'undefined' && sequence.length > 0) {
    result = sequence[0];
    index = 1;
  } else {
    result = init;
    index = 0;
  }

  while (index < sequence.length) {
    const args = [result, sequence[index]];
    if (arity >= 3) {
      args.push(index);
    }
    if (arity >= 4) {
      args.push(sequence);
    }
    result = func.apply(this, args);
    index++;
  }

  return result;
}

/**
 * Applies a predicate function to each key/value pair in an object, and returns an object containing
 * only the key/value pairs that passed the predicate
 *
 * @param {object} arg - the object to be sifted
 * @param {object} func - the predicate function (lambda or native)
 * @returns {object} - sifted object
 */
export function sift(this: Focus, arg: Fields, func: PlainFunction): Fields | undefined {
  let result: Fields | undefined = Object.create(null) as Fields;

  for (const item of keys(arg)) {
    const entry = arg[item];
    const func_args = hofFuncArgs(func, entry, item, arg);
    // invoke func
    const res = func.apply(this, func_args);
    if (boolean(res)) {
      result[item] = entry;
    }
  }

  // empty objects should be changed to undefined
  if (keys(result).length === 0) {
    result = undefined;
  }

  return result;
}
