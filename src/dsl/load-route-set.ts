import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Registry } from '../runtime/registry.js';
import type { JsonSchema } from '../runtime/json-schema.js';
import type { LoadDiagnostic, RouteDefinition, RouteSet } from '../runtime/definitions.js';
import { dslValidator } from './dsl-validator.js';
import { fileDocuments } from './documents.js';
import { kebabCaseKeys } from './kebab-case.js';
import { propertyPlaceholders } from './placeholders.js';
import { Normaliser } from './normalise.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { canonicalStep, toYamlSnippet } from './canonical.js';
import { pointerChild, pointerParent, pointerSegments, valueAt } from './json-pointer.js';
import { isPlainObject } from './schema-walk.js';
import { parseSource, type LocationIndex } from './yaml-source.js';

export interface LoadRouteSetOptions {
  registry: Registry;
  /** Values for `{{key}}` placeholders, looked up before the environment. */
  properties?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads route files (files or folders) into one RouteSet. Every problem of every file is collected in
 * `diagnostics`; the set is usable only when none of them is an error. Never throws for a bad route file.
 */
export async function loadRouteSet(paths: string[], options: LoadRouteSetOptions): Promise<RouteSet> {
  const diagnostics: LoadDiagnostic[] = [];
  const files = await routeFiles(paths, diagnostics);
  const set: RouteSet = { routes: [], onExceptions: [], beans: [], flows: [], files, diagnostics };
  const validator = dslValidator(options.registry);
  const errorHandlers: { definition: Record<string, unknown>; loc: RouteDefinition['loc'] }[] = [];

  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      diagnostics.push({ severity: 'error', message: `Cannot read route file: ${(error as Error).message}`, loc: { file, line: 1, col: 1, path: '' } });
      continue;
    }
    const kebab = kebabCaseKeys();
    const placeholders = propertyPlaceholders({ properties: options.properties, env: options.env ?? process.env });
    const source = parseSource(file, text, { ...kebab.visitor, ...placeholders.visitor });
    diagnostics.push(...source.diagnostics);
    if (source.data === undefined) continue;
    diagnostics.push(...kebab.diagnostics(source.locations), ...placeholders.diagnostics(source.locations));
    if (source.data === null) continue;

    diagnostics.push(...moveRouteLevelSteps(source.data, source.locations));
    const root = validator.schema;
    const normaliserFor = (report: (d: LoadDiagnostic) => void, hasSchemaError: (p: string) => boolean) =>
      new Normaliser({ root, languages: options.registry.languages, locations: source.locations, report, hasSchemaError });
    const silent = normaliserFor(() => undefined, () => true);
    const checked = schemaDiagnostics(validator.validate(source.data), {
      root,
      data: source.data,
      locations: source.locations,
      snippetForRename: (keyPointer, newKey) => renamedStepSnippet(source.data, keyPointer, newKey, silent),
    });
    diagnostics.push(...checked.diagnostics);
    if (!Array.isArray(source.data)) continue;

    const hasSchemaError = (pointer: string): boolean => {
      for (const p of checked.pointers) if (p === pointer || pointerParent(p) === pointer) return true;
      return false;
    };
    const normaliser = normaliserFor((d) => diagnostics.push(d), hasSchemaError);
    const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
    const documents = fileDocuments(file, source.data, source.locations, normaliser, {
      route: defs.route,
      from: defs.from,
      onException: defs.onException,
      errorHandler: defs.errorHandler,
    });
    diagnostics.push(...documents.diagnostics);
    set.routes.push(...documents.routes);
    set.onExceptions.push(...documents.onExceptions);
    set.beans.push(...documents.beans);
    set.flows.push(...documents.flows);
    errorHandlers.push(...documents.errorHandlers);
  }

  diagnostics.push(...uniqueRouteIds(set.routes));
  if (errorHandlers.length > 0) set.errorHandler = errorHandlers[0]!.definition;
  for (const extra of errorHandlers.slice(1)) {
    diagnostics.push({
      severity: 'error',
      message: 'A second top-level `errorHandler`: there is one for all routes',
      loc: extra.loc,
      hint: `the first one is at ${where(errorHandlers[0]!.loc)}; put route-specific handlers on the route (\`route.errorHandler\`)`,
    });
  }
  return set;
}

/** Route files under `paths`: files as given, folders searched for `*.yaml` / `*.yml`, sorted. */
/**
 * The route files that `paths` (files or folders) name, absolute, in load order; a path that does not
 * exist is a diagnostic. What {@link loadRouteSet} reads, without reading it.
 */
