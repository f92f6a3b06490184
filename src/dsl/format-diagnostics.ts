import path from 'node:path';
import type { LoadDiagnostic } from '../runtime/definitions.js';

/**
 * Load diagnostics as text for a terminal, sorted by file and position:
 *
 *     routes/orders.yaml:12:7 error: Unknown EIP `setheader`
 *       at: [0].route.from.steps[2].setheader
 *       expected: an EIP: choice, filter, ...
 *       did you mean: setHeader
 *       snippet:
 *         - setHeader: ...
 *
 * followed by a count of errors and warnings (and of notes, when there are any). File paths are relative
 * to `cwd`.
 */
export function formatDiagnostics(diagnostics: readonly LoadDiagnostic[], cwd: string = process.cwd()): string {
  const sorted = diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort((a, b) => compare(a.diagnostic, b.diagnostic) || a.index - b.index)
    .map(({ diagnostic }) => diagnostic);
  const blocks = sorted.map((d) => formatOne(d, cwd));
  const count = (severity: LoadDiagnostic['severity']): number => diagnostics.filter((d) => d.severity === severity).length;
  const notes = count('note');
  blocks.push(`${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}${notes ? `, ${plural(notes, 'note')}` : ''}`);
  return blocks.join('\n');
}

function formatOne(diagnostic: LoadDiagnostic, cwd: string): string {
  const { loc } = diagnostic;
  const where = loc ? `${relative(loc.file, cwd)}:${loc.line}:${loc.col} ` : '';
  const lines = [`${where}${diagnostic.severity}: ${diagnostic.message}`];
  if (loc?.path) lines.push(`  at: ${loc.path}`);
  if (diagnostic.expected) lines.push(`  expected: ${diagnostic.expected}`);
  if (diagnostic.suggestions?.length) lines.push(`  did you mean: ${diagnostic.suggestions.join(', ')}`);
  if (diagnostic.hint) lines.push(`  hint: ${diagnostic.hint}`);
  if (diagnostic.snippet) {
    lines.push('  snippet:');
    for (const line of diagnostic.snippet.split('\n')) lines.push(`    ${line}`);
  }
  return lines.join('\n');
}

function compare(a: LoadDiagnostic, b: LoadDiagnostic): number {
  const fileA = a.loc?.file ?? '';
  const fileB = b.loc?.file ?? '';
  if (fileA !== fileB) return fileA < fileB ? -1 : 1;
  return (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0);
}

function relative(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
