import type { ErrorObject } from 'ajv';
import type { JsonSchema } from '../runtime/json-schema.js';
import type { LoadDiagnostic } from '../runtime/definitions.js';
import { pointerChild, pointerSegments, valueAt } from './json-pointer.js';
import { ownerName } from './normalise.js';
import { suggest } from './suggest.js';
import { branchFor, isPlainObject, jsonType, propertiesOf, effectiveSchema } from './schema-walk.js';
import type { LocationIndex } from './yaml-source.js';

export interface SchemaCheckSource {
  root: JsonSchema;
  data: unknown;
  locations: LocationIndex;
  /** The canonical snippet of the step containing `keyPointer` once that key is renamed to `newKey`. */
  snippetForRename?(keyPointer: string, newKey: string): string | undefined;
}

export interface SchemaCheckResult {
  diagnostics: LoadDiagnostic[];
  /** Nodes (and keys) with a reported problem, so later checks do not report them twice. */
  pointers: Set<string>;
}

/**
 * Turns ajv's errors into one diagnostic per real problem: anyOf/oneOf branches that do not fit the data's
 * type are dropped, several keys in one list item are explained (mis-indentation or a missing `- `), and
 * every message names the key, what was expected and the nearest allowed spelling.
 */
export function schemaDiagnostics(errors: readonly ErrorObject[], source: SchemaCheckSource): SchemaCheckResult {
  const remaining = pruneBranches(errors, source.root);
  const diagnostics: LoadDiagnostic[] = [];
  const pointers = new Set<string>();
  const explained = new Set<string>();

  for (const error of remaining) {
    if (error.keyword !== 'maxProperties' || !isItemSchema(error.parentSchema)) continue;
    diagnostics.push(...explainSeveralKeys(error, source, explained));
    pointers.add(error.instancePath);
  }
  // `nmae:` also makes `name` missing: one problem, reported once (as the misspelling).
  for (const error of remaining) {
    if (error.keyword !== 'additionalProperties') continue;
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const allowed = Object.keys(propertiesOf(error.parentSchema));
    for (const meant of suggest(key, allowed)) explained.add(`${error.instancePath}#required:${meant}`);
  }
  for (const error of remaining) {
    if (error.keyword === 'maxProperties' && isItemSchema(error.parentSchema)) continue;
    const key = error.keyword === 'additionalProperties' ? String((error.params as { additionalProperty: string }).additionalProperty) : undefined;
    const missing = error.keyword === 'required' ? String((error.params as { missingProperty: string }).missingProperty) : undefined;
    if (key !== undefined && explained.has(pointerChild(error.instancePath, key))) continue;
    if (missing !== undefined && explained.has(`${error.instancePath}#required:${missing}`)) continue;
    const diagnostic = describe(error, source);
    if (!diagnostic) continue;
    diagnostics.push(diagnostic);
    pointers.add(error.instancePath);
    if (key !== undefined) pointers.add(pointerChild(error.instancePath, key));
  }
  return { diagnostics, pointers };
}

function isItemSchema(schema: unknown): boolean {
  const kind = isPlainObject(schema) ? schema['x-kind'] : undefined;
  return kind === 'document' || kind === 'step';
}

/** Keeps, for each anyOf/oneOf, only the errors of the branch meant for the data's type. */
function pruneBranches(errors: readonly ErrorObject[], root: JsonSchema): ErrorObject[] {
  const remaining = new Set(errors);
  const compounds = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length || a.schemaPath.length - b.schemaPath.length);
  for (const compound of compounds) {
    if (!remaining.has(compound) || !Array.isArray(compound.schema)) continue;
    const branches = compound.schema as JsonSchema[];
    const inBranch = (error: ErrorObject, index: number): boolean =>
      error !== compound &&
      (error.instancePath === compound.instancePath || error.instancePath.startsWith(`${compound.instancePath}/`)) &&
      error.schemaPath.startsWith(`${compound.schemaPath}/${index}/`);
    let chosen = branchFor(root, branches, compound.data);
    if (chosen >= 0) {
      const typed = branches.map((_, i) => i).filter((i) => branchFor(root, [branches[i]!], compound.data) === 0);
      if (typed.length > 1) {
        const count = (i: number): number => [...remaining].filter((e) => inBranch(e, i)).length;
        chosen = typed.reduce((best, i) => (count(i) < count(best) ? i : best), typed[0]!);
      }
    }
    for (const error of [...remaining]) {
      if (branches.some((_, i) => i !== chosen && inBranch(error, i))) remaining.delete(error);
    }
    if (chosen >= 0 && [...remaining].some((e) => inBranch(e, chosen))) remaining.delete(compound);
  }
  return errors.filter((e) => remaining.has(e));
}

