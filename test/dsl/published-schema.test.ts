/**
 * The published route schema (schema/camel-yaml-dsl.schema.json) as someone else's validator sees it: ajv in
 * strict mode with ajv-formats, no coercion. It must compile, every shipped route file and every route
 * snippet of the docs must pass it, and it must accept whatever the loader accepts (the loader reads
 * unquoted scalars as Camel does: `redeliveryDelay: 1000` is "1000").
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { createRegistry } from '../../src/app/catalog.js';
import { buildDslSchema, PUBLISHED_SCHEMA_PATH } from '../../src/dsl/dsl-schema.js';
import { loadRouteSet } from '../../src/dsl/load-route-set.js';
import { publishedSchema } from '../../src/dsl/published-schema.js';
import { TOP_LEVEL_KEYS } from '../../src/dsl/top-level-schemas.js';
import type { JsonSchema } from '../../src/runtime/json-schema.js';
import { RouteFolder, errors, yaml } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormatsModule.default(ajv);
  return ajv;
}

/** The loader's own settings (src/dsl/dsl-validator.ts). */
function loaderAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: false, inlineRefs: false });
  addFormatsModule.default(ajv);
  return ajv;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFilesUnder(full)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(full);
  }
  return files.sort();
}

/**
 * ```yaml blocks of the docs that are whole route files: lists of top-level items (`route`, `from`, `rest`,
 * ...). Fragments that show one step or one option next to a partial route are not files and are left out.
 */
async function docSnippets(): Promise<{ where: string; data: unknown }[]> {
  const docs = (await readdir(path.join(ROOT, 'docs')))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const snippets: { where: string; data: unknown }[] = [];
  for (const doc of ['README.md', 'schema/README.md', ...docs]) {
    const text = await readFile(path.join(ROOT, doc), 'utf8');
    for (const match of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      const line = text.slice(0, match.index).split('\n').length + 1;
      const data = parseYaml(match[1]!) as unknown;
      const isRouteFile =
        Array.isArray(data) &&
        data.length > 0 &&
        data.every(
          (item: unknown) =>
            item !== null &&
            typeof item === 'object' &&
            !Array.isArray(item) &&
            Object.keys(item).length === 1 &&
            (TOP_LEVEL_KEYS as readonly string[]).includes(Object.keys(item)[0]!),
        );
      if (isRouteFile) snippets.push({ where: `${doc}:${line}`, data });
    }
  }
  return snippets;
}

