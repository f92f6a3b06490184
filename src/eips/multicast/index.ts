import type { StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { stepsSchema } from '../shared/schema.js';
import { booleanOption, optionalString, stepList } from '../../runtime/step-options.js';
import { defaultStrategy, resolveAggregationStrategy } from '../shared/aggregation.js';
import { fanOutOptions, warnAboutParallelOptions } from '../shared/parallel.js';

export const MULTICAST_INDEX = 'CamelMulticastIndex';
export const MULTICAST_COMPLETE = 'CamelMulticastComplete';

/**
 * Multicast: every top-level step in `steps` is a branch (as in Camel) and gets its own copy of the message.
 * By default the message afterwards is the last branch's reply.
 */
export const multicastStep: StepSpec = {
  keyword: 'multicast',
  summary: 'Sends a copy of the message to every branch (each top-level step is a branch).',
  schema: {
    type: 'object',
    description:
      "Sends a copy of the message to every branch; each top-level step in `steps` is one branch. Without aggregationStrategy the message afterwards is the last branch's reply.",
    properties: { steps: stepsSchema, ...fanOutOptions },
    additionalProperties: false,
  },
  create(definition, context) {
    const branchSteps = stepList(definition.options.steps, 'multicast', definition.loc) ?? [];
    if (branchSteps.length === 0) {
      throw new DefinitionError({
        message: 'multicast needs at least one branch in steps',
        loc: definition.loc,
        expected: 'steps: [ ... ] (each top-level step is a branch)',
        snippet: 'multicast:\n  steps:\n    - to: direct:ledger\n    - to: direct:audit',
      });
    }
    const branches = branchSteps.map((step) => context.compileSteps([step]));
    const reference = optionalString(definition, 'aggregationStrategy');
    const strategy = reference
      ? resolveAggregationStrategy(reference, 'multicast', definition.loc)
      : defaultStrategy('useLatest');
    const stopOnException = booleanOption(definition, 'stopOnException', false);
    warnAboutParallelOptions(definition, context);

    return async (exchange) => {
      const aggregation = strategy.begin(exchange);
      let failure: { error: unknown } | undefined;
      for (const [index, branch] of branches.entries()) {
        const copy = exchange.copy();
        copy.properties[MULTICAST_INDEX] = index;
        copy.properties[MULTICAST_COMPLETE] = index === branches.length - 1;
        try {
          await branch(copy);
          aggregation.add(copy);
        } catch (error) {
          failure ??= { error };
          if (stopOnException) break;
        }
      }
      if (failure) throw failure.error;
      aggregation.complete(exchange);
    };
  },
};
