/**
 * Integer pictures (XPath fn:format-integer): their analysis, and $formatInteger.
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
import { stringToArray } from '../values.js';
import { decimalToLetters, decimalToRoman, numberToWords } from './words.js';

/**
 * Formats an integer as specified by the XPath fn:format-integer function
 * See https://www.w3.org/TR/xpath-functions-31/#func-format-integer
 * @param {number} value - the number to be formatted
 * @param {string} picture - the picture string that specifies the format
 * @returns {string} - the formatted number
 */
export function formatInteger(value: number | undefined, picture: string): string | undefined {
  if (typeof value === 'undefined') {
    return undefined;
  }

  value = Math.floor(value);

  const format = analyseIntegerPicture(picture);
  return _formatInteger(value, format);
}

export const formats = {
  DECIMAL: 'decimal',
  LETTERS: 'letters',
  ROMAN: 'roman',
  WORDS: 'words',
  SEQUENCE: 'sequence',
};

export const tcase = {
  UPPER: 'upper',
  LOWER: 'lower',
  TITLE: 'title',
};

/** A grouping separator of a decimal picture: its character and how many digits from the right. */
export interface GroupingSeparator {
  position: number;
  character: string;
}

/** An integer picture, analysed (see analyseIntegerPicture). */
export interface IntegerFormat {
  type: string;
  primary: string;
  case: string;
  ordinal: boolean;
  /** the code point of the zero of the picture's decimal digit family */
  zeroCode?: number;
  mandatoryDigits?: number;
  optionalDigits?: number;
  /** regular: one separator every `position` digits; otherwise the separators where the picture has them */
  regular?: boolean;
  /** the exact number of digits to parse, when an integer follows another with nothing between */
  parseWidth?: number;
  groupingSeparators?: GroupingSeparator | GroupingSeparator[];
  token?: string;
}

/**
 * formats an integer using a preprocessed representation of the picture string
 * @param {number} value - the number to be formatted
 * @param {object} format - the preprocessed representation of the pucture string
 * @returns {string} - the formatted number
 * @private
 */
export function _formatInteger(value: number, format: IntegerFormat): string {
  let formattedInteger = '';
  const negative = value < 0;
  value = Math.abs(value);
  switch (format.primary) {
    case formats.LETTERS:
      formattedInteger = decimalToLetters(value, format.case === tcase.UPPER ? 'A' : 'a');
      break;
    case formats.ROMAN:
      formattedInteger = decimalToRoman(value);
      if (format.case === tcase.UPPER) {
        formattedInteger = formattedInteger.toUpperCase();
      }
      break;
    case formats.WORDS:
      formattedInteger = numberToWords(value, format.ordinal);
      if (format.case === tcase.UPPER) {
        formattedInteger = formattedInteger.toUpperCase();
      } else if (format.case === tcase.LOWER) {
        formattedInteger = formattedInteger.toLowerCase();
      }
      break;
    case formats.DECIMAL: {
      formattedInteger = '' + value;
      const zeroCode = format.zeroCode as number;
      // TODO use functionPad
      const padLength = (format.mandatoryDigits as number) - formattedInteger.length;
      if (padLength > 0) {
        const padding = new Array(padLength + 1).join('0');
        formattedInteger = padding + formattedInteger;
      }
      if (format.zeroCode !== 0x30) {
        formattedInteger = stringToArray(formattedInteger)
          .map((code) => {
            return String.fromCodePoint((code.codePointAt(0) as number) + zeroCode - 0x30);
          })
          .join('');
      }
      // insert the grouping-separator-signs, if any
      if (format.regular) {
        const separator = format.groupingSeparators as GroupingSeparator;
        const n = Math.floor((formattedInteger.length - 1) / separator.position);
        for (let ii = n; ii > 0; ii--) {
          const pos = formattedInteger.length - ii * separator.position;
          formattedInteger =
            formattedInteger.substr(0, pos) + separator.character + formattedInteger.substr(pos);
        }
      } else {
        // reversed in place, as jsonata does (a format is analysed for one use)
        (format.groupingSeparators as GroupingSeparator[]).reverse().forEach((separator) => {
          const pos = formattedInteger.length - separator.position;
          formattedInteger =
            formattedInteger.substr(0, pos) + separator.character + formattedInteger.substr(pos);
        });
      }

      if (format.ordinal) {
        const suffix123: Record<string, string> = { '1': 'st', '2': 'nd', '3': 'rd' };
        const lastDigit = formattedInteger[formattedInteger.length - 1] as string;
        let suffix = suffix123[lastDigit];
        if (
          !suffix ||
          (formattedInteger.length > 1 && formattedInteger[formattedInteger.length - 2] === '1')
        ) {
          suffix = 'th';
        }
        formattedInteger = formattedInteger + suffix;
      }
      break;
    }
    case formats.SEQUENCE:
      throw {
        code: 'D3130',
        value: format.token,
      } as JsonataError;
  }
  if (negative) {
    formattedInteger = '-' + formattedInteger;
  }

  return formattedInteger;
}

