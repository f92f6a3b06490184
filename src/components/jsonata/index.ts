import type { ComponentSpec, Producer } from '../../runtime/component.js';
import { ExpressionError, toError } from '../../errors/index.js';
import type { Exchange } from '../../runtime/exchange.js';
import { DONE } from '../../runtime/processor.js';
import { DefinitionError } from '../../errors/index.js';
import { compileJsonata } from '../../languages/jsonata.js';
import { jsonInput } from '../../languages/json-input.js';

export interface JsonataOptions {
  inputType: 'Jackson' | 'JsonString';
  outputType: 'Jackson' | 'JsonString';
  contentCache: boolean;
  allowContextMapAll: boolean;
}

export const jsonataComponent: ComponentSpec<JsonataOptions> = {
  scheme: 'jsonata',
  syntax: 'jsonata:resourceUri',
  pathParameter: 'resourceUri',
  pathRequired: true,
  summary: 'Transforms the body with a JSONata template file; the result replaces the body.',
  options: {
    inputType: {
      type: 'string',
      enum: ['Jackson', 'JsonString'],
      default: 'Jackson',
      description:
        'Jackson: the body is a JSON value (JSON text is parsed); JsonString: the body must be JSON text.',
    },
    outputType: {
      type: 'string',
      enum: ['Jackson', 'JsonString'],
      default: 'Jackson',
      description:
        'Jackson: the result is the new body as a value; JsonString: the result is written as JSON text.',
    },
    contentCache: {
      type: 'boolean',
      default: false,
      description: 'Accepted for Camel compatibility: templates are always compiled once, at load.',
    },
    allowContextMapAll: {
      type: 'boolean',
      default: false,
      description:
        'Accepted for Camel compatibility: templates always see the message through $header/$exchangeProperty bindings.',
    },
  },

  createProducer(endpoint, context): Producer {
    const file = context.resolveResource(endpoint.path, endpoint.loc);
    const text = context.readResource(endpoint.path, endpoint.loc);
    let transform: ReturnType<typeof compileJsonata>;
    try {
      transform = compileJsonata(text, file);
    } catch (error) {
      throw new DefinitionError({
        message: `JSONata template ${(error as Error).message}`,
        loc: endpoint.loc,
      });
    }
    const { inputType, outputType } = endpoint.options;

    const inputOf = (exchange: Exchange): unknown => {
      const body = exchange.message.body;
      let input: unknown;
      if (inputType === 'JsonString') {
        if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
          throw new ExpressionError(
            `jsonata:${endpoint.path} expects JSON text as the body (inputType=JsonString)`,
          );
        }
        input = jsonInput(body, true);
      } else {
        // Bytes must be a JSON document; a string that is not JSON is taken as the string value itself.
        input = jsonInput(body, Buffer.isBuffer(body));
      }
      return input;
    };
    const write = (exchange: Exchange, result: unknown): void => {
      const value = result === undefined ? null : result;
      exchange.message.body = outputType === 'JsonString' ? JSON.stringify(value) : value;
    };
    const { now } = transform;
    if (now) {
      return {
        // On the synchronous evaluator the step is done when it returns (see DONE).
        process(exchange) {
          try {
            write(exchange, now(exchange, inputOf(exchange)));
            return DONE;
          } catch (error) {
            return Promise.reject(toError(error));
          }
        },
      };
    }
    return {
      async process(exchange) {
        write(exchange, await transform(exchange, inputOf(exchange)));
      },
    };
  },
};
