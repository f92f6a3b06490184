import type { StepSpec } from '../../runtime/step.js';
import { requiredString } from '../../runtime/step-options.js';
import { syncProcessor } from '../shared/sync-processor.js';
import { namedRemovalSchema } from '../shared/remove-by-pattern.js';

export const removePropertyStep: StepSpec = {
  keyword: 'removeProperty',
  summary: 'Removes one exchange property.',
  schema: namedRemovalSchema('exchange property'),
  create(definition) {
    const name = requiredString(definition, 'name', 'removeProperty:\n  name: flowName');
    return syncProcessor((exchange) => {
      delete exchange.properties[name];
    });
  },
};
