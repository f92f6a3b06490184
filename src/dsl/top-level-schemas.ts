import type { JsonSchema } from '../runtime/json-schema.js';
import { POLICY_BEAN_TYPES } from '../runtime/definitions.js';

/**
 * Schemas of the top-level documents of a route file that the loader itself owns (routes, rest, error
 * handling, beans). Steps, languages and `flow` come from the registry. Shapes follow Camel 4's YAML DSL.
 */

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const text = (description: string): JsonSchema => ({ type: 'string', description });
const flag = (description: string): JsonSchema => ({ type: 'boolean', description });

/** Top-level keys Camel has and this router does not load; each gets a "not supported" error. */
export const UNSUPPORTED_TOP_LEVEL: Readonly<Record<string, string>> = {
  routeConfiguration: 'put onException / errorHandler at the top level of the file instead',
  restConfiguration: 'REST entries are served by the router\'s HTTP server; set consumes/produces/bindingMode on `rest`',
  routeTemplate: 'write the route out, using {{property}} placeholders for what varies',
  templatedRoute: 'write the route out, using {{property}} placeholders for what varies',
  intercept: 'add the steps to the routes that need them',
  interceptFrom: 'add the steps to the routes that need them',
  interceptSendToEndpoint: 'add the steps before the `to` that needs them',
  onCompletion: 'use doTry / doFinally in the route',
  dataFormats: 'messages are JSON; transform with `to: jsonata:...`',
  kamelet: 'write the route out with supported components',
};

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'];

const redeliveryPolicy: JsonSchema = {
  type: 'object',
  description: 'How often and how fast a failing step is retried before the error goes on.',
  additionalProperties: false,
  properties: {
    id: text('Identifier'),
    maximumRedeliveries: { type: 'integer', description: 'Retries after the first attempt (0 = none, -1 = forever).' },
    redeliveryDelay: text('Delay before the first retry, in ms (Camel writes it as a string).'),
    maximumRedeliveryDelay: text('Upper bound of the delay, in ms.'),
    useExponentialBackOff: flag('Multiply the delay by backOffMultiplier after each retry.'),
    backOffMultiplier: { type: 'number', description: 'Factor of the exponential back-off (default 2).' },
    useCollisionAvoidance: flag('Add jitter to the delay.'),
    collisionAvoidanceFactor: { type: 'number', description: 'Jitter fraction (default 0.15).' },
    delayPattern: text('Delay per attempt range, e.g. `0:1000;5:5000`.'),
    retryAttemptedLogLevel: { type: 'string', enum: LOG_LEVELS },
    retriesExhaustedLogLevel: { type: 'string', enum: LOG_LEVELS },
    logStackTrace: flag('Log the stack trace when retries are exhausted.'),
    logRetryStackTrace: flag('Log the stack trace on each retry.'),
    logRetryAttempted: flag('Log each retry.'),
    logExhausted: flag('Log when retries are exhausted.'),
    logHandled: flag('Log handled errors.'),
    logContinued: flag('Log continued errors.'),
    logNewException: flag('Log an error raised while handling an error.'),
    logExhaustedMessageHistory: flag('Log the message history when retries are exhausted.'),
    logExhaustedMessageBody: flag('Log the body when retries are exhausted.'),
    asyncDelayedRedelivery: flag('Wait for the retry without holding a thread (always the case here).'),
    allowRedeliveryWhileStopping: flag('Keep retrying while the router stops.'),
    disableRedelivery: flag('No retries at all.'),
    exchangeFormatterRef: text('Bean reference (not used by this router).'),
  },
};

/** Keys shared by Camel's error handlers. */
const errorHandlerCommon: Record<string, JsonSchema> = {
  id: text('Identifier'),
  redeliveryPolicy: ref('redeliveryPolicy'),
  redeliveryPolicyRef: text('Bean reference to a redelivery policy.'),
  useOriginalMessage: flag('Hand the message as it entered the route to the handler.'),
  useOriginalBody: flag('Hand the body as it entered the route to the handler.'),
  level: { type: 'string', enum: LOG_LEVELS },
  logName: text('Logger name.'),
  loggerRef: text('Bean reference to a logger.'),
  onRedeliveryRef: text('Bean reference called before each retry.'),
  onExceptionOccurredRef: text('Bean reference called when an error occurs.'),
  onPrepareFailureRef: text('Bean reference called before the dead letter is sent.'),
  retryWhileRef: text('Bean reference deciding whether to retry.'),
  executorServiceRef: text('Bean reference (not used by this router).'),
};

