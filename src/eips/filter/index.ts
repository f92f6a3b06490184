import type { StepSpec } from '../../runtime/step.js';
import { stepsSchema } from '../shared/schema.js';
import { optionalString, stepExpression, stepList } from '../../runtime/step-options.js';

/** Camel records the outcome of every filter in this property, whatever statusPropertyName says. */
const FILTER_MATCHED = 'CamelFilterMatched';

/** Message filter: only matching exchanges run the nested steps; all continue after the filter. */
export const filterStep: StepSpec = {
  keyword: 'filter',
  summary:
    'Runs the nested steps only for messages matching a predicate; every message continues afterwards.',
  schema: {
    type: 'object',
    'x-expression': 'required',
    description:
      'Runs the nested steps only when the predicate holds. Non-matching messages skip them and continue after the filter.',
    properties: {
      steps: stepsSchema,
      statusPropertyName: {
        type: 'string',
        description: 'Name of an exchange property set to true or false with the outcome of the predicate.',
      },
    },
    additionalProperties: false,
  },
  create(definition, context) {
    const matches = context.compilePredicate(
      stepExpression(
        definition,
        'filter:\n  expression:\n    simple:\n      expression: "${header.type} == \'payment\'"\n  steps:\n    - to: direct:payments',
      ),
    );
    const steps = context.compileSteps(stepList(definition.options.steps, 'filter', definition.loc));
    const statusProperty = optionalString(definition, 'statusPropertyName');
    return async (exchange) => {
      const matched = await matches(exchange);
      exchange.properties[FILTER_MATCHED] = matched;
      if (statusProperty) exchange.properties[statusProperty] = matched;
      if (matched) await steps(exchange);
    };
  },
};
