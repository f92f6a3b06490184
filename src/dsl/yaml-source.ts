import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type YAMLError } from 'yaml';
import type { LoadDiagnostic, SourceLocation } from '../runtime/definitions.js';
import { pointerChild, pointerParent, yamlPath } from './json-pointer.js';

export interface Position {
  line: number;
  col: number;
}

/** Where each node of a file came from: the value's own position and, for map entries, its key's. */
export class LocationIndex {
  private readonly values = new Map<string, Position>();
  private readonly keys = new Map<string, Position>();

  constructor(
    readonly file: string,
    private readonly data: () => unknown,
  ) {}

  setValue(pointer: string, position: Position): void {
    this.values.set(pointer, position);
  }
  setKey(pointer: string, position: Position): void {
    this.keys.set(pointer, position);
  }

  /**
   * The position of a node: its key when it has one and `prefer` is `key` (what a user looks for when a
   * block is wrong as a whole), else the value. Unknown pointers fall back to the nearest ancestor.
   */
  position(pointer: string, prefer: 'key' | 'value' = 'key'): Position {
    for (let p = pointer; ; p = pointerParent(p)) {
      const found = prefer === 'key' ? (this.keys.get(p) ?? this.values.get(p)) : (this.values.get(p) ?? this.keys.get(p));
      if (found) return found;
      if (p === '') return { line: 1, col: 1 };
    }
  }

  locate(pointer: string, prefer: 'key' | 'value' = 'key'): SourceLocation {
    return { file: this.file, ...this.position(pointer, prefer), path: yamlPath(this.data(), pointer) };
  }

  /** Re-addresses a subtree that the loader moved (route-level `steps` moved under `from`). */
  move(fromPrefix: string, toPrefix: string): void {
    for (const map of [this.values, this.keys]) {
      for (const [pointer, position] of [...map]) {
        if (pointer === fromPrefix || pointer.startsWith(`${fromPrefix}/`)) {
          map.set(toPrefix + pointer.slice(fromPrefix.length), position);
        }
      }
    }
  }
}

/** Hooks applied while the YAML tree is turned into plain data (kebab-case keys, placeholders). */
export interface SourceVisitor {
  /** Returns the key to use instead of `key` (or undefined to keep it). */
  renameKey?(key: string, parentPointer: string, position: Position): string | undefined;
  /** Returns the text to use instead of a string scalar. */
  mapString?(value: string, pointer: string, position: Position): string;
}

export interface ParsedSource {
  file: string;
  text: string;
  /** Undefined when the YAML itself is broken (the diagnostics say where). */
  data: unknown;
  locations: LocationIndex;
  diagnostics: LoadDiagnostic[];
}

/** Parses one route file into plain data, keeping the position of every node. Never throws. */
export function parseSource(file: string, text: string, visitor: SourceVisitor = {}): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const parsed: { data: unknown } = { data: undefined };
  const locations = new LocationIndex(file, () => parsed.data);
  const diagnostics = yamlErrors(file, text, doc.errors, lineCounter);
  if (diagnostics.length > 0) return { file, text, data: undefined, locations, diagnostics };

  const position = (offset: number | undefined): Position => lineCounter.linePos(offset ?? 0);
  const toData = (node: unknown, pointer: string): unknown => {
    if (isAlias(node)) return toData(node.resolve(doc), pointer);
    if (isScalar(node)) {
      const at = position(node.range?.[0]);
      locations.setValue(pointer, at);
      return typeof node.value === 'string' && visitor.mapString ? visitor.mapString(node.value, pointer, at) : node.value;
    }
    if (isSeq(node)) {
      locations.setValue(pointer, position(node.range?.[0]));
      return node.items.map((item, i) => toData(item, pointerChild(pointer, i)));
    }
    if (isMap(node)) {
      locations.setValue(pointer, position(node.range?.[0]));
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const written = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyAt = position(keyNode?.range?.[0]);
        const key = visitor.renameKey?.(written, pointer, keyAt) ?? written;
        const child = pointerChild(pointer, key);
        locations.setKey(child, keyAt);
        out[key] = pair.value === null ? null : toData(pair.value, child);
        if (pair.value === null) locations.setValue(child, keyAt);
      }
      return out;
    }
    return null;
  };
  parsed.data = doc.contents === null ? null : toData(doc.contents, '');
  return { file, text, data: parsed.data, locations, diagnostics };
}

