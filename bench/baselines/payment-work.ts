/**
 * The work of scenario S1 written by hand: the same JSON Schema (with its $ref) through ajv, the same
 * JSONata mapping, compiled once at start, as a careful engineer would write it without a router.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import jsonata from 'jsonata';

export interface PaymentWork {
  validate: ValidateFunction;
  map(payment: unknown, bindings: Record<string, unknown>): Promise<unknown>;
}

export function paymentWork(repoDir: string): PaymentWork {
  const schemas = path.join(repoDir, 'schemas');
  const ajv = new Ajv({ allErrors: true });
  addFormatsModule.default(ajv);
  ajv.addSchema(JSON.parse(readFileSync(path.join(schemas, 'common/money.schema.json'), 'utf8')) as object, 'common/money.schema.json');
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(schemas, 'payment.schema.json'), 'utf8')) as object);
  const mapping = jsonata(readFileSync(path.join(repoDir, 'routes/mappings/payment-to-ledger.jsonata'), 'utf8'));
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
