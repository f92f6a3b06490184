import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds resources (`json-validator:`, `jsonata:` files) the way Camel's classpath would: relative names are
 * looked up in the route file's folder, then `schemas/`, then each `--resources` folder, then the working
 * directory. `classpath:` is accepted and ignored; `file:` names a path relative to the working directory.
 */
export class ResourceResolver {
  constructor(
    private readonly roots: readonly string[],
    private readonly cwd: string = process.cwd(),
  ) {}

  /** The folders searched for `uri` referenced from `fromFile`, in order. */
  searchPath(fromFile?: string): string[] {
    const folders = [...(fromFile ? [path.dirname(fromFile)] : []), ...this.roots, this.cwd];
    return [...new Set(folders.map((folder) => path.resolve(this.cwd, folder)))];
  }

  /** Absolute path of the resource, or undefined when no root has it. */
  resolve(uri: string, fromFile?: string): string | undefined {
    const name = uri.replace(/^resource:/, '');
    if (name.startsWith('file:')) {
      const file = path.resolve(this.cwd, name.slice('file:'.length));
      return isFile(file) ? file : undefined;
    }
    const relative = name.replace(/^classpath:/, '').replace(/^\/+/, '');
    if (path.isAbsolute(name) && isFile(name)) return name;
    for (const folder of this.searchPath(fromFile)) {
      const candidate = path.resolve(folder, relative);
      if (isFile(candidate)) return candidate;
    }
    return undefined;
  }

  read(file: string): string {
    return readFileSync(file, 'utf8');
  }
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
