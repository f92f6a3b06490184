/**
 * The string functions: $string, $substring..., $pad, $contains, $match, $replace, $split, $join.
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

import type { Focus, JsonataError, Matcher, RegexMatch, Sequence } from '../types.js';
import { isFunction, isNumeric, stringToArray } from '../values.js';

/**
 * Stringify arguments
 * @param {Object} arg - Arguments
 * @param {boolean} [prettify] - Pretty print the result
 * @returns {String} String from arguments
 */
export function string(arg: unknown, prettify = false): string | undefined {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  let str: string;

  if (typeof arg === 'string') {
    // already a string
    str = arg;
  } else if (isFunction(arg)) {
    // functions (built-in and lambda convert to empty string
    str = '';
  } else if (typeof arg === 'number' && !isFinite(arg)) {
    throw {
      code: 'D3001',
      value: arg,
      stack: new Error().stack,
    } as JsonataError;
  } else {
    const space = prettify ? 2 : 0;
    if (Array.isArray(arg) && (arg as Sequence).outerWrapper) {
      arg = arg[0];
    }
    str = JSON.stringify(
      arg,
      function (key, val: unknown) {
        if (typeof val !== 'undefined' && val !== null && isNumeric(val)) {
          return !Number.isInteger(val) ? Number(val.toPrecision(15)) : val;
        }
        return val && isFunction(val) ? '' : val;
      },
      space,
    );
  }
  return str;
}

/**
 * Create substring based on character number and length
 * @param {String} str - String to evaluate
 * @param {Integer} start - Character number to start substring
 * @param {Integer} [length] - Number of characters in substring
 * @returns {string|*} Substring
 */
export function substring(str: string | undefined, start: number, length?: number): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  const strArray = stringToArray(str);
  const strLength = strArray.length;

  if (strLength + start < 0) {
    start = 0;
  }

  if (typeof length !== 'undefined') {
    if (length <= 0) {
      return '';
    }
    const end = start >= 0 ? start + length : strLength + start + length;
    return strArray.slice(start, end).join('');
  }

  return strArray.slice(start).join('');
}

/**
 * Create substring up until a character
 * @param {String} str - String to evaluate
 * @param {String} chars - Character to define substring boundary
 * @returns {*} Substring
 */
export function substringBefore(str: string | undefined, chars: string): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  const pos = str.indexOf(chars);
  if (pos > -1) {
    return str.substr(0, pos);
  } else {
    return str;
  }
}

/**
 * Create substring after a character
 * @param {String} str - String to evaluate
 * @param {String} chars - Character to define substring boundary
 * @returns {*} Substring
 */
export function substringAfter(str: string | undefined, chars: string): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  const pos = str.indexOf(chars);
  if (pos > -1) {
    return str.substr(pos + chars.length);
  } else {
    return str;
  }
}

/**
 * Lowercase a string
 * @param {String} str - String to evaluate
 * @returns {string} Lowercase string
 */
export function lowercase(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  return str.toLowerCase();
}

/**
 * Uppercase a string
 * @param {String} str - String to evaluate
 * @returns {string} Uppercase string
 */
export function uppercase(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  return str.toUpperCase();
}

/**
 * length of a string
 * @param {String} str - string
 * @returns {Number} The number of characters in the string
 */
export function length(str: string | undefined): number | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  return stringToArray(str).length;
}

/**
 * Normalize and trim whitespace within a string
 * @param {string} str - string to be trimmed
 * @returns {string} - trimmed string
 */
export function trim(str: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // normalize whitespace
  let result = str.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') {
    // strip leading space
    result = result.substring(1);
  }
  if (result.charAt(result.length - 1) === ' ') {
    // strip trailing space
    result = result.substring(0, result.length - 1);
  }
  return result;
}

/**
 * Pad a string to a minimum width by adding characters to the start or end
 * @param {string} str - string to be padded
 * @param {number} width - the minimum width; +ve pads to the right, -ve pads to the left
 * @param {string} [char] - the pad character(s); defaults to ' '
 * @returns {string} - padded string
 */
