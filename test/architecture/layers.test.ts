import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');

/**
 * The layer rules of `npm run lint` (.dependency-cruiser.cjs), run on small trees laid out like src/:
 * each broken rule must fail the command and name the rule; the real tree must pass.
 */
async function cruise(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipes-layers-'));
  try {
    cpSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    try {
      const { stdout } = await run(DEPCRUISE, ['src', '--output-type', 'err'], { cwd: dir });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('architecture: the layer rules in npm run lint', function () {
  this.timeout(60_000);

  it('passes on the project itself', async () => {
    const { stdout } = await run(DEPCRUISE, ['src', '--output-type', 'err'], { cwd: ROOT });
    expect(stdout).to.contain('no dependency violations found');
  });

  const cases: { rule: string; files: Record<string, string> }[] = [
    {
      rule: 'layer-runtime',
      files: {
        'src/runtime/router.ts': "import { server } from '../server/http-server.js';\nexport const router = server;\n",
        'src/server/http-server.ts': 'export const server = 1;\n',
      },
    },
    {
      rule: 'no-circular-across-folders',
      files: {
        'src/runtime/step.ts': "import type { Breaker } from '../reliability/breakers.js';\nexport type Step = Breaker;\n",
        'src/reliability/breakers.ts': "import type { Step } from '../runtime/step.js';\nexport interface Breaker { step?: Step }\n",
      },
    },
    {
      rule: 'transport-knows-only-errors',
      files: {
        'src/transport/transport.ts': "import type { Exchange } from '../runtime/exchange.js';\nexport type T = Exchange;\n",
        'src/runtime/exchange.ts': 'export interface Exchange { id: string }\n',
      },
    },
    {
      rule: 'components-and-eips-are-peers',
      files: {
        'src/eips/to/index.ts': "import { http } from '../../components/http/index.js';\nexport const to = http;\n",
        'src/components/http/index.ts': 'export const http = 1;\n',
      },
    },
    {
      rule: 'dsl-and-security-never-touch-transport',
      files: {
        'src/security/guard.ts': "import { t } from '../transport/index.js';\nexport const g = t;\n",
        'src/transport/index.ts': 'export const t = 1;\n',
      },
    },
    {
      rule: 'unknown-folder',
      files: { 'src/helpers/x.ts': "import { e } from '../errors/index.js';\nexport const x = e;\n", 'src/errors/index.ts': 'export const e = 1;\n' },
    },
    {
      rule: 'no-circular-values',
      files: {
        'src/runtime/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
        'src/runtime/b.ts': "import { a } from './a.js';\nexport const b = (): number => a();\n",
      },
    },
  ];
  for (const { rule, files } of cases) {
    it(`fails on a deliberate violation of ${rule}`, async () => {
      const { code, output } = await cruise(files);
      expect(code, output).to.not.equal(0);
      expect(output).to.contain(rule);
    });
  }

  it('lets contracts of one folder refer to each other by type', async () => {
    const { code, output } = await cruise({
      'src/runtime/services.ts': "import type { Registry } from './registry.js';\nexport interface Services { registry: Registry }\n",
      'src/runtime/registry.ts': "import type { Services } from './services.js';\nexport interface Registry { build(s: Services): void }\n",
    });
    expect(code, output).to.equal(0);
  });
});
