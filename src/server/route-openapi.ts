import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRestPath } from '../components/rest/index.js';
import type { RouteDefinition, StepDefinition } from '../runtime/definitions.js';
import type { JsonSchema } from '../runtime/json-schema.js';
import type { BuiltRoute } from '../runtime/built-route.js';
import { ResourceResolver } from '../runtime/resources.js';
import { rolesFromRestSecurity } from '../security/rest-security.js';
import { normalisePath } from '../components/platform-http/http-entries.js';
import { methodList } from '../components/platform-http/http-consumer.js';
import {
  ERROR_SCHEMA,
  SERVERS,
  accessAnswers,
  errorAnswer,
  securityRequirements,
  securitySchemes,
  type ApiSecurity,
} from './openapi-common.js';

/**
 * The OpenAPI 3.1 document of the routes' HTTP entries (`platform-http:` and the rest DSL), built from the
 * loaded routes: one operation per method and path, the path parameters of the template, the JSON Schema
 * the route validates its body against (`to: json-validator:...`, also behind a `direct:` the entry
 * calls) as the request body, and the RBAC requirements (`route:<routeId>`, a rest verb's scopes as roles).
 */

/** One HTTP entry as the document needs it. */
export interface RouteOperation {
  routeId: string;
  method: string;
  path: string;
  matchOnUriPrefix: boolean;
  consumes?: string[];
  produces?: string;
  description?: string;
  summary?: string;
  tag?: string;
  deprecated?: boolean;
  /** Role alternatives on top of the permission (a rest verb's `security` scopes). */
  roles?: string[][];
  /** Camel rest `param` entries (query and header parameters). */
  params?: Record<string, unknown>[];
  /** Camel rest `responseMessage` entries. */
  responseMessages?: Record<string, unknown>[];
  /** The request body schema, when the route validates the body; components it references come along. */
  body?: { schemaName: string; components: Record<string, JsonSchema> };
}

/** Methods an entry without `httpMethodRestrict` is documented with (it answers every method). */
const DOCUMENTED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Steps that leave the body as the caller sent it: a json-validator after them still checks the request. */
const BODY_PRESERVING = new Set([
  'log',
  'setProperty',
  'removeProperty',
  'removeProperties',
  'setHeader',
  'setHeaders',
  'removeHeader',
  'removeHeaders',
  'setVariable',
  'removeVariable',
]);

/** The HTTP entries of a set of built routes, with the schema each validates its body against. */
export function routeOperations(
  routes: readonly BuiltRoute[],
  resources: ResourceResolver,
): RouteOperation[] {
  const directs = new Map<string, RouteDefinition>();
  for (const route of routes)
    if (route.from.scheme === 'direct') directs.set(route.from.path, route.definition);
  const schemas = new SchemaBundler();
  const operations: RouteOperation[] = [];
  for (const route of routes) {
    const { definition, from } = route;
    if (from.scheme !== 'platform-http' && from.scheme !== 'rest') continue;
    const options = from.options;
    let methods: string[];
    let template: string;
    let roles: string[][] | undefined;
    if (from.scheme === 'rest') {
      const parsed = parseRestPath(from.path);
      if (!parsed) continue;
      methods = [parsed.method];
      template = parsed.path;
      roles = rolesFromRestSecurity(options.security);
    } else {
      template = normalisePath(from.path);
      methods = methodList(text(options.httpMethodRestrict)) ?? DOCUMENTED_METHODS;
    }
    const validated = validatedSchema(definition, directs, new Set());
    const file = validated && resources.resolve(validated, definition.loc.file);
    const extra = definition.extra;
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      operations.push({
        routeId: definition.id,
        method,
        path: template,
        matchOnUriPrefix: options.matchOnUriPrefix === true,
        ...(text(options.consumes) ? { consumes: splitList(text(options.consumes)!) } : {}),
        ...(text(options.produces) ? { produces: text(options.produces)! } : {}),
        ...(definition.description ? { description: definition.description } : {}),
        ...(typeof extra.tag === 'string' ? { tag: extra.tag } : {}),
        ...(extra.deprecated === true ? { deprecated: true } : {}),
        ...(roles ? { roles } : {}),
        ...(Array.isArray(extra.param) ? { params: extra.param.filter(isObject) } : {}),
        ...(Array.isArray(extra.responseMessage)
          ? { responseMessages: extra.responseMessage.filter(isObject) }
          : {}),
        ...(file && BODY_METHODS.has(method) ? { body: schemas.bundle(file) } : {}),
      });
    }
  }
  return operations;
}

