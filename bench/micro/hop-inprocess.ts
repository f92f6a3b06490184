/**
 * In-process CPU cost per message of S2's route (bench/routes/s2/ledger-hop.yaml: consume → json-validator →
 * setProperty → jsonata → confirmed publish) on the router's memory transport, without a broker, so builds
 * can be compared on a machine whose broker and other tenants make the bench's figures move:
 *   npx tsx bench/micro/hop-inprocess.ts [messages] [rounds]
 * Each round pre-loads the queue while the route is paused, resumes it and waits until the sink queue has every message; it
 * prints CPU µs per message of this process (the route's work plus the memory transport's). The minimum over
 * rounds is the steadiest figure on a VM. MICRO_DIST=<folder> measures another build's `dist` (e.g. the
 * previous commit's); run both back to back, several times, and compare minima.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PAYMENT_TEXT } from '../lib/payload.js';
import { preload, report, startRouter } from './inprocess-router.js';

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 6);

// S2's route as the bench runs it, with queue names of its own and the queue declared by the route.
const dir = mkdtempSync(path.join(tmpdir(), 'micro-hop-'));
mkdirSync(path.join(dir, 'routes'));
const route = readFileSync('bench/routes/s2/ledger-hop.yaml', 'utf8')
  .replace('id: bench-s2-hop', 'id: hop\n    autoStartup: false')
  .replace('autoDeclare: false', 'autoDeclare: true')
  .replace('queues: bench.s2.router.in', 'queues: micro.hop.in')
  .replace('spring-rabbitmq:bench.s2.out', 'spring-rabbitmq:micro.hop.out');
writeFileSync(path.join(dir, 'routes', 'hop.yaml'), route);

const { router, transport, control } = await startRouter({
  routesDir: path.join(dir, 'routes'),
  resources: [path.resolve('routes')],
  schemasDir: path.resolve('schemas'),
});
// Started once (declaring its queue and the out exchange) and paused between rounds: a start makes the
// route's idempotency store, whose allocation would otherwise count against every round.
const consumer = (await control.startRoute('hop')).consumer!;
await consumer.pause();
await transport.declare({
  queues: [{ name: 'micro.hop.sink', durable: true }],
  bindings: [{ exchange: 'micro.hop.out', queue: 'micro.hop.sink', routingKey: '#' }],
});

let arrived = 0;
let target = 0;
let done: () => void = () => {};
await transport.consume({ queue: 'micro.hop.sink', concurrency: 64, prefetch: 128 }, () => {
  if (++arrived === target) done();
  return Promise.resolve('ack');
});

const body = Buffer.from(PAYMENT_TEXT);
const results: number[] = [];
const userResults: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  await preload(transport, 'micro.hop.in', body, N);
  arrived = 0;
  target = N;
  const all = new Promise<void>((resolve) => (done = resolve));
  const before = process.cpuUsage();
  await consumer.resume();
  await all;
  const cpu = process.cpuUsage(before);
  await consumer.pause();
  results.push((cpu.user + cpu.system) / N);
  userResults.push(cpu.user / N);
}
report('hop', results, userResults);
await router.stop();
process.exit(0);