function messages(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('dsl: the published route schema under ajv strict mode', function () {
  this.timeout(60_000);
  let published: JsonSchema;
  let compiled: ValidateFunction | undefined;
  // Each test compiles it (once) so that each names the strict-mode refusal, rather than a missing validator.
  const validator = (): ValidateFunction => (compiled ??= strictAjv().compile(published));

  before(async () => {
    published = JSON.parse(await readFile(path.join(ROOT, PUBLISHED_SCHEMA_PATH), 'utf8')) as JsonSchema;
  });

  it('compiles with new Ajv({strict: true}) and ajv-formats: no unknown keywords, no union types', () => {
    validator();
    expect(JSON.stringify(published)).to.not.match(/"x-[a-z-]+":/);
  });

  it('accepts every shipped route file (routes/, examples/)', async () => {
    const validate = validator();
    const files = [
      ...(await yamlFilesUnder(path.join(ROOT, 'routes'))),
      ...(await yamlFilesUnder(path.join(ROOT, 'examples'))),
    ];
    const routeFiles = files.filter((file) => !file.includes(`${path.sep}mappings${path.sep}`));
    expect(routeFiles.map((file) => path.relative(ROOT, file))).to.include('routes/partner-delivery.yaml');
    for (const file of routeFiles) {
      const data = parseYaml(await readFile(file, 'utf8')) as unknown;
      expect(validate(data), `${path.relative(ROOT, file)}: ${messages(validate).join('; ')}`).to.equal(true);
    }
    // The loader takes the same files without an error.
    const loaded = await loadRouteSet(routeFiles, { registry: createRegistry(), env: {} });
    expect(errors(loaded)).to.deep.equal([]);
  });

  it('accepts every route snippet of the docs', async () => {
    const validate = validator();
    const snippets = await docSnippets();
    expect(snippets.length).to.be.greaterThan(0);
    for (const { where, data } of snippets) {
      expect(validate(data), `${where}: ${messages(validate).join('; ')}`).to.equal(true);
    }
  });

  it('accepts the unquoted scalars the loader reads as text, and still refuses what the loader refuses', async () => {
    const validate = validator();
    const file = yaml(`
      - route:
          id: scalars
          errorHandler:
            defaultErrorHandler:
              redeliveryPolicy:
                maximumRedeliveries: "5"
                redeliveryDelay: 1000
                maximumRedeliveryDelay: 30000
                useExponentialBackOff: "true"
                backOffMultiplier: 2
          from:
            uri: timer:tick
            parameters: {period: 1000, repeatCount: 1}
            steps:
              - setHeader: {name: flag, constant: true}
              - setBody: {constant: 42}
              - split:
                  tokenize: {token: ",", group: 2}
                  steps:
                    - log: {message: 7}
    `);
    const folder = await RouteFolder.create();
    try {
      await folder.write('scalars.yaml', file);
      const loaded = await loadRouteSet([folder.dir], { registry: createRegistry(), env: {} });
      expect(errors(loaded)).to.deep.equal([]);
    } finally {
      await folder.cleanup();
    }
    expect(validate(parseYaml(file)), messages(validate).join('; ')).to.equal(true);
    // A list where text is wanted, an unknown key: refused by both.
    const wrong = parseYaml(
      yaml(`
      - route:
          id: wrong
          from:
            uri: timer:tick
            steps:
              - setHeader: {name: [a, b], constant: x}
              - log: {mesage: typo}
    `),
    ) as unknown;
    expect(validate(wrong)).to.equal(false);
    expect(messages(validate)).to.include('/0/route/from/steps/1/log must NOT have additional properties');
  });

  it('accepts at every scalar of the schema each value the loader accepts there', () => {
    // The loader's schema, node by node: whatever its coercing validator takes, the published form must take.
    const loaderSchema = buildDslSchema(createRegistry());
    const defs = loaderSchema.$defs as Record<string, JsonSchema>;
    const samples: unknown[] = [
      0,
      1,
      1000,
      -3,
      2.5,
      true,
      false,
      null,
      '',
      '5',
      '2.5',
      '-7',
      '1e3',
      'true',
      'false',
      'WARN',
      'abc',
    ];
    const scalars: JsonSchema[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const schema = node as JsonSchema;
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (
        types.some((t) => ['string', 'number', 'integer', 'boolean', 'null'].includes(t as string)) &&
        !JSON.stringify(schema).includes('$ref')
      )
        scalars.push(schema);
      for (const value of Object.values(schema)) walk(value);
    };
    walk(defs);
    const unique = [...new Map(scalars.map((s) => [JSON.stringify(s), s])).values()];
    expect(unique.length).to.be.greaterThan(50);
    const loose = loaderAjv();
    const strict = strictAjv();
    const misses: string[] = [];
    for (const node of unique) {
      // Wrapped in an object, as the loader meets a value: coercion rewrites it in its parent.
      const wrap = (schema: JsonSchema): JsonSchema => ({ type: 'object', properties: { v: schema } });
      const byLoader = loose.compile(wrap(node));
      const byPublished = strict.compile(publishedSchema(wrap(node)));
      for (const sample of samples) {
        if (byLoader({ v: sample }) && !byPublished({ v: sample }))
          misses.push(`${JSON.stringify(sample)} at ${JSON.stringify(node)}`);
      }
    }
    expect(misses).to.deep.equal([]);
  });

  it('is exactly what `npm run schema` writes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pipes-schema-'));
    try {
      // write-schema.ts writes relative to the working directory: run it in an empty one.
      await new Promise<void>((resolve, reject) =>
        execFile(
          path.join(ROOT, 'node_modules/.bin/tsx'),
          [path.join(ROOT, 'src/app/write-schema.ts')],
          { cwd: dir },
          (error) => (error ? reject(new Error(error.message)) : resolve()),
        ),
      );
      const written = await readFile(path.join(dir, PUBLISHED_SCHEMA_PATH), 'utf8');
      const committed = await readFile(path.join(ROOT, PUBLISHED_SCHEMA_PATH), 'utf8');
      expect(
        committed === written,
        'schema/camel-yaml-dsl.schema.json is stale: run `npm run schema`',
      ).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
