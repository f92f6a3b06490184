import type { StepDefinition } from '../../runtime/definitions.js';
import type { JsonSchema } from '../../runtime/json-schema.js';
import type { Processor } from '../../runtime/processor.js';
import type { Exchange } from '../../runtime/exchange.js';
import { compileNamePattern } from './name-pattern.js';
import { optionalString, requiredString } from '../../runtime/step-options.js';
import { syncProcessor } from './sync-processor.js';

export function patternRemovalSchema(what: string, example: string): JsonSchema {
  return {
    type: 'object',
    'x-shorthand': 'pattern',
    description: `Removes every ${what} whose name matches a pattern.`,
    properties: {
      pattern: {
        type: 'string',
        description: `Name or pattern of the ${what}s to remove: exact name, wildcard (\`${example}\`) or a regular expression matching the whole name.`,
      },
      excludePattern: {
        type: 'string',
        description: `Name or pattern (same rules) of ${what}s to keep even when they match \`pattern\`.`,
      },
    },
    required: ['pattern'],
    additionalProperties: false,
  };
}

/**
 * removeHeaders / removeProperties. Header names match case-insensitively (HTTP delivers them in lower case,
 * Camel's header map ignores case); property names are matched exactly as written.
 */
export function patternRemovalProcessor(
  definition: StepDefinition,
  caseInsensitive: boolean,
  bag: (exchange: Exchange) => Record<string, unknown>,
): Processor {
  const pattern = requiredString(definition, 'pattern', `${definition.keyword}:\n  pattern: "Camel*"`);
  const exclude = optionalString(definition, 'excludePattern');
  const matches = compileNamePattern(pattern, caseInsensitive);
  const excluded = exclude ? compileNamePattern(exclude, caseInsensitive) : () => false;
  return syncProcessor((exchange) => {
    const values = bag(exchange);
    for (const name of Object.keys(values)) if (matches(name) && !excluded(name)) delete values[name];
  });
}

export function namedRemovalSchema(what: string): JsonSchema {
  return {
    type: 'object',
    'x-shorthand': 'name',
    description: `Removes one ${what}.`,
    properties: { name: { type: 'string', description: `Name of the ${what} to remove.` } },
    required: ['name'],
    additionalProperties: false,
  };
}
