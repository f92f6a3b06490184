/**
 * `pipes --version` through the real command: the version printed is package.json's, and `-V` says the same.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pipes, ROOT } from './support.js';

describe('cli: pipes --version', function () {
  this.timeout(60_000);
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

  it("prints package.json's version and exits 0", async () => {
    const result = await pipes(['--version']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(`${version}\n`);
  });

  it('-V is the same', async () => {
    const result = await pipes(['-V']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(`${version}\n`);
  });
});
