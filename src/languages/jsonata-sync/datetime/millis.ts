/**
 * $toMillis and $fromMillis: ISO 8601 (or pictured) timestamps to and from milliseconds.
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
 * © Copyright IBM Corp. 2018 All Rights Reserved
 *   Project name: JSONata
 *   This project is licensed under the MIT License, see LICENSE
 */

import type { Focus, JsonataError } from '../types.js';
import { formatDateTime } from './format.js';
import { parseDateTime } from './parse.js';

// Regular expression to match an ISO 8601 formatted timestamp
const iso8601regex = new RegExp(
  '^\\d{4}(-[01]\\d)?(-[0-3]\\d)?(T[0-2]\\d:[0-5]\\d:[0-5]\\d)?(\\.\\d+)?([+-][0-2]\\d:?[0-5]\\d|Z)?$',
);

/**
 * Converts an ISO 8601 timestamp to milliseconds since the epoch
 *
 * @param {string} timestamp - the timestamp to be converted
 * @param {string} [picture] - the picture string defining the format of the timestamp (defaults to ISO 8601)
 * @returns {Number} - milliseconds since the epoch
 */
export function toMillis(
  this: Focus,
  timestamp: string | undefined,
  picture: string | undefined,
): number | undefined {
  // undefined inputs always return undefined
  if (typeof timestamp === 'undefined') {
    return undefined;
  }

  if (typeof picture === 'undefined') {
    if (!iso8601regex.test(timestamp)) {
      throw {
        stack: new Error().stack,
        code: 'D3110',
        value: timestamp,
      } as JsonataError;
    }

    return Date.parse(timestamp);
  } else {
    return parseDateTime.call(this, timestamp, picture);
  }
}

/**
 * Converts milliseconds since the epoch to an ISO 8601 timestamp
 * @param {Number} millis - milliseconds since the epoch to be converted
 * @param {string} [picture] - the picture string defining the format of the timestamp (defaults to ISO 8601)
 * @param {string} [timezone] - the timezone to format the timestamp in (defaults to UTC)
 * @returns {String} - the formatted timestamp
 */
export function fromMillis(
  this: Focus,
  millis: number | undefined,
  picture: string | undefined,
  timezone: string | undefined,
): string | undefined {
  // undefined inputs always return undefined
  if (typeof millis === 'undefined') {
    return undefined;
  }

  return formatDateTime(millis, picture, timezone);
}