/** The OpenAPI 3.1 document of these operations. */
export function routeOpenApiDocument(
  operations: readonly RouteOperation[],
  security: ApiSecurity,
  version = '1.0.0',
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const components: Record<string, JsonSchema> = { Error: ERROR_SCHEMA };
  const tags = new Set<string>();
  const sorted = [...operations].sort(
    (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  );
  const methodsOf = new Map<string, number>();
  for (const operation of sorted)
    methodsOf.set(operation.routeId, (methodsOf.get(operation.routeId) ?? 0) + 1);
  for (const operation of sorted) {
    const tag = operation.tag ?? 'routes';
    tags.add(tag);
    const parameters = pathParameters(operation.path);
    for (const param of operation.params ?? []) {
      const where = param.type === 'header' ? 'header' : param.type === 'query' ? 'query' : undefined;
      if (!where || typeof param.name !== 'string') continue;
      parameters.push({
        name: param.name,
        in: where,
        required: param.required === true,
        ...(typeof param.description === 'string' ? { description: param.description } : {}),
        schema: { type: openApiType(param.dataType) },
      });
    }
    const responses: Record<string, JsonSchema> = {};
    for (const message of operation.responseMessages ?? []) {
      const code =
        typeof message.code === 'number' || typeof message.code === 'string' ? String(message.code) : '';
      if (/^[1-5][0-9]{2}$/.test(code))
        responses[code] = {
          description: typeof message.message === 'string' ? message.message : 'As the route answers.',
        };
    }
    responses['200'] ??= {
      description:
        "The route's answer (its last message): status CamelHttpResponseCode, 204 when the body is empty.",
      content: { [operation.produces ?? 'application/json']: { schema: {} } },
    };
    if (operation.body)
      responses['400'] ??= errorAnswer(
        "The body does not match the route's schema (`errors` lists every problem), or is not JSON.",
      );
    Object.assign(
      responses,
      accessAnswers(
        security,
        `\`route:${operation.routeId}\`${operation.roles ? " or the roles of the operation's security" : ''}`,
      ),
    );
    if (BODY_METHODS.has(operation.method))
      responses['413'] ??= errorAnswer('The body is larger than the router accepts.');
    if (operation.consumes)
      responses['415'] ??= errorAnswer(`The body is not sent as ${operation.consumes.join(' or ')}.`);
    responses['500'] ??= errorAnswer('The route failed.');
    if (operation.body) Object.assign(components, operation.body.components);
    const consumes = operation.consumes ?? ['application/json'];
    const requestBody = operation.body
      ? {
          required: true,
          content: Object.fromEntries(
            consumes.map((type) => [
              type,
              { schema: { $ref: `#/components/schemas/${operation.body!.schemaName}` } },
            ]),
          ),
        }
      : BODY_METHODS.has(operation.method)
        ? { required: false, content: Object.fromEntries(consumes.map((type) => [type, { schema: {} }])) }
        : undefined;
    const several = (methodsOf.get(operation.routeId) ?? 1) > 1;
    (paths[operation.path] ??= {})[operation.method.toLowerCase()] = {
      tags: [tag],
      operationId: several ? `${operation.routeId}.${operation.method.toLowerCase()}` : operation.routeId,
      summary: operation.description ?? `Route ${operation.routeId}`,
      description:
        `Served by route \`${operation.routeId}\`` +
        (security.enforced ? `; the caller needs the permission \`route:${operation.routeId}\`` : '') +
        (operation.roles
          ? ` and all roles of one of: ${operation.roles.map((r) => r.join(' + ')).join(', ')}`
          : '') +
        '.' +
        (operation.matchOnUriPrefix ? ' Also answers every path below this one.' : ''),
      ...(operation.deprecated ? { deprecated: true } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      ...(operation.roles && security.enforced
        ? { security: operation.roles.flatMap((roles) => securityRequirements(security, roles)) }
        : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'service-pipes routes',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'The HTTP entries of the loaded routes (`platform-http:` and the rest DSL). A request body is described by ' +
        'the JSON Schema the route validates it against (`json-validator:`); entries without one accept what ' +
        'their `consumes` allows.',
    },
    servers: SERVERS,
    tags: [...tags]
      .sort()
      .map((name) => ({
        name,
        description: name === 'routes' ? 'Route entries.' : `Routes tagged ${name}.`,
      })),
    security: securityRequirements(security),
    paths,
    components: {
      ...(security.enforced ? { securitySchemes: securitySchemes(security) } : {}),
      schemas: components,
    },
  };
}

/** The resource a route validates its request body against: its first step, or behind the direct it calls. */
function validatedSchema(
  route: RouteDefinition,
  directs: Map<string, RouteDefinition>,
  seen: Set<string>,
): string | undefined {
  if (seen.has(route.id)) return undefined;
  seen.add(route.id);
  for (const step of route.steps) {
    if (step.disabled) continue;
    const uri = stepUri(step);
    if (uri?.startsWith('json-validator:')) {
      const [resource, query] = uri.slice('json-validator:'.length).split('?');
      const parameters = isObject(step.options.parameters) ? step.options.parameters : {};
      // A header's schema is not the body's.
      if (parameters.headerName !== undefined || new URLSearchParams(query ?? '').has('headerName'))
        return undefined;
      return resource;
    }
    if (uri?.startsWith('direct:')) {
      const target = directs.get(uri.slice('direct:'.length).replace(/^\/\//, '').split('?')[0]!);
      return target ? validatedSchema(target, directs, seen) : undefined;
    }
    if (!BODY_PRESERVING.has(step.keyword)) return undefined;
  }
  return undefined;
}

function stepUri(step: StepDefinition): string | undefined {
  if (step.keyword !== 'to') return undefined;
  return text(step.options.uri);
}

function pathParameters(template: string): JsonSchema[] {
  return [...template.matchAll(/\{([^}/]+)\}/g)].map((match) => ({
    name: match[1]!,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function openApiType(dataType: unknown): string {
  if (dataType === 'integer' || dataType === 'int' || dataType === 'long') return 'integer';
  if (dataType === 'number' || dataType === 'double' || dataType === 'float') return 'number';
  if (dataType === 'boolean') return 'boolean';
  return 'string';
}

/**
 * JSON Schema files as OpenAPI components: one component per file, named after it; references between
 * files (`common/money.schema.json`) and inside one (`#/definitions/party`) are re-pointed at the
 * components, `$schema`/`$id` dropped (the document's dialect applies).
 */
class SchemaBundler {
  private readonly names = new Map<string, string>();
  private readonly built = new Map<string, { schema: JsonSchema; dependencies: string[] }>();

  bundle(file: string): { schemaName: string; components: Record<string, JsonSchema> } {
    const components: Record<string, JsonSchema> = {};
    const schemaName = this.add(path.resolve(file), components);
    return { schemaName, components };
  }

  private add(file: string, components: Record<string, JsonSchema>): string {
    const name = this.nameOf(file);
    if (name in components) return name;
    components[name] = {};
    const built = this.built.get(file);
    if (built) {
      components[name] = built.schema;
      for (const dependency of built.dependencies) this.add(dependency, components);
      return name;
    }
    const dependencies: string[] = [];
    const schema = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
    const base = `#/components/schemas/${name}`;
    const walk = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(walk);
      if (!isObject(node)) return node;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const [target, fragment = ''] = value.split('#');
          if (!target) out[key] = base + fragment;
          else {
            const other = path.resolve(path.dirname(file), target);
            dependencies.push(other);
            out[key] = `#/components/schemas/${this.add(other, components)}${fragment}`;
          }
        } else if (key === 'const' || key === 'enum' || key === 'examples' || key === 'default')
          out[key] = value;
        else out[key] = walk(value);
      }
      return out;
    };
    const rest = { ...schema };
    delete rest.$schema;
    delete rest.$id;
    components[name] = walk(rest) as JsonSchema;
    this.built.set(file, { schema: components[name], dependencies });
    return name;
  }

  private nameOf(file: string): string {
    const known = this.names.get(file);
    if (known) return known;
    const stem = path
      .basename(file)
      .replace(/(\.schema)?\.json$/i, '')
      .replace(/[^A-Za-z0-9._-]/g, '-');
    let name = `Schema.${stem}`;
    for (let n = 2; [...this.names.values()].includes(name); n++) name = `Schema.${stem}-${n}`;
    this.names.set(file, name);
    return name;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
