import { ExpressionError } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';

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

/**
 * Where a message says what its body is: the route's or HTTP message's `Content-Type`, else the content type
 * a consumed AMQP message came with (spring-rabbitmq's `CamelSpringRabbitmqContentType`).
 */
const CONTENT_TYPE_HEADERS = ['Content-Type', 'CamelSpringRabbitmqContentType'] as const;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * Whether text or bytes in the body may be read as a JSON document by a language that is not a JSON one
 * (simple's `${body[key]}`): yes under a JSON content type (`application/json`, `*+json`) and when the
 * message names none (what a publisher without content types sends, or text a route built itself); no
 * under any other, so a `text/plain` body stays text even when it happens to be JSON, as the doors keep it.
 */
export function bodyMayBeJson(exchange: Exchange): boolean {
  for (const name of CONTENT_TYPE_HEADERS) {
    const value = exchange.getHeader(name);
    const text = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof text !== 'string' || text.trim() === '') continue;
    return JSON_MEDIA_TYPE.test(text.split(';')[0]!.trim());
  }
  return true;
}
