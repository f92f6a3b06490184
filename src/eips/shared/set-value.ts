import type { StepDefinition } from '../../runtime/definitions.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { JsonSchema } from '../../runtime/json-schema.js';
import { DONE, isPromiseLike, type Processor } from '../../runtime/processor.js';
import { toError } from '../../errors/index.js';
import type { BuildContext } from '../../runtime/step.js';
import { isSimpleTemplate } from './schema.js';
import { requiredString, stepExpression } from '../../runtime/step-options.js';
import { asText } from './sync-processor.js';

/** Schema of setHeader / setProperty / setVariable: a name plus the step's expression. */
export function namedValueSchema(what: string): JsonSchema {
  return {
    type: 'object',
    'x-expression': 'required',
    description: `Sets a ${what} to the value of an expression.`,
    properties: {
      name: {
        type: 'string',
        description: `Name of the ${what}. May be a simple template (e.g. \`\${header.kind}Id\`) evaluated per message.`,
      },
    },
    required: ['name'],
    additionalProperties: false,
  };
}

/**
 * Builds a processor that evaluates the step's expression and hands `(exchange, name, value)` to `assign`.
 * The name is a constant unless it contains a simple template, as in Camel 4.
 */
export function namedValueProcessor(
  definition: StepDefinition,
  context: BuildContext,
  assign: (exchange: Exchange, name: string, value: unknown) => void,
): Processor {
  const snippet = `${definition.keyword}:\n  name: myName\n  expression:\n    simple:\n      expression: "\${body}"`;
  const name = requiredString(definition, 'name', snippet);
  const value = context.compileExpression(stepExpression(definition, snippet));
  if (!isSimpleTemplate(name)) {
    return (exchange) => {
      let result: unknown;
      try {
        result = value(exchange);
        // Most expressions (constant, simple, header) answer at once: then so does the step (see DONE).
        if (!isPromiseLike(result)) {
          assign(exchange, name, result);
          return DONE;
        }
      } catch (error) {
        return Promise.reject(toError(error));
      }
      return Promise.resolve(result).then((settled) => assign(exchange, name, settled));
    };
  }
  const computeName = context.compileExpression({
    language: 'simple',
    expression: name,
    options: {},
    loc: definition.loc,
  });
  return async (exchange) => {
    // Name and value both read the message as it was before this step.
    const nameValue = asText(await computeName(exchange));
    assign(exchange, nameValue, await value(exchange));
  };
}
