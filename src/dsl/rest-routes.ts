import type { RouteDefinition, StepDefinition } from '../runtime/definitions.js';
import { pointerChild } from './json-pointer.js';
import { isPlainObject } from './schema-walk.js';
import { REST_VERBS } from './top-level-schemas.js';
import type { LocationIndex } from './yaml-source.js';

/** Keys of an operation kept in `extra` for the API documentation. */
const DOC_KEYS = ['type', 'outType', 'param', 'responseMessage', 'apiDocs', 'deprecated', 'clientRequestValidation', 'enableCORS'];

/**
 * The REST DSL as routes: one route per operation, consuming from `rest:<verb>:<path>` and sending to the
 * operation's `to`. This is the contract the HTTP component serves: `from.parameters` carries consumes,
 * produces, bindingMode and security (as data) when given.
 */
export function restRoutes(rest: Record<string, unknown>, pointer: string, locations: LocationIndex): RouteDefinition[] {
  const routes: RouteDefinition[] = [];
  for (const verb of REST_VERBS) {
    const operations = rest[verb];
    if (!Array.isArray(operations)) continue;
    operations.forEach((operation: unknown, index) => {
      if (!isPlainObject(operation)) return;
      const at = pointerChild(pointerChild(pointer, verb), index);
      const path = joinPaths(rest.path, operation.path);
      const parameters: Record<string, unknown> = {};
      for (const key of ['consumes', 'produces', 'bindingMode'] as const) {
        const value = operation[key] ?? rest[key];
        if (value !== undefined) parameters[key] = value;
      }
      if (operation.security !== undefined) parameters.security = structuredClone(operation.security);
      const target = operation.to;
      const to: Record<string, unknown> = isPlainObject(target) ? { uri: target.uri } : { uri: target };
      if (isPlainObject(target) && isPlainObject(target.parameters)) to.parameters = structuredClone(target.parameters);
      const step: StepDefinition = {
        keyword: 'to',
        ...(isPlainObject(target) && typeof target.id === 'string' ? { id: target.id } : {}),
        options: to,
        loc: locations.locate(pointerChild(at, 'to')),
      };
      const extra: Record<string, unknown> = { rest: { verb, path, ...(typeof rest.id === 'string' ? { id: rest.id } : {}) } };
      for (const key of DOC_KEYS) if (operation[key] !== undefined) extra[key] = structuredClone(operation[key]);
      if (rest.tag !== undefined) extra.tag = rest.tag;
      const explicitId = stringOrUndefined(operation.routeId) ?? stringOrUndefined(operation.id);
      routes.push({
        id: explicitId ?? restRouteId(verb, path),
        generatedId: explicitId === undefined,
        ...(typeof operation.description === 'string' ? { description: operation.description } : {}),
        autoStartup: operation.disabled !== true,
        from: { uri: `rest:${verb}:${path}`, parameters, loc: locations.locate(at) },
        steps: [step],
        extra,
        notation: 'canonical',
        loc: locations.locate(at),
      });
    });
  }
  return routes;
}

/** `/api/` + `orders/{id}` → `/api/orders/{id}`: one leading slash, single slashes, no trailing slash. */
export function joinPaths(...parts: unknown[]): string {
  const joined = parts
    .filter((p): p is string => typeof p === 'string' && p.length > 0)
    .join('/')
    .replace(/\/{2,}/g, '/');
  const withLead = joined.startsWith('/') ? joined : `/${joined}`;
  return withLead.length > 1 ? withLead.replace(/\/+$/, '') : withLead;
}

/** `rest-get-orders-id` for `get /orders/{id}`. */
export function restRouteId(verb: string, path: string): string {
  const slug = path
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return slug ? `rest-${verb}-${slug}` : `rest-${verb}`;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
