import { ExpressionError } from '../errors/index.js';

/**
 * The JSON value behind a message body or header: objects and arrays as they are, JSON text (string or
 * UTF-8 bytes) parsed. `strict` decides what happens to text that is not JSON: an error (jsonpath,
 * jsonata need a document) or the text itself (simple navigation then finds nothing in it).
 */
export function jsonInput(value: unknown, strict: boolean, what = 'body'): unknown {
  if (value === null || value === undefined) return null;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (typeof text !== 'string') return text;
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch (error) {
    if (!strict) return text;
    throw new ExpressionError(`The ${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether text looks like a JSON document worth parsing (cheap test before JSON.parse). */
export function looksLikeJsonDocument(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}
