import type { JsonSchema } from '../runtime/json-schema.js';
import { ERROR_SCHEMA, SERVERS, accessAnswers, errorAnswer, securityRequirements, securitySchemes, type ApiSecurity } from '../server/openapi-common.js';
import { SIGNATURE_HEADER } from './callbacks.js';
import type { Flow } from './flow-model.js';
import { RUN_STATES } from './run-store.js';

export const OPENAPI_PATH = '/async/specifications/openapi.json';
export const SWAGGER_UI_PATH = '/async/specifications/swagger-ui/index.html';
/** The document of the routes' HTTP entries (platform-http, rest), beside this one. */
export const ROUTES_OPENAPI_PATH = '/async/specifications/routes/openapi.json';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema, description: string): JsonSchema => ({ description, content: { 'application/json': { schema } } });

/** Component name of a flow's input schema. */
export function inputSchemaName(flowName: string): string {
  return `FlowInput.${flowName}`;
}

/**
 * The OpenAPI 3.1 document of the async API, generated from the loaded flows: the start operation lists
 * every flow and accepts any of their input schemas, each published as a component of its own.
 */
export function openApiDocument(
  flows: Iterable<Flow>,
  security: ApiSecurity = { enforced: true, bearer: false },
  version = '1.0.0',
): JsonSchema {
  // Every operation of /async/api is guarded (flow:<name> or admin:runs).
  const guarded = (what: string): Record<string, JsonSchema> => accessAnswers(security, what);
  const list = [...flows].sort((a, b) => a.name.localeCompare(b.name));
  const inputs: Record<string, JsonSchema> = {};
  for (const flow of list) {
    const name = inputSchemaName(flow.name);
    inputs[name] = {
      title: `Input of flow ${flow.name}`,
      ...(flow.description ? { description: flow.description } : {}),
      ...(flow.inputSchema ? embedSchema(flow.inputSchema, `#/components/schemas/${name}`) : {}),
    };
  }
  const flowNames = list.map((flow) => flow.name);
  const flowParameter = (where: 'query' | 'path', required: boolean): JsonSchema => ({
    name: 'flowName',
    in: where,
    required,
    description: 'The flow.',
    schema: flowNames.length > 0 ? { type: 'string', enum: flowNames } : { type: 'string' },
  });
  const flowsText = list.map((flow) => `- \`${flow.name}\`: ${flow.description ?? ''} (steps: ${flow.steps.map((s) => s.name).join(' → ')})`).join('\n');

  return {
    openapi: '3.1.0',
    info: {
      title: 'service-pipes async engine',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'Start async flow runs, follow them, and redrive their dead letters. Loaded flows:\n\n' +
        (flowsText || '(none)') +
        `\n\nCompletion callbacks are POSTed to the run's callbackUrl with the header \`${SIGNATURE_HEADER}: sha256=<hex>\`, ` +
        'the HMAC-SHA256 of the raw request body under the flow\'s callback secret.',
    },
    servers: SERVERS,
    tags: [
      { name: 'runs', description: 'Start runs and follow them.' },
      { name: 'flows', description: 'The loaded flows.' },
      { name: 'dead-letters', description: 'Dead letters of a flow and their redrive.' },
    ],
    // An empty list says so when access control is off (`pipes run --no-auth`).
    security: securityRequirements(security),
    paths: {
      '/async/api/start': {
        post: {
          tags: ['runs'],
          operationId: 'startRun',
          summary: 'Start a run of a flow',
          description:
            'Validates the payload against the flow\'s input schema (400 listing every error, nothing enqueued), ' +
            'records the run and answers 202 once the broker confirmed the first step\'s message.',
          parameters: [
            flowParameter('query', true),
            {
              name: 'callbackUrl',
              in: 'query',
              required: false,
              description:
                'Called (POST, signed) once the run succeeded or failed. Only http(s) hosts on the public internet (or allow-listed by the operator); refused addresses answer 400.',
              schema: { type: 'string', format: 'uri' },
            },
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                "Scoped to the caller: the caller's same key and payload is the same run (202, nothing enqueued again); same key, other payload: 409.",
              schema: { type: 'string', maxLength: 200 },
            },
          ],
          requestBody: {
            required: true,
            description: 'The payload; it must match the input schema of the flow named by flowName.',
            content: {
              'application/json': {
                schema: list.length > 0 ? { oneOf: list.map((flow) => ref(inputSchemaName(flow.name))) } : {},
              },
            },
          },
          responses: {
            '202': {
              ...json(ref('StartAccepted'), 'Accepted: the first step\'s message is on its queue.'),
              headers: { Location: { description: 'The status URL.', schema: { type: 'string' } } },
            },
            '400': errorAnswer('The payload does not match the input schema (`errors` lists every problem), or a bad callbackUrl.'),
            ...guarded('`flow:<flowName>`'),
            '404': errorAnswer('No such flow.'),
            '409': errorAnswer('The Idempotency-Key was used with another payload.'),
            '413': errorAnswer('The payload is too large.'),
            '415': errorAnswer('The payload is not sent as application/json.'),
            '503': {
              ...errorAnswer('The first step\'s queue is full or the broker is unavailable; nothing was accepted.'),
              headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
            },
          },
        },
      },
      '/async/api/runs': {
        get: {
          tags: ['runs'],
          operationId: 'listRuns',
          summary: 'List runs, newest first',
          parameters: [
            flowParameter('query', false),
            { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: [...RUN_STATES] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: {
            '200': json({ type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: ref('Run') } } }, 'The runs (without their history).'),
            '400': errorAnswer('A bad filter.'),
            ...guarded('`flow:<flowName>` (with flowName) or `admin:runs`'),
          },
        },
      },
      '/async/api/runs/{correlationId}': {
        get: {
          tags: ['runs'],
          operationId: 'getRun',
          summary: 'State, current step and the history of every step attempt of a run',
          parameters: [
            { name: 'correlationId', in: 'path', required: true, schema: { type: 'string' } },
            { ...flowParameter('query', false), description: 'The run\'s flow (callers holding only `flow:<name>` need it).' },
          ],
          responses: {
            '200': json(ref('Run'), 'The run.'),
            ...guarded('`flow:<flowName>` (with flowName) or `admin:runs`'),
            '404': errorAnswer('No such run.'),
          },
        },
      },
      '/async/api/flows': {
        get: {
          tags: ['flows'],
          operationId: 'listFlows',
          summary: 'The loaded flows and their steps',
          responses: {
            '200': json({ type: 'object', properties: { flows: { type: 'array', items: ref('Flow') } } }, 'The flows.'),
            ...guarded('`admin:runs`'),
          },
        },
      },
      '/async/api/flows/{flowName}/dead-letters': {
        get: {
          tags: ['dead-letters'],
          operationId: 'listDeadLetters',
          summary: 'Dead letters of a flow, with their provenance',
          parameters: [flowParameter('path', true)],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  deadLetters: { type: 'array', items: ref('DeadLetter') },
                  queues: {
                    type: 'array',
                    items: { type: 'object', properties: { step: { type: 'string' }, queue: { type: 'string' }, messages: { type: 'integer' } } },
                  },
                },
              },
              'The dead letters and the depth of each step\'s dead-letter queue.',
            ),
            ...guarded('`flow:<flowName>`'),
            '404': errorAnswer('No such flow.'),
          },
        },
      },
      '/async/api/flows/{flowName}/dead-letters/redrive': {
        post: {
          tags: ['dead-letters'],
          operationId: 'redriveDeadLetters',
          summary: 'Put dead letters back on the step that failed; their runs continue from there',
          description: 'Safe to repeat: a redriven dead letter leaves its queue, and a run is redriven only while dead-lettered.',
          parameters: [flowParameter('path', true)],
          requestBody: { required: false, content: { 'application/json': { schema: ref('RedriveRequest') } } },
          responses: {
            '200': json(ref('RedriveReport'), 'What was redriven and what was left.'),
            '400': errorAnswer('A bad redrive request.'),
            ...guarded('`flow:<flowName>`'),
            '404': errorAnswer('No such flow.'),
          },
        },
      },
    },
    components: {
      ...(security.enforced ? { securitySchemes: securitySchemes(security) } : {}),
      schemas: {
        ...inputs,
        StartAccepted: {
          type: 'object',
          required: ['correlationId', 'statusUrl'],
          properties: { correlationId: { type: 'string' }, statusUrl: { type: 'string' } },
        },
        Error: ERROR_SCHEMA,
        RunError: {
          type: 'object',
          properties: {
            step: { type: 'string' },
            code: { type: 'string' },
            errorClass: { type: 'string' },
            message: { type: 'string' },
            httpStatus: { type: 'integer' },
          },
        },
        Counts: {
          type: 'object',
          properties: { attempted: { type: 'integer' }, succeeded: { type: 'integer' }, skipped: { type: 'integer' }, failed: { type: 'integer' } },
        },
        StepAttempt: {
          type: 'object',
          properties: {
            step: { type: 'string' },
            attempt: { type: 'integer' },
            chunk: { type: 'integer' },
            startedAt: { type: 'string', format: 'date-time' },
            finishedAt: { type: 'string', format: 'date-time' },
            durationMs: { type: 'integer' },
            outcome: { type: 'string', enum: ['succeeded', 'retrying', 'dead-lettered', 'failed'] },
            error: ref('RunError'),
            instance: { type: 'string' },
            chunks: { type: 'integer' },
            counts: ref('Counts'),
          },
        },
        Run: {
          type: 'object',
          required: ['correlationId', 'flowName', 'state'],
          properties: {
            correlationId: { type: 'string' },
            flowName: { type: 'string' },
            state: { type: 'string', enum: [...RUN_STATES] },
            currentStep: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            finishedAt: { type: 'string', format: 'date-time' },
            owner: { type: 'string', description: 'The principal that started the run; a caller sees only its own runs unless it holds admin:runs.' },
            error: ref('RunError'),
            output: {},
            counts: ref('Counts'),
            redrives: { type: 'integer' },
            callback: {
              type: 'object',
              properties: { state: { type: 'string', enum: ['pending', 'delivered', 'failed'] }, attempts: { type: 'integer' }, lastError: { type: 'string' } },
            },
            history: { type: 'array', items: ref('StepAttempt') },
          },
        },
        Flow: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            description: { type: 'string' },
            inputSchema: { type: 'object' },
            steps: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  uri: { type: 'string' },
                  queue: { type: 'string' },
                  concurrency: { type: 'integer' },
                  maxQueueLength: { type: 'integer' },
                  timeoutMs: { type: 'integer' },
                  retry: { type: 'object' },
                  chunk: { type: 'object' },
                },
              },
            },
          },
        },
        DeadLetter: {
          type: 'object',
          properties: {
            correlationId: { type: 'string' },
            flowName: { type: 'string' },
            step: { type: 'string' },
            chunk: { type: 'integer' },
            attempts: { type: 'integer' },
            errorClass: { type: 'string' },
            errorCode: { type: 'string' },
            errorMessage: { type: 'string' },
            httpStatus: { type: 'integer' },
            firstFailureAt: { type: 'string', format: 'date-time' },
            lastFailureAt: { type: 'string', format: 'date-time' },
            queue: { type: 'string' },
            deadLetterQueue: { type: 'string' },
            redrivable: { type: 'boolean' },
          },
        },
        RedriveRequest: {
          type: 'object',
          additionalProperties: false,
          properties: {
            correlationIds: { type: 'array', items: { type: 'string' }, description: 'Only these runs (default: all).' },
            dryRun: { type: 'boolean', default: false, description: 'Only list what would be redriven.' },
            limit: { type: 'integer', minimum: 1, description: 'At most this many.' },
          },
        },
        RedriveReport: {
          type: 'object',
          properties: {
            flowName: { type: 'string' },
            dryRun: { type: 'boolean' },
            redriven: { type: 'array', items: { type: 'object', properties: { correlationId: { type: 'string' }, step: { type: 'string' } } } },
            skipped: {
              type: 'array',
              items: { type: 'object', properties: { correlationId: { type: 'string' }, step: { type: 'string' }, reason: { type: 'string' } } },
            },
            matched: { type: 'array', items: ref('DeadLetter') },
          },
        },
      },
    },
  };
}

/**
 * A flow's input schema as an OpenAPI component: its own `$schema`/`$id` dropped (the document's dialect
 * applies) and its local references (`#/definitions/x`, `#/$defs/x`) re-pointed into the component.
 */
function embedSchema(schema: JsonSchema, base: string): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#')) out[key] = base + value.slice(1);
      else if (key === 'const' || key === 'enum' || key === 'examples' || key === 'default') out[key] = value;
      else out[key] = walk(value);
    }
    return out;
  };
  const rest: JsonSchema = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return walk(rest) as JsonSchema;
}
