/**
 * The components of a date/time (year, month, week, day, ...) as a picture names them.
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

import { MONTH_NAMES } from '../../calendar-names.js';

export const days = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const months = MONTH_NAMES;
const millisInADay = 1000 * 60 * 60 * 24;

/** A month of a year (month 0 is January), with the months and years around it. */
interface YearMonth {
  year: number;
  month: number;
  nextMonth(): YearMonth;
  previousMonth(): YearMonth;
  nextYear(): YearMonth;
  previousYear(): YearMonth;
}

const startOfFirstWeek = function (ym: YearMonth): number {
  // ISO 8601 defines the first week of the year to be the week that contains the first Thursday
  // XPath F&O extends this same definition for the first week of a month
  // the week starts on a Monday - calculate the millis for the start of the first week
  // millis for given 1st Jan of that year (at 00:00 UTC)
  const jan1 = Date.UTC(ym.year, ym.month);
  let dayOfJan1 = new Date(jan1).getUTCDay();
  if (dayOfJan1 === 0) {
    dayOfJan1 = 7;
  }
  // if Jan 1 is Fri, Sat or Sun, then add the number of days (in millis) to jan1 to get the start of week 1
  return dayOfJan1 > 4 ? jan1 + (8 - dayOfJan1) * millisInADay : jan1 - (dayOfJan1 - 1) * millisInADay;
};

const yearMonth = function (year: number, month: number): YearMonth {
  return {
    year: year,
    month: month,
    nextMonth: function () {
      return month === 11 ? yearMonth(year + 1, 0) : yearMonth(year, month + 1);
    },
    previousMonth: function () {
      return month === 0 ? yearMonth(year - 1, 11) : yearMonth(year, month - 1);
    },
    nextYear: function () {
      return yearMonth(year + 1, month);
    },
    previousYear: function () {
      return yearMonth(year - 1, month);
    },
  };
};

const deltaWeeks = function (start: number, end: number): number {
  return (end - start) / (millisInADay * 7) + 1;
};

/** The value of a picture's component letter for the date (a number, or a name such as 'pm' or 'ISO'). */
export const getDateTimeFragment = (date: Date, component: string): number | string | undefined => {
  let componentValue: number | string | undefined;
  switch (component) {
    case 'Y': // year
      componentValue = date.getUTCFullYear();
      break;
    case 'M': // month in year
      componentValue = date.getUTCMonth() + 1;
      break;
    case 'D': // day in month
      componentValue = date.getUTCDate();
      break;
    case 'd': {
      // day in year
      // millis for given date (at 00:00 UTC)
      const today = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
      // millis for given 1st Jan of that year (at 00:00 UTC)
      const firstJan = Date.UTC(date.getUTCFullYear(), 0);
      componentValue = (today - firstJan) / millisInADay + 1;
      break;
    }
    case 'F': // day of week
      componentValue = date.getUTCDay();
      if (componentValue === 0) {
        // ISO 8601 defines days 1-7: Mon-Sun
        componentValue = 7;
      }
      break;
    case 'W': {
      // week in year
      const thisYear = yearMonth(date.getUTCFullYear(), 0);
      const startOfWeek1 = startOfFirstWeek(thisYear);
      const today = Date.UTC(thisYear.year, date.getUTCMonth(), date.getUTCDate());
      let week = deltaWeeks(startOfWeek1, today);
      if (week > 52) {
        // might be first week of the following year
        const startOfFollowingYear = startOfFirstWeek(thisYear.nextYear());
        if (today >= startOfFollowingYear) {
          week = 1;
        }
      } else if (week < 1) {
        // must be end of the previous year
        const startOfPreviousYear = startOfFirstWeek(thisYear.previousYear());
        week = deltaWeeks(startOfPreviousYear, today);
      }
      componentValue = Math.floor(week);
      break;
    }
    case 'w': {
      // week in month
      const thisMonth = yearMonth(date.getUTCFullYear(), date.getUTCMonth());
      const startOfWeek1 = startOfFirstWeek(thisMonth);
      const today = Date.UTC(thisMonth.year, thisMonth.month, date.getUTCDate());
      let week = deltaWeeks(startOfWeek1, today);
      if (week > 4) {
        // might be first week of the following month
        const startOfFollowingMonth = startOfFirstWeek(thisMonth.nextMonth());
        if (today >= startOfFollowingMonth) {
          week = 1;
        }
      } else if (week < 1) {
        // must be end of the previous month
        const startOfPreviousMonth = startOfFirstWeek(thisMonth.previousMonth());
        week = deltaWeeks(startOfPreviousMonth, today);
      }
      componentValue = Math.floor(week);
      break;
    }
    case 'X': {
      // ISO week-numbering year
      // Extension: The F&O spec says nothing about how to access the year associated with the week-of-the-year
      // e.g. Sat 1 Jan 2005 is in the 53rd week of 2004.
      // The 'W' component specifier gives 53, but 'Y' will give 2005.
      // I propose to add 'X' as the component specifier to give the ISO week-numbering year (2004 in this example)
      const thisYear = yearMonth(date.getUTCFullYear(), 0);
      const startOfISOYear = startOfFirstWeek(thisYear);
      const endOfISOYear = startOfFirstWeek(thisYear.nextYear());
      const now = date.getTime();
      if (now < startOfISOYear) {
        componentValue = thisYear.year - 1;
      } else if (now >= endOfISOYear) {
        componentValue = thisYear.year + 1;
      } else {
        componentValue = thisYear.year;
      }
      break;
    }
    case 'x': {
      // ISO week-numbering month
      // Extension: The F&O spec says nothing about how to access the month associated with the week-of-the-month
      // e.g. Sat 1 Jan 2005 is in the 5th week of December 2004.
      // The 'w' component specifier gives 5, but 'W' will give January and 'Y' will give 2005.
      // I propose to add 'x' as the component specifier to give the 'week-numbering' month (December in this example)
      const thisMonth = yearMonth(date.getUTCFullYear(), date.getUTCMonth());
      const startOfISOMonth = startOfFirstWeek(thisMonth);
      const nextMonth = thisMonth.nextMonth();
      const endOfISOMonth = startOfFirstWeek(nextMonth);
      const now = date.getTime();
      if (now < startOfISOMonth) {
        componentValue = thisMonth.previousMonth().month + 1;
      } else if (now >= endOfISOMonth) {
        componentValue = nextMonth.month + 1;
      } else {
        componentValue = thisMonth.month + 1;
      }
      break;
    }
    case 'H': // hour in day (24 hours)
      componentValue = date.getUTCHours();
      break;
    case 'h': // hour in half-day (12 hours)
      componentValue = date.getUTCHours();
      componentValue = componentValue % 12;
      if (componentValue === 0) {
        componentValue = 12;
      }
      break;
    case 'P': // am/pm marker
      componentValue = date.getUTCHours() >= 12 ? 'pm' : 'am';
      break;
    case 'm': // minute in hour
      componentValue = date.getUTCMinutes();
      break;
    case 's': // second in minute
      componentValue = date.getUTCSeconds();
      break;
    case 'f': // fractional seconds
      componentValue = date.getUTCMilliseconds();
      break;
    case 'Z': // timezone
    case 'z':
      // since the date object is constructed from epoch millis, the TZ component is always be UTC.
      break;
    case 'C': // calendar name
      componentValue = 'ISO';
      break;
    case 'E': // era
      componentValue = 'ISO';
      break;
  }
  return componentValue;
};