/**
 * YAML syntax errors as diagnostics. One broken line makes the parser report follow-on errors, so only the
 * first syntax error is kept; duplicate keys are independent of each other and all reported.
 */
function yamlErrors(file: string, text: string, errors: readonly YAMLError[], lineCounter: LineCounter): LoadDiagnostic[] {
  const lines = text.split(/\r?\n/);
  const out: LoadDiagnostic[] = [];
  let syntaxReported = false;
  for (const error of errors) {
    const isDuplicate = error.code === 'DUPLICATE_KEY';
    if (!isDuplicate && syntaxReported) continue;
    if (!isDuplicate) syntaxReported = true;
    const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    const message = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
    out.push({
      severity: 'error',
      message: `YAML: ${message}`,
      loc: { file, line: at.line, col: at.col, path: '' },
      hint: yamlHint(error.code, lines, at),
      snippet: excerpt(lines, at),
    });
  }
  return out;
}

function yamlHint(code: string, lines: string[], at: Position): string | undefined {
  const line = lines[at.line - 1] ?? '';
  const key = /^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:/.exec(line)?.[1];
  switch (code) {
    case 'DUPLICATE_KEY': {
      const first = key ? findEarlierSibling(lines, at.line, key) : undefined;
      return `\`${key ?? 'this key'}\` appears twice in the same map${first ? ` (first at line ${first})` : ''}; ` +
        'if these are two steps, start each one with `- `';
    }
    case 'TAB_AS_INDENT':
      return 'indent with spaces: YAML does not allow tabs for indentation';
    case 'BAD_INDENT': {
      const sibling = previousKeyLine(lines, at.line);
      const indent = line.length - line.trimStart().length;
      if (sibling && key) {
        return `looks mis-indented: \`${key}\` starts at column ${indent + 1} but \`${sibling.key}\` (line ${sibling.line}) ` +
          `starts at column ${sibling.indent + 1}; keys of one map must start at the same column`;
      }
      return 'looks mis-indented: keys of one map must start at the same column';
    }
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    case 'MISSING_CHAR':
      if (/^\s*-\s/.test(line)) return 'looks mis-indented: the items of one list must start at the same column';
      return undefined;
    default:
      return undefined;
  }
}

function previousKeyLine(lines: string[], lineNumber: number): { key: string; line: number; indent: number } | undefined {
  for (let i = lineNumber - 2; i >= 0; i--) {
    const match = /^(\s*)(?:-\s+)?([^\s:#][^:#]*?)\s*:/.exec(lines[i] ?? '');
    if (match) return { key: match[2]!, line: i + 1, indent: match[0].indexOf(match[2]!) };
  }
  return undefined;
}

function findEarlierSibling(lines: string[], lineNumber: number, key: string): number | undefined {
  const column = keyColumn(lines[lineNumber - 1] ?? '');
  for (let i = lineNumber - 2; i >= 0; i--) {
    const text = lines[i] ?? '';
    if (!text.trim() || text.trimStart().startsWith('#')) continue;
    const own = keyColumn(text);
    if (own < column) return undefined;
    if (own === column && new RegExp(`^[\\s-]*${escapeRegExp(key)}\\s*:`).test(text)) return i + 1;
  }
  return undefined;
}

/** Column of the first key character of a line, after indentation and any `- ` list markers. */
function keyColumn(text: string): number {
  return /^[\s-]*/.exec(text)![0].length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The offending line with up to two lines before it and a caret under the column. */
export function excerpt(lines: readonly string[], at: Position): string {
  const first = Math.max(1, at.line - 2);
  const width = String(at.line).length;
  const out: string[] = [];
  for (let n = first; n <= at.line; n++) out.push(`${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
  out.push(`${' '.repeat(width)} | ${' '.repeat(Math.max(0, at.col - 1))}^`);
  return out.join('\n');
}
