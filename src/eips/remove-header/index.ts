import type { StepSpec } from '../../runtime/step.js';
import { requiredString } from '../../runtime/step-options.js';
import { syncProcessor } from '../shared/sync-processor.js';
import { namedRemovalSchema } from '../shared/remove-by-pattern.js';

export const removeHeaderStep: StepSpec = {
  keyword: 'removeHeader',
  summary: 'Removes one message header (any case variant of its name).',
  schema: namedRemovalSchema('message header'),
  create(definition) {
    const name = requiredString(definition, 'name', 'removeHeader:\n  name: Authorization');
    return syncProcessor((exchange) => exchange.removeHeader(name));
  },
};
