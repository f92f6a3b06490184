import type { ComponentSpec, Consumer } from '../../runtime/component.js';
import { rolesFromRestSecurity } from '../../security/rest-security.js';
import { normalisePath } from '../platform-http/http-entries.js';
import { ENTRY_METHODS, httpEntryConsumer, mediaTypeList } from '../platform-http/http-consumer.js';
import { checkHttpEndpoint } from '../platform-http/index.js';

export interface RestOptions {
  consumes?: string;
  produces?: string;
  description?: string;
  routeId?: string;
  bindingMode?: string;
  security?: unknown[];
}

const VERBS = ENTRY_METHODS.map((m) => m.toLowerCase());

/**
 * `rest:<verb>:<path>[:<uriTemplate>]`, e.g. `rest:post:/payments/{id}` or Camel's `rest:get:/api:/users/{id}`:
 * the method, and the path made of the rest's base path and the verb's own path.
 */
export function parseRestPath(path: string): { method: string; path: string } | undefined {
  const colon = path.indexOf(':');
  if (colon < 0) return undefined;
  const method = path.slice(0, colon).toUpperCase();
  if (!(ENTRY_METHODS as readonly string[]).includes(method)) return undefined;
  const parts = path
    .slice(colon + 1)
    .split(':')
    .map((p) => p.trim())
    .filter(Boolean);
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return { method, path: normalisePath(joined) };
}

export const restComponent: ComponentSpec<RestOptions> = {
  scheme: 'rest',
  entry: 'http',
  syntax: 'rest:method:path:uriTemplate',
  pathParameter: 'path',
  pathRequired: true,
  summary:
    "An operation of Camel's rest DSL (`rest: {post: [{path: /x/{id}, to: ...}]}`): one method on one path template.",
  options: {
    consumes: {
      type: 'string',
      description: 'Accepted request Content-Types, comma-separated; others get 415.',
    },
    produces: { type: 'string', description: 'Content-Type of the answer when the route sets none.' },
    description: { type: 'string' },
    routeId: { type: 'string' },
    bindingMode: {
      type: 'string',
      enum: ['off', 'auto', 'json', 'json_xml'],
      description:
        'JSON bodies are always parsed and written as JSON; other binding modes are not supported.',
    },
    security: {
      type: 'array',
      items: { type: 'object' },
      description:
        "The verb's OpenAPI security requirements (`[{key: oauth, scopes: 'payments:write'}]`), enforced as roles on top of route:<routeId>: any one requirement, all of its scopes.",
    },
  },

  declareConsumer(endpoint, context) {
    const parsed = parseRestPath(endpoint.path);
    if (!parsed) {
      context.report({
        severity: 'error',
        message: `rest endpoint '${endpoint.path}' must start with an HTTP verb`,
        loc: endpoint.loc,
        expected: `rest:<${VERBS.join('|')}>:/path/{param}`,
      });
      return;
    }
    checkHttpEndpoint({ ...endpoint, path: parsed.path }, context, parsed.method);
  },

  createConsumer(endpoint, context): Consumer {
    const parsed = parseRestPath(endpoint.path);
    if (!parsed) throw new Error(`rest endpoint '${endpoint.path}' must start with an HTTP verb`);
    return httpEntryConsumer(endpoint, context, {
      path: parsed.path,
      methods: [parsed.method],
      consumes: mediaTypeList(endpoint.options.consumes),
      produces: endpoint.options.produces,
      matchOnUriPrefix: false,
      requiredRoles: rolesFromRestSecurity(endpoint.options.security),
    });
  },
};
