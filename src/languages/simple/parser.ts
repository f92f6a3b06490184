/**
 * Turns simple text into a syntax tree. Templates are text and functions; predicates follow Camel's
 * grammar: `operand [OP operand]` terms joined by `&&` / `||`, applied left to right (Camel gives neither
 * operator precedence over the other and has no parentheses).
 */
import { parseFunction, type FunctionCall } from './functions.js';
import { SimpleSyntaxError } from './syntax-error.js';
import { tokenizePredicate, tokenizeTemplate, type Token } from './tokenizer.js';

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'function'; call: FunctionCall };

export interface Template {
  parts: TemplatePart[];
}

export type Operand =
  | { kind: 'function'; call: FunctionCall; index: number }
  | { kind: 'literal'; template: Template; index: number }
  | { kind: 'number'; value: number; index: number }
  | { kind: 'boolean'; value: boolean; index: number }
  | { kind: 'null'; index: number };

export type BinaryOperator =
  | '=='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | '=~'
  | 'contains'
  | '~~'
  | 'regex'
  | 'in'
  | 'is'
  | 'range'
  | 'startsWith'
  | 'endsWith';

export type PredicateNode =
  | { kind: 'value'; operand: Operand }
  | {
      kind: 'binary';
      operator: BinaryOperator;
      /** `!contains`, `not in`, `!=~` ...: the operator's result is inverted. */
      negated: boolean;
      /** The operator as written, for messages. */
      written: string;
      left: Operand;
      right: Operand;
      index: number;
    }
  | { kind: 'logical'; operator: 'and' | 'or'; left: PredicateNode; right: PredicateNode };

/** Every spelling Camel (2.x to 4.x) accepts, mapped to one operator and a negation flag. */
const OPERATOR_SPELLINGS: Record<string, { operator: BinaryOperator; negated: boolean }> = {
  '==': { operator: '==', negated: false },
  '!=': { operator: '!=', negated: false },
  '>': { operator: '>', negated: false },
  '>=': { operator: '>=', negated: false },
  '<': { operator: '<', negated: false },
  '<=': { operator: '<=', negated: false },
  '=~': { operator: '=~', negated: false },
  '!=~': { operator: '=~', negated: true },
  contains: { operator: 'contains', negated: false },
  '!contains': { operator: 'contains', negated: true },
  'not contains': { operator: 'contains', negated: true },
  '~~': { operator: '~~', negated: false },
  '!~~': { operator: '~~', negated: true },
  regex: { operator: 'regex', negated: false },
  '!regex': { operator: 'regex', negated: true },
  'not regex': { operator: 'regex', negated: true },
  in: { operator: 'in', negated: false },
  '!in': { operator: 'in', negated: true },
  'not in': { operator: 'in', negated: true },
  is: { operator: 'is', negated: false },
  '!is': { operator: 'is', negated: true },
  'not is': { operator: 'is', negated: true },
  range: { operator: 'range', negated: false },
  '!range': { operator: 'range', negated: true },
  'not range': { operator: 'range', negated: true },
  startsWith: { operator: 'startsWith', negated: false },
  'starts with': { operator: 'startsWith', negated: false },
  '!startsWith': { operator: 'startsWith', negated: true },
  endsWith: { operator: 'endsWith', negated: false },
  'ends with': { operator: 'endsWith', negated: false },
  '!endsWith': { operator: 'endsWith', negated: true },
};

let parseCount = 0;

/**
 * How many times simple text has been parsed in this process. Evaluation must never parse, so tests
 * read this around a burst of evaluations.
 */
export function simpleParseCount(): number {
  return parseCount;
}

/** Parses template text (`CUST-${header.id}`). */
export function parseTemplate(source: string): Template {
  parseCount++;
  return templateOf(source, 0, source.length);
}

