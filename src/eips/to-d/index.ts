import type { StepSpec } from '../../runtime/step.js';
import type { Producer } from '../../runtime/component.js';
import type { Processor } from '../../runtime/processor.js';
import { exchangeFields } from '../../observability/logger.js';
import { isSimpleTemplate, patternSchema } from '../shared/schema.js';
import { booleanOption, requiredString } from '../../runtime/step-options.js';
import { compileEndpointTemplate } from '../shared/endpoint-template.js';
import { appendParameters, parametersOf, patternOf, withPattern } from '../shared/endpoint-options.js';

/** Sends the exchange to an endpoint whose URI is a simple template evaluated per message (Camel's `toD`). */
export const toDStep: StepSpec = {
  keyword: 'toD',
  summary: 'Sends the message to an endpoint whose URI is computed per message (simple template).',
  schema: {
    type: 'object',
    'x-shorthand': 'uri',
    description:
      'Sends the message to a dynamic endpoint: the URI is a simple template, e.g. `https://partner/${header.id}`.',
    properties: {
      uri: { type: 'string', description: 'Endpoint URI as a simple template.' },
      parameters: {
        type: 'object',
        description: 'Endpoint options appended to the computed URI.',
        additionalProperties: true,
      },
      pattern: patternSchema,
      cacheSize: {
        type: 'integer',
        description: 'Accepted for compatibility; resolved producers are cached by the router.',
      },
      ignoreInvalidEndpoint: {
        type: 'boolean',
        default: false,
        description:
          'Skip the send (and log it) when the computed URI is not a valid endpoint, instead of failing.',
      },
    },
    required: ['uri'],
    additionalProperties: false,
  },
  create(definition, context) {
    const uri = requiredString(
      definition,
      'uri',
      'toD:\n  uri: https://partner.example/payments/${header.paymentId}',
    );
    const parameters = parametersOf(definition);
    const pattern = patternOf(definition);

    // A URI without any template part is static: resolve it now so a bad scheme or option fails at load.
    if (!isSimpleTemplate(uri)) {
      const producer = context.producer(uri, parameters, definition.loc);
      return withPattern(pattern, (exchange) => producer.process(exchange));
    }

    // Each value is encoded for the part of the URI it lands in; a value choosing the scheme or host makes
    // the target the message's choice, so its producers apply the egress policy (eips/shared/endpoint-template.ts).
    const computed = compileEndpointTemplate(uri, context, definition.loc);
    const resolve = context.dynamicProducer(definition.loc, { messageSteered: computed.messageSteered });
    const ignoreInvalid = booleanOption(definition, 'ignoreInvalidEndpoint', false);
    const logger = context.logger;

    const send: Processor = async (exchange) => {
      const target = appendParameters(await computed.compute(exchange), parameters);
      let producer: Producer;
      try {
        producer = await resolve(target);
      } catch (error) {
        if (!ignoreInvalid) throw error;
        logger.warn('toD skipped an invalid endpoint', {
          ...exchangeFields(exchange),
          // The query part may carry credentials; scheme and path are enough to find the mistake.
          uri: target.split('?')[0],
          error: (error as Error).message,
        });
        return;
      }
      await producer.process(exchange);
    };
    return withPattern(pattern, send);
  },
};
