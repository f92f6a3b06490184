import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's folder (package.json, routes/, schemas/, src/), wherever the tests run from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
