import type { StepSpec } from '../../runtime/step.js';
import { patternRemovalProcessor, patternRemovalSchema } from '../shared/remove-by-pattern.js';

export const removeHeadersStep: StepSpec = {
  keyword: 'removeHeaders',
  summary: 'Removes the message headers whose names match a pattern (e.g. CamelHttp* before calling out).',
  schema: patternRemovalSchema('message header', 'CamelHttp*'),
  create: (definition) => patternRemovalProcessor(definition, true, (exchange) => exchange.message.headers),
};
