/**
 * The object functions: $keys, $lookup, $spread, $merge, $each, $error, $assert, $type.
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
import { isFunction, isLambda, isNumeric, keys as ownKeys } from '../values.js';
import { append } from './array.js';
import { hofFuncArgs } from './higher-order.js';

/**
 * Return keys for an object
 * @param {Object} arg - Object
 * @returns {Array} Array of keys
 */
export function keys(this: Focus, arg: unknown): Sequence {
  let result = this.createSequence();

  if (Array.isArray(arg)) {
    // merge the keys of all of the items in the array
    const merge = Object.create(null) as Record<string, boolean>;
    for (let ii = 0; ii < arg.length; ii++) {
      const allkeys = keys.call(this, arg[ii]);
      allkeys.forEach(function (key) {
        merge[key as string] = true;
      });
    }
    result = keys.call(this, merge);
  } else if (arg !== null && typeof arg === 'object' && !isFunction(arg)) {
    ownKeys(arg).forEach((key) => result.push(key));
  }
  return result;
}

/**
 * Return value from an object for a given key
 * @param {Object} input - Object/Array
 * @param {String} key - Key in object
 * @returns {*} Value of key in object
 */
export function lookup(this: Focus, input: unknown, key: string): unknown {
  // lookup the 'name' item in the input
  let result: unknown;
  if (Array.isArray(input)) {
    const sequence = this.createSequence();
    result = sequence;
    for (let ii = 0; ii < input.length; ii++) {
      const res = lookup.call(this, input[ii], key);
      if (typeof res !== 'undefined') {
        if (Array.isArray(res)) {
          res.forEach((val) => sequence.push(val));
        } else {
          sequence.push(res);
        }
      }
    }
  } else if (
    input !== null &&
    typeof input === 'object' &&
    Object.prototype.hasOwnProperty.call(input, key) &&
    !isFunction(input)
  ) {
    result = (input as Fields)[key];
  }
  return result;
}

/**
 * Splits an object into an array of object with one property each
 * @param {*} arg - the object to split
 * @returns {*} - the array
 */
export function spread(this: Focus, arg: unknown): unknown {
  let result: unknown = this.createSequence();

  if (Array.isArray(arg)) {
    // spread all of the items in the array
    for (let ii = 0; ii < arg.length; ii++) {
      result = append.call(this, result, spread.call(this, arg[ii]));
    }
  } else if (arg !== null && typeof arg === 'object' && !isLambda(arg)) {
    for (const key of ownKeys(arg)) {
      const obj = Object.create(null) as Fields;
      obj[key] = (arg as Fields)[key];
      (result as Sequence).push(obj);
    }
  } else {
    result = arg;
  }
  return result;
}

/**
 * Merges an array of objects into a single object.  Duplicate properties are
 * overridden by entries later in the array
 * @param {*} arg - the objects to merge
 * @returns {*} - the object
 */
export function merge(arg: Fields[] | undefined): Fields | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  const result = Object.create(null) as Fields;

  arg.forEach(function (obj) {
    for (const prop of ownKeys(obj)) {
      result[prop] = obj[prop];
    }
  });
  return result;
}

/**
 *
 * @param {*} obj - the input object to iterate over
 * @param {*} func - the function to apply to each key/value pair
 * @returns {Array} - the resultant array
 */
export function each(this: Focus, obj: Fields, func: PlainFunction): Sequence {
  const result = this.createSequence();

  for (const key of ownKeys(obj)) {
    const func_args = hofFuncArgs(func, obj[key], key, obj);
    // invoke func
    const val = func.apply(this, func_args);
    if (typeof val !== 'undefined') {
      result.push(val);
    }
  }

  return result;
}

/**
 *
 * @param {string} [message] - the message to attach to the error
 * @throws custom error with code 'D3137'
 */
export function error(message: string | undefined): never {
  throw {
    code: 'D3137',
    stack: new Error().stack,
    message: message || '$error() function evaluated',
  } as JsonataError;
}

/**
 *
 * @param {boolean} condition - the condition to evaluate
 * @param {string} [message] - the message to attach to the error
 * @throws custom error with code 'D3137'
 * @returns {undefined}
 */
export function assert(condition: boolean, message: string | undefined): undefined {
  if (!condition) {
    throw {
      code: 'D3141',
      stack: new Error().stack,
      message: message || '$assert() statement failed',
    } as JsonataError;
  }

  return undefined;
}

/**
 *
 * @param {*} [value] - the input to which the type will be checked
 * @returns {string} - the type of the input
 */
export function type(value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }

  if (value === null) {
    return 'null';
  }

  if (isNumeric(value)) {
    return 'number';
  }

  if (typeof value === 'string') {
    return 'string';
  }

  if (typeof value === 'boolean') {
    return 'boolean';
  }

  if (Array.isArray(value)) {
    return 'array';
  }

  if (isFunction(value)) {
    return 'function';
  }

  return 'object';
}
