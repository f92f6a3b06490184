/** Types of the synchronous jsonata port (evaluate.js). */
export interface SyncOptions {
  /** jsonata's evaluation guard: maximum evaluation depth (D1011). */
  stack?: number;
  /** jsonata's evaluation guard: milliseconds before D1012. */
  timeout?: number;
  /** jsonata's maximum sequence length (D2015). */
  sequence?: number;
}

export interface SyncExpression {
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
  assign(name: string | symbol, value: unknown): void;
  ast(): unknown;
}

/** Compiles jsonata text, or an AST from jsonata's own parser (`jsonata(text).ast()`). */
declare function jsonataSync(expr: string | object, options?: SyncOptions): SyncExpression;
export default jsonataSync;