//TODO what about decimal groups in the unicode supplementary planes (surrogate pairs) ???
const decimalGroups = [
  0x30, 0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66,
  0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50,
  0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

/**
 * preprocesses the picture string
 * @param {string} picture - picture string
 * @returns {{type: string, primary: string, case: string, ordinal: boolean}} - analysed picture
 */
export function analyseIntegerPicture(picture: string): IntegerFormat {
  const format: IntegerFormat = {
    type: 'integer',
    primary: formats.DECIMAL,
    case: tcase.LOWER,
    ordinal: false,
  };

  let primaryFormat, formatModifier;
  const semicolon = picture.lastIndexOf(';');
  if (semicolon === -1) {
    primaryFormat = picture;
  } else {
    primaryFormat = picture.substring(0, semicolon);
    formatModifier = picture.substring(semicolon + 1);
    if (formatModifier[0] === 'o') {
      format.ordinal = true;
    }
  }

  /* eslnt-disable-next no-fallthrough */
  switch (primaryFormat) {
    case 'A':
      format.case = tcase.UPPER;
    /* eslnt-disable-next-line no-fallthrough */
    case 'a':
      format.primary = formats.LETTERS;
      break;
    case 'I':
      format.case = tcase.UPPER;
    /* eslnt-disable-next-line no-fallthrough */
    case 'i':
      format.primary = formats.ROMAN;
      break;
    case 'W':
      format.case = tcase.UPPER;
      format.primary = formats.WORDS;
      break;
    case 'Ww':
      format.case = tcase.TITLE;
      format.primary = formats.WORDS;
      break;
    case 'w':
      format.primary = formats.WORDS;
      break;
    default: {
      // this is a decimal-digit-pattern if it contains a decimal digit (from any unicode decimal digit group)
      let zeroCode = null as number | null; // set in the callback below
      let mandatoryDigits = 0;
      let optionalDigits = 0;
      const groupingSeparators: GroupingSeparator[] = [];
      let separatorPosition = 0;
      const formatCodepoints = stringToArray(primaryFormat)
        .map((c) => c.codePointAt(0) as number)
        .reverse(); // reverse the array to determine positions of grouping-separator-signs
      formatCodepoints.forEach((codePoint) => {
        // step though each char in the picture to determine the digit group
        let digit = false;
        for (const group of decimalGroups) {
          if (codePoint >= group && codePoint <= group + 9) {
            // codepoint is part of this decimal group
            digit = true;
            mandatoryDigits++;
            separatorPosition++;
            if (zeroCode === null) {
              zeroCode = group;
            } else if (group !== zeroCode) {
              // error! different decimal groups in the same pattern
              throw {
                code: 'D3131',
              } as JsonataError;
            }
            break;
          }
        }
        if (!digit) {
          if (codePoint === 0x23) {
            // # - optional-digit-sign
            separatorPosition++;
            optionalDigits++;
          } else {
            // neither a decimal-digit-sign ot optional-digit-sign, assume it is a grouping-separator-sign
            groupingSeparators.push({
              position: separatorPosition,
              character: String.fromCodePoint(codePoint),
            });
          }
        }
      });
      if (mandatoryDigits > 0) {
        format.primary = formats.DECIMAL;
        // TODO validate decimal-digit-pattern

        // the decimal digit family (codepoint offset)
        // (mandatory digits were found, so a digit family was)
        format.zeroCode = zeroCode as number;
        // the number of mandatory digits
        format.mandatoryDigits = mandatoryDigits;
        // the number of optional digits
        format.optionalDigits = optionalDigits;
        // grouping separator template
        // are the grouping-separator-signs 'regular'?
        const regularRepeat = function (separators: GroupingSeparator[]): number {
          // are the grouping positions regular? i.e. same interval between each of them
          // is there at least one separator?
          if (separators.length === 0) {
            return 0;
          }
          // are all the characters the same?
          const sepChar = (separators[0] as GroupingSeparator).character;
          for (let ii = 1; ii < separators.length; ii++) {
            if ((separators[ii] as GroupingSeparator).character !== sepChar) {
              return 0;
            }
          }
          // are they equally spaced?
          const indexes = separators.map((separator) => separator.position);
          const gcd = function (a: number, b: number): number {
            return b === 0 ? a : gcd(b, a % b);
          };
          // find the greatest common divisor of all the positions
          const factor = indexes.reduce(gcd);
          // is every position separated by this divisor? If so, it's regular
          for (let index = 1; index <= indexes.length; index++) {
            if (indexes.indexOf(index * factor) === -1) {
              return 0;
            }
          }
          return factor;
        };

        const regular = regularRepeat(groupingSeparators);
        if (regular > 0) {
          format.regular = true;
          format.groupingSeparators = {
            position: regular,
            character: (groupingSeparators[0] as GroupingSeparator).character,
          };
        } else {
          format.regular = false;
          format.groupingSeparators = groupingSeparators;
        }
      } else {
        // this is a 'numbering sequence' which the spec says is implementation-defined
        // this implementation doesn't support any numbering sequences at the moment.
        format.primary = formats.SEQUENCE;
        format.token = primaryFormat;
      }
    }
  }

  return format;
}
