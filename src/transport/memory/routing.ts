/** Exchange routing rules, as RabbitMQ applies them. */
import type { ExchangeType } from '../transport.js';

/** Topic patterns: words separated by '.', '*' matches exactly one word, '#' zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const patternWords = pattern.split('.');
  const keyWords = routingKey.split('.');
  // Memoised on (pattern position, key position): '#' would otherwise make this exponential.
  const seen = new Map<number, boolean>();
  const match = (p: number, k: number): boolean => {
    const memoKey = p * (keyWords.length + 1) + k;
    const known = seen.get(memoKey);
    if (known !== undefined) return known;
    let result: boolean;
    if (p === patternWords.length) {
      result = k === keyWords.length;
    } else if (patternWords[p] === '#') {
      result = match(p + 1, k) || (k < keyWords.length && match(p, k + 1));
    } else if (k === keyWords.length) {
      result = false;
    } else {
      result = (patternWords[p] === '*' || patternWords[p] === keyWords[k]) && match(p + 1, k + 1);
    }
    seen.set(memoKey, result);
    return result;
  };
  return match(0, 0);
}

/**
 * Headers exchange: `x-match: all` (default) needs every binding header to match, `any` one of them.
 * Binding arguments starting with `x-` are not compared. A binding value of null/undefined asks only
 * that the header be present.
 */
export function headersMatch(
  bindingArguments: Record<string, unknown>,
  headers: Record<string, unknown>,
): boolean {
  const mode = bindingArguments['x-match'] === 'any' ? 'any' : 'all';
  const expected = Object.entries(bindingArguments).filter(([key]) => !key.startsWith('x-'));
  if (expected.length === 0) return mode === 'all';
  const matches = ([key, value]: [string, unknown]): boolean =>
    Object.prototype.hasOwnProperty.call(headers, key) &&
    (value === null || value === undefined || headers[key] === value);
  return mode === 'all' ? expected.every(matches) : expected.some(matches);
}

export function bindingMatches(
  type: ExchangeType,
  binding: { routingKey: string; arguments: Record<string, unknown> },
  routingKey: string,
  headers: Record<string, unknown>,
): boolean {
  switch (type) {
    case 'direct':
      return binding.routingKey === routingKey;
    case 'topic':
      return topicMatches(binding.routingKey, routingKey);
    case 'fanout':
      return true;
    case 'headers':
      return headersMatch(binding.arguments, headers);
  }
}
