import type { StepSpec } from '../../runtime/step.js';
import { noop } from '../../runtime/processor.js';
import { exchangeFields } from '../../observability/logger.js';
import { optionalString, requiredString } from '../../runtime/step-options.js';
import { DefinitionError } from '../../errors/index.js';
import { asText } from '../shared/sync-processor.js';

/** Camel's logging levels and the winston level each one writes at. OFF writes nothing. */
const LEVELS: Record<string, string | undefined> = {
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'silly',
  OFF: undefined,
};

/** The `log` EIP: one line with a simple-template message (not the `log:` component, which logs the exchange). */
export const logStep: StepSpec = {
  keyword: 'log',
  summary: 'Logs a message (simple template) with the exchange ids.',
  schema: {
    type: 'object',
    'x-shorthand': 'message',
    description: 'Logs a message built from a simple template, e.g. `Payment ${header.paymentId} accepted`.',
    properties: {
      message: { type: 'string', description: 'The text to log, a simple template.' },
      loggingLevel: {
        type: 'string',
        enum: Object.keys(LEVELS),
        default: 'INFO',
        description: 'Level of the line.',
      },
      logName: { type: 'string', description: 'Logger name written on the line. Default: the route id.' },
      marker: { type: 'string', description: 'A marker written on the line, for filtering.' },
    },
    required: ['message'],
    additionalProperties: false,
  },
  create(definition, context) {
    const message = requiredString(definition, 'message', 'log:\n  message: "Received ${body}"');
    const levelName = (optionalString(definition, 'loggingLevel') ?? 'INFO').toUpperCase();
    if (!(levelName in LEVELS)) {
      throw new DefinitionError({
        message: `log.loggingLevel '${levelName}' is not a logging level`,
        loc: definition.loc,
        expected: Object.keys(LEVELS).join(' | '),
        snippet: `log:\n  message: ${JSON.stringify(message)}\n  loggingLevel: INFO`,
      });
    }
    const level = LEVELS[levelName];
    if (!level) return noop;
    const text = context.compileExpression({
      language: 'simple',
      expression: message,
      options: {},
      loc: definition.loc,
    });
    const logName = optionalString(definition, 'logName') ?? context.routeId;
    const marker = optionalString(definition, 'marker');
    const logger = context.logger;
    return async (exchange) => {
      // The level can change at run time; a line nobody will see is not worth building.
      if (!logger.isLevelEnabled(level)) return;
      const line = asText(await text(exchange));
      logger.log(level, line, {
        logName,
        ...(marker === undefined ? {} : { marker }),
        ...(definition.id === undefined ? {} : { stepId: definition.id }),
        ...exchangeFields(exchange),
      });
    };
  },
};