export function pad(str: string | undefined, width: number, char: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  if (typeof char === 'undefined' || char.length === 0) {
    char = ' ';
  }

  let result;
  width = Math.trunc(width);
  const padLength = Math.abs(width) - (length(str) as number);
  if (padLength > 0) {
    let padding = new Array(padLength + 1).join(char);
    if (char.length > 1) {
      padding = substring(padding, 0, padLength) as string;
    }
    if (width > 0) {
      result = str + padding;
    } else {
      result = padding + str;
    }
  } else {
    result = str;
  }
  return result;
}

/**
 * Evaluate the matcher function against the str arg
 *
 * @param {*} matcher - matching function (native or lambda)
 * @param {string} str - the string to match against
 * @returns {object} - structure that represents the match(es)
 */
function evaluateMatcher(this: unknown, matcher: Matcher, str?: string): RegexMatch | undefined {
  // (jsonata awaits a promise here; the synchronous port has none to wait for)
  const result = matcher.apply(this, [str]);
  // `result.end === 'number'` (never true) is jsonata's own
  if (
    result &&
    !(
      typeof result.start === 'number' ||
      (result.end as unknown) === 'number' ||
      Array.isArray(result.groups) ||
      isFunction(result.next)
    )
  ) {
    // the matcher function didn't return the correct structure
    throw {
      code: 'T1010',
      stack: new Error().stack,
    } as JsonataError;
  }
  return result;
}

/**
 * Tests if the str contains the token
 * @param {String} str - string to test
 * @param {String} token - substring or regex to find
 * @returns {Boolean} - true if str contains token
 */
export function contains(str: string | undefined, token: string | Matcher): boolean | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined' || typeof token === 'undefined') {
    return undefined;
  }

  let result;

  if (typeof token === 'string') {
    result = str.indexOf(token) !== -1;
  } else {
    const matches = evaluateMatcher(token, str);
    result = typeof matches !== 'undefined';
  }

  return result;
}

/**
 * Match a string with a regex returning an array of object containing details of each match
 * @param {String} str - string
 * @param {String} regex - the regex applied to the string
 * @param {Integer} [limit] - max number of matches to return
 * @returns {Array} The array of match objects
 */
export function match(
  this: Focus,
  str: string | undefined,
  regex: Matcher,
  limit: number | undefined,
): Sequence | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // limit, if specified, must be a non-negative number
  if ((limit as number) < 0) {
    throw {
      stack: new Error().stack,
      value: limit,
      code: 'D3040',
      index: 3,
    } as JsonataError;
  }

  const result = this.createSequence();

  if (typeof limit === 'undefined' || limit > 0) {
    let count = 0;
    let matches = evaluateMatcher(regex, str);
    if (typeof matches !== 'undefined') {
      while (typeof matches !== 'undefined' && (typeof limit === 'undefined' || count < limit)) {
        result.push({
          match: matches.match,
          index: matches.start,
          groups: matches.groups,
        });
        matches = evaluateMatcher(matches.next);
        count++;
      }
    }
  }

  return result;
}

/**
 * Match a string with a regex returning an array of object containing details of each match
 * @param {String} str - string
 * @param {String} pattern - the substring/regex applied to the string
 * @param {String} replacement - text to replace the matched substrings
 * @param {Integer} [limit] - max number of matches to return
 * @returns {Array} The array of match objects
 */