const errorHandler: JsonSchema = {
  type: 'object',
  description: 'Error handler: exactly one of deadLetterChannel, defaultErrorHandler, noErrorHandler, refErrorHandler.',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    deadLetterChannel: {
      type: 'object',
      description: 'Retry, then send the failed message to deadLetterUri and mark the error handled.',
      required: ['deadLetterUri'],
      additionalProperties: false,
      properties: {
        ...errorHandlerCommon,
        deadLetterUri: { $ref: '#/$defs/endpointUri' },
        deadLetterHandleNewException: flag('Swallow an error raised while sending the dead letter.'),
      },
    },
    defaultErrorHandler: {
      type: 'object',
      description: 'Retry (no retries by default), then fail the exchange.',
      additionalProperties: false,
      properties: errorHandlerCommon,
    },
    noErrorHandler: { type: 'object', description: 'No retries; the error goes straight to the caller.', additionalProperties: false, properties: { id: text('Identifier') } },
    refErrorHandler: {
      description: 'An error handler defined as a bean.',
      anyOf: [{ type: 'string' }, { type: 'object', required: ['ref'], additionalProperties: false, properties: { id: text('Identifier'), ref: text('Bean name') } }],
    },
  },
};

const onException: JsonSchema = {
  type: 'object',
  description: 'Handles errors of the given exception types for every route (must come before the routes).',
  additionalProperties: false,
  properties: {
    id: text('Identifier'),
    description: text('Description'),
    note: text('Note'),
    exception: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Exception class names, matched by is-a.' },
    handled: { 'x-sub-expression': true, description: 'Predicate: the error is handled (the caller sees success).' },
    continued: { 'x-sub-expression': true, description: 'Predicate: continue after the failing step.' },
    retryWhile: { 'x-sub-expression': true, description: 'Predicate: keep retrying while true.' },
    onWhen: { type: 'object', 'x-expression': 'required', description: 'Predicate: this clause applies only when true.', properties: {} },
    redeliveryPolicy: ref('redeliveryPolicy'),
    redeliveryPolicyRef: text('Bean reference to a redelivery policy.'),
    useOriginalMessage: flag('Hand the message as it entered the route to the clause.'),
    useOriginalBody: flag('Hand the body as it entered the route to the clause.'),
    onRedeliveryRef: text('Bean reference called before each retry.'),
    onExceptionOccurredRef: text('Bean reference called when an error occurs.'),
    steps: { $ref: '#/$defs/steps' },
  },
};

const from: JsonSchema = {
  type: 'object',
  description: 'The endpoint a route consumes from, and the route\'s steps.',
  required: ['uri', 'steps'],
  additionalProperties: false,
  properties: {
    id: text('Identifier'),
    description: text('Description'),
    uri: { $ref: '#/$defs/endpointUri' },
    parameters: { type: 'object', description: 'Endpoint options (merged with the URI query).' },
    steps: { $ref: '#/$defs/steps' },
  },
};

const route: JsonSchema = {
  type: 'object',
  description: 'A route (canonical notation).',
  required: ['from'],
  additionalProperties: false,
  properties: {
    id: text('Route id (unique across all route files).'),
    description: text('Description'),
    note: text('Note'),
    group: text('Route group'),
    autoStartup: flag('Start the route with the router (default true).'),
    startupOrder: { type: 'integer' },
    routeConfigurationId: text('Not used by this router.'),
    precondition: text('Not used by this router.'),
    nodePrefixId: text('Prefix for generated step ids.'),
    streamCache: flag('Not used by this router (bodies are always re-readable).'),
    logMask: flag('Mask secrets in logs.'),
    messageHistory: flag('Not used by this router.'),
    trace: flag('Not used by this router.'),
    inputType: { type: 'object' },
    outputType: { type: 'object' },
    errorHandler: ref('errorHandler'),
    from: ref('from'),
  },
};

