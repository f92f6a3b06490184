import type { JsonSchema } from '../../runtime/json-schema.js';

/** A nested list of steps; the loader normalises it to StepDefinition[]. */
export const stepsSchema: JsonSchema = { $ref: '#/$defs/steps', description: 'The steps to run.' };

/**
 * `id`, `description` and `note` for nested elements that are not steps themselves (`when[]`, `otherwise`,
 * `doCatch[]`, `doFinally`): Camel accepts them there too, and the loader only adds them to step schemas.
 */
export const nestedIdentity: Record<string, JsonSchema> = {
  id: { type: 'string', description: 'Id of this element, for tracing.' },
  description: { type: 'string', description: 'Free text describing this element.' },
  note: { type: 'string', description: 'Free text note, kept for tooling.' },
};

export const patternSchema: JsonSchema = {
  type: 'string',
  enum: ['InOnly', 'InOut'],
  description:
    'Exchange pattern for this call only (the exchange gets its own pattern back afterwards). ' +
    'InOut on a messaging endpoint means request-reply: publish from HTTP-triggered routes with InOnly.',
};

/** Names a language engine accepts as a simple template. */
export function isSimpleTemplate(text: string): boolean {
  return text.includes('${') || text.includes('$simple{');
}
