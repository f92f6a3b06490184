/**
 * In-process CPU cost per message of the S3 route's work without a broker: the router on its memory
 * transport, the partner in a child process. Modes alternate round by round so each sees the same machine:
 *   bare       8 loops POSTing the body with node:http (what any consume → POST pays for HTTP)
 *   plain      route: spring-rabbitmq (memory) → to http POST
 *   connector  route: spring-rabbitmq (memory) → circuitBreaker → to http POST (S3's route)
 *   npx tsx bench/micro/connector-inprocess.ts [messages] [rounds] [modes]
 * Prints CPU µs per message of this process; the minimum over rounds is the steadiest figure on a VM.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PAYMENT_TEXT } from '../lib/payload.js';
import { preload, report, startRouter } from './inprocess-router.js';

// Another build (e.g. of the previous commit) can be measured against this one: MICRO_DIST=/path/to/dist
// (read by inprocess-router.ts).
const N = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 6);
const MODES = (process.argv[4] ?? 'bare,plain,connector').split(',');

const partnerSource = `
const http = require('node:http');
let count = 0, target = 0;
const answer = Buffer.from('{"received":true}');
process.on('message', (m) => { target = m.target; count = 0; });
process.on('disconnect', () => process.exit(0)); // the harness ended, however it ended
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
    if (++count === target) process.send({ done: count });
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;
const dir = mkdtempSync(path.join(tmpdir(), 'micro-'));
writeFileSync(path.join(dir, 'partner.cjs'), partnerSource);
const partner = fork(path.join(dir, 'partner.cjs'));
process.on('exit', () => partner.kill());
// MICRO_PIN=1: this process on CPU 0, the partner on CPU 1, so the scheduler moves neither (steadier figures).
if (process.env.MICRO_PIN) {
  const { execFileSync } = await import('node:child_process');
  execFileSync('taskset', ['-p', '-c', '0', String(process.pid)]);
  execFileSync('taskset', ['-p', '-c', '1', String(partner.pid)]);
}
const port = await new Promise<number>((resolve) => partner.once('message', (m: { port: number }) => resolve(m.port)));
const target = `http://127.0.0.1:${port}/payments`;

const from = (id: string): string => `
- route:
    id: ${id}
    autoStartup: false
    from:
      uri: spring-rabbitmq:default
      parameters:
        queues: micro.${id}
        concurrentConsumers: 8
        prefetchCount: 16
        maximumRetryAttempts: 1${process.env.MICRO_PARAMS ? `\n        ${process.env.MICRO_PARAMS.replace("=", ": ")}` : ''}
      steps:`;
mkdirSync(path.join(dir, 'routes'));
writeFileSync(
  path.join(dir, 'routes', 'micro.yaml'),
  `${from('plain')}
        - to:
            uri: "${target}"
            parameters:
              httpMethod: POST
${from('connector')}
        - circuitBreaker:
            id: micro-partner
            steps:
              - to:
                  uri: "${target}"
                  parameters:
                    httpMethod: POST
`,
);

const { router, transport, control } = await startRouter({ routesDir: path.join(dir, 'routes'), schemasDir: path.join(dir, 'schemas') });
const body = Buffer.from(PAYMENT_TEXT);
for (const id of ['plain', 'connector']) {
  await control.startRoute(id); // declares its queue
  await control.stopRoute(id);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': payload.length, 'x-bench-sent-at': String(Date.now()) };
    const request = http.request({ host: '127.0.0.1', port, path: '/payments', method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    request.on('error', reject);
    request.end(payload);
  });
}
async function bare(): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) {
        next++;
        await post(body);
      }
    }),
  );
}

const results = new Map<string, number[]>(MODES.map((mode) => [mode, []]));
const userResults = new Map<string, number[]>(MODES.map((mode) => [mode, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of MODES) {
    if (mode !== 'bare') await preload(transport, `micro.${mode}`, body, N);
    const done = new Promise((resolve) => partner.once('message', resolve));
    partner.send({ target: N });
    const before = process.cpuUsage();
    if (mode === 'bare') await bare();
    else await control.startRoute(mode);
    await done;
    const cpu = process.cpuUsage(before);
    if (mode !== 'bare') await control.stopRoute(mode);
    results.get(mode)!.push((cpu.user + cpu.system) / N);
    userResults.get(mode)!.push(cpu.user / N);
  }
}
for (const [mode, values] of results) report(mode, values, userResults.get(mode)!);
await router.stop();
process.exit(0);