/**
 * A top-level item or a step with more than one key. The first key is taken as meant; a following key that
 * belongs inside it is mis-indented, one that is itself an item keyword lacks its `- `.
 */
function explainSeveralKeys(error: ErrorObject, source: SchemaCheckSource, explained: Set<string>): LoadDiagnostic[] {
  const item = error.data;
  if (!isPlainObject(item)) return [];
  const allowed = propertiesOf(error.parentSchema);
  const keys = Object.keys(item);
  const head = keys.find((k) => k in allowed);
  if (!head) return [];
  const headSchema = effectiveSchema(source.root, allowed[head], item[head] ?? {});
  const headProperties = propertiesOf(headSchema);
  const out: LoadDiagnostic[] = [];
  for (const key of keys) {
    if (key === head) continue;
    const keyPointer = pointerChild(error.instancePath, key);
    if (key in headProperties) {
      explained.add(keyPointer);
      explained.add(`${pointerChild(error.instancePath, head)}#required:${key}`);
      out.push({
        severity: 'error',
        message: `\`${key}\` is at the same level as \`${head}\`: looks mis-indented`,
        loc: source.locations.locate(keyPointer),
        expected: `\`${key}\` inside \`${head}\``,
        hint: `indent \`${key}\` (and the lines under it) by two more spaces, under \`${head}\``,
      });
    } else if (key in allowed) {
      out.push({
        severity: 'error',
        message: `\`${head}\` and \`${key}\` are in one list item; each item has exactly one key`,
        loc: source.locations.locate(keyPointer),
        hint: `start \`${key}\` as its own item with \`- ${key}:\``,
      });
    }
  }
  return out;
}

const KIND_NOUN: Record<string, string> = {
  document: 'top-level key',
  step: 'EIP',
  expression: 'language',
  'sub-expression': 'language',
};

