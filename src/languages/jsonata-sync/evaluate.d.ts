/** Types of the synchronous jsonata port's evaluator (evaluate.js, still JavaScript). */
import type { SyncOptions } from './types.js';

export type { SyncOptions };

export interface SyncExpression {
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
  assign(name: string | symbol, value: unknown): void;
  ast(): unknown;
}

/** Compiles jsonata text, or an AST from jsonata's own parser (`jsonata(text).ast()`). */
declare function jsonataSync(expr: string | object, options?: SyncOptions): SyncExpression;
export default jsonataSync;
