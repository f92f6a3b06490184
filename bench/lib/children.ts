/**
 * The processes under test and the ones that load them, each in a process (and an event loop) of its
 * own: the router (`pipes run`), the hand-written baselines, the load generators and the stub partner.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = path.dirname(BENCH_DIR);

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The last lines a child wrote, for the error message when it dies or never gets ready. */
class Tail {
  private lines: string[] = [];
  add(chunk: Buffer): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (this.lines.length > 40) this.lines = this.lines.slice(-40);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** Every child still running, ended when the bench process exits, however it exits. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** Profiles are named by pid: note whose each one is. */
function noteProfile(dir: string | undefined, name: string, pid: number | undefined): void {
  if (!dir || pid === undefined) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, 'processes.txt'), `${pid}\t${name}\n`);
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** Ends the process (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

function watchExit(child: ChildProcess, name: string, tail: Tail): { stopping: boolean; exited: Promise<void> } {
  const state = { stopping: false, exited: Promise.resolve() };
  state.exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!state.stopping) process.stderr.write(`\n${name} exited unexpectedly (code ${code}, signal ${signal}):\n${tail.text()}\n`);
      resolve();
    });
  });
  return state;
}

async function stopChild(child: ChildProcess, state: { stopping: boolean; exited: Promise<void> }, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  state.stopping = true;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await state.exited;
  clearTimeout(timer);
}

export interface RouterChild extends Child {
  readonly baseUrl: string;
}

/**
 * `pipes run --no-auth` on one bench route folder, as an operator would start it (compiled: `node dist/cli.js`,
 * which bench/run.ts builds first), with warn-level logs.
 * Ready when /health/ready answers 200 (broker connected, topology declared).
 */
export async function startRouterProcess(options: {
  name: string;
  routesDir: string;
  rabbitmqUrl: string;
  cpuProfileDir?: string;
  env?: Record<string, string>;
}): Promise<RouterChild> {
  const port = await freePort();
  const nodeArgs: string[] = [];
  if (options.cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child = spawn(
    process.execPath,
    [...nodeArgs, 'dist/cli.js', 'run', '--no-auth', '--routes', options.routesDir, '--resources', 'routes', '--port', String(port)],
    {
      cwd: REPO_DIR,
      env: { ...process.env, ...options.env, RABBITMQ_URL: options.rabbitmqUrl, LOG_LEVEL: 'warn', HOST: '127.0.0.1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  track(child);
  noteProfile(options.cpuProfileDir, options.name, child.pid);
  const tail = new Tail();
  child.stdout.on('data', (chunk: Buffer) => tail.add(chunk));
  child.stderr.on('data', (chunk: Buffer) => tail.add(chunk));
  const state = watchExit(child, options.name, tail);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} did not start:\n${tail.text()}`);
    try {
      const response = await fetch(`${baseUrl}/health/ready`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child, state);
      throw new Error(`${options.name} not ready after 60 s:\n${tail.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { name: options.name, pid: child.pid!, baseUrl, stop: () => stopChild(child, state) };
}

export interface Worker extends Child {
  call<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  /** Unsolicited events (progress of a long run). */
  onEvent(listener: (event: Record<string, unknown>) => void): void;
}

interface Reply {
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: string;
  ready?: boolean;
  event?: Record<string, unknown>;
}

/** A TypeScript script of bench/ in a process of its own, driven over IPC (see lib/ipc.ts). */
export async function startWorker(
  name: string,
  script: string,
  env: Record<string, string> = {},
  cpuProfileDir?: string,
): Promise<Worker> {
  const child = fork(path.join(BENCH_DIR, script), [], {
    cwd: REPO_DIR,
    execArgv: ['--import', 'tsx', ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  track(child);
  noteProfile(cpuProfileDir, name, child.pid);
  const tail = new Tail();
  child.stdout!.on('data', (chunk: Buffer) => tail.add(chunk));
  child.stderr!.on('data', (chunk: Buffer) => tail.add(chunk));
  const state = watchExit(child, name, tail);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners: ((event: Record<string, unknown>) => void)[] = [];
  let nextId = 1;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.on('message', (reply: Reply) => {
    if (reply.ready) return markReady();
    if (reply.event) return listeners.forEach((listener) => listener(reply.event!));
    const waiting = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id!);
    if (reply.ok) waiting.resolve(reply.result);
    else waiting.reject(new Error(`${name}: ${reply.error}`));
  });
  child.once('exit', () => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${name} exited:\n${tail.text()}`));
    pending.clear();
  });
  await Promise.race([
    ready,
    state.exited.then(() => {
      throw new Error(`${name} did not start:\n${tail.text()}`);
    }),
  ]);
  return {
    name,
    pid: child.pid!,
    call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) {
          reject(new Error(`${name} is not running:\n${tail.text()}`));
          return;
        }
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, cmd, args }, (error) => {
          if (!error) return;
          pending.delete(id);
          reject(error);
        });
      });
    },
    onEvent: (listener) => listeners.push(listener),
    stop: async () => {
      if (child.connected) child.disconnect();
      await stopChild(child, state, 5000);
    },
  };
}
