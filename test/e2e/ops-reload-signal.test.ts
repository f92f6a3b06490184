/**
 * `pipes run --watch` and SIGHUP in a real process: a changed route file is picked up by a signal and by
 * the file watcher; an invalid change is refused and the last good routes keep answering.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFiles } from '../helpers/router.js';
import { eventually } from './rabbitmq-support.js';

const route = (version: string): string => `
- route:
    id: versioned
    from:
      uri: platform-http:/ops/version
      steps:
        - setBody: {constant: "${version}"}
`;

describe('e2e: reload of `pipes run` by SIGHUP and --watch', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let dir: string;
  const lines: Record<string, unknown>[] = [];
  let port = 0;

  before(async () => {
    dir = writeFiles({ 'routes/versioned.yaml': route('v1') });
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--watch', '--routes', path.join(dir, 'routes'), '--port', '0', '--no-auth'], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', RABBITMQ_URL: '', SCHEMAS_DIR: path.join(dir, 'schemas'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.resume();
    await eventually(() => lines.some((l) => l.message === 'router started'), 'the router to start', 30_000);
    port = Number(lines.find((l) => l.message === 'router started')!.port);
    await eventually(() => lines.some((l) => l.message === 'watching for changes; a change reloads the routes'), 'the watcher');
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const version = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/ops/version`)).text();
  const reloads = (ok: boolean): number => lines.filter((l) => l.message === (ok ? 'reloaded' : 'reload refused: the running routes go on unchanged')).length;

  it('reloads on SIGHUP and on file changes; refuses an invalid change', async () => {
    expect(await version()).to.equal('v1');

    writeFileSync(path.join(dir, 'routes/versioned.yaml'), route('v2'));
    // The watcher may see the change too: either way the answer becomes v2, and SIGHUP alone also reloads.
    child!.kill('SIGHUP');
    await eventually(async () => (await version()) === 'v2', 'v2 after the change');
    const before = reloads(true);
    child!.kill('SIGHUP');
    await eventually(() => reloads(true) > before, 'a reload on SIGHUP with no change');

    writeFileSync(path.join(dir, 'routes/versioned.yaml'), route('v3'));
    await eventually(async () => (await version()) === 'v3', 'the watcher to reload v3');

    writeFileSync(path.join(dir, 'routes/versioned.yaml'), '- route:\n    id: versioned\n    from: [broken\n');
    await eventually(() => reloads(false) > 0, 'the invalid change to be refused');
    expect(await version()).to.equal('v3');
    expect(child!.exitCode).to.equal(null);
  });
});
