import type { ComponentSpec, Consumer } from '../../runtime/component.js';
import type { BuildContext } from '../../runtime/step.js';
import type { Endpoint } from '../../runtime/component.js';
import { normalisePath, pathTemplateProblem } from './http-entries.js';
import { ENTRY_METHODS, httpEntryConsumer, mediaTypeList, methodList } from './http-consumer.js';

export interface PlatformHttpOptions {
  httpMethodRestrict?: string;
  consumes?: string;
  produces?: string;
  matchOnUriPrefix: boolean;
  muteException: boolean;
}

export const platformHttpComponent: ComponentSpec<PlatformHttpOptions> = {
  scheme: 'platform-http',
  entry: 'http',
  syntax: 'platform-http:path',
  pathParameter: 'path',
  pathRequired: true,
  summary:
    'HTTP entry point served by the router: each request becomes an InOut exchange, the final message is the answer.',
  options: {
    httpMethodRestrict: {
      type: 'string',
      description: 'Comma-separated methods this entry answers, e.g. "GET,POST"; others get 405.',
    },
    consumes: {
      type: 'string',
      description: 'Accepted request Content-Types, comma-separated; others get 415.',
    },
    produces: { type: 'string', description: 'Content-Type of the answer when the route sets none.' },
    matchOnUriPrefix: {
      type: 'boolean',
      default: false,
      description: 'Also answer every path below this one.',
    },
    muteException: {
      type: 'boolean',
      default: true,
      description: 'Accepted for Camel compatibility: error answers never carry stack traces or internals.',
    },
  },

  declareConsumer(endpoint, context) {
    checkHttpEndpoint(endpoint, context, endpoint.options.httpMethodRestrict);
  },

  createConsumer(endpoint, context): Consumer {
    return httpEntryConsumer(endpoint, context, {
      path: normalisePath(endpoint.path),
      methods: methodList(endpoint.options.httpMethodRestrict),
      consumes: mediaTypeList(endpoint.options.consumes),
      produces: endpoint.options.produces,
      matchOnUriPrefix: endpoint.options.matchOnUriPrefix,
    });
  },
};

/** Load-time checks shared with `rest:`: a well-formed path template and known methods. */
export function checkHttpEndpoint(
  endpoint: Endpoint<unknown>,
  context: BuildContext,
  methods: string | undefined,
): void {
  const problem = pathTemplateProblem(endpoint.path);
  if (problem) {
    context.report({
      severity: 'error',
      message: `HTTP path '${endpoint.path}' is not valid: ${problem}`,
      loc: endpoint.loc,
      expected: '/payments/{id}',
    });
  }
  const unknown = (methodList(methods) ?? []).filter((m) => !(ENTRY_METHODS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    context.report({
      severity: 'error',
      message: `Unknown HTTP method${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      loc: endpoint.loc,
      expected: ENTRY_METHODS.join(', '),
    });
  }
}
