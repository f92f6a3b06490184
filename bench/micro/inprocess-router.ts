/**
 * The in-process router the micro benches measure (hop-inprocess.ts, connector-inprocess.ts): a build's
 * `dist` (MICRO_DIST=<folder> for another build, e.g. the previous commit's) started on its memory
 * transport with the given routes, logging to nowhere, plus what the benches do with it: pre-loading a
 * queue and printing CPU µs per message.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const dist = pathToFileURL(path.resolve(process.env.MICRO_DIST ?? 'dist')).href;
const { createRegistry } = (await import(
  `${dist}/app/catalog.js`
)) as typeof import('../../src/app/catalog.js');
const { defaultConfig } = (await import(`${dist}/config.js`)) as typeof import('../../src/config.js');
const { createLogger } = (await import(
  `${dist}/observability/logger.js`
)) as typeof import('../../src/observability/logger.js');
const { createRouter } = (await import(
  `${dist}/app/create-router.js`
)) as typeof import('../../src/app/create-router.js');

type Router = Awaited<ReturnType<typeof createRouter>>;
type Transport = ReturnType<Router['services']['transport']>;
type Pausable = { pause(): Promise<void>; resume(): Promise<void> };
/** The router's route control (not part of its public type). */
export type Control = {
  startRoute(id: string): Promise<{ consumer?: Pausable }>;
  stopRoute(id: string): Promise<unknown>;
};

/** Starts the router (HTTP not opened, security off) on the routes in `routesDir`. */
export async function startRouter(options: {
  routesDir: string;
  schemasDir: string;
  resources?: string[];
}): Promise<{ router: Router; transport: Transport; control: Control }> {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const config = {
    ...defaultConfig({}),
    port: 0,
    routes: [options.routesDir],
    ...(options.resources ? { resources: options.resources } : {}),
    schemasDir: options.schemasDir,
    logLevel: 'warn',
    rbacFile: undefined,
    security: 'disabled' as const,
  };
  const router = await createRouter({
    config,
    registry: createRegistry(),
    logger: createLogger({ level: 'warn', stream: sink }),
  });
  await router.start({ open: false });
  const control = (router as unknown as { control(): Control }).control();
  return { router, transport: router.services.transport(), control };
}

/** Publishes `count` copies of `body` to `queue` as the bench's sender does (JSON, a fresh message-id each). */
export async function preload(
  transport: Transport,
  queue: string,
  body: Buffer,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await transport.publish({
      exchange: '',
      routingKey: queue,
      body,
      contentType: 'application/json',
      headers: { 'x-bench-sent-at': Date.now() },
      messageId: randomUUID(),
    });
  }
}

/** One line per mode: min and median CPU µs per message over the rounds after the first (a warm-up). */
export function report(label: string, total: number[], user: number[]): void {
  const warm = total.slice(1).sort((a, b) => a - b);
  const warmUser = user.slice(1).sort((a, b) => a - b);
  process.stdout.write(
    `${label.padEnd(10)} min ${warm[0]!.toFixed(1)}  median ${warm[Math.floor(warm.length / 2)]!.toFixed(1)} µs CPU/msg, user min ${warmUser[0]!.toFixed(1)} median ${warmUser[Math.floor(warmUser.length / 2)]!.toFixed(1)}  (${total.map((v) => v.toFixed(0)).join(' ')})\n`,
  );
}
