import type { StateHolder } from '../state/index.js';
import type { JsonSchema } from '../runtime/json-schema.js';
import { API_KEY_HEADER, routerSecurity } from '../security/index.js';

/**
 * The parts the router's OpenAPI documents share (the async engine's and the routes'): how callers
 * authenticate, the error body, and the refusals every guarded operation can answer. They follow what the
 * server does, so a client generated from a document never offers a credential the server refuses.
 */

/** How the server authenticates callers right now; read per request (a reload may change the RBAC file). */
export interface ApiSecurity {
  /** Access control is enforced: 401 without credentials, 403 without the permission. */
  enforced: boolean;
  /** The RBAC file configures JWTs (`jwt:`), so `Authorization: Bearer` is accepted. */
  bearer: boolean;
}

export function apiSecurity(services: StateHolder): ApiSecurity {
  const security = routerSecurity(services);
  return { enforced: security !== undefined, bearer: security?.rbac.jwt !== undefined };
}

/** Relative to the document: the router that served it (behind a proxy too), never a made-up host. */
export const SERVERS: JsonSchema[] = [{ url: '/', description: 'This router' }];

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Machine-readable code, e.g. VALIDATION_FAILED.' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          instancePath: { type: 'string' },
          message: { type: 'string' },
          keyword: { type: 'string' },
        },
      },
    },
  },
};

export const errorRef = (): JsonSchema => ({ $ref: '#/components/schemas/Error' });
export const errorAnswer = (description: string): JsonSchema => ({
  description,
  content: { 'application/json': { schema: errorRef() } },
});

/** The security schemes the server accepts: the API key always, the bearer JWT only when configured. */
export function securitySchemes(security: ApiSecurity): Record<string, JsonSchema> {
  if (!security.enforced) return {};
  return {
    apiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'A key of the RBAC file.' },
    ...(security.bearer
      ? {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A JWT the RBAC file trusts.',
          },
        }
      : {}),
  };
}

/**
 * Security requirements (alternatives) for an operation; `roles` are OpenAPI 3.1 role names the caller
 * needs on top of the permission (a rest verb's scopes). Empty when access control is off.
 */
export function securityRequirements(security: ApiSecurity, roles: string[] = []): JsonSchema[] {
  if (!security.enforced) return [];
  return [{ apiKey: roles }, ...(security.bearer ? [{ bearer: roles }] : [])];
}

/** 401 and 403 for an operation the access guard checks; nothing when access control is off. */
export function accessAnswers(security: ApiSecurity, what: string): Record<string, JsonSchema> {
  if (!security.enforced) return {};
  return {
    '401': {
      ...errorAnswer('No or bad credentials.'),
      headers: { 'WWW-Authenticate': { description: 'The accepted schemes.', schema: { type: 'string' } } },
    },
    '403': errorAnswer(`The caller lacks ${what}.`),
  };
}
