import { ServicePipesError } from '../../errors/index.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import draft6MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { Logger } from '../../observability/logger.js';

type Dialect = 'draft-07' | '2019-09' | '2020-12';
type AnyAjv = Ajv | Ajv2019 | Ajv2020;

/** A schema that cannot be used; the component turns it into a load error naming the file. */
export class SchemaLoadError extends ServicePipesError {
  // Before it joined the hierarchy it was a plain Error, which onException clauses see as a RuntimeException.
  override camelName = 'java.lang.RuntimeException';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('SCHEMA_NOT_LOADED', message);
  }
}

/** Keywords whose values are data, not schemas: a `$ref` key inside them is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'examples', 'default']);

/**
 * The JSON Schemas of one router. JSON Schema 2020-12 and 2019-09 cannot share an Ajv instance with
 * draft-07 (ajv's rule), so there is one instance per dialect, each holding every schema file it has
 * loaded; `$ref`s between files resolve against the referencing file. Each schema compiles once.
 */
export class SchemaStore {
  private readonly instances = new Map<Dialect, AnyAjv>();
  /** `<dialect> <$id>` → the file it came from. */
  private readonly loaded = new Map<string, string>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly logger: Logger) {}

  /** The compiled validator of a schema file (compiled on first use, then shared). */
  validator(file: string): ValidateFunction {
    const absolute = path.resolve(file);
    const schema = readSchemaFile(absolute);
    const dialect = dialectOf(schema, absolute);
    const cacheKey = `${dialect} ${absolute}`;
    const cached = this.validators.get(cacheKey);
    if (cached) return cached;
    const ajv = this.ajv(dialect);
    const id = this.load(ajv, dialect, absolute, schema, pathToFileURL(absolute).href, []);
    let validate: ValidateFunction | undefined;
    try {
      validate = ajv.getSchema(id);
    } catch (error) {
      throw new SchemaLoadError(absolute, `does not compile: ${(error as Error).message}`);
    }
    if (!validate) throw new SchemaLoadError(absolute, 'could not be compiled');
    this.validators.set(cacheKey, validate);
    return validate;
  }

  private ajv(dialect: Dialect): AnyAjv {
    let ajv = this.instances.get(dialect);
    if (ajv) return ajv;
    const options = {
      allErrors: true,
      strict: false,
      logger: {
        log: (...args: unknown[]) => this.logger.debug(args.map(String).join(' ')),
        warn: (...args: unknown[]) =>
          this.logger.warn(args.map(String).join(' '), { component: 'json-validator' }),
        error: (...args: unknown[]) =>
          this.logger.error(args.map(String).join(' '), { component: 'json-validator' }),
      },
    };
    ajv =
      dialect === '2020-12'
        ? new Ajv2020(options)
        : dialect === '2019-09'
          ? new Ajv2019(options)
          : new Ajv(options);
    if (dialect === 'draft-07') ajv.addMetaSchema(draft6MetaSchema);
    addFormatsModule.default(ajv);
    this.instances.set(dialect, ajv);
    return ajv;
  }

  /**
   * Adds a schema file and, first, every file it references. A schema without `$id` gets the URL it is
   * reached by (its file URL, or the URL a reference resolved to), so relative `$ref`s resolve from where
   * the file lives. Schemas are known by id: one file reached through two different URLs is added twice.
   */
  private load(
    ajv: AnyAjv,
    dialect: Dialect,
    file: string,
    schema: AnySchemaObject,
    url: string,
    chain: string[],
  ): string {
    const id = typeof schema.$id === 'string' && schema.$id !== '' ? schema.$id : url;
    const key = `${dialect} ${id}`;
    if (this.loaded.has(key) || chain.includes(key)) return id;
    const copy: AnySchemaObject = { ...schema, $id: id };
    for (const ref of externalRefs(copy)) {
      const target = refTarget(ref, id, file);
      if (
        !target ||
        this.loaded.has(`${dialect} ${target.url}`) ||
        ajv.schemas[target.url] ||
        ajv.refs[target.url]
      )
        continue;
      let referenced: AnySchemaObject;
      try {
        referenced = readSchemaFile(target.file);
      } catch (error) {
        throw new SchemaLoadError(
          file,
          `references "${ref}", which cannot be loaded: ${(error as Error).message}`,
        );
      }
      this.load(ajv, dialect, target.file, referenced, target.url, [...chain, key]);
    }
    try {
      ajv.addSchema(copy);
    } catch (error) {
      throw new SchemaLoadError(file, `is not a valid JSON Schema: ${(error as Error).message}`);
    }
    this.loaded.set(key, file);
    return id;
  }
}

function readSchemaFile(file: string): AnySchemaObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SchemaLoadError(
      file,
      `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SchemaLoadError(file, `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SchemaLoadError(file, 'is not a JSON Schema (expected an object)');
  }
  return parsed;
}

function dialectOf(schema: AnySchemaObject, file: string): Dialect {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared === '' || /draft-0[67]\/schema/.test(declared)) return 'draft-07';
  if (declared.includes('2020-12')) return '2020-12';
  if (declared.includes('2019-09')) return '2019-09';
  throw new SchemaLoadError(
    file,
    `declares $schema "${declared}", which is not supported (use draft-07, 2019-09 or 2020-12)`,
  );
}

/** Every `$ref` that points outside the schema's own document. */
function externalRefs(schema: unknown): string[] {
  const refs = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === '$ref' || key === '$dynamicRef') && typeof value === 'string' && !value.startsWith('#'))
        refs.add(value);
      else if (!DATA_KEYWORDS.has(key)) walk(value);
    }
  };
  walk(schema);
  return [...refs];
}

/**
 * Where a reference points: its absolute URL (against the referencing schema's `$id`) and the file holding it.
 * A `file:` URL names the file itself; for other ids (`https://example.com/s/order.json`) the reference
 * is looked up next to the referencing file, as a relative path.
 */
function refTarget(ref: string, baseId: string, fromFile: string): { url: string; file: string } | undefined {
  const withoutFragment = ref.split('#')[0]!;
  if (withoutFragment === '') return undefined;
  let url: URL;
  try {
    url = new URL(withoutFragment, baseId);
  } catch {
    const file = path.resolve(path.dirname(fromFile), withoutFragment);
    return { url: pathToFileURL(file).href, file };
  }
  url.hash = '';
  if (url.protocol === 'file:') return { url: url.href, file: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:/i.test(withoutFragment)) {
    // An absolute non-file id (https://example.com/s/address.json): schema sets keep such files side by side.
    return { url: url.href, file: path.resolve(path.dirname(fromFile), path.posix.basename(url.pathname)) };
  }
  return { url: url.href, file: path.resolve(path.dirname(fromFile), withoutFragment) };
}
