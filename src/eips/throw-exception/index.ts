import type { StepSpec } from '../../runtime/step.js';
import { KNOWN_CAMEL_EXCEPTIONS, ThrownError, isKnownCamelException } from '../../errors/index.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import { optionalString, requiredString } from '../../runtime/step-options.js';
import { asText } from '../shared/sync-processor.js';

/** Raises an error of a named exception type, to be handled by doCatch / onException or answered to the caller. */
export const throwExceptionStep: StepSpec = {
  keyword: 'throwException',
  summary: 'Fails the exchange with an error of the given exception type and message.',
  schema: {
    type: 'object',
    description:
      'Fails the exchange with an error of the given type; doCatch/onException match it by that name (java.lang.IllegalArgumentException answers HTTP 400).',
    properties: {
      exceptionType: {
        type: 'string',
        description:
          'Exception class name, e.g. java.lang.IllegalArgumentException or your own com.acme.PaymentRejectedException.',
      },
      message: { type: 'string', description: 'Error message, a simple template.' },
    },
    required: ['exceptionType'],
    additionalProperties: false,
  },
  create(definition, context) {
    const exceptionType = requiredString(
      definition,
      'exceptionType',
      'throwException:\n  exceptionType: java.lang.IllegalArgumentException\n  message: "amount ${header.amount} is not allowed"',
    );
    // A misspelt JDK or Camel name would silently escape every doCatch that meant it.
    if (/^(java|javax|org\.apache\.camel)\./.test(exceptionType) && !isKnownCamelException(exceptionType)) {
      context.report({
        severity: 'warning',
        message: `throwException.exceptionType '${exceptionType}' is not an exception type the router knows`,
        loc: definition.loc,
        suggestions: didYouMean(exceptionType, KNOWN_CAMEL_EXCEPTIONS),
        hint: 'It is raised as written, with java.lang.Exception as its only parent.',
      });
    }
    const message = optionalString(definition, 'message');
    const text =
      message === undefined
        ? undefined
        : context.compileExpression({
            language: 'simple',
            expression: message,
            options: {},
            loc: definition.loc,
          });
    return async (exchange) => {
      throw new ThrownError(exceptionType, text ? asText(await text(exchange)) : exceptionType);
    };
  },
};