const VERBS = ['get', 'post', 'put', 'delete', 'patch', 'head'] as const;
export const REST_VERBS: readonly string[] = VERBS;

const restVerb: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    id: text('Identifier; also the route id unless routeId is given.'),
    routeId: text('Id of the route generated for this operation.'),
    description: text('Description (OpenAPI summary).'),
    path: text('Path under the rest path; `{name}` parts become headers.'),
    to: {
      description: 'Where the request goes, usually `direct:<name>`.',
      anyOf: [
        { type: 'string' },
        { type: 'object', required: ['uri'], additionalProperties: false, properties: { uri: { $ref: '#/$defs/endpointUri' }, parameters: { type: 'object' }, id: text('Identifier') } },
      ],
    },
    consumes: text('Accepted media types.'),
    produces: text('Produced media types.'),
    bindingMode: { type: 'string', enum: ['off', 'auto', 'json', 'xml', 'json_xml'] },
    type: text('Input type (OpenAPI).'),
    outType: text('Output type (OpenAPI).'),
    param: { type: 'array', items: { type: 'object' } },
    responseMessage: { type: 'array', items: { type: 'object' } },
    security: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, scopes: { type: 'string' } } } },
    apiDocs: flag('List in the API documentation.'),
    deprecated: flag('Deprecated operation.'),
    disabled: flag('Not served.'),
    streamCache: flag('Not used by this router.'),
    skipBindingOnErrorCode: flag('Not used by this router.'),
    clientRequestValidation: flag('Check Content-Type/Accept against consumes/produces.'),
    enableCORS: flag('Answer CORS requests.'),
  },
};

const rest: JsonSchema = {
  type: 'object',
  description: 'REST DSL: HTTP operations, each handed to an endpoint (one route per operation).',
  additionalProperties: false,
  properties: {
    id: text('Identifier'),
    description: text('Description'),
    path: text('Base path of the operations.'),
    consumes: text('Accepted media types.'),
    produces: text('Produced media types.'),
    bindingMode: { type: 'string', enum: ['off', 'auto', 'json', 'xml', 'json_xml'] },
    tag: text('OpenAPI tag.'),
    apiDocs: flag('List in the API documentation.'),
    skipBindingOnErrorCode: flag('Not used by this router.'),
    clientRequestValidation: flag('Check Content-Type/Accept against consumes/produces.'),
    enableCORS: flag('Answer CORS requests.'),
    securityDefinitions: { type: 'object', description: 'OpenAPI security schemes (documentation).' },
    securityRequirements: { type: 'array', items: { type: 'object' } },
    ...Object.fromEntries(VERBS.map((verb) => [verb, { type: 'array', items: ref('restVerb') }])),
  },
};

const beans: JsonSchema = {
  type: 'array',
  description: 'Named beans (only types the router knows).',
  items: {
    type: 'object',
    required: ['name', 'type'],
    additionalProperties: false,
    properties: {
      name: text('Bean name'),
      type: {
        type: 'string',
        description:
          'Class name. The router uses security-policy beans (for the `policy` step, checked against the RBAC file): ' +
          POLICY_BEAN_TYPES.join(', '),
        examples: [...POLICY_BEAN_TYPES],
      },
      properties: { type: 'object' },
      constructors: { type: ['object', 'array'] },
      factoryMethod: { type: 'string' },
      factoryBean: { type: 'string' },
      builderClass: { type: 'string' },
      builderMethod: { type: 'string' },
      initMethod: { type: 'string' },
      destroyMethod: { type: 'string' },
      script: { type: 'string' },
      scriptLanguage: { type: 'string' },
    },
  },
};

/** The loader's own `$defs`; `steps`, languages and `endpointUri` are added by the schema builder. */
export const TOP_LEVEL_DEFS: Readonly<Record<string, JsonSchema>> = {
  route,
  from,
  rest,
  restVerb,
  onException,
  errorHandler,
  redeliveryPolicy,
  beans,
};

/** Which `$defs` entry each supported top-level key uses (flow is the registry's or any object). */
export const TOP_LEVEL_KEYS = ['route', 'from', 'rest', 'onException', 'errorHandler', 'beans', 'flow'] as const;
