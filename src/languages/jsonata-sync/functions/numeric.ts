/**
 * The numeric functions: $number, $abs, $floor, $ceil, $round, $sqrt, $power, $random.
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

import type { JsonataError } from '../types.js';

/**
 * Cast argument to number
 * @param {Object} arg - Argument
 * @returns {Number} numeric value of argument
 */
export function number(arg: unknown): number | undefined {
  let result: number;

  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  if (typeof arg === 'number') {
    // already a number
    result = arg;
  } else if (
    typeof arg === 'string' &&
    /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(arg) &&
    !isNaN(parseFloat(arg)) &&
    isFinite(Number(arg))
  ) {
    result = parseFloat(arg);
  } else if (typeof arg === 'string' && /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(arg)) {
    result = Number(arg);
  } else if (arg === true) {
    // boolean true casts to 1
    result = 1;
  } else if (arg === false) {
    // boolean false casts to 0
    result = 0;
  } else {
    throw {
      code: 'D3030',
      value: arg,
      stack: new Error().stack,
      index: 1,
    } as JsonataError;
  }
  return result;
}

/**
 * Absolute value of a number
 * @param {Number} arg - Argument
 * @returns {Number} absolute value of argument
 */
export function abs(arg: number | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  const result = Math.abs(arg);
  return result;
}

/**
 * Rounds a number down to integer
 * @param {Number} arg - Argument
 * @returns {Number} rounded integer
 */
export function floor(arg: number | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  const result = Math.floor(arg);
  return result;
}

/**
 * Rounds a number up to integer
 * @param {Number} arg - Argument
 * @returns {Number} rounded integer
 */
export function ceil(arg: number | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  const result = Math.ceil(arg);
  return result;
}

/**
 * Round to half even
 * @param {Number} arg - Argument
 * @param {Number} [precision] - number of decimal places
 * @returns {Number} rounded integer
 */
export function round(arg: number | undefined, precision?: number): number | undefined {
  let result: number;
  let value: string[];

  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  if (precision) {
    // shift the decimal place - this needs to be done in a string since multiplying
    // by a power of ten can introduce floating point precision errors which mess up
    // this rounding algorithm - See 'Decimal rounding' in
    // https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Math/round
    // Shift
    value = arg.toString().split('e');
    arg = +((value[0] as string) + 'e' + (value[1] ? +value[1] + precision : precision));
  }

  // round up to nearest int
  result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) {
    // rounded the wrong way - adjust to nearest even number
    result = result - 1;
  }
  if (precision) {
    // Shift back
    value = result.toString().split('e');
    /* istanbul ignore next */
    result = +((value[0] as string) + 'e' + (value[1] ? +value[1] - precision : -precision));
  }
  if (Object.is(result, -0)) {
    // ESLint rule 'no-compare-neg-zero' suggests this way
    // JSON doesn't do -0
    result = 0;
  }
  return result;
}

/**
 * Square root of number
 * @param {Number} arg - Argument
 * @returns {Number} square root
 */
export function sqrt(arg: number | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  if (arg < 0) {
    throw {
      stack: new Error().stack,
      code: 'D3060',
      index: 1,
      value: arg,
    } as JsonataError;
  }

  const result = Math.sqrt(arg);

  return result;
}

/**
 * Raises number to the power of the second number
 * @param {Number} arg - the base
 * @param {Number} exp - the exponent
 * @returns {Number} rounded integer
 */
export function power(arg: number | undefined, exp: number): number | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  const result = Math.pow(arg, exp);

  if (!isFinite(result)) {
    throw {
      stack: new Error().stack,
      code: 'D3061',
      index: 1,
      value: arg,
      exp: exp,
    } as JsonataError;
  }

  return result;
}

/**
 * Returns a random number 0 <= n < 1
 * @returns {number} random number
 */
export function random(): number {
  return Math.random();
}
