import type { StepSpec } from '../../runtime/step.js';
import { syncProcessor } from '../shared/sync-processor.js';

/** Ends the exchange successfully: no further step runs, in this route or any enclosing EIP. */
export const stopStep: StepSpec = {
  keyword: 'stop',
  summary: 'Stops routing the message; the exchange completes successfully.',
  schema: {
    type: 'object',
    description: 'Stops routing the message: no further step runs and the exchange completes successfully.',
    properties: {},
    additionalProperties: false,
  },
  create() {
    return syncProcessor((exchange) => {
      exchange.stopped = true;
    });
  },
};
