/**
 * Tests on JSONata values shared by the evaluator and the functions.
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

import type { Callable, Fields, JsonataError, Lambda, Sequence } from './types.js';

/** A number that is not NaN; an infinite number is an error (D1001), as jsonata has it. */
export function isNumeric(n: unknown): n is number {
  let isNum = false;
  if (typeof n === 'number') {
    isNum = !isNaN(n);
    if (isNum && !isFinite(n)) {
      throw { code: 'D1001', value: n, stack: new Error().stack } as JsonataError;
    }
  }
  return isNum;
}

export function isArrayOfStrings(arg: unknown): arg is string[] {
  let result = false;
  if (Array.isArray(arg)) {
    result = arg.filter((item) => typeof item !== 'string').length === 0;
  }
  return result;
}

export function isArrayOfNumbers(arg: unknown): arg is number[] {
  let result = false;
  if (Array.isArray(arg)) {
    result = arg.filter((item) => !isNumeric(item)).length === 0;
  }
  return result;
}

/** An array the evaluator made (see Sequence), not one of the input. Throws on undefined/null, as jsonata. */
export function isSequence(value: unknown): value is Sequence {
  return (value as Sequence).sequence === true && Array.isArray(value);
}

/** A lambda, a built-in or a JavaScript function. */
export function isFunction(arg: unknown): arg is Callable {
  return (
    (!!arg &&
      ((arg as { _jsonata_function?: unknown })._jsonata_function === true ||
        (arg as { _jsonata_lambda?: unknown })._jsonata_lambda === true)) ||
    typeof arg === 'function'
  );
}

/** How many arguments the function takes. */
export function getFunctionArity(func: unknown): number {
  const f = func as { arity?: unknown; implementation?: unknown; length?: unknown; arguments: unknown[] };
  const arity =
    typeof f.arity === 'number'
      ? f.arity
      : typeof f.implementation === 'function'
        ? f.implementation.length
        : typeof f.length === 'number'
          ? f.length
          : f.arguments.length;
  return arity;
}

export function isLambda(arg: unknown): arg is Lambda {
  return !!arg && (arg as { _jsonata_lambda?: unknown })._jsonata_lambda === true;
}

/** A generator's iterator (a function bound by the caller may be a generator). */
export function isIterable(arg: unknown): arg is Iterator<unknown> {
  return (
    typeof arg === 'object' &&
    arg !== null &&
    Symbol.iterator in arg &&
    'next' in arg &&
    typeof arg.next === 'function'
  );
}

/** Deep equality of JSON values (arrays item by item, objects key by key in any order). */
export function isDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) {
    return true;
  }
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) {
        return false;
      }
      for (let ii = 0; ii < lhs.length; ii++) {
        if (!isDeepEqual(lhs[ii], rhs[ii])) {
          return false;
        }
      }
      return true;
    }
    let lkeys = Object.getOwnPropertyNames(lhs);
    let rkeys = Object.getOwnPropertyNames(rhs);
    if (lkeys.length !== rkeys.length) {
      return false;
    }
    lkeys = lkeys.sort();
    rkeys = rkeys.sort();
    for (let ii = 0; ii < lkeys.length; ii++) {
      if (lkeys[ii] !== rkeys[ii]) {
        return false;
      }
    }
    for (const key of lkeys) {
      if (!isDeepEqual((lhs as Fields)[key], (rhs as Fields)[key])) {
        return false;
      }
    }
    return true;
  }
  return false;
}

export function isPromise(arg: unknown): arg is PromiseLike<unknown> {
  return typeof arg === 'object' && arg !== null && 'then' in arg && typeof arg.then === 'function';
}

/** The string's characters by code point (a surrogate pair is one). */
export function stringToArray(str: string): string[] {
  const arr: string[] = [];
  for (const char of str) {
    arr.push(char);
  }
  return arr;
}

/** The own enumerable keys of an object; none for anything else. */
export function keys(arg: unknown): string[] {
  return typeof arg === 'object' && arg !== null ? Object.keys(arg) : [];
}
