import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
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

  /**
   * Absolute path of the resource, or undefined when no root has it. A relative name must stay inside the
   * folder it is found in, both as written (`a/../../x` is refused) and once symbolic links are followed
   * (a link pointing out of the root is refused), so a name built from message data (`toD:
   * jsonata:mappings/${header.m}`) cannot read a file outside the resource roots. `file:` and absolute
   * names are the operator's own (a route file writes them; values put into a toD URI cannot make one).
   */
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
      if (!inside(folder, candidate) || !isFile(candidate)) continue;
      if (!inside(realpathSync(folder), realpathSync(candidate))) continue;
      return candidate;
    }
    return undefined;
  }

  read(file: string): string {
    return readFileSync(file, 'utf8');
  }
}

/** Whether `file` is `folder` itself or below it. */
function inside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
