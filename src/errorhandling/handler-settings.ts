import type { SourceLocation } from '../runtime/definitions.js';
import type { Producer } from '../runtime/component.js';
import type { BuildContext } from '../runtime/step.js';
import { CAMEL_DEFAULT_POLICY, parseRedeliveryPolicy, type RedeliveryPolicy } from './redelivery-policy.js';

/**
 * Which error handler a route runs under. `router-default` is what a route gets when no file configures
 * one: Camel's defaultErrorHandler (no redelivery) for exchanges the router answers in process, and the
 * router's retry-then-dead-letter promise for messages a broker consumer took in.
 */
export type HandlerKind = 'router-default' | 'defaultErrorHandler' | 'deadLetterChannel' | 'noErrorHandler';

export interface HandlerSettings {
  kind: HandlerKind;
  policy: RedeliveryPolicy;
  useOriginalMessage: boolean;
  useOriginalBody: boolean;
  deadLetter?: {
    uri: string;
    producer: Producer;
    /** An error while writing the dead letter is swallowed only when the file asks for it (see below). */
    handleNewException: boolean;
  };
}

/** Keys naming beans the router cannot call; each would silently change behaviour if ignored. */
const UNSUPPORTED_REFS = [
  'redeliveryPolicyRef',
  'onRedeliveryRef',
  'onExceptionOccurredRef',
  'onPrepareFailureRef',
  'retryWhileRef',
];

const SNIPPET = `errorHandler:
  deadLetterChannel:
    deadLetterUri: spring-rabbitmq:payments.dlx?routingKey=payments.failed
    useOriginalMessage: true
    redeliveryPolicy:
      maximumRedeliveries: 3
      redeliveryDelay: "1000"
      useExponentialBackOff: true`;

/**
 * Reads an `errorHandler` definition (route level, else top level). The dead-letter endpoint is resolved
 * now, so a wrong URI is a load error and not a surprise on the first failure.
 */
export function readHandlerSettings(
  raw: Record<string, unknown> | undefined,
  where: string,
  loc: SourceLocation,
  context: BuildContext,
): HandlerSettings {
  const settings: HandlerSettings = {
    kind: 'router-default',
    policy: { ...CAMEL_DEFAULT_POLICY },
    useOriginalMessage: false,
    useOriginalBody: false,
  };
  if (!raw) return settings;
  const [kind] = Object.keys(raw);
  const options = (raw[kind ?? ''] ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'noErrorHandler':
      return { ...settings, kind: 'noErrorHandler' };
    case 'defaultErrorHandler':
    case 'deadLetterChannel':
      break;
    case 'refErrorHandler':
      context.report({
        severity: 'error',
        message: `${where}: refErrorHandler is not supported; the router has no error-handler beans`,
        loc,
        expected: 'deadLetterChannel, defaultErrorHandler or noErrorHandler',
        snippet: SNIPPET,
      });
      return settings;
    default:
      // The loader's schema has already rejected anything else.
      return settings;
  }
  for (const key of UNSUPPORTED_REFS) {
    if (options[key] === undefined) continue;
    context.report({
      severity: 'error',
      message: `${where}: ${kind}.${key} is not supported; the router has no bean of that kind`,
      loc,
      hint:
        key === 'redeliveryPolicyRef'
          ? 'write the policy inline under `redeliveryPolicy:`'
          : 'use an onException clause with steps instead',
    });
  }
  const rawPolicy = options.redeliveryPolicy as Record<string, unknown> | undefined;
  settings.kind = kind;
  settings.policy = parseRedeliveryPolicy(rawPolicy, CAMEL_DEFAULT_POLICY, (problem) =>
    context.report({ ...problem, message: `${where}: ${problem.message}`, loc }),
  );
  settings.useOriginalMessage = options.useOriginalMessage === true;
  settings.useOriginalBody = options.useOriginalBody === true;
  if (kind === 'deadLetterChannel') {
    const uri = options.deadLetterUri;
    if (typeof uri !== 'string' || uri.trim() === '') {
      context.report({
        severity: 'error',
        message: `${where}: deadLetterChannel needs deadLetterUri`,
        loc,
        snippet: SNIPPET,
      });
      return { ...settings, kind: 'defaultErrorHandler' };
    }
    settings.deadLetter = {
      uri,
      producer: context.producer(uri, undefined, loc),
      // Camel swallows a failure to write the dead letter by default; here that would ack a consumed
      // message that was stored nowhere, so the original error goes on unless the file opts in.
      handleNewException: options.deadLetterHandleNewException === true,
    };
  }
  return settings;
}