function describe(error: ErrorObject, source: SchemaCheckSource): LoadDiagnostic | undefined {
  const { locations } = source;
  const parent = (isPlainObject(error.parentSchema) ? error.parentSchema : {}) as JsonSchema;
  const at = error.instancePath;
  const owner = ownerName(at) || 'the file';
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const keyPointer = pointerChild(at, key);
      const properties = propertiesOf(parent);
      const allowed = Object.keys(properties).filter((k) => !properties[k]?.['x-unsupported']);
      const kind = typeof parent['x-kind'] === 'string' ? parent['x-kind'] : undefined;
      const noun = kind ? KIND_NOUN[kind] : undefined;
      const suggestions = suggest(key, allowed);
      const diagnostic: LoadDiagnostic = {
        severity: 'error',
        message: noun ? `Unknown ${noun} \`${key}\`` : `Unknown option \`${key}\` in \`${ownerLabel(parent, owner)}\``,
        loc: locations.locate(keyPointer),
        expected: expectedKeys(noun, allowed, properties, source.root),
        ...(suggestions.length ? { suggestions } : {}),
      };
      if (kind === 'document' && key === 'steps') diagnostic.hint = 'steps belong under `from` (inside `route`)';
      if (suggestions.length === 1 || (suggestions.length > 1 && suggestions[0]!.toLowerCase() === key.toLowerCase())) {
        const snippet = source.snippetForRename?.(keyPointer, suggestions[0]!);
        if (snippet) diagnostic.snippet = snippet;
      }
      return diagnostic;
    }
    case 'not': {
      const advice = parent['x-unsupported'];
      if (typeof advice !== 'string') break;
      return {
        severity: 'error',
        message: `\`${owner}\` is not supported by this router`,
        loc: locations.locate(at),
        hint: advice,
      };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      const description = propertiesOf(parent)[missing]?.description;
      return {
        severity: 'error',
        message: `\`${ownerLabel(parent, owner)}\` is missing \`${missing}\``,
        loc: locations.locate(at),
        expected: `\`${missing}\`${typeof description === 'string' ? `: ${description}` : ''}`,
      };
    }
    case 'type': {
      const expected = ([] as string[]).concat(error.schema as string | string[]);
      const actual = jsonType(error.data);
      const diagnostic: LoadDiagnostic = {
        severity: 'error',
        message: at === '' ? `A route file must be a YAML list, not ${article(actual)}` : `\`${owner}\` must be ${expected.map(article).join(' or ')}, not ${article(actual)}`,
        loc: locations.locate(at, 'value'),
        expected: expected.join(' or '),
      };
      if (expected.includes('array')) diagnostic.hint = at === '' ? 'start each route with `- route:` (or `- from:`)' : `write \`${owner}\` as a list: each entry starts with \`- \``;
      return diagnostic;
    }
    case 'enum': {
      const values = (error.schema as unknown[]).map(String);
      const value = String(error.data);
      const suggestions = suggest(value, values);
      const isLanguage = isPlainObject(valueAt(source.root, '/$defs/generic-language')) && pointerSegments(at).slice(-2)[0] === 'language';
      return {
        severity: 'error',
        message: isLanguage ? `Unknown language \`${value}\`` : `\`${value}\` is not a valid value for \`${owner}\``,
        loc: locations.locate(at, 'value'),
        expected: `one of: ${values.join(', ')}`,
        ...(suggestions.length ? { suggestions } : {}),
      };
    }
    case 'anyOf':
    case 'oneOf': {
      const branches = Array.isArray(error.schema) ? (error.schema as JsonSchema[]) : [];
      const types = [...new Set(branches.map((b) => (typeof b.type === 'string' ? b.type : 'a valid value')))];
      return {
        severity: 'error',
        message: `\`${owner}\` must be ${types.map(article).join(' or ')}, not ${article(jsonType(error.data))}`,
        loc: locations.locate(at, 'value'),
        expected: types.join(' or '),
        ...(parent['x-shorthand'] ? { hint: `write \`${owner}: "..."\` or \`${owner}: {${JSON.stringify(parent['x-shorthand']).replace(/"/g, '')}: ...}\`` } : {}),
      };
    }
    case 'minProperties':
      return { severity: 'error', message: `\`${owner}\` is empty`, loc: locations.locate(at), expected: expectedKeys(undefined, Object.keys(propertiesOf(parent)), propertiesOf(parent), source.root) };
    case 'minLength':
      return { severity: 'error', message: `\`${owner}\` must not be empty`, loc: locations.locate(at, 'value') };
    case 'minItems':
      return { severity: 'error', message: `\`${owner}\` needs at least ${String((error.params as { limit: number }).limit)} entry`, loc: locations.locate(at) };
    default:
      break;
  }
  return {
    severity: 'error',
    message: `\`${owner}\` ${error.message ?? 'is not valid'}`,
    loc: locations.locate(at, 'value'),
  };
}

function ownerLabel(schema: JsonSchema, fallback: string): string {
  return typeof schema['x-keyword'] === 'string' ? schema['x-keyword'] : fallback;
}

function expectedKeys(noun: string | undefined, allowed: string[], properties: Record<string, JsonSchema>, root: JsonSchema): string {
  if (noun === 'language') return `a supported language: ${allowed.filter((k) => k !== 'language').join(', ')} (or \`language: {language: <name>, expression: ...}\`)`;
  if (noun) return `${noun === 'EIP' ? 'an EIP' : `a ${noun}`}: ${allowed.join(', ')}`;
  const languages = propertiesOf(valueAt(root, '/$defs/expression') as JsonSchema);
  const isLanguage = (k: string): boolean => k in languages || k === 'expression';
  const options = allowed.filter((k) => !isLanguage(k));
  const languageKeys = allowed.filter((k) => k in languages && k !== 'language');
  const optionsText = options.length ? `one of: ${options.join(', ')}` : 'no other options';
  if (languageKeys.length > 0 && properties.expression) return `${optionsText}; and one language: ${languageKeys.join(', ')} (or \`expression:\`)`;
  if (languageKeys.length > 0) return `one language: ${languageKeys.join(', ')}`;
  return optionsText;
}

function article(type: string): string {
  if (type === 'null') return 'empty';
  if (type === 'a valid value') return type;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

