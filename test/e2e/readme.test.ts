/**
 * The README's commands, run as a newcomer types them: `npm start` on the example routes (in-memory transport,
 * the shipped rbac.yaml and its demo keys), the curl commands of the quick start, `pipes validate routes/` and
 * `pipes send`. Only the port is changed, so the test does not collide with anything on 8080.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/free-port.js';
import { ROOT } from '../helpers/project-root.js';

const run = promisify(execFile);

/** Every shell command of the README's ```sh blocks, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const commands: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let current = '';
    for (const line of block[1]!.split('\n')) {
      if (!current && (line.startsWith('#') || !line.trim())) continue;
      current += line.replace(/\\$/, '') + (line.endsWith('\\') ? ' ' : '\n');
      // A command goes on after a trailing backslash, and while a single-quoted argument is still open.
      const openQuote = (current.match(/'/g) ?? []).length % 2 === 1;
      if (!line.endsWith('\\') && !openQuote) {
        commands.push(current.trim().replace(/\s+# [^'\n]*$/, ''));
        current = '';
      }
    }
  }
  return commands;
}

/** The environment of a newcomer's shell: no broker, no Redis, no RBAC file override, no demo key variables. */
function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['RABBITMQ_URL', 'REDIS_URL', 'RBAC_FILE', 'ROUTES_DIR', 'DEMO_API_KEY', 'DEMO_REPORTS_API_KEY', 'DEMO_OPS_API_KEY']) {
    delete env[name];
  }
  return env;
}

describe("e2e: the README's commands work exactly as written", function () {
  this.timeout(90_000);
  const commands = readmeCommands();
  let port: number;
  let router: ChildProcess | undefined;
  let output = '';

  const curl = (prefix: string): string => {
    const command = commands.find((c) => c.startsWith(prefix));
    if (!command) throw new Error(`README has no command starting with: ${prefix}`);
    return command.replaceAll('localhost:8080', `localhost:${port}`);
  };
  const shell = async (command: string): Promise<string> => (await run('bash', ['-c', command], { cwd: ROOT, env: newcomerEnv() })).stdout;

  before(async () => {
    expect(commands).to.include('npm ci && npm start');
    expect(commands).to.include('npm test');
    port = await freePort();
    router = spawn('npm', ['start'], { cwd: ROOT, env: newcomerEnv({ PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    router.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    router.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('"router started"')) {
      if (Date.now() > deadline || router.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(() => {
    // npm start runs tsx in a child: end the whole group so nothing keeps the port.
    if (router?.pid) {
      try {
        process.kill(-router.pid, 'SIGTERM');
      } catch {
        router.kill('SIGTERM');
      }
    }
  });

  it('npm start says the in-memory transport keeps nothing, and serves the payment curl with 202', async () => {
    expect(output).to.contain('IN-MEMORY TRANSPORT');
    const answer = JSON.parse(await shell(curl('curl -s -X POST localhost:8080/payments'))) as Record<string, unknown>;
    expect(answer.status).to.equal('accepted');
    expect(answer.entryId).to.equal('3f2b8a9e-1c4d-4e5f-8a7b-9c0d1e2f3a4b');
    expect(answer.correlationId).to.be.a('string');
  });

  it('the invalid payment curl gets every schema error at once', async () => {
    const command = commands.filter((c) => c.startsWith('curl -s -X POST localhost:8080/payments'))[1]!;
    const answer = JSON.parse(await shell(command.replaceAll('localhost:8080', `localhost:${port}`))) as {
      error: string;
      errors: { instancePath: string }[];
    };
    expect(answer.error).to.equal('VALIDATION_FAILED');
    expect(answer.errors.map((e) => e.instancePath)).to.include.members(['', '/paymentId', '/instructedAmount/amount']);
  });

  it('the fee quote curl answers as documented', async () => {
    const answer = JSON.parse(await shell(curl("curl -s 'localhost:8080/api/fees/EUR"))) as unknown;
    expect(answer).to.deep.equal({ currency: 'EUR', amount: 120, tier: 'standard', fee: 0.5 });
  });

  it('the async engine curl starts the KYC flow and its status is readable', async () => {
    const started = JSON.parse(await shell(curl("curl -s -X POST 'localhost:8080/async/api/start?flowName=kyc-check'"))) as {
      correlationId: string;
      statusUrl: string;
    };
    expect(started.statusUrl).to.contain(started.correlationId);
    const status = curl("curl -s 'localhost:8080/async/api/runs/").replace('<correlationId>', started.correlationId);
    const run = JSON.parse(await shell(status)) as { correlationId: string; flowName: string; state: string };
    expect(run.correlationId).to.equal(started.correlationId);
    expect(run.flowName).to.equal('kyc-check');
  });

  it('pipes validate routes/ exits 0', async () => {
    const command = commands.find((c) => c.startsWith('npm run pipes -- validate'))!;
    const { stdout } = await run('bash', ['-c', command], { cwd: ROOT, env: newcomerEnv() });
    expect(stdout).to.match(/OK: \d+ route\(s\) in \d+ file\(s\)/);
  });

  it('pipes send prints the resulting exchange as JSON', async () => {
    const command = commands.find((c) => c.startsWith('npm run pipes -- send'))!;
    const { stdout } = await run('bash', ['-c', command], { cwd: ROOT, env: newcomerEnv() });
    // npm prints its own "> service-pipes pipes" banner first; the exchange is the JSON object after it.
    const result = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as { body: unknown; exchangeId: string };
    expect(result.body).to.deep.equal({ currency: 'EUR', amount: 120, tier: 'standard', fee: 0.5 });
    expect(result.exchangeId).to.be.a('string');
  });
});
