import type { StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { stepExpression } from '../../runtime/step-options.js';

/** Camel's `transform`: like setBody (in Camel 4 both replace the message body). */
export const transformStep: StepSpec = {
  keyword: 'transform',
  summary: 'Replaces the message body with the value of an expression.',
  schema: {
    type: 'object',
    'x-expression': 'required',
    description: 'Replaces the message body with the value of an expression.',
    properties: {
      fromType: { type: 'string', description: 'Data-type transformers are not supported by this router.' },
      toType: { type: 'string', description: 'Data-type transformers are not supported by this router.' },
    },
    additionalProperties: false,
  },
  create(definition, context) {
    if (definition.options.fromType !== undefined || definition.options.toType !== undefined) {
      throw new DefinitionError({
        message: 'transform with fromType/toType (data-type transformers) is not supported by this router',
        loc: definition.loc,
        expected: 'transform with an expression',
        hint: 'Map the message with an expression, or with a JSONata template: - to: {uri: "jsonata:mapping.jsonata"}',
        snippet: 'transform:\n  expression:\n    simple:\n      expression: "${body}"',
      });
    }
    const value = context.compileExpression(
      stepExpression(definition, 'transform:\n  expression:\n    simple:\n      expression: "${body}"'),
    );
    return async (exchange) => {
      exchange.body = await value(exchange);
    };
  },
};
