import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRegistry } from './catalog.js';
import { dslSchemaText, PUBLISHED_SCHEMA_PATH } from '../dsl/dsl-schema.js';

/** `npm run schema`: writes the route DSL's JSON Schema, assembled from the full registry, for editors. */
const target = path.resolve(PUBLISHED_SCHEMA_PATH);
await mkdir(path.dirname(target), { recursive: true });
await writeFile(target, dslSchemaText(createRegistry()));
console.log(`wrote ${PUBLISHED_SCHEMA_PATH}`);
