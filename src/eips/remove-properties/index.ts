import type { StepSpec } from '../../runtime/step.js';
import { patternRemovalProcessor, patternRemovalSchema } from '../shared/remove-by-pattern.js';

export const removePropertiesStep: StepSpec = {
  keyword: 'removeProperties',
  summary: 'Removes the exchange properties whose names match a pattern.',
  schema: patternRemovalSchema('exchange property', 'tmp*'),
  create: (definition) => patternRemovalProcessor(definition, false, (exchange) => exchange.properties),
};
