import type { StepSpec } from '../../runtime/step.js';
import { stepExpression } from '../../runtime/step-options.js';

export const setBodyStep: StepSpec = {
  keyword: 'setBody',
  summary: 'Replaces the message body with the value of an expression.',
  schema: {
    type: 'object',
    'x-expression': 'required',
    description: 'Replaces the message body with the value of an expression.',
    properties: {},
    additionalProperties: false,
  },
  create(definition, context) {
    const value = context.compileExpression(
      stepExpression(definition, 'setBody:\n  expression:\n    simple:\n      expression: "${body}"'),
    );
    return async (exchange) => {
      exchange.body = await value(exchange);
    };
  },
};
