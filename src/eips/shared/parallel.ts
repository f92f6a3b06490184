import type { StepDefinition } from '../../runtime/definitions.js';
import type { BuildContext } from '../../runtime/step.js';
import type { JsonSchema } from '../../runtime/json-schema.js';
import { booleanOption } from '../../runtime/step-options.js';
import { BUILT_IN_STRATEGIES } from './aggregation.js';

/** Options split and multicast share; parallel ones are accepted so Camel routes load, and run one at a time. */
export const fanOutOptions: Record<string, JsonSchema> = {
  aggregationStrategy: {
    type: 'string',
    description: `How the results are combined into the message after the step: ${BUILT_IN_STRATEGIES.join(', ')} (also Camel's class names, with or without #class:/#bean:).`,
  },
  parallelProcessing: {
    type: 'boolean',
    default: false,
    description: 'Accepted for compatibility; the router processes the parts one at a time, in order.',
  },
  parallelAggregate: {
    type: 'boolean',
    default: false,
    description: 'Accepted for compatibility; aggregation is sequential.',
  },
  stopOnException: {
    type: 'boolean',
    default: false,
    description:
      'Stop at the first failing part. Otherwise every part runs and the first failure is raised at the end.',
  },
  streaming: {
    type: 'boolean',
    default: false,
    description: 'Accepted for compatibility; results are combined in order.',
  },
  timeout: {
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    description: 'Accepted for compatibility; in Camel it applies only to parallel processing.',
  },
  shareUnitOfWork: { type: 'boolean', default: false, description: 'Accepted for compatibility.' },
};

/** Load warnings for parallel options that the router accepts but does not act on. */
export function warnAboutParallelOptions(definition: StepDefinition, context: BuildContext): void {
  if (booleanOption(definition, 'parallelProcessing', false)) {
    context.report({
      severity: 'warning',
      message: `${definition.keyword}.parallelProcessing is accepted but the parts run one at a time, in order`,
      loc: definition.loc,
      hint: 'Remove parallelProcessing to silence this warning; results are the same, only slower for slow parts.',
    });
  }
  if (definition.options.timeout !== undefined && definition.options.timeout !== null) {
    context.report({
      severity: 'warning',
      message: `${definition.keyword}.timeout is ignored: it only applies to parallel processing`,
      loc: definition.loc,
    });
  }
}
