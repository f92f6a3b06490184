/**
 * Date/time pictures (XPath fn:format-dateTime): their analysis into literals and components.
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

import type { JsonataError } from '../types.js';
import { analyseIntegerPicture, tcase, type IntegerFormat } from './integer-picture.js';

/** A part of a date/time picture: a literal, or a variable marker `[Y0001]` with what it says. */
export interface PicturePart {
  type: 'literal' | 'marker';
  /** the literal's text */
  value?: string;
  /** the marker's component letter (Y, M, D, ...) */
  component?: string;
  width?: { min: number | undefined; max: number | undefined };
  presentation1?: string;
  presentation2?: string;
  ordinal?: boolean;
  /** names (of months, days) in this case */
  names?: string;
  integerFormat?: IntegerFormat;
  /** the number of year digits shown */
  n?: number;
}

/** A date/time picture, analysed (see analyseDateTimePicture). */
export interface DateTimeFormat {
  type: 'datetime';
  parts: PicturePart[];
}

const defaultPresentationModifiers: Record<string, string> = {
  Y: '1',
  M: '1',
  D: '1',
  d: '1',
  F: 'n',
  W: '1',
  w: '1',
  X: '1',
  x: '1',
  H: '1',
  h: '1',
  P: 'n',
  m: '01',
  s: '01',
  f: '1',
  Z: '01:01',
  z: '01:01',
  C: 'n',
  E: 'n',
};

// §9.8.4.1 the format specifier is an array of string literals and variable markers
/**
 * analyse the date-time picture string
 * @param {string} picture - picture string
 * @returns {{type: string, parts: Array}} - the analysed string
 */
export function analyseDateTimePicture(picture: string): DateTimeFormat {
  const spec: PicturePart[] = [];
  const format: DateTimeFormat = {
    type: 'datetime',
    parts: spec,
  };
  const addLiteral = function (start: number, end: number): void {
    if (end > start) {
      let literal = picture.substring(start, end);
      // replace any doubled ]] with single ]
      // what if there are instances of single ']' ? - the spec doesn't say
      literal = literal.split(']]').join(']');
      spec.push({ type: 'literal', value: literal });
    }
  };

  let start = 0,
    pos = 0;
  while (pos < picture.length) {
    if (picture.charAt(pos) === '[') {
      // check it's not a doubled [[
      if (picture.charAt(pos + 1) === '[') {
        // literal [
        addLiteral(start, pos);
        spec.push({ type: 'literal', value: '[' });
        pos += 2;
        start = pos;
        continue;
      }
      // start of variable marker
      // push the string literal (if there is one) onto the array
      addLiteral(start, pos);
      start = pos;
      // search forward to closing ]
      pos = picture.indexOf(']', start);
      // TODO handle error case if pos === -1
      if (pos === -1) {
        // error - no closing bracket
        throw {
          code: 'D3135',
        } as JsonataError;
      }
      let marker = picture.substring(start + 1, pos);
      // whitespace within a variable marker is ignored (i.e. remove it)
      marker = marker.split(/\s+/).join('');
      const component = marker.charAt(0);
      const def: PicturePart & { component: string } = {
        type: 'marker',
        component, // 1. The component specifier is always present and is always a single letter.
      };
      const comma = marker.lastIndexOf(','); // 2. The width modifier may be recognized by the presence of a comma
      let presMod; // the presentation modifiers
      if (comma !== -1) {
        // §9.8.4.2 The Width Modifier
        const widthMod = marker.substring(comma + 1);
        const dash = widthMod.indexOf('-');
        let min, max;
        const parseWidth = function (wm: string | undefined): number | undefined {
          if (typeof wm === 'undefined' || wm === '*') {
            return undefined;
          } else {
            // TODO validate wm is an unsigned int
            return parseInt(wm);
          }
        };
        if (dash === -1) {
          min = widthMod;
        } else {
          min = widthMod.substring(0, dash);
          max = widthMod.substring(dash + 1);
        }
        const widthDef = {
          min: parseWidth(min),
          max: parseWidth(max),
        };
        def.width = widthDef;
        presMod = marker.substring(1, comma);
      } else {
        presMod = marker.substring(1);
      }
      if (presMod.length === 1) {
        def.presentation1 = presMod; // first presentation modifier
        //TODO validate the first presentation modifier - it's either N, n, Nn or it passes analyseIntegerPicture
      } else if (presMod.length > 1) {
        const lastChar = presMod.charAt(presMod.length - 1);
        if ('atco'.indexOf(lastChar) !== -1) {
          def.presentation2 = lastChar;
          if (lastChar === 'o') {
            def.ordinal = true;
          }
          // 'c' means 'cardinal' and is the default (i.e. not 'ordinal')
          // 'a' & 't' are ignored (not sure of their relevance to English numbering)
          def.presentation1 = presMod.substring(0, presMod.length - 1);
        } else {
          def.presentation1 = presMod;
          //TODO validate the first presentation modifier - it's either N, n, Nn or it passes analyseIntegerPicture,
          // doesn't use ] as grouping separator, and if grouping separator is , then must have width modifier
        }
      } else {
        // no presentation modifier specified - apply the default;
        def.presentation1 = defaultPresentationModifiers[def.component];
      }
      if (typeof def.presentation1 === 'undefined') {
        // unknown component specifier
        throw {
          code: 'D3132',
          value: def.component,
        } as JsonataError;
      }
      const presentation1 = def.presentation1;
      if (presentation1[0] === 'n') {
        def.names = tcase.LOWER;
      } else if (presentation1[0] === 'N') {
        if (presentation1[1] === 'n') {
          def.names = tcase.TITLE;
        } else {
          def.names = tcase.UPPER;
        }
      } else if ('YMDdFWwXxHhmsf'.indexOf(def.component) !== -1) {
        let integerPattern = presentation1;
        if (def.presentation2) {
          integerPattern += ';' + def.presentation2;
        }
        const integerFormat = analyseIntegerPicture(integerPattern);
        def.integerFormat = integerFormat;
        if (def.width && def.width.min !== undefined) {
          // compared as jsonata does, undefined (not a decimal picture) included
          if ((integerFormat.mandatoryDigits as number) < def.width.min) {
            integerFormat.mandatoryDigits = def.width.min;
          }
        }
        if (def.component === 'Y') {
          // §9.8.4.4
          def.n = -1;
          if (def.width && def.width.max !== undefined) {
            def.n = def.width.max;
            integerFormat.mandatoryDigits = def.n;
          } else {
            const w = (integerFormat.mandatoryDigits as number) + (integerFormat.optionalDigits as number);
            if (w >= 2) {
              def.n = w;
            }
          }
        }
        // if the previous part is also an integer with no intervening markup, then its width for parsing must be precisely defined
        const previousPart = spec[spec.length - 1];
        if (previousPart && previousPart.integerFormat) {
          previousPart.integerFormat.parseWidth = previousPart.integerFormat.mandatoryDigits;
        }
      }
      if (def.component === 'Z' || def.component === 'z') {
        def.integerFormat = analyseIntegerPicture(presentation1);
      }
      spec.push(def);
      start = pos + 1;
    }
    pos++;
  }
  addLiteral(start, pos);
  return format;
}
