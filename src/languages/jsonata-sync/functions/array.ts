/**
 * The array functions: $count, $append, $sort, $reverse, $shuffle, $distinct, $zip.
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

import type { Focus, JsonataError } from '../types.js';
import { isDeepEqual as deepEquals, isArrayOfNumbers, isArrayOfStrings, isSequence } from '../values.js';

/**
 * Count function
 * @param {Object} args - Arguments
 * @returns {number} Number of elements in the array
 */
export function count(args: unknown[] | undefined): number {
  // undefined inputs always return undefined
  if (typeof args === 'undefined') {
    return 0;
  }

  return args.length;
}

/**
 * Convolves (zips) each value from a set of arrays
 * @param {Array} [args] - arrays to zip
 * @returns {Array} Zipped array
 */
export function zip(): unknown[][] {
  // this can take a variable number of arguments; read from `arguments`, as jsonata does, so the function's
  // text and length (which partial application and the higher-order functions read) stay jsonata's
  const result: unknown[][] = [];
  // eslint-disable-next-line prefer-rest-params -- see above
  const args = Array.prototype.slice.call(arguments) as unknown[];
  // length of the shortest array
  const length = Math.min(
    ...args.map(function (arg) {
      if (Array.isArray(arg)) {
        return arg.length;
      }
      return 0;
    }),
  );
  for (let i = 0; i < length; i++) {
    const tuple = args.map((arg) => {
      return (arg as unknown[])[i];
    });
    result.push(tuple);
  }
  return result;
}

/**
 * Append second argument to first
 * @param {Array|Object} arg1 - First argument
 * @param {Array|Object} arg2 - Second argument
 * @returns {*} Appended arguments
 */
export function append(this: Focus, arg1: unknown, arg2: unknown): unknown {
  // disregard undefined args
  if (typeof arg1 === 'undefined') {
    return arg2;
  }
  if (typeof arg2 === 'undefined') {
    return arg1;
  }
  // if either argument is not an array, make it so
  const first: unknown[] = Array.isArray(arg1) ? arg1 : this.createSequence(arg1);
  const second: unknown[] = Array.isArray(arg2) ? arg2 : [arg2];
  const size = first.length + second.length;
  // (no maximum set: the comparison with undefined is false, as in jsonata)
  if (this.options && size > (this.options.sequence as number)) {
    throw {
      code: 'D2015',
      stack: new Error().stack,
      value: size,
    } as JsonataError;
  }

  return first.concat(second);
}

/**
 * Reverses the order of items in an array
 * @param {Array} arr - the array to reverse
 * @returns {Array} - the reversed array
 */
export function reverse(arr: unknown[] | undefined): unknown[] | undefined {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  if (arr.length <= 1) {
    return arr;
  }

  const length = arr.length;
  const result = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    result[length - i - 1] = arr[i];
  }

  return result;
}

/**
 * Implements the merge sort (stable) with optional comparator function
 *
 * @param {Array} arr - the array to sort
 * @param {*} comparator - comparator function
 * @returns {Array} - sorted array
 */
export function sort(
  arr: unknown[] | undefined,
  comparator: ((a: unknown, b: unknown) => unknown) | undefined,
): unknown[] | undefined {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  if (arr.length <= 1) {
    return arr;
  }

  let comp: (a: unknown, b: unknown) => unknown;
  if (typeof comparator === 'undefined') {
    // inject a default comparator - only works for numeric or string arrays
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) {
      throw {
        stack: new Error().stack,
        code: 'D3070',
        index: 1,
      } as JsonataError;
    }

    // numbers with numbers or strings with strings (checked above)
    comp = function (a, b) {
      return (a as number) > (b as number);
    };
  } else {
    // for internal usage of functionSort (i.e. order-by syntax)
    comp = comparator;
  }

  const merge = function (l: unknown[], r: unknown[]): unknown[] {
    // jsonata's recursive merge step as a loop: the same comparisons in the same order, without a
    // stack frame per element (a synchronous evaluator would overflow on long arrays)
    const merge_iter = function (result: unknown[], left: unknown[], right: unknown[]): void {
      let li = 0,
        ri = 0;
      while (li < left.length && ri < right.length) {
        if (comp(left[li], right[ri])) {
          // invoke the comparator function
          // if it returns true - swap left and right
          result.push(right[ri++]);
        } else {
          // otherwise keep the same order
          result.push(left[li++]);
        }
      }
      for (; li < left.length; li++) result.push(left[li]);
      for (; ri < right.length; ri++) result.push(right[ri]);
    };
    const merged: unknown[] = [];
    merge_iter(merged, l, r);
    return merged;
  };

  const msort = function (array: unknown[]): unknown[] {
    if (!Array.isArray(array) || array.length <= 1) {
      return array;
    } else {
      const middle = Math.floor(array.length / 2);
      let left = array.slice(0, middle);
      let right = array.slice(middle);
      left = msort(left);
      right = msort(right);
      return merge(left, right);
    }
  };

  const result = msort(arr);

  return result;
}

/**
 * Randomly shuffles the contents of an array
 * @param {Array} arr - the input array
 * @returns {Array} the shuffled array
 */
export function shuffle(arr: unknown[] | undefined): unknown[] | undefined {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  if (arr.length <= 1) {
    return arr;
  }

  // shuffle using the 'inside-out' variant of the Fisher-Yates algorithm
  const result = new Array<unknown>(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const j = Math.floor(Math.random() * (i + 1)); // random integer such that 0 ≤ j ≤ i
    if (i !== j) {
      result[i] = result[j];
    }
    result[j] = arr[i];
  }

  return result;
}

/**
 * Returns the values that appear in a sequence, with duplicates eliminated.
 * @param {Array} arr - An array or sequence of values
 * @returns {Array} - sequence of distinct values
 */
export function distinct(this: Focus, arr: unknown): unknown {
  // undefined inputs always return undefined
  if (typeof arr === 'undefined') {
    return undefined;
  }

  if (!Array.isArray(arr) || arr.length <= 1) {
    return arr;
  }

  const results: unknown[] = isSequence(arr) ? this.createSequence() : [];

  for (let ii = 0; ii < arr.length; ii++) {
    const value: unknown = arr[ii];
    // is this value already in the result sequence?
    let includes = false;
    for (let jj = 0; jj < results.length; jj++) {
      if (deepEquals(value, results[jj])) {
        includes = true;
        break;
      }
    }
    if (!includes) {
      results.push(value);
    }
  }
  return results;
}
