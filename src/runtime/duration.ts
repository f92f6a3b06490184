import { DURATION_TEXT } from '../units/duration.js';
import type { JsonSchema } from './json-schema.js';

/** Option schema for a duration with a default; invalid text is rejected at load by the option validator. */
export function durationOption(defaultMs: number, description: string): JsonSchema {
  return {
    description: `${description} Milliseconds, or a duration such as 500ms, 1s, 2m, 1m30s.`,
    default: defaultMs,
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: DURATION_TEXT.source },
    ],
  };
}
