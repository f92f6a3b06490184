import { defineState } from '../state/index.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ComponentSpec } from './component.js';
import { didYouMean } from './did-you-mean.js';

/**
 * Validates endpoint options (URI query + `parameters`) against a component's option schema, with the
 * type coercion URI strings need and the component's defaults applied. One compiled validator per component.
 */
/** Compiled option schemas of endpoint components: the same for every route set. */
export const ENDPOINT_OPTIONS = defineState('endpoint-options', { scope: 'router' }, () => new EndpointOptionsValidator());

export class EndpointOptionsValidator {
  private readonly ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true, strict: false });
  private readonly validators = new WeakMap<ComponentSpec, ValidateFunction>();

  /** Returns the validated options (a new object) and the problems found, each as one sentence. */
  validate(spec: ComponentSpec, scheme: string, input: Record<string, unknown>): { options: Record<string, unknown>; problems: OptionProblem[] } {
    const validate = this.validatorFor(spec);
    const options = { ...input };
    if (validate(options)) return { options, problems: [] };
    return { options, problems: (validate.errors ?? []).map((error) => describe(error, spec, scheme, options)) };
  }

  private validatorFor(spec: ComponentSpec): ValidateFunction {
    let validate = this.validators.get(spec);
    if (!validate) {
      validate = this.ajv.compile({
        type: 'object',
        properties: spec.options,
        ...(spec.optionPatterns ? { patternProperties: spec.optionPatterns } : {}),
        additionalProperties: false,
      });
      this.validators.set(spec, validate);
    }
    return validate;
  }
}

export interface OptionProblem {
  message: string;
  suggestions?: string[];
  expected?: string;
}

function describe(error: ErrorObject, spec: ComponentSpec, scheme: string, options: Record<string, unknown>): OptionProblem {
  const known = Object.keys(spec.options).sort();
  if (error.keyword === 'additionalProperties') {
    const name = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      message: `Unknown option '${name}' for component '${scheme}'`,
      suggestions: didYouMean(name, known),
      expected: known.length ? `one of: ${known.join(', ')}` : 'no options',
    };
  }
  const option = error.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  const schema = spec.options[option] as { enum?: unknown[]; type?: unknown } | undefined;
  const value = JSON.stringify(options[option]);
  if (error.keyword === 'enum' && schema?.enum) {
    return {
      message: `Option '${option}' of component '${scheme}' cannot be ${value}`,
      expected: `one of: ${schema.enum.map(String).join(', ')}`,
      suggestions: didYouMean(String(options[option]), schema.enum.map(String)),
    };
  }
  return { message: `Option '${option}' of component '${scheme}' ${error.message ?? 'is invalid'} (got ${value})` };
}
