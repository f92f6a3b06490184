import { ServicePipesError } from '../../errors/index.js';
import type { SourceLocation } from '../../runtime/definitions.js';
import type { RouteHandle } from '../../runtime/component.js';
import type { RouterServices } from '../../runtime/services.js';
import { defineState } from '../../state/index.js';

/**
 * One HTTP entry point served by a route (`platform-http:` or `rest:`). Entries live in a table in the
 * router's shared state and the server looks them up per request, so routes can be added, removed or
 * replaced while the server runs.
 */
export interface HttpEntry {
  routeId: string;
  /** The consumer endpoint, for logs: `platform-http:/payments`. */
  endpointUri: string;
  /** Path template as written: `/payments/{id}`. */
  path: string;
  /** Upper-case methods; undefined = every method. */
  methods?: readonly string[];
  /** Accepted request media types (`application/json`, `application/*`); undefined = any. */
  consumes?: readonly string[];
  /** Default response Content-Type when the route sets none. */
  produces?: string;
  matchOnUriPrefix: boolean;
  /**
   * Roles the caller needs on top of `route:<routeId>` (rest verb `security` scopes): any one inner list,
   * all of its roles. Undefined: the permission alone decides.
   */
  requiredRoles?: string[][];
  route: RouteHandle;
  loc?: SourceLocation;
}

export type HttpMatch =
  | { kind: 'found'; entry: HttpEntry; params: Record<string, string>; relativePath: string }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface CompiledEntry {
  entry: HttpEntry;
  pattern: RegExp;
  paramNames: string[];
  /** Same text for templates that match the same paths (`/a/{x}` and `/a/{y}`). */
  shape: string;
  literalSegments: number;
}

/** Thrown when an entry would answer the same method and path as one already registered. */
export class HttpEntryConflictError extends ServicePipesError {
  // Before it joined the hierarchy it was a plain Error, which onException clauses see as a RuntimeException.
  override camelName = 'java.lang.RuntimeException';
  constructor(message: string) {
    super('HTTP_ENTRY_CONFLICT', message);
  }
}

/** The HTTP entry points of one router. */
export class HttpEntryTable {
  private compiled: CompiledEntry[] = [];

  /** Adds an entry; returns the function that removes it. Rejects an entry that overlaps an existing one. */
  add(entry: HttpEntry): () => void {
    const candidate = compile(entry);
    for (const existing of this.compiled) {
      if (existing.shape !== candidate.shape || existing.entry.matchOnUriPrefix !== entry.matchOnUriPrefix)
        continue;
      const shared = overlap(existing.entry.methods, entry.methods);
      if (shared.length > 0) {
        throw new HttpEntryConflictError(
          `${shared.join(',')} ${entry.path} is already served by route ${existing.entry.routeId} (${existing.entry.endpointUri})`,
        );
      }
    }
    // Most specific first: exact before prefix, more literal segments first, longer templates first.
    this.compiled = [...this.compiled, candidate].sort(
      (a, b) =>
        Number(a.entry.matchOnUriPrefix) - Number(b.entry.matchOnUriPrefix) ||
        b.literalSegments - a.literalSegments ||
        b.shape.length - a.shape.length,
    );
    return () => {
      this.compiled = this.compiled.filter((c) => c !== candidate);
    };
  }

  entries(): HttpEntry[] {
    return this.compiled.map((c) => c.entry);
  }

  /**
   * Finds the entry for a request path (still percent-encoded, so an encoded `/` stays inside its segment)
   * and method. HEAD is served by GET entries. Parameter values are returned as matched, still encoded.
   */
  match(requestPath: string, method: string): HttpMatch {
    const path = normalisePath(requestPath);
    const allow = new Set<string>();
    let pathMatched = false;
    for (const candidate of this.compiled) {
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      const methods = candidate.entry.methods;
      if (!methods || methods.includes(method) || (method === 'HEAD' && methods.includes('GET'))) {
        const params: Record<string, string> = {};
        candidate.paramNames.forEach((name, index) => (params[name] = found[index + 1]!));
        const prefixEnd = found[candidate.paramNames.length + 1];
        return { kind: 'found', entry: candidate.entry, params, relativePath: prefixEnd ?? '' };
      }
      for (const allowed of methods) allow.add(allowed);
      if (methods.includes('GET')) allow.add('HEAD');
    }
    if (!pathMatched) return { kind: 'not-found' };
    return { kind: 'method-not-allowed', allow: [...allow].sort() };
  }
}

/** The entry table belongs to a route set; adopting a reloaded set swaps it in one step, so no request meets an empty table. */
const HTTP_ENTRIES = defineState('http.entries', { scope: 'route-set' }, () => new HttpEntryTable());

/** The HTTP entry table of a router (shared by the platform-http and rest consumers and the server). */
export function httpEntries(services: RouterServices): HttpEntryTable {
  return HTTP_ENTRIES.of(services);
}

/** `/payments/` and `payments` both mean `/payments`. */
export function normalisePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') || '/' : withSlash;
}

const PARAM = /\{([A-Za-z_][\w.-]*)\}/g;

/** Whether a path template is well formed: `/a/{id}/b`; returns the problem, if any. */
export function pathTemplateProblem(template: string): string | undefined {
  if (/[?#]/.test(template)) return 'a path cannot contain ? or #';
  const names = [...template.matchAll(PARAM)].map((m) => m[1]!);
  if (new Set(names).size !== names.length) return 'a path parameter name is used twice';
  if (/[{}]/.test(template.replace(PARAM, ''))) return 'path parameters are written {name}';
  return undefined;
}

function compile(entry: HttpEntry): CompiledEntry {
  const template = normalisePath(entry.path);
  const paramNames: string[] = [];
  let literalSegments = 0;
  const segments = template === '/' ? [] : template.slice(1).split('/');
  const source = segments
    .map((segment) => {
      if (!segment.includes('{')) literalSegments++;
      let last = 0;
      let out = '';
      for (const m of segment.matchAll(PARAM)) {
        out += escapeRegExp(segment.slice(last, m.index)) + '([^/]+)';
        paramNames.push(m[1]!);
        last = m.index + m[0].length;
      }
      return '/' + out + escapeRegExp(segment.slice(last));
    })
    .join('');
  const tail = entry.matchOnUriPrefix ? '(/.*)?' : '/?';
  const pattern = new RegExp(`^${source}${tail}$`);
  return { entry, pattern, paramNames, shape: template.replace(PARAM, '{}'), literalSegments };
}

function overlap(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  if (!a && !b) return ['*'];
  if (!a) return [...b!];
  if (!b) return [...a];
  return a.filter((m) => b.includes(m));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
