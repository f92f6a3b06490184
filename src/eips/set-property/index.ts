import type { StepSpec } from '../../runtime/step.js';
import { namedValueProcessor, namedValueSchema } from '../shared/set-value.js';

/** Exchange properties are route-local and never sent; `flowName` for direct:callAsyncEngine is set here. */
export const setPropertyStep: StepSpec = {
  keyword: 'setProperty',
  summary: 'Sets an exchange property (route-local, never sent) to the value of an expression.',
  schema: namedValueSchema('exchange property'),
  create: (definition, context) =>
    namedValueProcessor(definition, context, (exchange, name, value) => {
      exchange.properties[name] = value;
    }),
};
