/**
 * docker-compose.yml runs the router image, which sets NODE_ENV=production. It must not hand it the demo API
 * keys printed in rbac.yaml (public, so they would let anyone in): every key comes from a required variable
 * the user sets in .env (git ignores it; .env.example lists the variables). Where a compose CLI is installed,
 * `config` (it only parses; no Docker daemon needed) shows what compose really does with the file.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadRbacFile } from '../../src/security/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface Principal {
  id: string;
  apiKeyEnv?: string;
  apiKeySha256?: string;
}

/** rbac.yaml's principals that take a key from a variable, and the documented keys of its comment table. */
function documented(): { variables: string[]; keys: string[] } {
  const text = read('rbac.yaml');
  const principals = (parseYaml(text) as { principals: Principal[] }).principals;
  const variables = principals.flatMap((principal) => (principal.apiKeyEnv ? [principal.apiKeyEnv] : []));
  // The table row `#   payments-demo    DEMO_API_KEY          demo-payments-key-local-only`.
  const keys = principals.map((principal) => {
    const row = new RegExp(`^#\\s+${principal.id}\\s+${principal.apiKeyEnv}\\s+(\\S+)\\s*$`, 'm').exec(text);
    expect(row, `rbac.yaml documents the default key of ${principal.id}`).to.not.equal(null);
    const key = row![1]!;
    // The documented key is the one the file accepts by default, so the check below looks for the right text.
    expect(createHash('sha256').update(key).digest('hex')).to.equal(principal.apiKeySha256);
    return key;
  });
  return { variables, keys };
}

function routerEnvironment(compose: string): Record<string, string> {
  const parsed = parseYaml(compose) as { services: { router: { environment: Record<string, string> } } };
  return parsed.services.router.environment;
}

/** `docker compose` (the plugin) or `docker-compose`, whichever answers `version`; undefined without one. */
async function composeCli(): Promise<string[] | undefined> {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const answered = await run(command, ['version'], ROOT, {});
    if (answered.code === 0) return command;
  }
  return undefined;
}

function run(
  command: string[],
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Only PATH and HOME from this process: a developer's own DEMO_* variables must not leak into the check.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return new Promise((resolve) => {
    execFile(
      command[0]!,
      [...command.slice(1), ...args],
      { cwd, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('docker-compose.yml and the API keys', function () {
  this.timeout(60_000);

  it('takes every API key from a required variable, never a documented demo key', function () {
    const { variables, keys } = documented();
    expect(variables).to.deep.equal(['DEMO_API_KEY', 'DEMO_REPORTS_API_KEY', 'DEMO_OPS_API_KEY']);
    const compose = read('docker-compose.yml');
    const environment = routerEnvironment(compose);
    for (const variable of variables) {
      // `${VAR:?message}`: compose stops with the message when VAR is unset or empty; no `:-default`.
      expect(environment[variable], variable).to.match(new RegExp(`^\\$\\{${variable}:\\?[^}]+\\}$`));
    }
    for (const file of ['docker-compose.yml', '.env.example']) {
      for (const key of keys) expect(read(file), `${file} holds no demo key`).to.not.contain(key);
    }
    // The image the compose file builds runs in production, where the refusal applies.
    expect(read('Dockerfile')).to.match(/ENV NODE_ENV=production/);
  });

  it('.env.example lists every variable empty, and git and docker ignore .env', function () {
    const { variables } = documented();
    const example = read('.env.example');
    const assigned = [...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]);
    expect(assigned).to.deep.equal(variables.map((variable) => [variable, '']));
    expect(read('.gitignore').split('\n')).to.include('.env');
    expect(read('.dockerignore').split('\n')).to.include('.env');
  });

  it('compose config refuses to run without the keys and passes the ones from .env (when a compose CLI is installed)', async function () {
    const cli = await composeCli();
    if (!cli) {
      // .ci/run installs one, so in CI its absence is a failure; elsewhere the static checks above still hold.
      expect(process.env.CI, 'no docker compose / docker-compose in CI (.ci/run installs it)').to.not.equal(
        'true',
      );
      console.warn('      (no docker compose / docker-compose here: compose config not run)');
      return;
    }
    const { variables } = documented();
    const dir = mkdtempSync(path.join(tmpdir(), 'pipes-compose-'));
    try {
      copyFileSync(path.join(ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
      const missing = await run(cli, ['config'], dir, {});
      expect(missing.code, missing.stdout).to.not.equal(0);
      expect(missing.stderr).to.contain('set DEMO_API_KEY in .env (see .env.example)');

      // .env.example copied as it is: the variables are there but empty, which `:?` refuses as well.
      copyFileSync(path.join(ROOT, '.env.example'), path.join(dir, '.env'));
      const empty = await run(cli, ['config'], dir, {});
      expect(empty.code, empty.stdout).to.not.equal(0);
      expect(empty.stderr).to.match(/set DEMO_[A-Z_]*API_KEY in \.env/);

      const chosen = Object.fromEntries(
        variables.map((variable, n) => [variable, createHash('sha256').update(`key ${n}`).digest('hex')]),
      );
      writeFileSync(
        path.join(dir, '.env'),
        variables.map((variable) => `${variable}=${chosen[variable]}\n`).join(''),
      );
      const configured = await run(cli, ['config'], dir, {});
      expect(configured.code, configured.stderr).to.equal(0);
      const environment = routerEnvironment(configured.stdout);
      for (const variable of variables) expect(environment[variable]).to.equal(chosen[variable]);

      // What the router makes of that environment in its image: accepted, every key from the variables.
      const production = loadRbacFile(path.join(ROOT, 'rbac.yaml'), {
        env: { ...environment, NODE_ENV: 'production' },
      });
      expect(production.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(production.rbac!.principals.map((principal) => principal.apiKey!.origin)).to.deep.equal(
        variables.map(() => 'env'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