export function replace(
  this: Focus,
  str: string | undefined,
  pattern: string | Matcher,
  replacement: string | ((match: RegexMatch) => unknown),
  limit: number | undefined,
): string | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // pattern cannot be an empty string
  if (pattern === '') {
    throw {
      code: 'D3010',
      stack: new Error().stack,
      value: pattern,
      index: 2,
    } as JsonataError;
  }

  // limit, if specified, must be a non-negative number
  if ((limit as number) < 0) {
    throw {
      code: 'D3011',
      stack: new Error().stack,
      value: limit,
      index: 4,
    } as JsonataError;
  }

  let replacer: (match: RegexMatch) => unknown;
  if (typeof replacement === 'string') {
    replacer = function (regexMatch: RegexMatch): string {
      let substitute = '';
      // scan forward, copying the replacement text into the substitute string
      // and replace any occurrence of $n with the values matched by the regex
      let position = 0;
      let index = replacement.indexOf('$', position);
      while (index !== -1 && position < replacement.length) {
        substitute += replacement.substring(position, index);
        position = index + 1;
        const dollarVal = replacement.charAt(position);
        if (dollarVal === '$') {
          // literal $
          substitute += '$';
          position++;
        } else if (dollarVal === '0') {
          substitute += regexMatch.match;
          position++;
        } else {
          let maxDigits;
          if (regexMatch.groups.length === 0) {
            // no sub-matches; any $ followed by a digit will be replaced by an empty string
            maxDigits = 1;
          } else {
            // max number of digits to parse following the $
            maxDigits = Math.floor(Math.log(regexMatch.groups.length) * Math.LOG10E) + 1;
          }
          index = parseInt(replacement.substring(position, position + maxDigits), 10);
          if (maxDigits > 1 && index > regexMatch.groups.length) {
            index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
          }
          if (!isNaN(index)) {
            if (regexMatch.groups.length > 0) {
              const submatch = regexMatch.groups[index - 1];
              if (typeof submatch !== 'undefined') {
                substitute += submatch;
              }
            }
            position += index.toString().length;
          } else {
            // not a capture group, treat the $ as literal
            substitute += '$';
          }
        }
        index = replacement.indexOf('$', position);
      }
      substitute += replacement.substring(position);
      return substitute;
    };
  } else {
    replacer = replacement;
  }

  let result = '';
  let position = 0;

  if (typeof limit === 'undefined' || limit > 0) {
    let count = 0;
    if (typeof pattern === 'string') {
      let index = str.indexOf(pattern, position);
      while (index !== -1 && (typeof limit === 'undefined' || count < limit)) {
        result += str.substring(position, index);
        result += replacement as string;
        position = index + pattern.length;
        count++;
        index = str.indexOf(pattern, position);
      }
      result += str.substring(position);
    } else {
      let matches = evaluateMatcher(pattern, str);
      if (typeof matches !== 'undefined') {
        while (typeof matches !== 'undefined' && (typeof limit === 'undefined' || count < limit)) {
          result += str.substring(position, matches.start);
          // (jsonata awaits a promise here; the synchronous port has none to wait for)
          const replacedWith = replacer.apply(this, [matches]);
          // check replacedWith is a string
          if (typeof replacedWith === 'string') {
            result += replacedWith;
          } else {
            // not a string - throw error
            throw {
              code: 'D3012',
              stack: new Error().stack,
              value: replacedWith,
            } as JsonataError;
          }
          position = matches.start + matches.match.length;
          count++;
          matches = evaluateMatcher(matches.next);
        }
        result += str.substring(position);
      } else {
        result = str;
      }
    }
  } else {
    result = str;
  }

  return result;
}

/**
 * Split a string into an array of substrings
 * @param {String} str - string
 * @param {String} separator - the token or regex that splits the string
 * @param {Integer} [limit] - max number of substrings
 * @returns {Array} The array of string
 */
export function split(
  str: string | undefined,
  separator: string | Matcher,
  limit: number | undefined,
): string[] | undefined {
  // undefined inputs always return undefined
  if (typeof str === 'undefined') {
    return undefined;
  }

  // limit, if specified, must be a non-negative number
  if ((limit as number) < 0) {
    throw {
      code: 'D3020',
      stack: new Error().stack,
      value: limit,
      index: 3,
    } as JsonataError;
  }

  let result: string[] = [];

  if (typeof limit === 'undefined' || limit > 0) {
    if (typeof separator === 'string') {
      result = str.split(separator, limit);
    } else {
      let count = 0;
      let matches = evaluateMatcher(separator, str);
      if (typeof matches !== 'undefined') {
        let start = 0;
        while (typeof matches !== 'undefined' && (typeof limit === 'undefined' || count < limit)) {
          result.push(str.substring(start, matches.start));
          start = matches.end;
          matches = evaluateMatcher(matches.next);
          count++;
        }
        if (typeof limit === 'undefined' || count < limit) {
          result.push(str.substring(start));
        }
      } else {
        result.push(str);
      }
    }
  }

  return result;
}

/**
 * Join an array of strings
 * @param {Array} strs - array of string
 * @param {String} [separator] - the token that splits the string
 * @returns {String} The concatenated string
 */
export function join(strs: string[] | undefined, separator: string | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof strs === 'undefined') {
    return undefined;
  }

  // if separator is not specified, default to empty string
  if (typeof separator === 'undefined') {
    separator = '';
  }

  return strs.join(separator);
}
