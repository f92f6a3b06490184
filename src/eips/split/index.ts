import type { StepSpec } from '../../runtime/step.js';
import { cloneValue } from '../../runtime/exchange.js';
import { stepsSchema } from '../shared/schema.js';
import { booleanOption, optionalString, stepExpression, stepList } from '../../runtime/step-options.js';
import { defaultStrategy, resolveAggregationStrategy } from '../shared/aggregation.js';
import { fanOutOptions, warnAboutParallelOptions } from '../shared/parallel.js';
import { partsOf, withLookahead } from './parts.js';

export const SPLIT_INDEX = 'CamelSplitIndex';
export const SPLIT_SIZE = 'CamelSplitSize';
export const SPLIT_COMPLETE = 'CamelSplitComplete';

/**
 * Splitter: runs the nested steps once per part, each on its own copy of the exchange. Without an aggregation
 * strategy the message after the split is the original input, as in Camel.
 */
export const splitStep: StepSpec = {
  keyword: 'split',
  summary: 'Runs the nested steps once per part of the message (array elements, delimited text, tokens).',
  schema: {
    type: 'object',
    'x-expression': 'required',
    description:
      'Splits the message with an expression and runs the nested steps once per part. Each part carries the properties CamelSplitIndex (0-based), CamelSplitSize and CamelSplitComplete.',
    properties: {
      steps: stepsSchema,
      delimiter: {
        type: 'string',
        default: ',',
        description: 'Splits text results on this delimiter. `false` keeps the text as one part.',
      },
      ...fanOutOptions,
    },
    additionalProperties: false,
  },
  create(definition, context) {
    const partsExpression = context.compileExpression(
      stepExpression(
        definition,
        'split:\n  expression:\n    jsonpath:\n      expression: "$.lines[*]"\n  steps:\n    - to: direct:line',
      ),
    );
    const steps = context.compileSteps(stepList(definition.options.steps, 'split', definition.loc));
    const delimiter = optionalString(definition, 'delimiter') ?? ',';
    const reference = optionalString(definition, 'aggregationStrategy');
    const strategy = reference
      ? resolveAggregationStrategy(reference, 'split', definition.loc)
      : defaultStrategy('useOriginal');
    const stopOnException = booleanOption(definition, 'stopOnException', false);
    warnAboutParallelOptions(definition, context);

    return async (exchange) => {
      const parts = partsOf(await partsExpression(exchange), delimiter);
      // Known up front only for arrays; for other iterables Camel sets the size on the last part alone.
      const size = Array.isArray(parts) ? parts.length : undefined;
      const aggregation = strategy.begin(exchange);
      let failure: { error: unknown } | undefined;
      for await (const part of withLookahead(parts)) {
        const partExchange = exchange.copy({ body: cloneValue(part.value) });
        partExchange.properties[SPLIT_INDEX] = part.index;
        if (size !== undefined || part.last) partExchange.properties[SPLIT_SIZE] = size ?? part.index + 1;
        partExchange.properties[SPLIT_COMPLETE] = part.last;
        try {
          await steps(partExchange);
          aggregation.add(partExchange);
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
