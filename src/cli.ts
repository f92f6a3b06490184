#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerDlqCommands } from './admin/cli-dlq.js';
import { createRegistry } from './app/catalog.js';
import { watchForReload } from './runtime/reload-watch.js';
import { defaultConfig, type RouterConfig } from './config.js';
import { formatDiagnostics } from './dsl/format-diagnostics.js';
import { routeFiles } from './dsl/load-route-set.js';
import { checkAccessForValidation } from './server/access-control.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Exchange } from './runtime/exchange.js';
import { createStandaloneProducer } from './builder/route-builder.js';
import { createServices } from './runtime/services.js';
import { loadAndBuild } from './app/load-and-build.js';
import { RouteLoadError } from './errors/index.js';
import type { ReloadResult } from './runtime/reload.js';
import { Router } from './runtime/router.js';
import { createRouter } from './app/create-router.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface CommonFlags {
  routes?: string[];
  resources?: string[];
}

function configFrom(flags: CommonFlags & { port?: string }): RouterConfig {
  const config = defaultConfig();
  if (flags.routes?.length) config.routes = flags.routes;
  if (flags.resources?.length) config.resources = flags.resources;
  if (flags.port !== undefined) config.port = Number(flags.port);
  return config;
}

/** package.json's version: src/cli.ts and dist/cli.js both sit one folder below it. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

const program = new Command()
  .name('pipes')
  .description('service-pipes: an integration router for Camel YAML routes')
  .version(packageVersion(), '-V, --version', "print service-pipes' version")
  .showHelpAfterError();

program
  .command('run')
  .description('run the router on the route files')
  .option('--routes <dir>', 'route folder or file (repeatable; default: $ROUTES_DIR or routes)', collect)
  .option('--resources <dir>', 'extra resource folder for schemas and JSONata (repeatable)', collect)
  .option('--port <n>', 'HTTP port (default: $PORT or 8080)')
  .option('--no-auth', 'no access control at all: local experiments only (refused when NODE_ENV=production)')
  .option('--watch', 'reload when route files, schemas, JSONata or the RBAC file change (SIGHUP always reloads)')
  .action(async (flags: CommonFlags & { port?: string; auth?: boolean; watch?: boolean }) => {
    const config = configFrom(flags);
    if (flags.auth === false) config.security = 'disabled';
    const logger = createLogger({ level: config.logLevel });
    const router = await createRouterOrExit(config, logger);
    if (router.diagnostics.length) process.stderr.write(formatDiagnostics(router.diagnostics) + '\n');
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      router.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('stop failed', { error: String(error) });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // A refused reload leaves the running routes as they are; the problems go to stderr as at start.
    const reload = async (trigger: string): Promise<ReloadResult> => {
      logger.info('reloading', { trigger });
      const result = await router.reload();
      if (!result.ok && result.diagnostics.length) process.stderr.write(formatDiagnostics(result.diagnostics) + '\n');
      return result;
    };
    process.on('SIGHUP', () => void reload('SIGHUP'));
    await router.start();
    if (flags.watch) watchForReload({ config, logger, reload: () => reload('file change') });
  });

program
  .command('validate')
  .description('check route files (and their schemas, JSONata and endpoints) without starting anything')
  .argument('[paths...]', 'route files or folders (default: $ROUTES_DIR or routes); naming only some of them checks the RBAC file as far as they go')
  .option('--resources <dir>', 'extra resource folder (repeatable)', collect)
  .option('--rbac <file|none>', 'RBAC file to check against (default: $RBAC_FILE, else rbac.yaml when present); none: no RBAC check')
  .action(async (paths: string[], flags: CommonFlags & { rbac?: string }) => {
    const config = configFrom({ ...flags, routes: paths });
    if (flags.rbac !== undefined && flags.rbac !== 'none') config.rbacFile = flags.rbac;
    const services = createServices({ config, registry: createRegistry(), logger: createLogger({ level: 'warn', stream: process.stderr }) });
    checkAccessForValidation(services, {
      routeSet: (await coversRouteSet(paths)) ? 'complete' : 'partial',
      rbac: flags.rbac === 'none' ? 'none' : 'file',
    });
    const { routeSet, routes, diagnostics } = await loadAndBuild(services);
    if (flags.rbac === 'none') {
      diagnostics.push({ severity: 'note', message: 'The RBAC file is not checked (--rbac none): grants and who may call the HTTP entries are unchecked' });
    }
    if (diagnostics.length) process.stderr.write(formatDiagnostics(diagnostics) + '\n');
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    if (errors > 0) {
      process.stderr.write(`${errors} error(s) in ${routeSet.files.length} file(s)\n`);
      process.exit(1);
    }
    process.stdout.write(`OK: ${routes.length} route(s) in ${routeSet.files.length} file(s)\n`);
  });

program
  .command('send')
  .description('load the routes, send one exchange to an endpoint (e.g. direct:x) and print the result as JSON')
  .argument('<endpoint-uri>', 'where to send, e.g. direct:payments-intake')
  .option('--routes <dir>', 'route folder or file (repeatable)', collect)
  .option('--resources <dir>', 'extra resource folder (repeatable)', collect)
  .option('--body <json|@file>', 'message body: JSON text, or @path to read it from a file')
  .addOption(new Option('--header <k=v>', 'message header (repeatable)').argParser(collect))
  .action(async (uri: string, flags: CommonFlags & { body?: string; header?: string[] }) => {
    const config = configFrom(flags);
    // Logs go to stderr so stdout holds only the resulting exchange.
    const logger = createLogger({ level: config.logLevel, stream: process.stderr });
    const router = await createRouterOrExit(config, logger);
    await router.start({ open: false, consumers: (route) => route.from.scheme === 'direct' });
    const exchange = new Exchange({ body: parseBody(flags.body), headers: parseHeaders(flags.header ?? []), pattern: 'InOut' });
    let failed = false;
    try {
      const producer = createStandaloneProducer(router.services, uri);
      await producer.start?.();
      await producer.process(exchange);
      await producer.stop?.();
    } catch (error) {
      failed = true;
      exchange.error = error as Error;
    }
    await router.stop();
    const result = {
      exchangeId: exchange.exchangeId,
      correlationId: exchange.correlationId,
      body: Buffer.isBuffer(exchange.body) ? exchange.body.toString('utf8') : exchange.body,
      headers: exchange.message.headers,
      properties: exchange.properties,
      ...(failed ? { error: { name: exchange.error?.name, message: exchange.error?.message, ...errorFacts(exchange.error) } } : {}),
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    process.exit(failed ? 1 : 0);
  });

registerDlqCommands(program);

/**
 * Whether the route paths given to `validate` are the whole route set `pipes run` loads here ($ROUTES_DIR,
 * else routes/): none given, or every one of its files among them. Anything less is a partial validation
 * (an editor or a pre-commit hook checking one file), in which the RBAC file may grant routes of other files.
 */
async function coversRouteSet(paths: string[]): Promise<boolean> {
  if (paths.length === 0) return true;
  const named = new Set(await routeFiles(paths));
  const whole = await routeFiles(defaultConfig().routes);
  return whole.length > 0 && whole.every((file) => named.has(file));
}

/** Loads and builds the routes; on load errors prints every diagnostic and exits 1. */
async function createRouterOrExit(config: RouterConfig, logger: Logger): Promise<Router> {
  try {
    return await createRouter({ config, registry: createRegistry(), logger });
  } catch (error) {
    if (error instanceof RouteLoadError) {
      process.stderr.write(formatDiagnostics(error.diagnostics) + '\n');
      process.exit(1);
    }
    throw error;
  }
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined) return null;
  const text = body.startsWith('@') ? readFileSync(body.slice(1), 'utf8') : body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseHeaders(pairs: string[]): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new Error(`--header expects k=v, got '${pair}'`);
    headers[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return headers;
}

function errorFacts(error: unknown): Record<string, unknown> {
  if (!error || typeof error !== 'object') return {};
  const { code, errors, statusCode } = error as { code?: unknown; errors?: unknown; statusCode?: unknown };
  return { code, errors, statusCode };
}

await program.parseAsync(process.argv);
