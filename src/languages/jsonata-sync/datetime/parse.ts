/**
 * Parsing integers and timestamps by a picture ($parseInteger, $toMillis with a picture).
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

import type { Focus, Frame, JsonataError } from '../types.js';
import { keys } from '../values.js';
import { analyseDateTimePicture, type DateTimeFormat } from './datetime-picture.js';
import { days, getDateTimeFragment, months } from './components.js';
import {
  analyseIntegerPicture,
  formats,
  type GroupingSeparator,
  type IntegerFormat,
  tcase,
} from './integer-picture.js';
import { lettersToDecimal, romanToDecimal, wordValues, wordsToNumber } from './words.js';

/** What parses one part of a picture: a regex for its text, and the value of the text it matched. */
interface Matcher {
  type?: 'datetime' | 'integer';
  regex: string;
  parse?: (value: string) => number | undefined;
  component?: string | undefined;
  /** a date/time picture's parts */
  parts: Matcher[];
}

/**
 * Generate a regex to parse integers or timestamps
 * @param {object} formatSpec - object representing the format
 * @returns {object} - regex
 */
function generateRegex(formatSpec: DateTimeFormat | IntegerFormat): Matcher {
  const matcher = Object.create(null) as Matcher;
  if (formatSpec.type === 'datetime') {
    matcher.type = 'datetime';
    matcher.parts = (formatSpec as DateTimeFormat).parts.map(function (part) {
      let res = Object.create(null) as Matcher;
      if (part.type === 'literal') {
        res.regex = (part.value as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      } else if (part.component === 'Z' || part.component === 'z') {
        // timezone
        let separator: GroupingSeparator | undefined;
        const groupingSeparators = (part.integerFormat as IntegerFormat).groupingSeparators;
        if (!Array.isArray(groupingSeparators)) {
          separator = groupingSeparators;
        }
        res.regex = '';
        if (part.component === 'z') {
          res.regex = 'GMT';
        }
        res.regex += '[-+][0-9]+';
        if (separator) {
          res.regex += separator.character + '[0-9]+';
        }
        res.parse = function (value: string): number {
          if (part.component === 'z') {
            value = value.substring(3); // remove the leading GMT
          }
          let offsetHours = 0,
            offsetMinutes = 0;
          if (separator) {
            offsetHours = Number.parseInt(value.substring(0, value.indexOf(separator.character)));
            offsetMinutes = Number.parseInt(value.substring(value.indexOf(separator.character) + 1));
          } else {
            // depends on number of digits
            const numdigits = value.length - 1;
            if (numdigits <= 2) {
              // just hour offset
              offsetHours = Number.parseInt(value);
            } else {
              offsetHours = Number.parseInt(value.substring(0, 3));
              offsetMinutes = Number.parseInt(value.substring(3));
            }
          }
          return offsetHours * 60 + offsetMinutes;
        };
      } else if (part.component === 'f') {
        res.regex = '[0-9]+';
        res.parse = function (value: string): number {
          return parseFloat('0.' + value.substring(0, 3)) * 1000;
        };
      } else if (part.integerFormat) {
        res = generateRegex(part.integerFormat);
      } else {
        // must be a month or day name
        res.regex = '[a-zA-Z]+';
        let lookup = Object.create(null) as Record<string, number>;
        if (part.component === 'M' || part.component === 'x') {
          // months
          months.forEach(function (name, index) {
            if (part.width && part.width.max) {
              lookup[name.substring(0, part.width.max)] = index + 1;
            } else {
              lookup[name] = index + 1;
            }
          });
        } else if (part.component === 'F') {
          // days
          days.forEach(function (name, index) {
            if (index > 0) {
              if (part.width && part.width.max) {
                lookup[name.substring(0, part.width.max)] = index;
              } else {
                lookup[name] = index;
              }
            }
          });
        } else if (part.component === 'P') {
          lookup = { am: 0, AM: 0, pm: 1, PM: 1 };
        } else {
          // unsupported 'name' option for this component
          throw {
            code: 'D3133',
            value: part.component,
          } as JsonataError;
        }
        res.parse = function (value: string): number | undefined {
          return lookup[value];
        };
      }
      res.component = part.component;
      return res;
    });
  } else {
    // type === 'integer'
    const integer = formatSpec as IntegerFormat;
    matcher.type = 'integer';
    const isUpper = integer.case === tcase.UPPER;

    switch (integer.primary) {
      case formats.LETTERS:
        matcher.regex = isUpper ? '[A-Z]+' : '[a-z]+';
        matcher.parse = function (value: string): number {
          return lettersToDecimal(value, isUpper ? 'A' : 'a');
        };
        break;
      case formats.ROMAN:
        matcher.regex = isUpper ? '[MDCLXVI]+' : '[mdclxvi]+';
        matcher.parse = function (value: string): number {
          return romanToDecimal(isUpper ? value : value.toUpperCase());
        };
        break;
      case formats.WORDS:
        matcher.regex = '(?:' + keys(wordValues).concat('and', '[\\-, ]').join('|') + ')+';
        matcher.parse = function (value: string): number {
          return wordsToNumber(value.toLowerCase());
        };
        break;
      case formats.DECIMAL: {
        const decimal = integer;
        matcher.regex = '[0-9]';
        if (integer.parseWidth) {
          matcher.regex += `{${integer.parseWidth}}`;
        } else {
          matcher.regex += '+';
        }
        if (integer.ordinal) {
          // ordinals
          matcher.regex += '(?:th|st|nd|rd)';
        }
        matcher.parse = function (value: string): number {
          let digits = value;
          if (decimal.ordinal) {
            // strip off the suffix
            digits = value.substring(0, value.length - 2);
          }
          // strip out the separators
          if (decimal.regular) {
            digits = digits.split(',').join('');
          } else {
            (decimal.groupingSeparators as GroupingSeparator[]).forEach((sep) => {
              digits = digits.split(sep.character).join('');
            });
          }
          if (decimal.zeroCode !== 0x30) {
            // apply offset
            const zeroCode = decimal.zeroCode as number;
            digits = digits
              .split('')
              .map((char) => String.fromCodePoint((char.codePointAt(0) as number) - zeroCode + 0x30))
              .join('');
          }
          return parseInt(digits);
        };
        break;
      }
      case formats.SEQUENCE:
        throw {
          code: 'D3130',
          value: integer.token,
        } as JsonataError;
    }
  }
  return matcher;
}

/**
 * parse a string containing an integer as specified by the picture string
 * @param {string} value - the string to parse
 * @param {string} picture - the picture string
 * @returns {number} - the parsed number
 */
export function parseInteger(value: string | undefined, picture: string): number | undefined {
  if (typeof value === 'undefined') {
    return undefined;
  }

  const formatSpec = analyseIntegerPicture(picture);
  const matchSpec = generateRegex(formatSpec);
  //const fullRegex = '^' + matchSpec.regex + '$';
  //const matcher = new RegExp(fullRegex);
  // TODO validate input based on the matcher regex
  // a sequence picture threw above: every integer matcher parses
  const result = (matchSpec.parse as (value: string) => number)(value);
  return result;
}

/**
 * parse a string containing a timestamp as specified by the picture string
 * @param {string} timestamp - the string to parse
 * @param {string} picture - the picture string
 * @returns {number} - the parsed timestamp in millis since the epoch
 */
export function parseDateTime(this: Focus, timestamp: string, picture: string): number | undefined {
  const formatSpec = analyseDateTimePicture(picture);
  const matchSpec = generateRegex(formatSpec);
  const fullRegex = '^' + matchSpec.parts.map((part) => '(' + part.regex + ')').join('') + '$';

  const matcher = new RegExp(fullRegex, 'i'); // TODO can cache this against the picture
  const info = matcher.exec(timestamp);
  if (info !== null) {
    // validate what we've just parsed - do we have enough information to create a timestamp?
    // rules:
    // The date is specified by one of:
    //    {Y, M, D}    (dateA)
    // or {Y, d}       (dateB)
    // or {Y, x, w, F} (dateC)
    // or {X, W, F}    (dateD)
    // The time is specified by one of:
    //    {H, m, s, f}    (timeA)
    // or {P, h, m, s, f} (timeB)
    // All sets can have an optional Z
    // To create a timestamp (epoch millis) we need both date and time, but we can default missing
    // information according to the following rules:
    // - line up one combination of the above from date, and one from time, most significant value (MSV) to least significant (LSV
    // - for the values that have been captured, if there are any gaps between MSV and LSV, then throw an error
    //     (e.g.) if hour and seconds, but not minutes is given - throw
    //     (e.g.) if month, hour and minutes, but not day-of-month is given - throw
    // - anything right of the LSV should be defaulted to zero
    //     (e.g.) if hour and minutes given, default seconds and fractional seconds to zero
    //     (e.g.) if date only given, default the time to 0:00:00.000 (midnight)
    // - anything left of the MSV should be defaulted to the value of that component returned by $now()
    //     (e.g.) if time only given, default the date to today
    //     (e.g.) if month and date given, default to this year (and midnight, by previous rule)
    //   -- default values for X, x, W, w, F will be derived from the values returned by $now()

    // implement the above rules
    // determine which of the above date/time combinations we have by using bit masks

    //        Y X M x W w d D F P H h m s f Z
    // dateA  1 0 1 0 0 0 0 1 ?                     0 - must not appear
    // dateB  1 0 0 0 0 0 1 0 ?                     1 - can appear - relevant
    // dateC  0 1 0 1 0 1 0 0 1                     ? - can appear - ignored
    // dateD  0 1 0 0 1 0 0 0 1
    // timeA                    0 1 0 1 1 1
    // timeB                    1 0 1 1 1 1

    // create bitmasks based on the above
    //    date mask             YXMxWwdD
    const dmA = 161; // binary 10100001
    const dmB = 130; // binary 10000010
    const dmC = 84; // binary 01010100
    const dmD = 72; // binary 01001000
    //    time mask             PHhmsf
    const tmA = 23; // binary 010111
    const tmB = 47; // binary 101111

    // the parsed components by letter; a missing one reads undefined, which Date.UTC takes as NaN, as jsonata
    const components = Object.create(null) as Record<
      'Y' | 'M' | 'D' | 'd' | 'H' | 'h' | 'm' | 's' | 'f' | 'P' | 'Z' | 'z',
      number
    >;
    const byLetter = components as Record<string, number | undefined>;
    for (let i = 1; i < info.length; i++) {
      const mpart = matchSpec.parts[i - 1] as Matcher;
      if (mpart.parse) {
        byLetter[mpart.component as string] = mpart.parse(info[i] as string);
      }
    }

    if (Object.getOwnPropertyNames(components).length === 0) {
      // nothing specified
      return undefined;
    }

    let mask = 0;

    const shift = (bit: number | undefined): void => {
      mask <<= 1;
      mask += bit ? 1 : 0;
    };

    const isType = (type: number): boolean => {
      // shouldn't match any 0's, must match at least one 1
      return !(~type & mask) && !!(type & mask);
    };

    'YXMxWwdD'.split('').forEach((part) => shift(byLetter[part]));

    const dateA = isType(dmA);
    const dateB = !dateA && isType(dmB);
    const dateC = isType(dmC);
    const dateD = !dateC && isType(dmD);

    mask = 0;
    'PHhmsf'.split('').forEach((part) => shift(byLetter[part]));

    const timeA = isType(tmA);
    const timeB = !timeA && isType(tmB);

    // should only be zero or one date type and zero or one time type

    const dateComps = dateB ? 'YD' : dateC ? 'XxwF' : dateD ? 'XWF' : 'YMD';
    const timeComps = timeB ? 'Phmsf' : 'Hmsf';

    const comps = dateComps + timeComps;

    // step through the candidate parts from most significant to least significant
    // default the most significant unspecified parts to current timestamp component
    // default the least significant unspecified parts to zero
    // if any gaps in between the specified parts, throw an error

    const now = (this.environment as Frame).timestamp as Date; // must get the fixed timestamp from jsonata

    let startSpecified = false;
    let endSpecified = false;
    comps.split('').forEach((part) => {
      if (typeof byLetter[part] === 'undefined') {
        if (startSpecified) {
          // past the specified block - default to zero
          byLetter[part] = 'MDd'.indexOf(part) !== -1 ? 1 : 0;
          endSpecified = true;
        } else {
          // haven't hit the specified block yet, default to current timestamp (a number for these letters)
          byLetter[part] = getDateTimeFragment(now, part) as number;
        }
      } else {
        startSpecified = true;
        if (endSpecified) {
          throw {
            code: 'D3136',
          } as JsonataError;
        }
      }
    });

    // validate and fill in components
    if (components.M > 0) {
      components.M -= 1; // Date.UTC requires a zero-indexed month
    } else {
      components.M = 0; // default to January
    }
    if (dateB) {
      // millis for given 1st Jan of that year (at 00:00 UTC)
      const firstJan = Date.UTC(components.Y, 0);
      const offsetMillis = (components.d - 1) * 1000 * 60 * 60 * 24;
      const derivedDate = new Date(firstJan + offsetMillis);
      components.M = derivedDate.getUTCMonth();
      components.D = derivedDate.getUTCDate();
    }
    if (dateC) {
      // TODO implement this
      // parsing this format not currently supported
      throw {
        code: 'D3136',
      } as JsonataError;
    }
    if (dateD) {
      // TODO implement this
      // parsing this format (ISO week date) not currently supported
      throw {
        code: 'D3136',
      } as JsonataError;
    }
    if (timeB) {
      // 12hr to 24hr
      components.H = components.h === 12 ? 0 : components.h;
      if (components.P === 1) {
        components.H += 12;
      }
    }

    let millis = Date.UTC(
      components.Y,
      components.M,
      components.D,
      components.H,
      components.m,
      components.s,
      components.f,
    );
    if (components.Z || components.z) {
      // adjust for timezone
      millis -= (components.Z || components.z) * 60 * 1000;
    }
    return millis;
  }
}
