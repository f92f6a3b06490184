import type { StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { namedValueProcessor, namedValueSchema } from '../shared/set-value.js';

export const setVariableStep: StepSpec = {
  keyword: 'setVariable',
  summary: 'Sets an exchange variable to the value of an expression.',
  schema: namedValueSchema('exchange variable'),
  create(definition, context) {
    const name = definition.options.name;
    // Camel's `global:` and `route:` variables outlive the exchange; the router keeps no such shared state.
    if (typeof name === 'string' && /^(global|route):/.test(name)) {
      throw new DefinitionError({
        message: `setVariable '${name}': global and route variables are not supported, only exchange variables`,
        loc: definition.loc,
        expected: 'a variable name without a global: or route: prefix',
        snippet: `setVariable:\n  name: ${name.replace(/^(global|route):/, '')}\n  expression:\n    simple:\n      expression: "\${body}"`,
      });
    }
    return namedValueProcessor(definition, context, (exchange, variable, value) => {
      exchange.variables[variable] = value;
    });
  },
};