function templateOf(source: string, from: number, to: number): Template {
  const parts: TemplatePart[] = tokenizeTemplate(source, from, to).map((token) =>
    token.kind === 'function'
      ? { kind: 'function', call: parseFunction(token.text, source, token.innerIndex) }
      : { kind: 'text', text: token.text },
  );
  return { parts };
}

/** Parses predicate text (`${header.amount} > 1000 && ${header.currency} == 'EUR'`). */
export function parsePredicate(source: string): PredicateNode {
  parseCount++;
  const tokens = tokenizePredicate(source);
  const significant = tokens.filter((t) => t.kind !== 'whitespace');
  if (significant.length === 0) throw new SimpleSyntaxError('Empty predicate', source, 0);
  checkOperatorSpacing(tokens, source);

  let position = 0;
  const peek = (): Token | undefined => significant[position];

  const operand = (context: string): Operand => {
    const token = significant[position];
    if (!token) {
      const last = significant[significant.length - 1]!;
      throw new SimpleSyntaxError(`${context} has no right hand side`, source, last.index);
    }
    position++;
    switch (token.kind) {
      case 'function':
        return {
          kind: 'function',
          call: parseFunction(token.text, source, token.innerIndex),
          index: token.index,
        };
      case 'quoted':
        return {
          kind: 'literal',
          template: templateOf(source, token.innerIndex, token.end - 1),
          index: token.index,
        };
      case 'number':
        return { kind: 'number', value: Number(token.text), index: token.index };
      case 'boolean':
        return { kind: 'boolean', value: token.text === 'true', index: token.index };
      case 'null':
        return { kind: 'null', index: token.index };
      case 'operator':
      case 'logical':
        throw new SimpleSyntaxError(`${context}: unexpected operator ${token.text}`, source, token.index);
      default:
        throw new SimpleSyntaxError(
          `${context}: unexpected text "${token.text}"; quote literal text ('${token.text}') ` +
            'and write functions as ${...}',
          source,
          token.index,
        );
    }
  };

  const term = (): PredicateNode => {
    const left = operand('The predicate');
    const next = peek();
    if (!next || next.kind !== 'operator') return { kind: 'value', operand: left };
    position++;
    const spelling = OPERATOR_SPELLINGS[next.text]!;
    const right = operand(`Operator ${next.text}`);
    return { kind: 'binary', ...spelling, written: next.text, left, right, index: next.index };
  };

  let node = term();
  while (position < significant.length) {
    const next = significant[position]!;
    if (next.kind !== 'logical') {
      throw new SimpleSyntaxError(
        `Unexpected ${describe(next)} after a complete condition: join conditions with && or ||`,
        source,
        next.index,
      );
    }
    position++;
    if (position >= significant.length) {
      throw new SimpleSyntaxError(`Logical operator ${next.text} has no right hand side`, source, next.index);
    }
    const right = term();
    node = {
      kind: 'logical',
      operator: next.text === '&&' || next.text === 'and' ? 'and' : 'or',
      left: node,
      right,
    };
  }
  return node;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'function':
      return `function \${${token.text}}`;
    case 'quoted':
      return `text '${token.text}'`;
    case 'operator':
      return `operator ${token.text}`;
    default:
      return `"${token.text}"`;
  }
}

/**
 * Camel only recognises an operator with spaces around it, so `${a}==5` is one odd word, not a comparison.
 * The tokenizer already requires the spaces; here the common mistake gets a message that says so.
 */
function checkOperatorSpacing(tokens: Token[], source: string): void {
  for (const token of tokens) {
    if (token.kind !== 'text') continue;
    const glued = /^(==|!=|>=|<=|=~|>|<)/.exec(token.text) ?? /(==|!=|>=|<=|=~|>|<)$/.exec(token.text);
    if (glued) {
      throw new SimpleSyntaxError(
        `Operator ${glued[1]} needs a space on both sides (write \${left} ${glued[1]} right)`,
        source,
        token.index,
      );
    }
  }
}
