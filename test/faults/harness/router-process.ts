/**
 * The router as a real child process (`node --import tsx src/cli.ts run --no-auth --routes <dir>`), so a
 * fault can be SIGKILL or SIGTERM and a restart is a restart. Its log goes to a file in its folder; the
 * last lines are printed when a scenario fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brokerUrl } from '../../helpers/broker.js';
import { freePort } from '../../helpers/free-port.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class RouterProcess {
  readonly dir: string;
  private child: ChildProcess | undefined;
  private exited: Promise<Exit> | undefined;
  private log: WriteStream | undefined;
  private port = 0;
  /** Every exit so far, in order (a scenario checks how the router ended). */
  readonly exits: Exit[] = [];

  constructor(
    files: Record<string, string>,
    private readonly env: Record<string, string> = {},
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'pipes-faults-'));
    for (const folder of ['routes', 'schemas']) mkdirSync(path.join(this.dir, folder), { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(this.dir, name)), { recursive: true });
      writeFileSync(path.join(this.dir, name), content);
    }
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (on the same port as before, after a restart) and waits until /health/ready says 200. */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    if (this.running) throw new Error('the router is already running');
    if (!this.port) this.port = await freePort();
    this.log ??= createWriteStream(path.join(this.dir, 'router.log'), { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'run', '--no-auth', '--routes', path.join(this.dir, 'routes')],
      {
        cwd: process.cwd(),
        env: {
          ...process.env,
          RABBITMQ_URL: brokerUrl(),
          PORT: String(this.port),
          HOST: '127.0.0.1',
          SCHEMAS_DIR: path.join(this.dir, 'schemas'),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'test',
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.exits.push(exit);
        resolve(exit);
      }),
    );
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`the router exited while starting:\n${this.logTail()}`);
      if (await this.ready()) return;
      if (Date.now() > deadline) throw new Error(`the router was not ready within ${readyTimeoutMs} ms:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async ready(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Sends a signal and waits for the process to end (SIGKILL after `timeoutMs`). */
  async signal(signal: NodeJS.Signals, timeoutMs = 60_000): Promise<Exit> {
    const child = this.child;
    if (!child || !this.running) return this.exits[this.exits.length - 1] ?? { code: null, signal: null };
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the router if it runs and removes its folder. */
  async dispose(): Promise<void> {
    await this.signal('SIGTERM', 40_000);
    this.log?.end();
    rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(path.join(this.dir, 'router.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
