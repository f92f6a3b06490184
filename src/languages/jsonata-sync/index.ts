import jsonataSync, { type SyncExpression, type SyncOptions } from './evaluate.js';

export type { SyncExpression, SyncOptions };

/**
 * A synchronous evaluator for an expression parsed by jsonata (`jsonata(text).ast()`), or undefined when the
 * expression needs something only jsonata's asynchronous evaluator gives. Decided once, at compile time.
 */
export function compileSyncJsonata(ast: unknown, options?: SyncOptions): SyncExpression | undefined {
  return jsonataSync(ast as object, options);
}
