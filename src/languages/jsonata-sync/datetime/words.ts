/**
 * Numbers as English words, roman numerals and spreadsheet letters, both ways (for $formatInteger and $parseInteger).
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

const few = [
  'Zero',
  'One',
  'Two',
  'Three',
  'Four',
  'Five',
  'Six',
  'Seven',
  'Eight',
  'Nine',
  'Ten',
  'Eleven',
  'Twelve',
  'Thirteen',
  'Fourteen',
  'Fifteen',
  'Sixteen',
  'Seventeen',
  'Eighteen',
  'Nineteen',
];
const ordinals = [
  'Zeroth',
  'First',
  'Second',
  'Third',
  'Fourth',
  'Fifth',
  'Sixth',
  'Seventh',
  'Eighth',
  'Ninth',
  'Tenth',
  'Eleventh',
  'Twelfth',
  'Thirteenth',
  'Fourteenth',
  'Fifteenth',
  'Sixteenth',
  'Seventeenth',
  'Eighteenth',
  'Nineteenth',
];
const decades = ['Twenty', 'Thirty', 'Forty', 'Fifty', 'Sixty', 'Seventy', 'Eighty', 'Ninety', 'Hundred'];
const magnitudes = ['Thousand', 'Million', 'Billion', 'Trillion'];

/**
 * converts a number into english words
 * @param {string} value - the value to format
 * @param {boolean} ordinal - ordinal or cardinal form
 * @returns {string} - representation in words
 */
export function numberToWords(value: number, ordinal: boolean): string {
  const lookup = function (num: number, prev: boolean, ord: boolean): string {
    let words = '';
    if (num <= 19) {
      words = (prev ? ' and ' : '') + (ord ? ordinals[num] : few[num]);
    } else if (num < 100) {
      const tens = Math.floor(num / 10);
      const remainder = num % 10;
      words = (prev ? ' and ' : '') + decades[tens - 2];
      if (remainder > 0) {
        words += '-' + lookup(remainder, false, ord);
      } else if (ord) {
        words = words.substring(0, words.length - 1) + 'ieth';
      }
    } else if (num < 1000) {
      const hundreds = Math.floor(num / 100);
      const remainder = num % 100;
      words = (prev ? ', ' : '') + few[hundreds] + ' Hundred';
      if (remainder > 0) {
        words += lookup(remainder, true, ord);
      } else if (ord) {
        words += 'th';
      }
    } else {
      let mag = Math.floor(Math.log10(num) / 3);
      if (mag > magnitudes.length) {
        mag = magnitudes.length; // the largest word
      }
      const factor = Math.pow(10, mag * 3);
      const mant = Math.floor(num / factor);
      const remainder = num - mant * factor;
      words = (prev ? ', ' : '') + lookup(mant, false, false) + ' ' + magnitudes[mag - 1];
      if (remainder > 0) {
        words += lookup(remainder, true, ord);
      } else if (ord) {
        words += 'th';
      }
    }
    return words;
  };

  const words = lookup(value, false, ordinal);
  return words;
}

export const wordValues = Object.create(null) as Record<string, number>;
few.forEach(function (word, index) {
  wordValues[word.toLowerCase()] = index;
});
ordinals.forEach(function (word, index) {
  wordValues[word.toLowerCase()] = index;
});
decades.forEach(function (word, index) {
  const lword = word.toLowerCase();
  wordValues[lword] = (index + 2) * 10;
  wordValues[lword.substring(0, word.length - 1) + 'ieth'] = wordValues[lword];
});
wordValues.hundredth = 100;
magnitudes.forEach(function (word, index) {
  const lword = word.toLowerCase();
  const val = Math.pow(10, (index + 1) * 3);
  wordValues[lword] = val;
  wordValues[lword + 'th'] = val;
});

/**
 * Converts a number in english words to numeric value
 * @param {string} text - the number in words
 * @returns {number} - the numeric value
 */
export function wordsToNumber(text: string): number {
  const parts = text.split(/,\s|\sand\s|[\s\\-]/);
  // a word that names no number is undefined, which makes the sum NaN (as in jsonata)
  const values = parts.map((part) => wordValues[part] as number);
  const segs = [0];
  values.forEach((value) => {
    if (value < 100) {
      let top = segs.pop() as number;
      if (top >= 1000) {
        segs.push(top);
        top = 0;
      }
      segs.push(top + value);
    } else {
      segs.push((segs.pop() as number) * value);
    }
  });
  const result = segs.reduce((a, b) => a + b, 0);
  return result;
}

const romanNumerals: [number, string][] = [
  [1000, 'm'],
  [900, 'cm'],
  [500, 'd'],
  [400, 'cd'],
  [100, 'c'],
  [90, 'xc'],
  [50, 'l'],
  [40, 'xl'],
  [10, 'x'],
  [9, 'ix'],
  [5, 'v'],
  [4, 'iv'],
  [1, 'i'],
];

const romanValues: Record<string, number> = { M: 1000, D: 500, C: 100, L: 50, X: 10, V: 5, I: 1 };

/**
 * converts a number to roman numerals
 * @param {number} value - the number
 * @returns {string} - the number in roman numerals
 */
export function decimalToRoman(value: number): string {
  for (const numeral of romanNumerals) {
    if (value >= numeral[0]) {
      return numeral[1] + decimalToRoman(value - numeral[0]);
    }
  }
  return '';
}

/**
 * converts roman numerals to a number
 * @param {string} roman - roman number
 * @returns {number} - the numeric value
 */
export function romanToDecimal(roman: string): number {
  let decimal = 0;
  let max = 1;
  for (let i = roman.length - 1; i >= 0; i--) {
    const digit = roman[i];
    // a letter that is no numeral is undefined: neither branch adds, as in jsonata
    const value = romanValues[digit as string] as number;
    if (value < max) {
      decimal -= value;
    } else {
      max = value;
      decimal += value;
    }
  }
  return decimal;
}

/**
 * converts a number to spreadsheet style letters
 * @param {number} value - the number
 * @param {string} aChar - the character representing the start of the sequence, e.g. 'A'
 * @returns {string} - the letters
 */
export function decimalToLetters(value: number, aChar: string): string {
  const letters: string[] = [];
  const aCode = aChar.charCodeAt(0);
  while (value > 0) {
    letters.unshift(String.fromCharCode(((value - 1) % 26) + aCode));
    value = Math.floor((value - 1) / 26);
  }
  return letters.join('');
}

/**
 * converts spreadsheet style letters to a number
 * @param {string} letters - the letters
 * @param {string} aChar - the character representing the start of the sequence, e.g. 'A'
 * @returns {number} - the numeric value
 */
export function lettersToDecimal(letters: string, aChar: string): number {
  const aCode = aChar.charCodeAt(0);
  let decimal = 0;
  for (let i = 0; i < letters.length; i++) {
    decimal += (letters.charCodeAt(letters.length - i - 1) - aCode + 1) * Math.pow(26, i);
  }
  return decimal;
}
