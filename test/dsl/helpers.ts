import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadRouteSet, type LoadRouteSetOptions } from '../../src/dsl/load-route-set.js';
import type { LoadDiagnostic, RouteSet } from '../../src/runtime/definitions.js';
import { fixtureRegistry } from './fixture-registry.js';

/** Removes the common leading indentation of a template literal, so route files can be written inline. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return `${lines.map((l) => l.slice(indent)).join('\n')}\n`;
}

/** One registry for all loader tests: the assembled schema is compiled once per registry. */
const registry = fixtureRegistry();

/** A temporary folder of route files, removed by `cleanup()`. */
export class RouteFolder {
  private constructor(readonly dir: string) {}

  static async create(): Promise<RouteFolder> {
    return new RouteFolder(await mkdtemp(path.join(os.tmpdir(), 'dsl-test-')));
  }

  async write(name: string, text: string): Promise<string> {
    const file = path.join(this.dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    return file;
  }

  async load(options: Partial<LoadRouteSetOptions> = {}, paths: string[] = [this.dir]): Promise<RouteSet> {
    return loadRouteSet(paths, { registry, env: {}, ...options });
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function errors(set: RouteSet): LoadDiagnostic[] {
  return set.diagnostics.filter((d) => d.severity === 'error');
}

export function warnings(set: RouteSet): LoadDiagnostic[] {
  return set.diagnostics.filter((d) => d.severity === 'warning');
}

/** Drops every `loc` (deep), so models from different spellings can be compared. */
export function withoutLocations<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'loc' ? undefined : v))) as T;
}

/** `file:line:col` of a diagnostic, with the file as a base name. */
export function position(diagnostic: LoadDiagnostic): string {
  const loc = diagnostic.loc;
  return loc ? `${path.basename(loc.file)}:${loc.line}:${loc.col}` : '(no location)';
}
