/**
 * Java SimpleDateFormat patterns, compiled once into a formatter. Covers the letters integration routes
 * use (dates, times, millis, zone offsets, month/day names); any other letter is a compile error, as Java
 * rejects unknown pattern letters. Times are in the router's local time zone, as Camel uses the JVM's.
 */
import { MONTH_NAMES } from '../calendar-names.js';

export type DateFormatter = (date: Date) => string;

type Part = (date: Date) => string;

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function zoneOffset(date: Date, colon: boolean, zulu: boolean, width: number): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0 && zulu) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hours = pad(Math.floor(abs / 60), 2);
  if (width === 1 && zulu) return `${sign}${hours}`;
  return `${sign}${hours}${colon ? ':' : ''}${pad(abs % 60, 2)}`;
}

function letterPart(letter: string, width: number): Part | undefined {
  switch (letter) {
    case 'y':
      return width === 2 ? (d) => pad(d.getFullYear() % 100, 2) : (d) => pad(d.getFullYear(), width);
    case 'M':
      if (width >= 4) return (d) => MONTH_NAMES[d.getMonth()]!;
      if (width === 3) return (d) => MONTH_NAMES[d.getMonth()]!.slice(0, 3);
      return (d) => pad(d.getMonth() + 1, width);
    case 'd':
      return (d) => pad(d.getDate(), width);
    case 'H':
      return (d) => pad(d.getHours(), width);
    case 'h':
      return (d) => pad(d.getHours() % 12 || 12, width);
    case 'm':
      return (d) => pad(d.getMinutes(), width);
    case 's':
      return (d) => pad(d.getSeconds(), width);
    case 'S':
      return (d) => pad(d.getMilliseconds(), width);
    case 'a':
      return (d) => (d.getHours() < 12 ? 'AM' : 'PM');
    case 'E':
      return width >= 4 ? (d) => DAYS[d.getDay()]! : (d) => DAYS[d.getDay()]!.slice(0, 3);
    case 'X':
      if (width > 3) return undefined;
      return (d) => zoneOffset(d, width === 3, true, width);
    case 'Z':
      return (d) => zoneOffset(d, false, false, 2);
    default:
      return undefined;
  }
}

export const SUPPORTED_DATE_LETTERS = 'y M d H h m s S a E X Z';

/** Compiles a pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`; throws on an unsupported letter or open quote. */
export function compileDateFormat(pattern: string): DateFormatter {
  const parts: (string | Part)[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        parts.push("'");
        i += 2;
        continue;
      }
      let literal = '';
      let j = i + 1;
      for (; j < pattern.length; j++) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            literal += "'";
            j++;
            continue;
          }
          break;
        }
        literal += pattern[j];
      }
      if (j >= pattern.length)
        throw new Error(`Date pattern "${pattern}" has an unclosed quote at position ${i + 1}`);
      parts.push(literal);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      const part = letterPart(ch, j - i);
      if (!part) {
        throw new Error(
          `Unsupported date pattern letter "${pattern.slice(i, j)}" in "${pattern}": supported letters are ` +
            `${SUPPORTED_DATE_LETTERS}; quote literal text as 'T'`,
        );
      }
      parts.push(part);
      i = j;
      continue;
    }
    parts.push(ch);
    i++;
  }
  // Adjacent literals are merged so formatting is one pass over a short list.
  const merged: (string | Part)[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  const format = (date: Date): string => {
    let out = '';
    for (const part of merged) out += typeof part === 'string' ? part : part(date);
    return out;
  };
  // `${date:now:...}` on every message of a busy route formats the same second thousands of times, and each
  // local-time getter converts the time zone again: the last answer is kept for the instant it stands for
  // (the second, or the millisecond when the pattern shows milliseconds).
  const unitMs = /S/.test(pattern.replace(/'[^']*'/g, '')) ? 1 : 1000;
  let lastKey = NaN;
  let lastText = '';
  return (date) => {
    const time = date.getTime();
    if (Number.isNaN(time)) return format(date);
    const key = Math.floor(time / unitMs);
    if (key !== lastKey) {
      lastText = format(date);
      lastKey = key;
    }
    return lastText;
  };
}
