import { createRequire } from 'node:module';
import jsonataSync, { type SyncExpression, type SyncOptions } from './expression.js';

export type { SyncExpression, SyncOptions };

/** The jsonata release this evaluator is ported from: its parser must give the trees it knows. */
export const PORTED_JSONATA_VERSION = '2.2.2';

const installedVersion = (createRequire(import.meta.url)('jsonata/package.json') as { version: string })
  .version;

/**
 * Every `type` the evaluator meets on a tree from jsonata 2.2.2's parser: the node kinds it evaluates, the
 * `sort` step, the `?` placeholder of a partial application (`operator`) and the `filter` / `index` stages.
 * A tree with anything else (a later parser's new node) is declined, never guessed at.
 */
const KNOWN_TYPES = new Set([
  'path',
  'binary',
  'unary',
  'name',
  'string',
  'number',
  'value',
  'wildcard',
  'descendant',
  'parent',
  'condition',
  'block',
  'bind',
  'regex',
  'function',
  'variable',
  'lambda',
  'partial',
  'apply',
  'transform',
  'sort',
  'operator',
  'filter',
  'index',
]);

/** Why the tree is not for the synchronous evaluator, or undefined when it is. */
export function declineReason(ast: unknown, version = installedVersion): string | undefined {
  if (version !== PORTED_JSONATA_VERSION)
    return `jsonata ${version} is installed; the synchronous evaluator is jsonata ${PORTED_JSONATA_VERSION}'s`;
  const seen = new Set<object>();
  const unknown = (node: unknown): string | undefined => {
    if (node === null || typeof node !== 'object' || node instanceof RegExp || seen.has(node))
      return undefined;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) {
        const found = unknown(item);
        if (found) return found;
      }
      return undefined;
    }
    const { type } = node as { type?: unknown };
    if (type !== undefined && (typeof type !== 'string' || !KNOWN_TYPES.has(type)))
      return JSON.stringify(type) ?? typeof type;
    for (const child of Object.values(node)) {
      const found = unknown(child);
      if (found) return found;
    }
    return undefined;
  };
  const type = unknown(ast);
  return type === undefined ? undefined : `the expression has a node of type ${type}`;
}

/**
 * A synchronous evaluator for an expression parsed by jsonata (`jsonata(text).ast()`), compiled now, or
 * undefined when the tree is not one it knows (see {@link declineReason}). Decided once, at compile time.
 */
export function compileSyncJsonata(ast: unknown, options?: SyncOptions): SyncExpression | undefined {
  if (declineReason(ast) !== undefined) return undefined;
  return jsonataSync(ast as object, options);
}
