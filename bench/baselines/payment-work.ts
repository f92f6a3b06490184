/**
 * The work of scenarios S1 and S1b written by hand: the same JSON Schema through ajv, the same JSONata
 * mapping, compiled once at start, as a careful engineer would write it without a router.
 * - `payment` (S1): schemas/payment.schema.json (with its $ref), routes/mappings/payment-to-ledger.jsonata;
 * - `order` (S1b): bench/routes/s1b/order.schema.json, bench/routes/s1b/order-to-invoice.jsonata.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import jsonata from 'jsonata';

export type WorkKind = 'payment' | 'order';

export interface PaymentWork {
  validate: ValidateFunction;
  map(payment: unknown, bindings: Record<string, unknown>): Promise<unknown>;
}

export function paymentWork(repoDir: string, kind: WorkKind = 'payment'): PaymentWork {
  const ajv = new Ajv({ allErrors: true });
  addFormatsModule.default(ajv);
  const read = (file: string): string => readFileSync(path.join(repoDir, file), 'utf8');
  let validate: ValidateFunction;
  let mapping: ReturnType<typeof jsonata>;
  if (kind === 'order') {
    validate = ajv.compile(JSON.parse(read('bench/routes/s1b/order.schema.json')) as object);
    mapping = jsonata(read('bench/routes/s1b/order-to-invoice.jsonata'));
  } else {
    ajv.addSchema(JSON.parse(read('schemas/common/money.schema.json')) as object, 'common/money.schema.json');
    validate = ajv.compile(JSON.parse(read('schemas/payment.schema.json')) as object);
    mapping = jsonata(read('routes/mappings/payment-to-ledger.jsonata'));
  }
  return {
    validate,
    map: (payment, bindings) => mapping.evaluate(payment, bindings) as Promise<unknown>,
  };
}

/** Now as `yyyy-MM-dd'T'HH:mm:ssXXX` in local time, the format the bench route's setProperty asks for. */
export function isoSecondsWithOffset(date = new Date()): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone =
    offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`
  );
}
