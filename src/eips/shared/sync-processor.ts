import type { Exchange } from '../../runtime/exchange.js';
import { DONE, type Processor } from '../../runtime/processor.js';
import { toError } from '../../errors/index.js';

/** A processor for work that never waits; a throw still becomes a rejected promise, as callers expect. */
export function syncProcessor(work: (exchange: Exchange) => void): Processor {
  return (exchange) => {
    try {
      work(exchange);
      return DONE;
    } catch (error) {
      return Promise.reject(toError(error));
    }
  };
}

/** Text of an evaluated template or URI: nothing → empty, objects → JSON, like simple renders them. */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}
