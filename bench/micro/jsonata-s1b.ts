/**
 * CPU cost per message of the S1b mapping (bench/routes/s1b/order-to-invoice.jsonata on ORDER):
 *   jsonata   jsonata(expr).evaluate(order, bindings), awaited (jsonata 2.x: a promise per node)
 *   sync      the synchronous evaluator (src/languages/jsonata-sync/) on the same AST and bindings
 *   compiled  compileJsonata's evaluator, as a route calls it (the sync path behind a resolved promise)
 *   npx tsx bench/micro/jsonata-s1b.ts [messages] [rounds]
 * Modes alternate round by round so each sees the same machine; the minimum CPU µs per message over the
 * rounds is the steadiest figure on a shared VM. Prints the three figures and jsonata ÷ sync.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { compileJsonata } from '../../src/languages/jsonata.js';
import { compileSyncJsonata } from '../../src/languages/jsonata-sync/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { ORDER } from '../lib/payload.js';

const N = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 6);

const text = readFileSync(new URL('../routes/s1b/order-to-invoice.jsonata', import.meta.url), 'utf8');
const expression = jsonata(text);
const sync = compileSyncJsonata(expression.ast());
if (!sync) throw new Error('the sync path declined the S1b mapping');
const compiled = compileJsonata(text, 'order-to-invoice.jsonata');
const exchange = new Exchange({ body: ORDER, properties: { receivedAt: '2026-11-23T10:15:01Z' } });
const bindings = {
  headers: exchange.message.headers,
  properties: exchange.properties,
  variables: exchange.variables,
  exchangeId: exchange.exchangeId,
  correlationId: exchange.correlationId,
};

// The figures compare like with like only if the answers are the same.
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const byJsonata = plain(await expression.evaluate(ORDER, bindings));
if (!isDeepStrictEqual(plain(sync.evaluate(ORDER, bindings)), byJsonata))
  throw new Error('the sync path answers S1b differently from jsonata');
if (!isDeepStrictEqual(plain(await compiled(exchange, ORDER)), byJsonata))
  throw new Error('compileJsonata answers S1b differently from jsonata');

const modes: Record<string, () => Promise<void> | void> = {
  jsonata: async () => {
    for (let i = 0; i < N; i++) await expression.evaluate(ORDER, bindings);
  },
  sync: () => {
    for (let i = 0; i < N; i++) sync.evaluate(ORDER, bindings);
  },
  compiled: async () => {
    for (let i = 0; i < N; i++) await compiled(exchange, ORDER);
  },
};

const best: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [mode, run] of Object.entries(modes)) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    const perMessage = (used.user + used.system) / N;
    best[mode] = Math.min(best[mode] ?? Infinity, perMessage);
  }
}
for (const [mode, micros] of Object.entries(best))
  console.log(`${mode.padEnd(9)} ${micros.toFixed(2)} µs CPU per message`);
console.log(`jsonata ÷ sync: ${(best['jsonata']! / best['sync']!).toFixed(2)}×`);
console.log(`jsonata ÷ compiled: ${(best['jsonata']! / best['compiled']!).toFixed(2)}×`);
