import { ServicePipesError } from '../../errors/index.js';
/**
 * A compile error in a simple expression. `index` is 0-based in the expression text as written in the
 * route file (before trimming), so the loader can point at the exact character; the message says the same
 * in words and shows the text with a caret under the place.
 */
export class SimpleSyntaxError extends ServicePipesError {
  // Before it joined the hierarchy it was a plain Error, which onException clauses see as a RuntimeException.
  override camelName = 'java.lang.RuntimeException';
  readonly index: number;
  readonly reason: string;

  constructor(reason: string, source: string, index: number) {
    super('SIMPLE_SYNTAX', formatMessage(reason, source, index));
    this.reason = reason;
    this.index = index;
  }

  /** The same error, moved by `offset` characters (the text was trimmed before parsing). */
  shifted(source: string, offset: number): SimpleSyntaxError {
    return offset === 0 ? this : new SimpleSyntaxError(this.reason, source, this.index + offset);
  }
}

function formatMessage(reason: string, source: string, index: number): string {
  const safeIndex = Math.max(0, Math.min(index, source.length));
  // Only the line holding the error is shown, so a multi-line template still gets a readable caret.
  const lineStart = source.lastIndexOf('\n', safeIndex - 1) + 1;
  const lineEndRaw = source.indexOf('\n', safeIndex);
  const lineEnd = lineEndRaw === -1 ? source.length : lineEndRaw;
  const line = source.slice(lineStart, lineEnd);
  const column = safeIndex - lineStart + 1;
  const lineNumber = source.slice(0, lineStart).split('\n').length;
  const where = lineStart === 0 ? `column ${column}` : `line ${lineNumber}, column ${column}`;
  return `${reason} (simple expression, ${where})\n    ${line}\n    ${' '.repeat(column - 1)}^`;
}
