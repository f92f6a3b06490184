import type { StepSpec } from '../../runtime/step.js';
import { patternSchema } from '../shared/schema.js';
import { requiredString } from '../../runtime/step-options.js';
import { parametersOf, patternOf, withPattern } from '../shared/endpoint-options.js';

/** Sends the exchange to an endpoint and continues with its reply (Camel's `to`). */
export const toStep: StepSpec = {
  keyword: 'to',
  summary: 'Sends the message to an endpoint; the reply (if any) becomes the message.',
  schema: {
    type: 'object',
    'x-shorthand': 'uri',
    description: 'Sends the message to a static endpoint URI, resolved and validated at load.',
    properties: {
      uri: {
        type: 'string',
        description: 'Endpoint URI, e.g. `direct:audit` or `spring-rabbitmq:payments?routingKey=new`.',
      },
      parameters: {
        type: 'object',
        description: 'Endpoint options, merged with the query part of the URI.',
        additionalProperties: true,
      },
      pattern: patternSchema,
    },
    required: ['uri'],
    additionalProperties: false,
  },
  create(definition, context) {
    const uri = requiredString(definition, 'uri', 'to:\n  uri: direct:next');
    const producer = context.producer(uri, parametersOf(definition), definition.loc);
    return withPattern(patternOf(definition), (exchange) => producer.process(exchange));
  },
};
