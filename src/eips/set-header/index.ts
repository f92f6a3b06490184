import type { StepSpec } from '../../runtime/step.js';
import { namedValueProcessor, namedValueSchema } from '../shared/set-value.js';

export const setHeaderStep: StepSpec = {
  keyword: 'setHeader',
  summary: 'Sets a message header to the value of an expression.',
  schema: namedValueSchema('message header'),
  create: (definition, context) =>
    namedValueProcessor(definition, context, (exchange, name, value) => exchange.setHeader(name, value)),
};
