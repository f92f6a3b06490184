import type { StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { InvalidPayloadError } from '../../errors/index.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import { booleanOption, optionalString, requiredString } from '../../runtime/step-options.js';
import { TARGETS, type Conversion } from './conversions.js';
import { syncProcessor } from '../shared/sync-processor.js';

/** Converts the body to another type (Camel's convertBodyTo) with the conversions a JSON router needs. */
export const convertBodyToStep: StepSpec = {
  keyword: 'convertBodyTo',
  summary: 'Converts the message body: to text (objects become JSON), to bytes, or from JSON text to data.',
  schema: {
    type: 'object',
    'x-shorthand': 'type',
    description:
      'Converts the body. String: text (objects become JSON text). byte[]: bytes. java.util.Map / List / JsonNode: parses JSON text. Integer, Long, Double, Boolean: scalars.',
    properties: {
      type: { type: 'string', description: `Target type: ${[...new Set(Object.keys(TARGETS))].join(', ')}.` },
      mandatory: {
        type: 'boolean',
        default: true,
        description: 'Fail when the body cannot be converted; when false the body is left as it was.',
      },
      charset: { type: 'string', default: 'UTF-8', description: 'Character set between text and bytes.' },
    },
    required: ['type'],
    additionalProperties: false,
  },
  create(definition) {
    const type = requiredString(definition, 'type', 'convertBodyTo:\n  type: java.lang.String');
    const convert: Conversion | undefined = Object.hasOwn(TARGETS, type) ? TARGETS[type] : undefined;
    if (!convert) {
      throw new DefinitionError({
        message: `convertBodyTo: type '${type}' is not supported`,
        loc: definition.loc,
        expected: Object.keys(TARGETS).join(', '),
        suggestions: didYouMean(type, Object.keys(TARGETS)),
        snippet: 'convertBodyTo:\n  type: java.lang.String',
      });
    }
    const mandatory = booleanOption(definition, 'mandatory', true);
    const charsetName = optionalString(definition, 'charset') ?? 'UTF-8';
    const charset = toBufferEncoding(charsetName);
    if (!charset) {
      throw new DefinitionError({
        message: `convertBodyTo: charset '${charsetName}' is not supported`,
        loc: definition.loc,
        expected: 'UTF-8, ISO-8859-1, US-ASCII, UTF-16LE',
      });
    }
    return syncProcessor((exchange) => {
      const body = exchange.body;
      // As in Camel, an empty body is left alone rather than failing the conversion.
      if (body === null || body === undefined) return;
      try {
        exchange.body = convert(body, charset);
      } catch (error) {
        if (!mandatory) return;
        throw new InvalidPayloadError(`No body available of type: ${type}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  },
};

function toBufferEncoding(charset: string): BufferEncoding | undefined {
  switch (charset.toUpperCase().replace(/_/g, '-')) {
    case 'UTF-8':
    case 'UTF8':
      return 'utf8';
    case 'ISO-8859-1':
    case 'LATIN1':
      return 'latin1';
    case 'US-ASCII':
    case 'ASCII':
      return 'ascii';
    case 'UTF-16LE':
      return 'utf16le';
    default:
      return undefined;
  }
}
