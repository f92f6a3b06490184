/** What the CLI tests share: the project root and `pipes <args>` run as a real process, as a user runs it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/project-root.js';

export { ROOT };

/** tsx by its path, so `pipes` also runs in folders outside the project (where `--import tsx` resolves nothing). */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface PipesResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pipes <args>` in `cwd` (default: the project folder); resolves with its exit code and output. */
export function pipes(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<PipesResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, path.join(ROOT, 'src/cli.ts'), ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
