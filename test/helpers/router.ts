import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createRegistry } from '../../src/app/catalog.js';
import { defaultConfig, type RouterConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { Router } from '../../src/runtime/router.js';
import { createRouter } from '../../src/app/create-router.js';
import { httpPort } from '../../src/server/http-server-module.js';

/** Every log line a test router wrote, parsed, for assertions (and the secret-leak scan). */
export interface CapturedLog {
  lines: Record<string, unknown>[];
  text(): string;
}

export function captureLog(): { stream: PassThrough; log: CapturedLog } {
  const stream = new PassThrough();
  const raw: string[] = [];
  stream.on('data', (chunk: Buffer) => raw.push(chunk.toString('utf8')));
  return {
    stream,
    log: {
      get lines() {
        return raw
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      },
      text: () => raw.join(''),
    },
  };
}

export interface TestRouter {
  router: Router;
  dir: string;
  baseUrl: string;
  log: CapturedLog;
  stop(): Promise<void>;
}

export interface StartRouterOptions extends Partial<RouterConfig> {
  /** Open the HTTP door (default true). */
  http?: boolean;
  /**
   * Access control. `'off'` (the default): disabled, as `pipes run --no-auth` does. Any other text: the
   * RBAC file's YAML, written as `rbac.yaml` beside the routes (a `jwksFile` in it resolves there too)
   * and enforced.
   */
  rbac?: string;
  /** Runs between creating and starting the router (e.g. to put an egress policy with its own resolver in place). */
  prepare?: (router: Router) => void;
}

/**
 * Writes the given files (route YAML, schemas, JSONata) into a fresh temp folder and starts a router on
 * them with HTTP on a free port. `files` keys are relative paths; `.yaml` files under `routes/` are routes.
 */
export async function startRouter(
  files: Record<string, string>,
  overrides: StartRouterOptions = {},
): Promise<TestRouter> {
  const { rbac = 'off', http, prepare, ...configOverrides } = overrides;
  const dir = writeFiles(rbac === 'off' ? files : { ...files, 'rbac.yaml': rbac });
  const { stream, log } = captureLog();
  const config: RouterConfig = {
    ...defaultConfig({}),
    port: 0,
    host: '127.0.0.1',
    routes: [path.join(dir, 'routes')],
    schemasDir: path.join(dir, 'schemas'),
    logLevel: 'debug',
    ...(rbac === 'off'
      ? { rbacFile: undefined, security: 'disabled' as const }
      : { rbacFile: path.join(dir, 'rbac.yaml'), security: 'enforced' as const }),
    ...configOverrides,
  };
  const router = await createRouter({ config, registry: createRegistry(), logger: createLogger({ level: config.logLevel, stream }) });
  prepare?.(router);
  await router.start({ open: http });
  return {
    router,
    dir,
    baseUrl: `http://127.0.0.1:${httpPort(router.services) ?? 0}`,
    log,
    async stop() {
      await router.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipes-test-'));
  mkdirSync(path.join(dir, 'routes'), { recursive: true });
  mkdirSync(path.join(dir, 'schemas'), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}