export async function routeFiles(paths: readonly string[], diagnostics: LoadDiagnostic[] = []): Promise<string[]> {
  const found = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(given);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      diagnostics.push({ severity: 'error', message: `Route path not found: ${given}`, hint: 'give a route file or a folder of route files (`*.yaml`, `*.camel.yaml`)' });
      continue;
    }
    if (info.isDirectory()) {
      const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
      const yamlFiles = entries
        .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort();
      yamlFiles.forEach((file) => found.add(file));
    } else {
      found.add(absolute);
    }
  }
  return [...found];
}

/**
 * Route-level `steps` (a sibling of `from`) was removed in Camel 4. It is an error, with the block shown
 * moved under `from`; the steps are moved in the data so their own problems are still reported.
 */
function moveRouteLevelSteps(data: unknown, locations: LocationIndex): LoadDiagnostic[] {
  if (!Array.isArray(data)) return [];
  const out: LoadDiagnostic[] = [];
  data.forEach((item: unknown, index) => {
    const route = isPlainObject(item) ? item.route : undefined;
    if (!isPlainObject(route) || route.steps === undefined) return;
    const routePointer = pointerChild(pointerChild('', index), 'route');
    const stepsPointer = pointerChild(routePointer, 'steps');
    const from = isPlainObject(route.from) ? route.from : undefined;
    const fixed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(route)) {
      if (key === 'steps') continue;
      fixed[key] = key === 'from' && from ? { ...from, steps: route.steps } : value;
    }
    if (!from) fixed.from = { uri: '...', steps: route.steps };
    out.push({
      severity: 'error',
      message: '`steps` must be inside `from`, not next to it (route-level steps were removed in Camel 4)',
      loc: locations.locate(stepsPointer),
      expected: '`route.from.steps`',
      hint: 'move the `steps:` block under `from:` and indent it by two more spaces:',
      snippet: toYamlSnippet({ route: fixed }),
    });
    const fromSteps = from?.steps;
    if (from && (fromSteps === undefined || (Array.isArray(fromSteps) && fromSteps.length === 0))) {
      from.steps = route.steps;
      locations.move(stepsPointer, pointerChild(pointerChild(routePointer, 'from'), 'steps'));
    }
    delete route.steps;
  });
  return out;
}

/** The canonical form of the step holding `keyPointer`, with that key renamed: the snippet to write. */
function renamedStepSnippet(data: unknown, keyPointer: string, newKey: string, normaliser: Normaliser): string | undefined {
  const segments = pointerSegments(keyPointer);
  let itemDepth = -1;
  for (let i = segments.length - 2; i > 0; i--) {
    if (segments[i - 1] === 'steps' && /^\d+$/.test(segments[i]!)) {
      itemDepth = i;
      break;
    }
  }
  if (itemDepth < 0) return undefined;
  const itemPointer = `/${segments.slice(0, itemDepth + 1).map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  const item = structuredClone(valueAt(data, itemPointer));
  let parent: unknown = item;
  for (const segment of segments.slice(itemDepth + 1, -1)) {
    parent = Array.isArray(parent) ? parent[Number(segment)] : isPlainObject(parent) ? parent[segment] : undefined;
  }
  const oldKey = segments[segments.length - 1]!;
  if (!isPlainObject(parent) || !(oldKey in parent)) return undefined;
  const entries = Object.entries(parent).map(([k, v]) => [k === oldKey ? newKey : k, v] as const);
  for (const key of Object.keys(parent)) delete parent[key];
  for (const [k, v] of entries) parent[k] = v;
  const step = normaliser.step(item, itemPointer);
  return step ? toYamlSnippet(canonicalStep(step)) : undefined;
}

/** Route ids are unique across all files; generated ids step aside for written ones. */
function uniqueRouteIds(routes: RouteDefinition[]): LoadDiagnostic[] {
  const out: LoadDiagnostic[] = [];
  const seen = new Map<string, RouteDefinition>();
  for (const route of routes.filter((r) => !r.generatedId)) {
    const first = seen.get(route.id);
    if (first) {
      out.push({
        severity: 'error',
        message: `Duplicate route id \`${route.id}\`: also used at ${where(first.loc)}`,
        loc: route.loc,
        hint: `route ids must be unique across all route files; rename one of them (first: ${where(first.loc)})`,
      });
    } else seen.set(route.id, route);
  }
  for (const route of routes.filter((r) => r.generatedId)) {
    let id = route.id;
    for (let n = 2; seen.has(id); n++) id = `${route.id}-${n}`;
    route.id = id;
    seen.set(id, route);
  }
  return out;
}

function where(loc: { file: string; line: number; col: number }): string {
  return `${path.relative(process.cwd(), loc.file) || loc.file}:${loc.line}:${loc.col}`;
}
