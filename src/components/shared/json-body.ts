/**
 * The checks every JSON body from outside goes through before a route sees it, whatever door it came in by
 * (HTTP entries, the async API): the bytes must be UTF-8, the document must parse, it must not nest deeper
 * than {@link MAX_JSON_DEPTH}, and it must not carry prototype-pollution keys.
 */
import { HttpRequestError } from '../../errors/index.js';

/**
 * Deepest nesting of arrays and objects accepted (Jackson's default too). Recursive code further on
 * (cloning, serialising, expression languages) overflows the stack somewhere above ten thousand levels;
 * no business document comes near a thousand.
 */
export const MAX_JSON_DEPTH = 1000;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The text of a body that must be UTF-8. Invalid bytes are refused rather than replaced by U+FFFD: a
 * silently altered name or remittance line is worse than a clear 400.
 */
export function utf8Text(raw: Uint8Array): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw new HttpRequestError(400, 'MALFORMED_JSON', 'The request body is not valid UTF-8');
  }
}

/** Whether arrays and objects in the JSON text nest deeper than `max` (strings are skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Whether a parsed document has a `__proto__` key or a `constructor` object with a `prototype` anywhere.
 * Keys are looked at after parsing, never in the text: JSON spells one key many ways (`"\u005f_proto__"`).
 */
export function hasPollutingKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) return true;
    const ctor = (node as Record<string, unknown>).constructor;
    if (
      Object.prototype.hasOwnProperty.call(node, 'constructor') &&
      ctor &&
      typeof ctor === 'object' &&
      'prototype' in ctor
    ) {
      return true;
    }
    // One push per child: spreading a million-element array into push() would overflow the stack.
    for (const child of Object.values(node) as unknown[])
      if (child && typeof child === 'object') stack.push(child);
  }
  return false;
}

/** Refuses a JSON text nested deeper than {@link MAX_JSON_DEPTH}. */
export function checkJsonDepth(text: string): void {
  // Nesting deeper than the limit takes more opening brackets than a text this short has characters.
  if (text.length > MAX_JSON_DEPTH && nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new HttpRequestError(
      400,
      'JSON_TOO_DEEP',
      `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
}

/**
 * Whether the JSON text can hold a polluting key at all. Outside `\uXXXX`, JSON's escapes stand for
 * punctuation and control characters only, never for a letter or `_`: a text without `\u` spells every
 * key as it is, so a `__proto__` or `constructor` key would appear in it literally. Most bodies pass
 * this look at the text (a native substring search) and need no walk over the parsed document.
 */
export function mayHoldPollutingKey(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
}

/** Refuses a parsed document with prototype-pollution keys, however the text spelt them. */
export function checkPollutingKeys(parsed: unknown, text?: string): void {
  if (text !== undefined && !mayHoldPollutingKey(text)) return;
  if (hasPollutingKey(parsed)) {
    throw new HttpRequestError(
      400,
      'FORBIDDEN_JSON_KEY',
      'The request body contains a forbidden property name',
    );
  }
}

/** A JSON request body as a value, or a 400 saying what is wrong with it. */
export function parseJsonBody(raw: Uint8Array): unknown {
  const text = utf8Text(raw);
  checkJsonDepth(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpRequestError(
      400,
      'MALFORMED_JSON',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  checkPollutingKeys(parsed, text);
  return parsed;
}
