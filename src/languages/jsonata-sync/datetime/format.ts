/**
 * Formatting a timestamp by a date/time picture.
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
import { analyseDateTimePicture, type DateTimeFormat, type PicturePart } from './datetime-picture.js';
import { days, getDateTimeFragment, months } from './components.js';
import { _formatInteger, formatInteger, type IntegerFormat, tcase } from './integer-picture.js';

let iso8601Spec: DateTimeFormat | null = null;

/**
 * formats the date/time as specified by the XPath fn:format-dateTime function
 * @param {number} millis - the timestamp to be formatted, in millis since the epoch
 * @param {string} picture - the picture string that specifies the format
 * @param {string} timezone - the timezone to use
 * @returns {string} - the formatted timestamp
 */
export function formatDateTime(
  millis: number,
  picture: string | undefined,
  timezone: string | undefined,
): string {
  let offsetHours = 0;
  let offsetMinutes = 0;

  if (typeof timezone !== 'undefined') {
    // parse the hour and minute offsets
    // assume for now the format supplied is +hhmm
    const offset = parseInt(timezone);
    offsetHours = Math.floor(offset / 100);
    offsetMinutes = offset % 100;
  }

  // the component's value as the marker shows it (numbers, names and zones are the marker's kind)
  const formatComponent = function (
    date: Date,
    markerSpec: PicturePart & { component: string },
  ): string | number | undefined {
    let componentValue = getDateTimeFragment(date, markerSpec.component);
    const integerFormat = markerSpec.integerFormat as IntegerFormat;

    // §9.8.4.3 Formatting Integer-Valued Date/Time Components
    if ('YMDdFWwXxHhms'.indexOf(markerSpec.component) !== -1) {
      if (markerSpec.component === 'Y') {
        // §9.8.4.4 Formatting the Year Component
        if (markerSpec.n !== -1) {
          componentValue = (componentValue as number) % Math.pow(10, markerSpec.n as number);
        }
      }
      if (markerSpec.names) {
        // the component is a month or day number, so it names one
        let name: string;
        if (markerSpec.component === 'M' || markerSpec.component === 'x') {
          name = months[(componentValue as number) - 1] as string;
        } else if (markerSpec.component === 'F') {
          name = days[componentValue as number] as string;
        } else {
          throw {
            code: 'D3133',
            value: markerSpec.component,
          } as JsonataError;
        }
        if (markerSpec.names === tcase.UPPER) {
          name = name.toUpperCase();
        } else if (markerSpec.names === tcase.LOWER) {
          name = name.toLowerCase();
        }
        // compared as jsonata does: with no maximum width the name stays whole
        if (markerSpec.width && name.length > (markerSpec.width.max as number)) {
          name = name.substring(0, markerSpec.width.max);
        }
        componentValue = name;
      } else {
        componentValue = _formatInteger(componentValue as number, integerFormat);
      }
    } else if (markerSpec.component === 'f') {
      // TODO §9.8.4.5 Formatting Fractional Seconds
      componentValue = _formatInteger(componentValue as number, integerFormat);
    } else if (markerSpec.component === 'Z' || markerSpec.component === 'z') {
      // §9.8.4.6 Formatting timezones
      const offset = offsetHours * 100 + offsetMinutes;
      if (integerFormat.regular) {
        componentValue = _formatInteger(offset, integerFormat);
      } else {
        const numDigits = integerFormat.mandatoryDigits;
        if (numDigits === 1 || numDigits === 2) {
          componentValue = _formatInteger(offsetHours, integerFormat);
          if (offsetMinutes !== 0) {
            componentValue += ':' + formatInteger(offsetMinutes, '00');
          }
        } else if (numDigits === 3 || numDigits === 4) {
          componentValue = _formatInteger(offset, integerFormat);
        } else {
          throw {
            code: 'D3134',
            value: numDigits,
          } as JsonataError;
        }
      }
      if (offset >= 0) {
        componentValue = '+' + componentValue;
      }
      if (markerSpec.component === 'z') {
        componentValue = 'GMT' + componentValue;
      }
      if (offset === 0 && markerSpec.presentation2 === 't') {
        componentValue = 'Z';
      }
    } else if (markerSpec.component === 'P') {
      // §9.8.4.7 Formatting Other Components
      // Formatting P for am/pm
      // getDateTimeFragment() always returns am/pm lower case so check for UPPER here
      if (markerSpec.names === tcase.UPPER) {
        componentValue = (componentValue as string).toUpperCase();
      }
    }
    return componentValue;
  };

  let formatSpec;
  if (typeof picture === 'undefined') {
    // default to ISO 8601 format
    if (iso8601Spec === null) {
      iso8601Spec = analyseDateTimePicture('[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]');
    }
    formatSpec = iso8601Spec;
  } else {
    formatSpec = analyseDateTimePicture(picture);
  }

  const offsetMillis = (60 * offsetHours + offsetMinutes) * 60 * 1000;
  const dateTime = new Date(millis + offsetMillis);

  let result = '';
  formatSpec.parts.forEach(function (part) {
    if (part.type === 'literal') {
      result += part.value;
    } else {
      result += formatComponent(dateTime, part as PicturePart & { component: string });
    }
  });

  return result;
}
