/**
 * The aggregation functions: $sum, $max, $min, $average.
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
 * Sum function
 * @param {Object} args - Arguments
 * @returns {number} Total value of arguments
 */
export function sum(args: number[] | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof args === 'undefined') {
    return undefined;
  }

  let total = 0;
  args.forEach(function (num) {
    total += num;
  });
  return total;
}

/**
 * Max function
 * @param {Object} args - Arguments
 * @returns {number} Max element in the array
 */
export function max(args: number[] | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof args === 'undefined' || args.length === 0) {
    return undefined;
  }

  return Math.max(...args);
}

/**
 * Min function
 * @param {Object} args - Arguments
 * @returns {number} Min element in the array
 */
export function min(args: number[] | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof args === 'undefined' || args.length === 0) {
    return undefined;
  }

  return Math.min(...args);
}

/**
 * Average function
 * @param {Object} args - Arguments
 * @returns {number} Average element in the array
 */
export function average(args: number[] | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof args === 'undefined' || args.length === 0) {
    return undefined;
  }

  let total = 0;
  args.forEach(function (num) {
    total += num;
  });
  return total / args.length;
}
