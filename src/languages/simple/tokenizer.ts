/**
 * Splits simple text into tokens. Templates only know literal text and `${...}` functions; predicates also
 * know quotes, operators (which Camel requires to be surrounded by spaces), numbers, booleans and null.
 */
import { SimpleSyntaxError } from './syntax-error.js';

export type TokenKind =
  'text' | 'function' | 'whitespace' | 'quoted' | 'operator' | 'logical' | 'number' | 'boolean' | 'null';

export interface Token {
  kind: TokenKind;
  /** Literal text (escapes applied), the inside of a function or of quotes, or the operator as written. */
  text: string;
  /** 0-based position of the token's first character. */
  index: number;
  /** 0-based position of the first character of `text` (inside `${` or the quote). */
  innerIndex: number;
  /** 0-based position just after the token. */
  end: number;
}

/** Binary operators, longest spellings first so `!=~` wins over `!=` and `starts with` over nothing. */
export const BINARY_OPERATORS = [
  'not contains',
  'not regex',
  'not range',
  'not in',
  'not is',
  'starts with',
  'ends with',
  '!startsWith',
  '!endsWith',
  'startsWith',
  'endsWith',
  '!contains',
  'contains',
  '!regex',
  'regex',
  '!range',
  'range',
  '!in',
  'in',
  '!is',
  'is',
  '!=~',
  '!~~',
  '==',
  '!=',
  '>=',
  '<=',
  '=~',
  '~~',
  '>',
  '<',
] as const;

export const LOGICAL_OPERATORS = ['&&', '||', 'and', 'or'] as const;

const FUNCTION_STARTS = ['${', '$simple{'] as const;

function functionStartAt(source: string, index: number): string | undefined {
  for (const start of FUNCTION_STARTS) if (source.startsWith(start, index)) return start;
  return undefined;
}

/**
 * Finds the `}` closing the function that starts at `index`. Brackets and quotes inside the function
 * (`${body['a}b']}`) do not end it; a nested `${` is rejected because it would need parsing per message.
 */
function scanFunction(source: string, index: number, start: string): Token {
  const innerIndex = index + start.length;
  let quote: string | undefined;
  for (let i = innerIndex; i < source.length; i++) {
    const ch = source[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '}') {
      return { kind: 'function', text: source.slice(innerIndex, i), index, innerIndex, end: i + 1 };
    } else if (functionStartAt(source, i)) {
      throw new SimpleSyntaxError(
        'Nested functions such as ${header.${...}} are not supported: compute the inner value in a step before',
        source,
        i,
      );
    }
  }
  const why = quote ? ` (a ${quote} inside it is an unclosed quote; write '' for a literal quote)` : '';
  throw new SimpleSyntaxError(`Function ${start}... has no closing }${why}`, source, index);
}

/** Camel's escapes in literal text. */
function unescape(text: string): string {
  return text.replace(/\\([ntr])/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : '\r'));
}

/** Tokens of a template (or of the inside of quotes): text and functions only. */
export function tokenizeTemplate(source: string, from = 0, to = source.length): Token[] {
  const tokens: Token[] = [];
  let textStart = from;
  let i = from;
  const flushText = (until: number): void => {
    if (until > textStart) {
      tokens.push({
        kind: 'text',
        text: unescape(source.slice(textStart, until)),
        index: textStart,
        innerIndex: textStart,
        end: until,
      });
    }
  };
  while (i < to) {
    const start = functionStartAt(source, i);
    if (start) {
      flushText(i);
      const token = scanFunction(source, i, start);
      if (token.end > to) throw new SimpleSyntaxError(`Function ${start}... has no closing }`, source, i);
      tokens.push(token);
      i = token.end;
      textStart = i;
    } else {
      i++;
    }
  }
  flushText(to);
  return tokens;
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)$/;

function isBoundary(source: string, index: number): boolean {
  return index >= source.length || /\s/.test(source[index]!);
}

function wordOperatorAt(source: string, index: number, operators: readonly string[]): string | undefined {
  if (index > 0 && !/\s/.test(source[index - 1]!)) return undefined;
  for (const op of operators) {
    if (source.startsWith(op, index) && isBoundary(source, index + op.length)) return op;
  }
  return undefined;
}

/** Tokens of a predicate. Whitespace is kept because operators must be surrounded by it. */
export function tokenizePredicate(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      let j = i + 1;
      while (j < source.length && /\s/.test(source[j]!)) j++;
      tokens.push({ kind: 'whitespace', text: source.slice(i, j), index: i, innerIndex: i, end: j });
      i = j;
      continue;
    }
    const start = functionStartAt(source, i);
    if (start) {
      const token = scanFunction(source, i, start);
      tokens.push(token);
      i = token.end;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const close = findClosingQuote(source, i + 1, ch);
      if (close < 0) throw new SimpleSyntaxError(`Quote ${ch} has no closing ${ch}`, source, i);
      tokens.push({
        kind: 'quoted',
        text: source.slice(i + 1, close),
        index: i,
        innerIndex: i + 1,
        end: close + 1,
      });
      i = close + 1;
      continue;
    }
    const logical = wordOperatorAt(source, i, LOGICAL_OPERATORS);
    if (logical) {
      tokens.push({ kind: 'logical', text: logical, index: i, innerIndex: i, end: i + logical.length });
      i += logical.length;
      continue;
    }
    const binary = wordOperatorAt(source, i, BINARY_OPERATORS);
    if (binary) {
      tokens.push({ kind: 'operator', text: binary, index: i, innerIndex: i, end: i + binary.length });
      i += binary.length;
      continue;
    }
    // Anything else runs to the next whitespace: a number, true/false/null, or stray text.
    let j = i + 1;
    while (j < source.length && !/\s/.test(source[j]!) && !functionStartAt(source, j)) j++;
    const word = source.slice(i, j);
    const kind: TokenKind = NUMBER.test(word)
      ? 'number'
      : word === 'true' || word === 'false'
        ? 'boolean'
        : word === 'null'
          ? 'null'
          : 'text';
    tokens.push({ kind, text: word, index: i, innerIndex: i, end: j });
    i = j;
  }
  return tokens;
}

/** The closing quote, skipping functions embedded in the quoted text (`'id-${header.x}'`). */
function findClosingQuote(source: string, from: number, quote: string): number {
  let i = from;
  while (i < source.length) {
    const start = functionStartAt(source, i);
    if (start) {
      i = scanFunction(source, i, start).end;
      continue;
    }
    if (source[i] === quote) return i;
    i++;
  }
  return -1;
}
