/**
 * package.json's `engines` is a promise to whoever installs the router: every Node.js it admits runs every
 * package the lockfile installs. A dependency needing a newer Node (jsonpath-plus 11 needs 22) breaks that
 * promise with an EBADENGINE warning at `npm ci`; this test names such a package before anyone installs it.
 * It checks the whole range (semver.subset), not just its minimum: eslint refuses Node 21 and 23 and opossum
 * anything after 24, which is why engines names the LTS lines instead of an open `>=20.19.0`.
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

  it('engines.node is a range from 20.19 on that admits the current LTS lines', () => {
    expect(semver.validRange(project), project).to.not.equal(null);
    expect(semver.minVersion(project)!.version).to.equal('20.19.0');
    for (const version of ['20.19.0', '22.13.0', '24.0.0'])
      expect(semver.satisfies(version, project), version).to.equal(true);
  });

  it("every package in package-lock.json whose engines.node is given admits all of the project's range", () => {
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
      if (!valid || !semver.subset(project, node, { includePrerelease: false }))
        refused.push(`${name}@${entry.version ?? '?'} needs node ${node}`);
    }
    expect(checked.length, 'packages with engines.node').to.be.greaterThan(50);
    expect(refused, `not every Node.js of ${project} runs these`).to.deep.equal([]);
  });
});
