import path from 'node:path';
import type { ErrorObject } from 'ajv';
import type { ComponentSpec, Producer } from '../../runtime/component.js';
import { JsonValidationError, toError, type ValidationIssue } from '../../errors/index.js';
import { DONE } from '../../runtime/processor.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { RouterServices } from '../../runtime/services.js';
import { defineState } from '../../state/index.js';
import { DefinitionError } from '../../errors/index.js';
import { SchemaLoadError, SchemaStore } from './schema-store.js';

/** Compiled schemas belong to a route set, so a reload reads edited schema files again. */
const SCHEMAS = defineState(
  'json-validator',
  { scope: 'route-set' },
  (services: RouterServices) => new SchemaStore(services.logger),
);

export interface JsonValidatorOptions {
  failOnNullBody: boolean;
  failOnNullHeader: boolean;
  headerName?: string;
  contentCache: boolean;
}

export const jsonValidatorComponent: ComponentSpec<JsonValidatorOptions> = {
  scheme: 'json-validator',
  syntax: 'json-validator:resourceUri',
  pathParameter: 'resourceUri',
  pathRequired: true,
  summary: 'Validates the body (or a header) against a JSON Schema; the message is left unchanged.',
  options: {
    failOnNullBody: { type: 'boolean', default: true, description: 'Fail when the body is null or missing.' },
    failOnNullHeader: {
      type: 'boolean',
      default: true,
      description: 'Fail when headerName is set and the header is missing.',
    },
    headerName: { type: 'string', minLength: 1, description: 'Validate this header instead of the body.' },
    contentCache: {
      type: 'boolean',
      default: false,
      description: 'Accepted for Camel compatibility: schemas are always compiled once, at load.',
    },
  },

  createProducer(endpoint, context): Producer {
    const file = context.resolveResource(endpoint.path, endpoint.loc);
    const store = SCHEMAS.of(context.services);
    let validate;
    try {
      validate = store.validator(file);
    } catch (error) {
      if (!(error instanceof SchemaLoadError)) throw error;
      throw new DefinitionError({
        message: `JSON Schema ${error.file} ${error.message}`,
        loc: endpoint.loc,
        hint: 'Fix the schema file; it is compiled when the routes load.',
      });
    }
    const schemaName = path.basename(file);
    const { headerName, failOnNullBody, failOnNullHeader } = endpoint.options;
    const subject = headerName ? `header ${headerName}` : 'body';

    const check = (exchange: Exchange): void => {
      const raw = headerName ? exchange.getHeader(headerName) : exchange.message.body;
      if (raw === null || raw === undefined) {
        if (headerName ? !failOnNullHeader : !failOnNullBody) return;
        throw new JsonValidationError(
          `JSON validation failed against ${schemaName}: the ${subject} is empty`,
          [{ instancePath: '', message: `${subject} is null`, keyword: 'required' }],
        );
      }
      const value = jsonValue(raw, subject, schemaName);
      if (validate(value)) return;
      const issues = (validate.errors ?? []).map(toIssue);
      // The message names the first issues only; JsonValidationError keeps the first ones and the count.
      const named = issues.slice(0, MAX_ISSUES_IN_MESSAGE);
      throw new JsonValidationError(
        `JSON validation failed against ${schemaName} with ${issues.length} error${issues.length === 1 ? '' : 's'}: ` +
          named.map((issue) => `${issue.instancePath || '/'} ${issue.message}`).join('; ') +
          (issues.length > named.length ? `; and ${issues.length - named.length} more` : ''),
        issues,
        { details: { schema: schemaName } },
      );
    };
    return {
      // Validation never waits: the step is done when it returns (see DONE), or rejects with the issues.
      process(exchange) {
        try {
          check(exchange);
          return DONE;
        } catch (error) {
          return Promise.reject(toError(error));
        }
      },
    };
  },
};

const MAX_ISSUES_IN_MESSAGE = 5;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Text and bytes are parsed for validation only; the message keeps what it had. */
function jsonValue(raw: unknown, subject: string, schemaName: string): unknown {
  if (typeof raw !== 'string' && !Buffer.isBuffer(raw)) return raw;
  try {
    // Strict UTF-8: a lenient decode would validate a U+FFFD-patched copy and pass on bytes no JSON reader accepts.
    const text = Buffer.isBuffer(raw) ? strictUtf8.decode(raw) : raw;
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new JsonValidationError(
      `JSON validation failed against ${schemaName}: the ${subject} is not JSON`,
      [
        {
          instancePath: '',
          message: `${subject} is not valid JSON: ${(error as Error).message}`,
          keyword: 'type',
        },
      ],
    );
  }
}

function toIssue(error: ErrorObject): ValidationIssue {
  return {
    instancePath: error.instancePath,
    message: error.message ?? error.keyword,
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
  };
}
