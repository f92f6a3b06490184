/**
 * `pipes validate` as editors, pre-commit hooks and people run it, through the real command:
 * - naming some route files checks the RBAC file against them without refusing grants of routes that live
 *   in the other files (a note says they were not checked); validating the whole route set still refuses a
 *   grant of a route that does not exist;
 * - `--rbac FILE` checks another RBAC file, `--rbac none` none at all;
 * - the "No RBAC file" warning is printed once, as a diagnostic.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeFiles } from '../helpers/router.js';
import { pipes, ROOT, type PipesResult } from './support.js';

/** The environment of a shell in the project folder: no route folder, RBAC file or demo keys from outside. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  for (const name of ['ROUTES_DIR', 'RBAC_FILE', 'RABBITMQ_URL', 'REDIS_URL', 'SCHEMAS_DIR']) delete env[name];
  return env;
}

const validate = (args: string[], cwd: string = ROOT): Promise<PipesResult> => pipes(['validate', ...args], { cwd, env: shellEnv() });

const httpRoute = (id: string, pathName: string): string => `
- route:
    id: ${id}
    from:
      uri: platform-http:/${pathName}
      steps:
        - setBody: {constant: ok}
`;

const directRoute = (id: string): string => `
- route:
    id: ${id}
    from:
      uri: direct:${id}
      steps:
        - log: {message: "\${body}"}
`;

const rbac = (grants: string[]): string => `version: 1
roles:
  callers:
    permissions: [${grants.join(', ')}]
principals:
  - id: caller
    roles: [callers]
    apiKeySha256: ${'a'.repeat(64)}
`;

describe('cli: pipes validate', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const project = (files: Record<string, string>): string => {
    const dir = writeFiles(files);
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  describe('in the project folder, with its rbac.yaml', () => {
    it('one route file validates: grants of the routes in the other files are a note, not an error', async () => {
      const result = await validate(['routes/payments-intake.yaml']);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/^OK: 1 route\(s\) in 1 file\(s\)\n$/);
      expect(result.stderr).not.to.match(/ error: /);
      expect(result.stderr).to.match(/rbac\.yaml:\d+:\d+ note: .*route:fee-quotes-rest/);
      expect(result.stderr).to.match(/0 errors, \d+ warnings?, 1 note/);
    });

    it('the whole route folder validates with every grant checked', async () => {
      for (const args of [[], ['routes/'], ['routes']]) {
        const result = await validate(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(0);
        expect(result.stderr, args.join(' ')).not.to.contain('note:');
      }
    });
  });

  describe('a grant of a route that exists nowhere', () => {
    let dir: string;
    before(() => {
      dir = project({
        'routes/a.yaml': httpRoute('a-entry', 'a'),
        'routes/b.yaml': httpRoute('b-entry', 'b'),
        'rbac.yaml': rbac(['route:a-entry', 'route:b-entry', 'route:b-entyr']),
      });
    });

    it('is refused when the whole route set is validated (by default, by folder, or every file named)', async () => {
      for (const args of [[], ['routes'], ['routes/a.yaml', 'routes/b.yaml']]) {
        const result = await validate(args, dir);
        expect(result.code, args.join(' ')).to.equal(1);
        expect(result.stderr, args.join(' ')).to.match(/rbac\.yaml:4:\d+ error: Role 'callers' grants 'route:b-entyr', but there is no route 'b-entyr'/);
        expect(result.stderr).to.contain('did you mean: route:b-entry');
      }
    });

    it('is a note naming the routes not checked when only some files are validated', async () => {
      const result = await validate(['routes/a.yaml'], dir);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('OK: 1 route(s) in 1 file(s)\n');
      expect(result.stderr).to.match(/rbac\.yaml:4:\d+ note: .*route:b-entry, route:b-entyr/);
      expect(result.stderr).to.contain('0 errors, 0 warnings, 1 note');
    });

    it('a route set given by ROUTES_DIR is the whole set', async () => {
      const result = await pipes(['validate', 'routes/a.yaml'], { cwd: dir, env: { ...shellEnv(), ROUTES_DIR: 'routes/a.yaml' } });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain("there is no route 'b-entry'");
    });
  });

  describe('--rbac', () => {
    let dir: string;
    before(() => {
      dir = project({
        'routes/a.yaml': httpRoute('a-entry', 'a'),
        'rbac.yaml': rbac(['route:a-entry']),
        'other-rbac.yaml': rbac(['route:a-entry', 'route:not-there']),
      });
    });

    it('--rbac FILE checks that file instead of rbac.yaml', async () => {
      const result = await validate(['--rbac', 'other-rbac.yaml'], dir);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/other-rbac\.yaml:4:\d+ error: .*'route:not-there'/);
    });

    it('--rbac FILE that does not exist is an error naming it', async () => {
      const result = await validate(['--rbac', 'missing.yaml'], dir);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain('Cannot read the RBAC file');
      expect(result.stderr).to.contain('missing.yaml');
    });

    it('--rbac none checks no RBAC file, so HTTP entries without one validate (with a note)', async () => {
      const bare = project({ 'routes/a.yaml': httpRoute('a-entry', 'a') });
      const without = await validate([], bare);
      expect(without.code).to.equal(1);
      expect(without.stderr).to.contain('There is no RBAC file');
      const result = await validate(['--rbac', 'none'], bare);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.match(/note: The RBAC file is not checked \(--rbac none\)/);
    });
  });

  it('"No RBAC file" is printed once, as a diagnostic, not also as a log line', async () => {
    const dir = project({ 'routes/d.yaml': directRoute('d-route') });
    const result = await validate([], dir);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr.match(/No RBAC file/g), result.stderr).to.have.length(1);
    expect(result.stderr).to.match(/^warning: No RBAC file/m);
    expect(result.stderr).not.to.contain('{"');
    expect(path.isAbsolute(dir)).to.equal(true);
  });
});
