/** JSON Schema fragments for the language options shared by several languages (the DSL schema reads them). */
import type { JsonSchema } from '../runtime/json-schema.js';

export const RESULT_TYPE_OPTION: JsonSchema = {
  type: 'string',
  description:
    'Converts the result: String, Integer (int), Long, Double, Boolean, java.util.Map, java.util.List (java.lang.* spellings accepted).',
};

export const TRIM_OPTION: JsonSchema = {
  type: 'boolean',
  default: true,
  description: 'Whether to trim leading and trailing whitespace and line breaks from the expression text.',
};
