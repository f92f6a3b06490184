/** µs per exchange of routes called in-process (no I/O): npx tsx bench/micro/eip-cost.ts <routesDir> [n] */
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const dist = pathToFileURL(path.resolve(process.env.MICRO_DIST ?? 'dist')).href;
const { createRegistry } = (await import(`${dist}/catalog.js`)) as typeof import('../../src/catalog.js');
const { defaultConfig } = (await import(`${dist}/config.js`)) as typeof import('../../src/config.js');
const { createLogger } = (await import(`${dist}/observability/logger.js`)) as typeof import('../../src/observability/logger.js');
const { Router } = (await import(`${dist}/runtime/router.js`)) as typeof import('../../src/runtime/router.js');
const { Exchange } = (await import(`${dist}/runtime/exchange.js`)) as typeof import('../../src/runtime/exchange.js');
const { PAYMENT } = await import('../lib/payload.js');

const dir = path.resolve(process.argv[2] ?? 'bench/routes/s2');
const n = Number(process.argv[3] ?? 50000);
const sink = new Writable({ write: (_c, _e, done) => done() });
const config = { ...defaultConfig({}), port: 0, routes: [dir], logLevel: 'warn', rbacFile: undefined, security: 'disabled' as const };
const router = await Router.create({ config, registry: createRegistry(), logger: createLogger({ level: 'warn', stream: sink }) });
await router.start({ http: false, consumers: () => false });
for (const route of router.routes) {
  const headers = { 'x-bench-sent-at': Date.now(), CamelSpringRabbitmqMessageId: 'id', CamelSpringRabbitmqQueue: 'q', CamelRedeliveryCounter: 0 };
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const exchange = new Exchange({ body: PAYMENT, headers, routeId: route.definition.id });
      await route.processor(exchange);
    }
    const used = process.cpuUsage(started);
    process.stdout.write(`${String(route.definition.id).padEnd(12)} round ${round + 1}: ${((used.user + used.system) / n).toFixed(2)} µs/exchange\n`);
  }
}
await router.stop();
process.exit(0);
