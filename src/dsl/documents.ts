import path from 'node:path';
import type { BeanDefinition, FlowDocument, LoadDiagnostic, OnExceptionDefinition, RouteDefinition } from '../runtime/definitions.js';
import { pointerChild } from './json-pointer.js';
import type { Normaliser } from './normalise.js';
import { restRoutes } from './rest-routes.js';
import { isPlainObject } from './schema-walk.js';
import { canonicalRoute, toYamlSnippet } from './canonical.js';
import type { LocationIndex } from './yaml-source.js';

/** What one route file contributes to the route set. */
export interface FileDocuments {
  routes: RouteDefinition[];
  onExceptions: OnExceptionDefinition[];
  errorHandlers: { definition: Record<string, unknown>; loc: RouteDefinition['loc'] }[];
  beans: BeanDefinition[];
  flows: FlowDocument[];
  diagnostics: LoadDiagnostic[];
}

/** Route options the model has fields for; the others go to `extra`. */
const ROUTE_FIELDS = new Set(['id', 'description', 'group', 'autoStartup', 'from', 'errorHandler']);

export function fileDocuments(
  file: string,
  data: unknown[],
  locations: LocationIndex,
  normaliser: Normaliser,
  defs: { route: unknown; from: unknown; onException: unknown; errorHandler: unknown },
): FileDocuments {
  const out: FileDocuments = { routes: [], onExceptions: [], errorHandlers: [], beans: [], flows: [], diagnostics: [] };
  const base = fileBaseName(file);
  let generated = 0;
  let compactWarned = false;
  const routeFrom = (from: Record<string, unknown>, pointer: string) => {
    const options = normaliser.object(from, defs.from as never, pointer);
    const steps = Array.isArray(options.steps) ? (options.steps as RouteDefinition['steps']) : [];
    const endpoint: RouteDefinition['from'] = {
      uri: typeof from.uri === 'string' ? from.uri : '',
      parameters: isPlainObject(from.parameters) ? structuredClone(from.parameters) : {},
      loc: locations.locate(pointerChild(pointer, 'uri'), 'value'),
    };
    if (typeof from.id === 'string') endpoint.id = from.id;
    return { endpoint, steps };
  };

  data.forEach((item, index) => {
    if (!isPlainObject(item)) return;
    const at = pointerChild('', index);
    const [keyword] = Object.keys(item);
    if (keyword === undefined) return;
    const value = item[keyword];
    const pointer = pointerChild(at, keyword);
    if (!isPlainObject(value) && keyword !== 'beans') return;
    switch (keyword) {
      case 'from': {
        const { endpoint, steps } = routeFrom(value as Record<string, unknown>, pointer);
        const route: RouteDefinition = {
          id: `route-${base}-${++generated}`,
          generatedId: true,
          autoStartup: true,
          from: endpoint,
          steps,
          extra: {},
          notation: 'compact',
          loc: locations.locate(pointer),
        };
        out.routes.push(route);
        if (!compactWarned) {
          compactWarned = true;
          out.diagnostics.push({
            severity: 'warning',
            message: 'Compact notation: a route written as `- from:` without `- route:` (deprecated in Camel 4.23)',
            loc: locations.locate(pointer),
            hint: 'wrap it in `- route:` and give it an id; the canonical form of this route:',
            snippet: routeSkeleton(route),
          });
        }
        return;
      }
      case 'route': {
        const route = value as Record<string, unknown>;
        if (!isPlainObject(route.from)) return;
        const { endpoint, steps } = routeFrom(route.from, pointerChild(pointer, 'from'));
        const explicitId = typeof route.id === 'string' && route.id.length > 0 ? route.id : undefined;
        const extra: Record<string, unknown> = {};
        for (const [key, option] of Object.entries(route)) if (!ROUTE_FIELDS.has(key)) extra[key] = structuredClone(option);
        const definition: RouteDefinition = {
          id: explicitId ?? `route-${base}-${++generated}`,
          generatedId: explicitId === undefined,
          autoStartup: route.autoStartup !== false,
          from: endpoint,
          steps,
          extra,
          notation: 'canonical',
          loc: locations.locate(pointer),
        };
        if (typeof route.description === 'string') definition.description = route.description;
        if (typeof route.group === 'string') definition.group = route.group;
        if (isPlainObject(route.errorHandler)) {
          definition.errorHandler = normaliser.value(route.errorHandler, defs.errorHandler as never, pointerChild(pointer, 'errorHandler')) as Record<string, unknown>;
        }
        out.routes.push(definition);
        return;
      }
      case 'rest':
        out.routes.push(...restRoutes(value as Record<string, unknown>, pointer, locations));
        return;
      case 'onException': {
        const options = normaliser.object(value as Record<string, unknown>, defs.onException as never, pointer);
        const exception = options.exception;
        if (!Array.isArray(exception) || exception.length === 0) {
          out.diagnostics.push({
            severity: 'error',
            message: '`onException` names no exception, so it would never apply',
            loc: locations.locate(pointer),
            expected: '`exception:` with at least one exception class name',
            snippet: '- onException:\n    exception:\n      - java.lang.Exception\n    handled:\n      constant:\n        expression: "true"',
          });
        }
        out.onExceptions.push({ options, loc: locations.locate(pointer) });
        return;
      }
      case 'errorHandler':
        out.errorHandlers.push({
          definition: normaliser.value(value, defs.errorHandler as never, pointer) as Record<string, unknown>,
          loc: locations.locate(pointer),
        });
        return;
      case 'beans':
        if (!Array.isArray(value)) return;
        value.forEach((bean: unknown, i) => {
          if (!isPlainObject(bean) || typeof bean.name !== 'string' || typeof bean.type !== 'string') return;
          out.beans.push({
            name: bean.name,
            type: bean.type,
            properties: isPlainObject(bean.properties) ? structuredClone(bean.properties) : {},
            loc: locations.locate(pointerChild(pointer, i)),
          });
        });
        return;
      case 'flow':
        out.flows.push({
          definition: structuredClone(value as Record<string, unknown>),
          loc: locations.locate(pointer),
          locs: nodeLocations(value, pointer, locations),
        });
        return;
      default:
        return;
    }
  });
  return out;
}

/** The location of every node under `pointer`, keyed by its pointer relative to `pointer` ('' = the node itself). */
function nodeLocations(value: unknown, pointer: string, locations: LocationIndex): Record<string, RouteDefinition['loc']> {
  const out: Record<string, RouteDefinition['loc']> = {};
  const walk = (node: unknown, relative: string): void => {
    out[relative] = locations.locate(pointer + relative, relative === '' ? 'key' : 'value');
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, pointerChild(relative, i)));
    else if (isPlainObject(node)) for (const [key, child] of Object.entries(node)) walk(child, pointerChild(relative, key));
  };
  walk(value, '');
  return out;
}

/** `routes/orders.camel.yaml` → `orders`, for generated route ids. */
export function fileBaseName(file: string): string {
  const name = path.basename(file).replace(/(\.camel)?\.ya?ml$/i, '');
  return name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'file';
}

/** The canonical wrapper of a compact route, with its steps left out (they do not change). */
function routeSkeleton(route: RouteDefinition): string {
  const canonical = canonicalRoute({ ...route, steps: [] });
  const body = canonical.route as Record<string, unknown>;
  const from = body.from as Record<string, unknown>;
  delete from.steps;
  return `${toYamlSnippet(canonical)}\n      steps:\n        # ... the steps as they are`;
}
