import type { ComponentSpec, Producer } from '../../runtime/component.js';
import { ExpressionError } from '../../errors/index.js';
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

    return {
      async process(exchange) {
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
        const result = await transform(exchange, input);
        const value = result === undefined ? null : result;
        exchange.message.body = outputType === 'JsonString' ? JSON.stringify(value) : value;
      },
    };
  },
};
