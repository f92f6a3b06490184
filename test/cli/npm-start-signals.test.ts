/**
 * The documented start (`npm start`) stops on the signal a user or a supervisor sends to the process they
 * started: SIGTERM or SIGINT to npm's pid reaches the router, which drains and exits 0; npm exits 0 too, and
 * no process of the start is left behind (none reparented to PID 1, still serving the port).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { eventually } from '../e2e/rabbitmq-support.js';
import { freePort } from '../helpers/free-port.js';
import { ROOT } from './support.js';

/** Parent pid of every live process, from /proc. */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold blanks: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

/** Every process below `pid`. */
function descendants(pid: number): number[] {
  const parents = parentPids();
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Whether a process runs (a zombie waiting for its parent counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The environment of a newcomer's shell: no broker, no Redis, no route folder or RBAC file from outside. */
function newcomerEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  for (const name of ['RABBITMQ_URL', 'REDIS_URL', 'RBAC_FILE', 'ROUTES_DIR', 'SCHEMAS_DIR', 'LOG_LEVEL']) delete env[name];
  return env;
}

describe('cli: `npm start` stops on a signal to npm (the process the user started)', function () {
  this.timeout(120_000);
  const started: { npm: ChildProcess; below: number[] }[] = [];

  after(() => {
    // Whatever a failed run left behind: the processes this test started, by their pids.
    for (const { npm, below } of started) {
      for (const pid of [npm.pid!, ...below]) {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: the router drains and exits, npm exits 0, nothing is left running`, async () => {
      const port = await freePort();
      const npm = spawn('npm', ['start'], { cwd: ROOT, env: newcomerEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
      const run = { npm, below: [] as number[] };
      started.push(run);
      let output = '';
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        npm.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
      );

      await eventually(() => output.includes('"router started"') || npm.exitCode !== null, 'npm start to come up', 60_000);
      expect(output, 'npm start came up').to.contain('"router started"');
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).to.equal(200);
      run.below = descendants(npm.pid!);
      expect(run.below, 'the router runs below npm').not.to.be.empty;

      process.kill(npm.pid!, signal);
      // Bounded only so that a start that ignores the signal fails here instead of at mocha's timeout.
      const exit = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('npm still running'), 45_000))]);
      expect(exit, output.slice(-2000)).to.deep.equal({ code: 0, signal: null });
      await eventually(() => run.below.every((pid) => !alive(pid)), 'every process of the start to end', 15_000).catch(() => undefined);
      expect(run.below.filter(alive), 'processes of the start still running').to.deep.equal([]);
      expect(output).to.contain(`"signal":"${signal}"`);
      expect(output).to.match(/"drained":true,"level":"info","message":"router stopped"/);
      const after = await fetch(`http://127.0.0.1:${port}/health/live`).then(
        () => 'answered',
        () => 'refused',
      );
      expect(after, 'the port is free again').to.equal('refused');
    });
  }
});
