/**
 * The encoding functions of the string family: base64 and URL (component) encoding, both ways.
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
 * Base64 encode a string
 * @param {String} str - string
 * @returns {String} Base 64 encoding of the binary data
 */
export function base64encode(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }
  // jsonata uses btoa in a browser; this port runs on Node.js only, where jsonata uses Buffer
  return Buffer.from(str, 'binary').toString('base64');
}

/**
 * Base64 decode a string
 * @param {String} str - string
 * @returns {String} Base 64 encoding of the binary data
 */
export function base64decode(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }
  // jsonata uses atob in a browser; this port runs on Node.js only, where jsonata uses Buffer
  return Buffer.from(str, 'base64').toString('binary');
}

/**
 * Encode a string into a component for a url
 * @param {String} str - String to encode
 * @returns {string} Encoded string
 */
export function encodeUrlComponent(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // Catch URIErrors when URI sequence is malformed
  let returnVal;
  try {
    returnVal = encodeURIComponent(str);
  } catch {
    throw {
      code: 'D3140',
      stack: new Error().stack,
      value: str,
      functionName: 'encodeUrlComponent',
    } as JsonataError;
  }
  return returnVal;
}

/**
 * Encode a string into a url
 * @param {String} str - String to encode
 * @returns {string} Encoded string
 */
export function encodeUrl(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // Catch URIErrors when URI sequence is malformed
  let returnVal;
  try {
    returnVal = encodeURI(str);
  } catch {
    throw {
      code: 'D3140',
      stack: new Error().stack,
      value: str,
      functionName: 'encodeUrl',
    } as JsonataError;
  }
  return returnVal;
}

/**
 * Decode a string from a component for a url
 * @param {String} str - String to decode
 * @returns {string} Decoded string
 */
export function decodeUrlComponent(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // Catch URIErrors when URI sequence is malformed
  let returnVal;
  try {
    returnVal = decodeURIComponent(str);
  } catch {
    throw {
      code: 'D3140',
      stack: new Error().stack,
      value: str,
      functionName: 'decodeUrlComponent',
    } as JsonataError;
  }
  return returnVal;
}

/**
 * Decode a string from a url
 * @param {String} str - String to decode
 * @returns {string} Decoded string
 */
export function decodeUrl(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // Catch URIErrors when URI sequence is malformed
  let returnVal;
  try {
    returnVal = decodeURI(str);
  } catch {
    throw {
      code: 'D3140',
      stack: new Error().stack,
      value: str,
      functionName: 'decodeUrl',
    } as JsonataError;
  }
  return returnVal;
}
