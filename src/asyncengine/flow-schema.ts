import type { JsonSchema } from '../runtime/json-schema.js';

/** Flow and step names: they become queue names and URL segments, so letters, digits, `-` and `_` only. */
export const FLOW_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$';

const DURATION = '^(?:\\d+|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+)$';

function duration(description: string, defaultValue: string): JsonSchema {
  return {
    description: `${description} Milliseconds, or a duration such as 500ms, 1s, 2m, 1m30s. Default ${defaultValue}.`,
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: DURATION },
    ],
  };
}

export const retryPolicySchema: JsonSchema = {
  type: 'object',
  description:
    'How failed attempts are retried: through broker delay queues, with exponential backoff and jitter. ' +
    'Only retryable errors (network, timeout, 5xx, 408, 429) are retried; others dead-letter at once.',
  additionalProperties: false,
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 50, description: 'Attempts in all, the first included. Default 5.' },
    initialDelay: duration('Delay before the second attempt.', '1s'),
    multiplier: { type: 'number', minimum: 1, maximum: 10, description: 'Each further delay is the previous one times this. Default 2.' },
    maxDelay: duration('Longest delay between attempts.', '5m'),
    jitter: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: 'Fraction of each delay drawn at random (0.2: between 80 % and 100 % of it), so retries of many runs spread out. Default 0.2.',
    },
  },
};

const stepSchema: JsonSchema = {
  type: 'object',
  description: 'One step: what does the work, its own queue, workers, timeout and retry policy.',
  additionalProperties: false,
  required: ['name', 'uri'],
  properties: {
    name: { type: 'string', pattern: FLOW_NAME_PATTERN, description: 'Unique within the flow; names the step queue.' },
    description: { type: 'string' },
    uri: {
      type: 'string',
      minLength: 1,
      description:
        'What does the work: a producer endpoint (`direct:<route>`, `jsonata:<mapping>`, `https://host/path`, ...) ' +
        'or `script:<module.mjs>[#export]`, a JavaScript module exporting an async function of the payload.',
      examples: ['direct:kyc-fetch-customer', 'jsonata:mappings/score.jsonata', 'script:scripts/score.mjs'],
    },
    parameters: { type: 'object', description: 'Endpoint options, as in a route `to` (not for `script:`).' },
    concurrency: {
      type: 'integer',
      minimum: 1,
      maximum: 256,
      description: 'Messages of this step processed at once by one router ("processing threads"). Default 4.',
    },
    maxQueueLength: {
      type: 'integer',
      minimum: 1,
      description: 'Messages the step queue holds; a full first queue answers starts with 503 + Retry-After. Default 10000.',
    },
    timeout: duration('Longest one attempt may take; a timeout is retryable.', '30s'),
    retry: retryPolicySchema,
    chunk: {
      type: 'object',
      description:
        'Split an array payload into chunks processed as separate messages; the step then hands the counts ' +
        '`{attempted, succeeded, skipped, failed}` on.',
      additionalProperties: false,
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 100000, description: 'Items per chunk.' },
        items: {
          type: 'string',
          minLength: 1,
          description: 'Field of an object payload holding the array (default: the payload itself is the array).',
        },
      },
    },
  },
};

/** The `- flow:` document, registered with the loader so flows are checked like routes. */
export const flowDocumentSchema: JsonSchema = {
  type: 'object',
  description: 'An async flow: a named, ordered list of steps run through durable queues (see docs/async-engine.md).',
  additionalProperties: false,
  required: ['name', 'steps'],
  properties: {
    name: { type: 'string', pattern: FLOW_NAME_PATTERN, description: 'Started with POST /async/api/start?flowName=<name>.' },
    description: { type: 'string' },
    input: {
      description: 'JSON Schema the start payload must satisfy (inline), or the name of a schema file.',
      anyOf: [{ type: 'object' }, { type: 'string', minLength: 1 }],
    },
    callback: {
      type: 'object',
      description: 'Signed completion callbacks for runs started with a `callbackUrl`.',
      additionalProperties: false,
      properties: {
        secret: {
          type: 'string',
          minLength: 16,
          description: 'HMAC-SHA256 key (use a placeholder such as "{{KYC_CALLBACK_SECRET}}"). Default: $PIPES_CALLBACK_SECRET.',
        },
        timeout: duration('Longest one callback call may take.', '10s'),
        retry: retryPolicySchema,
      },
    },
    steps: { type: 'array', minItems: 1, items: stepSchema },
  },
};
