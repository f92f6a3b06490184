/**
 * $formatNumber (XPath fn:format-number pictures) and $formatBase.
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
import { keys } from '../values.js';
import { round } from './numeric.js';

/**
 * Formats a number into a decimal string representation using XPath 3.1 F&O fn:format-number spec
 * @param {number} value - number to format
 * @param {String} picture - picture string definition
 * @param {Object} [options] - override locale defaults
 * @returns {String} The formatted string
 */
/** A sub-picture (before or after the `;`) cut into its parts, F&O 4.7.3. */
interface SubPicture {
  prefix: string;
  suffix: string;
  activePart: string;
  mantissaPart: string;
  exponentPart: string | undefined;
  integerPart: string;
  fractionalPart: string;
  subpicture: string;
}

type FormatProperty =
  | 'decimal-separator'
  | 'grouping-separator'
  | 'exponent-separator'
  | 'infinity'
  | 'minus-sign'
  | 'NaN'
  | 'percent'
  | 'per-mille'
  | 'zero-digit'
  | 'digit'
  | 'pattern-separator';

export function formatNumber(
  value: number | undefined,
  picture: string,
  options: Record<string, string> | undefined,
): string | undefined {
  // undefined inputs always return undefined
  if (typeof value === 'undefined') {
    return undefined;
  }

  const defaults: Record<FormatProperty, string> = {
    'decimal-separator': '.',
    'grouping-separator': ',',
    'exponent-separator': 'e',
    infinity: 'Infinity',
    'minus-sign': '-',
    NaN: 'NaN',
    percent: '%',
    'per-mille': '\u2030',
    'zero-digit': '0',
    digit: '#',
    'pattern-separator': ';',
  };

  // if `options` is specified, then its entries override defaults
  const properties = defaults;
  if (typeof options !== 'undefined') {
    keys(options).forEach(function (key) {
      (properties as Record<string, string>)[key] = options[key] as string;
    });
  }

  const decimalDigitFamily: string[] = [];
  const zeroCharCode = properties['zero-digit'].charCodeAt(0);
  for (let ii = zeroCharCode; ii < zeroCharCode + 10; ii++) {
    decimalDigitFamily.push(String.fromCharCode(ii));
  }

  const activeChars = decimalDigitFamily.concat([
    properties['decimal-separator'],
    properties['exponent-separator'],
    properties['grouping-separator'],
    properties.digit,
    properties['pattern-separator'],
  ]);

  const subPictures = picture.split(properties['pattern-separator']);

  if (subPictures.length > 2) {
    throw {
      code: 'D3080',
      stack: new Error().stack,
    } as JsonataError;
  }

  const splitParts = function (subpicture: string): SubPicture {
    const prefix = (function () {
      let ch;
      for (let ii = 0; ii < subpicture.length; ii++) {
        ch = subpicture.charAt(ii);
        if (activeChars.indexOf(ch) !== -1 && ch !== properties['exponent-separator']) {
          return subpicture.substring(0, ii);
        }
      }
      return '';
    })();
    const suffix = (function () {
      let ch;
      for (let ii = subpicture.length - 1; ii >= 0; ii--) {
        ch = subpicture.charAt(ii);
        if (activeChars.indexOf(ch) !== -1 && ch !== properties['exponent-separator']) {
          return subpicture.substring(ii + 1);
        }
      }
      return '';
    })();
    const activePart = subpicture.substring(prefix.length, subpicture.length - suffix.length);
    let mantissaPart, exponentPart, integerPart, fractionalPart;
    const exponentPosition = subpicture.indexOf(properties['exponent-separator'], prefix.length);
    if (exponentPosition === -1 || exponentPosition > subpicture.length - suffix.length) {
      mantissaPart = activePart;
      exponentPart = undefined;
    } else {
      mantissaPart = activePart.substring(0, exponentPosition);
      exponentPart = activePart.substring(exponentPosition + 1);
    }
    const decimalPosition = mantissaPart.indexOf(properties['decimal-separator']);
    if (decimalPosition === -1) {
      integerPart = mantissaPart;
      fractionalPart = suffix;
    } else {
      integerPart = mantissaPart.substring(0, decimalPosition);
      fractionalPart = mantissaPart.substring(decimalPosition + 1);
    }
    return {
      prefix: prefix,
      suffix: suffix,
      activePart: activePart,
      mantissaPart: mantissaPart,
      exponentPart: exponentPart,
      integerPart: integerPart,
      fractionalPart: fractionalPart,
      subpicture: subpicture,
    };
  };

  // validate the picture string, F&O 4.7.3
  const validate = function (parts: SubPicture): void {
    let error;
    let ii;
    const subpicture = parts.subpicture;
    const decimalPos = subpicture.indexOf(properties['decimal-separator']);
    if (decimalPos !== subpicture.lastIndexOf(properties['decimal-separator'])) {
      error = 'D3081';
    }
    if (subpicture.indexOf(properties.percent) !== subpicture.lastIndexOf(properties.percent)) {
      error = 'D3082';
    }
    if (subpicture.indexOf(properties['per-mille']) !== subpicture.lastIndexOf(properties['per-mille'])) {
      error = 'D3083';
    }
    if (subpicture.indexOf(properties.percent) !== -1 && subpicture.indexOf(properties['per-mille']) !== -1) {
      error = 'D3084';
    }
    let valid = false;
    for (ii = 0; ii < parts.mantissaPart.length; ii++) {
      const ch = parts.mantissaPart.charAt(ii);
      if (decimalDigitFamily.indexOf(ch) !== -1 || ch === properties.digit) {
        valid = true;
        break;
      }
    }
    if (!valid) {
      error = 'D3085';
    }
    const charTypes = parts.activePart
      .split('')
      .map(function (char) {
        return activeChars.indexOf(char) === -1 ? 'p' : 'a';
      })
      .join('');
    if (charTypes.indexOf('p') !== -1) {
      error = 'D3086';
    }
    if (decimalPos !== -1) {
      if (
        subpicture.charAt(decimalPos - 1) === properties['grouping-separator'] ||
        subpicture.charAt(decimalPos + 1) === properties['grouping-separator']
      ) {
        error = 'D3087';
      }
    } else if (parts.integerPart.charAt(parts.integerPart.length - 1) === properties['grouping-separator']) {
      error = 'D3088';
    }
    if (subpicture.indexOf(properties['grouping-separator'] + properties['grouping-separator']) !== -1) {
      error = 'D3089';
    }
    let optionalDigitPos = parts.integerPart.indexOf(properties.digit);
    if (
      optionalDigitPos !== -1 &&
      parts.integerPart
        .substring(0, optionalDigitPos)
        .split('')
        .filter(function (char) {
          return decimalDigitFamily.indexOf(char) > -1;
        }).length > 0
    ) {
      error = 'D3090';
    }
    optionalDigitPos = parts.fractionalPart.lastIndexOf(properties.digit);
    if (
      optionalDigitPos !== -1 &&
      parts.fractionalPart
        .substring(optionalDigitPos)
        .split('')
        .filter(function (char) {
          return decimalDigitFamily.indexOf(char) > -1;
        }).length > 0
    ) {
      error = 'D3091';
    }
    const exponentPart = parts.exponentPart;
    const exponentExists = typeof exponentPart === 'string';
    if (
      exponentExists &&
      exponentPart.length > 0 &&
      (subpicture.indexOf(properties.percent) !== -1 || subpicture.indexOf(properties['per-mille']) !== -1)
    ) {
      error = 'D3092';
    }
    if (
      exponentExists &&
      (exponentPart.length === 0 ||
        exponentPart.split('').filter(function (char) {
          return decimalDigitFamily.indexOf(char) === -1;
        }).length > 0)
    ) {
      error = 'D3093';
    }
    if (error) {
      throw {
        code: error,
        stack: new Error().stack,
      } as JsonataError;
    }
  };

  // analyse the picture string, F&O 4.7.4
  const analyse = function (parts: SubPicture) {
    const getGroupingPositions = function (part: string, toLeft?: boolean): number[] {
      const positions: number[] = [];
      let groupingPosition = part.indexOf(properties['grouping-separator']);
      while (groupingPosition !== -1) {
        const charsToTheRight = (
          toLeft ? part.substring(0, groupingPosition) : part.substring(groupingPosition)
        )
          .split('')
          .filter(function (char) {
            return decimalDigitFamily.indexOf(char) !== -1 || char === properties.digit;
          }).length;
        positions.push(charsToTheRight);
        groupingPosition = parts.integerPart.indexOf(properties['grouping-separator'], groupingPosition + 1);
      }
      return positions;
    };
    const integerPartGroupingPositions = getGroupingPositions(parts.integerPart);
    const regular = function (indexes: number[]): number {
      // are the grouping positions regular? i.e. same interval between each of them
      if (indexes.length === 0) {
        return 0;
      }
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

    const regularGrouping = regular(integerPartGroupingPositions);
    const fractionalPartGroupingPositions = getGroupingPositions(parts.fractionalPart, true);

    let minimumIntegerPartSize = parts.integerPart.split('').filter(function (char) {
      return decimalDigitFamily.indexOf(char) !== -1;
    }).length;
    const scalingFactor = minimumIntegerPartSize;

    const fractionalPartArray = parts.fractionalPart.split('');
    let minimumFactionalPartSize = fractionalPartArray.filter(function (char) {
      return decimalDigitFamily.indexOf(char) !== -1;
    }).length;
    let maximumFactionalPartSize = fractionalPartArray.filter(function (char) {
      return decimalDigitFamily.indexOf(char) !== -1 || char === properties.digit;
    }).length;
    const exponentPresent = typeof parts.exponentPart === 'string';
    if (minimumIntegerPartSize === 0 && maximumFactionalPartSize === 0) {
      if (exponentPresent) {
        minimumFactionalPartSize = 1;
        maximumFactionalPartSize = 1;
      } else {
        minimumIntegerPartSize = 1;
      }
    }
    if (
      exponentPresent &&
      minimumIntegerPartSize === 0 &&
      parts.integerPart.indexOf(properties.digit) !== -1
    ) {
      minimumIntegerPartSize = 1;
    }
    if (minimumIntegerPartSize === 0 && minimumFactionalPartSize === 0) {
      minimumFactionalPartSize = 1;
    }
    let minimumExponentSize = 0;
    if (exponentPresent) {
      minimumExponentSize = (parts.exponentPart as string).split('').filter(function (char) {
        return decimalDigitFamily.indexOf(char) !== -1;
      }).length;
    }

    return {
      integerPartGroupingPositions: integerPartGroupingPositions,
      regularGrouping: regularGrouping,
      minimumIntegerPartSize: minimumIntegerPartSize,
      scalingFactor: scalingFactor,
      prefix: parts.prefix,
      fractionalPartGroupingPositions: fractionalPartGroupingPositions,
      minimumFactionalPartSize: minimumFactionalPartSize,
      maximumFactionalPartSize: maximumFactionalPartSize,
      minimumExponentSize: minimumExponentSize,
      suffix: parts.suffix,
      picture: parts.subpicture,
    };
  };

  const parts = subPictures.map(splitParts);
  parts.forEach(validate);

  const variables = parts.map(analyse);
  type Analysed = ReturnType<typeof analyse>;

  const minus_sign = properties['minus-sign'];
  const zero_digit = properties['zero-digit'];
  const decimal_separator = properties['decimal-separator'];
  const grouping_separator = properties['grouping-separator'];

  if (variables.length === 1) {
    const negative = JSON.parse(JSON.stringify(variables[0])) as Analysed;
    negative.prefix = minus_sign + negative.prefix;
    variables.push(negative);
  }

  // TODO cache the result of the analysis

  // format the number
  // bullet 1: TODO: NaN - not sure we'd ever get this in JSON
  // bullet 2: (there are two pictures: the second made above if the picture has one)
  let pic: Analysed;
  if (value >= 0) {
    pic = variables[0] as Analysed;
  } else {
    pic = variables[1] as Analysed;
  }
  let adjustedNumber;
  // bullet 3:
  if (pic.picture.indexOf(properties.percent) !== -1) {
    adjustedNumber = value * 100;
  } else if (pic.picture.indexOf(properties['per-mille']) !== -1) {
    adjustedNumber = value * 1000;
  } else {
    adjustedNumber = value;
  }
  // bullet 4:
  // TODO: infinity - not sure we'd ever get this in JSON
  // bullet 5:
  let mantissa, exponent;
  if (pic.minimumExponentSize === 0) {
    mantissa = adjustedNumber;
  } else {
    // mantissa * 10^exponent = adjustedNumber
    const maxMantissa = Math.pow(10, pic.scalingFactor);
    const minMantissa = Math.pow(10, pic.scalingFactor - 1);
    mantissa = adjustedNumber;
    exponent = 0;
    // Compare magnitudes; previously `mantissa < minMantissa` was
    // true for every negative mantissa and `0 * 10 === 0` never
    // crossed the threshold, producing an infinite loop on zero
    // and negative inputs (#785). For zero the desired exponent is
    // simply zero — the XPath F&O Bullet 5 says "if N is zero, set
    // M to zero and E to zero".
    if (mantissa !== 0) {
      while (Math.abs(mantissa) < minMantissa) {
        mantissa *= 10;
        exponent -= 1;
      }
      while (Math.abs(mantissa) > maxMantissa) {
        mantissa /= 10;
        exponent += 1;
      }
    }
  }
  // bullet 6:
  const roundedNumber = round(mantissa, pic.maximumFactionalPartSize);
  // bullet 7:
  const makeString = function (value: number, dp: number): string {
    let str = Math.abs(value).toFixed(dp);
    if (zero_digit !== '0') {
      str = str
        .split('')
        .map(function (digit) {
          if (digit >= '0' && digit <= '9') {
            return decimalDigitFamily[digit.charCodeAt(0) - 48];
          } else {
            return digit;
          }
        })
        .join('');
    }
    return str;
  };
  let stringValue = makeString(roundedNumber as number, pic.maximumFactionalPartSize);
  let decimalPos = stringValue.indexOf('.');
  if (decimalPos === -1) {
    stringValue = stringValue + decimal_separator;
  } else {
    stringValue = stringValue.replace('.', decimal_separator);
  }
  while (stringValue.charAt(0) === zero_digit) {
    stringValue = stringValue.substring(1);
  }
  while (stringValue.charAt(stringValue.length - 1) === zero_digit) {
    stringValue = stringValue.substring(0, stringValue.length - 1);
  }
  // bullets 8 & 9:
  decimalPos = stringValue.indexOf(decimal_separator);
  let padLeft = pic.minimumIntegerPartSize - decimalPos;
  const padRight = pic.minimumFactionalPartSize - (stringValue.length - decimalPos - 1);
  stringValue = (padLeft > 0 ? new Array(padLeft + 1).join(zero_digit) : '') + stringValue;
  stringValue = stringValue + (padRight > 0 ? new Array(padRight + 1).join(zero_digit) : '');
  decimalPos = stringValue.indexOf(decimal_separator);
  // bullet 10:
  if (pic.regularGrouping > 0) {
    const groupCount = Math.floor((decimalPos - 1) / pic.regularGrouping);
    for (let group = 1; group <= groupCount; group++) {
      stringValue = [
        stringValue.slice(0, decimalPos - group * pic.regularGrouping),
        grouping_separator,
        stringValue.slice(decimalPos - group * pic.regularGrouping),
      ].join('');
    }
  } else {
    pic.integerPartGroupingPositions.forEach(function (pos) {
      stringValue = [
        stringValue.slice(0, decimalPos - pos),
        grouping_separator,
        stringValue.slice(decimalPos - pos),
      ].join('');
      decimalPos++;
    });
  }
  // bullet 11:
  decimalPos = stringValue.indexOf(decimal_separator);
  pic.fractionalPartGroupingPositions.forEach(function (pos) {
    stringValue = [
      stringValue.slice(0, pos + decimalPos + 1),
      grouping_separator,
      stringValue.slice(pos + decimalPos + 1),
    ].join('');
  });
  // bullet 12:
  decimalPos = stringValue.indexOf(decimal_separator);
  if (pic.picture.indexOf(decimal_separator) === -1 || decimalPos === stringValue.length - 1) {
    stringValue = stringValue.substring(0, stringValue.length - 1);
  }
  // bullet 13:
  if (typeof exponent !== 'undefined') {
    let stringExponent = makeString(exponent, 0);
    padLeft = pic.minimumExponentSize - stringExponent.length;
    if (padLeft > 0) {
      stringExponent = new Array(padLeft + 1).join(zero_digit) + stringExponent;
    }
    stringValue =
      stringValue + properties['exponent-separator'] + (exponent < 0 ? minus_sign : '') + stringExponent;
  }
  // bullet 14:
  stringValue = pic.prefix + stringValue + pic.suffix;
  return stringValue;
}

/**
 * Converts a number to a string using a specified number base
 * @param {number} value - the number to convert
 * @param {number} [radix] - the number base; must be between 2 and 36. Defaults to 10
 * @returns {string} - the converted string
 */
export function formatBase(value: number | undefined, radix: number | undefined): string | undefined {
  // undefined inputs always return undefined
  if (typeof value === 'undefined') {
    return undefined;
  }

  // round() answers a number for a number
  const integer = round(value) as number;
  const base = typeof radix === 'undefined' ? 10 : (round(radix) as number);

  if (base < 2 || base > 36) {
    throw {
      code: 'D3100',
      stack: new Error().stack,
      value: base,
    } as JsonataError;
  }

  const result = integer.toString(base);

  return result;
}
