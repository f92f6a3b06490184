/**
 * package.json's `engines` is a promise to whoever installs the router: every Node.js it admits runs every
 * package the lockfile installs. A dependency needing a newer Node (jsonpath-plus 11 needs 22) breaks that
 * promise with an EBADENGINE warning at `npm ci`; this test names such a package before anyone installs it.
 * `engines` states the minimum (`>=20.19.0`); the lines the router supports from there are the LTS lines users
 * run, 20 from 20.19, 22 from 22.13 and 24 (odd lines are never LTS, and eslint and mocha refuse 21 and 23).
 * Every locked package must admit each of them, and the Node.js running the tests.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as T;

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

describe('the Node.js versions of package.json engines run every locked package', () => {
  const project = readJson<{ engines: { node: string } }>('package.json').engines.node;
  const lock = readJson<{ lockfileVersion: number; packages: Record<string, LockEntry> }>(
    'package-lock.json',
  );

  const SUPPORTED = ['20.19.0', '22.13.0', '24.0.0', process.versions.node];

  it('engines.node starts at 20.19 and admits the supported LTS lines', () => {
    expect(project).to.equal('>=20.19.0');
    for (const version of SUPPORTED) expect(semver.satisfies(version, project), version).to.equal(true);
  });

  it('every package in package-lock.json whose engines.node is given runs on each supported line', () => {
    expect(lock.lockfileVersion).to.be.at.least(2);
    const checked: string[] = [];
    const refused: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      if (where === '') continue;
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!node) continue;
      const name = where.replace(/^.*node_modules\//, '');
      checked.push(name);
      // A range npm cannot read is no promise at all: reported like a refusal.
      const valid = semver.validRange(node) !== null;
      const misses = valid ? SUPPORTED.filter((version) => !semver.satisfies(version, node)) : ['any'];
      if (misses.length > 0) refused.push(`${name}@${entry.version ?? '?'} needs node ${node} (not ${misses.join(', ')})`);
    }
    expect(checked.length, 'packages with engines.node').to.be.greaterThan(50);
    expect(refused, `not every supported Node.js line runs these`).to.deep.equal([]);
  });
});
