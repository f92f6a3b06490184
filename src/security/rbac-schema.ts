import type { JsonSchema } from '../runtime/json-schema.js';

const NAME_LIST: JsonSchema = { type: 'array', items: { type: ['string', 'number'] } };
const TEXT_OR_LIST: JsonSchema = {
  anyOf: [{ type: ['string', 'number'] }, { type: 'array', items: { type: ['string', 'number'] } }],
};

/**
 * The shape of rbac.yaml as a JSON Schema: keys, types and nesting. The route loader's diagnostics
 * (schemaDiagnostics: file:line:col, the YAML path, did-you-mean for a misspelt key) report what does not
 * fit; what the shape cannot say (permission grammar, key lengths, algorithms against key kinds, roles that
 * exist) is checked by the reader (rbac-reader.ts). Required keys are the reader's too, so each gets the
 * snippet to write.
 */
export const RBAC_SCHEMA: JsonSchema = {
  // How diagnostics name the top level (`Unknown option `x` in `rbac.yaml``).
  'x-keyword': 'rbac.yaml',
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { description: 'The file format: 1' },
    roles: {
      type: 'object',
      description: 'Role name → its permissions (`route:<id>`, `flow:<name>`, `admin:<area>`, `*`)',
      additionalProperties: {
        anyOf: [
          NAME_LIST,
          {
            type: 'object',
            additionalProperties: false,
            properties: { description: { type: ['string', 'number'] }, permissions: NAME_LIST },
          },
        ],
      },
    },
    principals: {
      type: 'array',
      description: 'Callers with an API key',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: { type: ['string', 'number'] },
          description: { type: ['string', 'number'] },
          roles: NAME_LIST,
          apiKeySha256: { type: ['string', 'number'] },
          apiKeyEnv: { type: 'string' },
        },
      },
    },
    jwt: {
      type: 'object',
      description: 'Bearer tokens: one key source, the issuer and audience to accept',
      additionalProperties: false,
      properties: {
        secret: { type: ['string', 'number'] },
        secretEnv: { type: 'string' },
        jwksFile: { type: 'string' },
        jwksUrl: { type: 'string' },
        issuer: TEXT_OR_LIST,
        audience: TEXT_OR_LIST,
        algorithms: NAME_LIST,
        rolesClaim: { type: ['string', 'number'] },
        principalClaim: { type: ['string', 'number'] },
        clockToleranceSeconds: {},
      },
    },
    anonymous: {
      type: 'object',
      description: 'Roles of callers that present no credentials',
      additionalProperties: false,
      properties: { roles: NAME_LIST },
    },
    open: {
      type: 'object',
      additionalProperties: false,
      properties: { health: { type: 'boolean' }, metrics: { type: 'boolean' } },
    },
    amqp: {
      type: 'object',
      additionalProperties: false,
      properties: { requireUserId: { type: 'boolean' } },
    },
  },
};
