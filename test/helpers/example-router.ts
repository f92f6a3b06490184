/**
 * A router on the project's own routes/ and schemas/, as shipped (read in place, not copied), for the tests
 * that hold the examples to what the docs say they do.
 */
import path from 'node:path';
import { createRegistry } from '../../src/app/catalog.js';
import { createRouter } from '../../src/app/create-router.js';
import { defaultConfig, type RouterConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Router } from '../../src/runtime/router.js';
import { ROOT } from './project-root.js';
import { captureLog, type CapturedLog } from './router.js';

/**
 * Starts it with HTTP on a free port and its log captured at info; `overrides` are what the test sets on
 * top of the defaults (the broker, security, route properties).
 */
export async function startExampleRouter(
  overrides: Partial<RouterConfig> = {},
): Promise<{ router: Router; log: CapturedLog }> {
  const captured = captureLog();
  const router = await createRouter({
    config: {
      ...defaultConfig({}),
      port: 0,
      host: '127.0.0.1',
      routes: [path.join(ROOT, 'routes')],
      schemasDir: path.join(ROOT, 'schemas'),
      ...overrides,
    },
    registry: createRegistry(),
    logger: createLogger({ level: 'info', stream: captured.stream }),
  });
  try {
    await router.start();
  } catch (error) {
    // The caller's after() never got the router: stop what did start (consumers, the port) here.
    await router.stop().catch(() => undefined);
    throw error;
  }
  return { router, log: captured.log };
}
