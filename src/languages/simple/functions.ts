/**
 * Parses the inside of one `${...}` into a function call: where the value comes from, then the
 * navigation (`.a`, `[0]`, `?.b`) and the few methods (`length()`, `toUpperCase()`, ...) applied to it.
 */
import { didYouMean } from '../../runtime/did-you-mean.js';
import { parseResultType, type ResultType } from '../convert.js';
import { compileDateFormat, type DateFormatter } from './date-format.js';
import { SimpleSyntaxError } from './syntax-error.js';

export type Step =
  | { kind: 'key'; key: string; nullSafe: boolean }
  | { kind: 'index'; index: number | 'last'; offset: number; nullSafe: boolean }
  | { kind: 'method'; name: SupportedMethod; nullSafe: boolean };

export const SUPPORTED_METHODS = ['length', 'size', 'toUpperCase', 'toLowerCase', 'trim'] as const;
export type SupportedMethod = (typeof SUPPORTED_METHODS)[number];

export type DateSource =
  | { kind: 'now'; offsetMs: number }
  | { kind: 'header' | 'exchangeProperty' | 'variable'; name: string; offsetMs: number }
  | { kind: 'body'; offsetMs: number };

export type FunctionSource =
  | { kind: 'body' }
  | { kind: 'bodyAs'; type: ResultType; mandatory: boolean }
  | { kind: 'header' | 'exchangeProperty' | 'variable'; name: string; fullName: string }
  | { kind: 'headers' | 'variables' }
  | { kind: 'exception' }
  | { kind: 'routeId' | 'exchangeId' | 'messageId' | 'uuid' | 'null' }
  | { kind: 'date'; source: DateSource; format?: DateFormatter }
  | { kind: 'random'; min: number; max: number }
  | { kind: 'env'; name: string };

export interface FunctionCall {
  source: FunctionSource;
  steps: Step[];
  /** The function as written, for error messages at run time. */
  text: string;
}

/** What the router understands, shown when a function is unknown. */
export const SUPPORTED_FUNCTIONS = [
  'body',
  'body.field',
  'bodyAs(Type)',
  'header.name',
  'headers',
  'exchangeProperty.name',
  'variable.name',
  'variables',
  'exception',
  'exception.message',
  'exception.statusCode',
  'exception.responseBody',
  'routeId',
  'exchangeId',
  'id',
  'uuid',
  'date:now:format',
  'date:header.name:format',
  'random(max)',
  'random(min,max)',
  'env.NAME',
  'null',
] as const;

/** Names a user might type, for "did you mean" (the first word of the function). */
const FUNCTION_WORDS = [
  'body',
  'bodyAs',
  'mandatoryBodyAs',
  'header',
  'headers',
  'exchangeProperty',
  'variable',
  'variables',
  'exception',
  'routeId',
  'exchangeId',
  'id',
  'messageId',
  'uuid',
  'date',
  'random',
  'env',
  'null',
];

const ROOT_PREFIXES: { prefix: string; kind: 'header' | 'exchangeProperty' | 'variable' }[] = [
  { prefix: 'in.headers', kind: 'header' },
  { prefix: 'in.header', kind: 'header' },
  { prefix: 'headers', kind: 'header' },
  { prefix: 'header', kind: 'header' },
  { prefix: 'exchangeProperty', kind: 'exchangeProperty' },
  { prefix: 'variable', kind: 'variable' },
];

/**
 * Parses one function. `source` is the whole expression text and `start` the index of the function's
 * inside, so errors point into the text the user wrote.
 */
export function parseFunction(inner: string, source: string, start: number): FunctionCall {
  const leading = inner.length - inner.trimStart().length;
  const text = inner.trim();
  const at = start + leading;
  const fail = (reason: string, offset = 0): never => {
    throw new SimpleSyntaxError(reason, source, at + offset);
  };
  if (text === '') fail('Empty function ${}: write a function such as ${body} or ${header.name}');

  const call = (src: FunctionSource, steps: Step[] = []): FunctionCall => ({
    source: src,
    steps,
    text: `\${${text}}`,
  });

  // Values with navigation: body and exception.
  for (const prefix of ['in.body', 'body']) {
    if (text === prefix || isFollowedByNavigation(text, prefix)) {
      return call({ kind: 'body' }, parseSteps(text.slice(prefix.length), source, at + prefix.length));
    }
  }
  if (text === 'exception' || isFollowedByNavigation(text, 'exception')) {
    return call(
      { kind: 'exception' },
      parseSteps(text.slice('exception'.length), source, at + 'exception'.length),
    );
  }

  const bodyAs = /^(mandatoryBodyAs|bodyAs)\(\s*([^)]*?)\s*\)/.exec(text);
  if (bodyAs) {
    let type: ResultType | undefined;
    try {
      type = parseResultType(bodyAs[2]);
    } catch (error) {
      fail(`${bodyAs[1]}(${bodyAs[2]}): ${(error as Error).message}`);
    }
    if (!type) fail(`${bodyAs[1]}() needs a type, e.g. ${bodyAs[1]}(String)`);
    const rest = text.slice(bodyAs[0].length);
    return call(
      { kind: 'bodyAs', type: type!, mandatory: bodyAs[1] === 'mandatoryBodyAs' },
      parseSteps(rest, source, at + bodyAs[0].length),
    );
  }

  if (text === 'headers' || text === 'in.headers') return call({ kind: 'headers' });
  if (text === 'variables') return call({ kind: 'variables' });

  for (const { prefix, kind } of ROOT_PREFIXES) {
    if (!text.startsWith(prefix)) continue;
    const rest = text.slice(prefix.length);
    if (rest === '') {
      fail(`\${${text}} needs a name: write \${${prefix}.name}`);
    }
    if (!/^[.:[]/.test(rest)) continue;
    return parseNamedValue(kind, rest, source, at + prefix.length, call);
  }

  if (text === 'property' || text.startsWith('property.') || text.startsWith('property:')) {
    fail(`\${${text}} is not a function: exchange properties are \${exchangeProperty.name}`);
  }

  switch (text) {
    case 'routeId':
      return call({ kind: 'routeId' });
    case 'exchangeId':
      return call({ kind: 'exchangeId' });
    case 'id':
    case 'messageId':
      return call({ kind: 'messageId' });
    case 'uuid':
      return call({ kind: 'uuid' });
    case 'null':
      return call({ kind: 'null' });
  }

  if (text.startsWith('date:')) return call(parseDate(text, source, at));
  if (text.startsWith('random(') || text === 'random') return call(parseRandom(text, fail));

  const env = /^(?:env|sysenv)[.:](.+)$/.exec(text);
  if (env) return call({ kind: 'env', name: env[1]!.trim() });

  return unknownFunction(text, fail);
}

function isFollowedByNavigation(text: string, prefix: string): boolean {
  if (!text.startsWith(prefix)) return false;
  const next = text.slice(prefix.length);
  return next.startsWith('.') || next.startsWith('[') || next.startsWith('?.');
}

function unknownFunction(text: string, fail: (reason: string) => never): never {
  const word = /^[A-Za-z_][\w]*/.exec(text)?.[0] ?? text;
  const suggestions = didYouMean(word, FUNCTION_WORDS);
  const hint = suggestions.length > 0 ? ` Did you mean \${${suggestions[0]}${text.slice(word.length)}}?` : '';
  return fail(
    `Unknown function \${${text}}.${hint} Supported functions: ${SUPPORTED_FUNCTIONS.map((f) => `\${${f}}`).join(', ')}`,
  );
}

/**
 * `header.name`, `header:name`, `header[name]`, `header['name']`, then navigation and methods.
 * Camel first tries the whole dotted text as a header name (`${header.kafka.KEY}`), then the first word
 * with navigation: `fullName` keeps the former, `name` + steps the latter.
 */
function parseNamedValue(
  kind: 'header' | 'exchangeProperty' | 'variable',
  rest: string,
  source: string,
  at: number,
  call: (src: FunctionSource, steps?: Step[]) => FunctionCall,
): FunctionCall {
  if (rest.startsWith('[')) {
    const close = closingBracket(rest, 0);
    if (close < 0) throw new SimpleSyntaxError(`Missing ] after ${kind}[`, source, at);
    const name = unquote(rest.slice(1, close).trim());
    if (name === '') throw new SimpleSyntaxError(`${kind}[] needs a name`, source, at);
    const steps = parseSteps(rest.slice(close + 1), source, at + close + 1);
    return call({ kind, name, fullName: name }, steps);
  }
  const body = rest.slice(1);
  const bodyAt = at + 1;
  // The name runs to the first navigation character; methods at the very end are never part of it.
  const nameMatch = /^[^.[?]+/.exec(body);
  const name = nameMatch?.[0].trim() ?? '';
  if (name === '')
    throw new SimpleSyntaxError(`\${${kind}${rest}} needs a name after "${rest[0]}"`, source, at);
  const methodSuffix = /(?:\??\.(?:[A-Za-z_]\w*)\(\s*\))+$/.exec(body);
  const withoutMethods = methodSuffix ? body.slice(0, methodSuffix.index) : body;
  const steps = parseSteps(body.slice(nameMatch![0].length), source, bodyAt + nameMatch![0].length);
  return call({ kind, name, fullName: withoutMethods.trim() }, steps);
}

function closingBracket(text: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === ']') {
      return i;
    }
  }
  return -1;
}

function unquote(text: string): string {
  if (text.length >= 2 && (text[0] === "'" || text[0] === '"') && text[text.length - 1] === text[0]) {
    return text.slice(1, -1);
  }
  return text;
}

/** Navigation and methods after a value: `.a`, `?.a`, `[0]`, `['a b']`, `[last-1]`, `.length()`. */
export function parseSteps(text: string, source: string, at: number): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < text.length) {
    let nullSafe = false;
    if (text.startsWith('?.', i)) {
      nullSafe = true;
      i += 2;
    } else if (text[i] === '?' && text[i + 1] === '[') {
      nullSafe = true;
      i += 1;
    } else if (text[i] === '.') {
      i += 1;
    } else if (text[i] !== '[') {
      throw new SimpleSyntaxError(
        `Unexpected "${text.slice(i)}": expected .name, [index] or .method()`,
        source,
        at + i,
      );
    }

    if (text[i] === '[') {
      const close = closingBracket(text, i);
      if (close < 0) throw new SimpleSyntaxError('Missing ] to close [', source, at + i);
      const raw = text.slice(i + 1, close).trim();
      steps.push(indexStep(raw, nullSafe, source, at + i + 1));
      i = close + 1;
      continue;
    }

    const name = /^[^.[?()]+/.exec(text.slice(i))?.[0] ?? '';
    if (name.trim() === '') throw new SimpleSyntaxError('Expected a name after "."', source, at + i);
    const after = i + name.length;
    if (text[after] === '(') {
      const close = text.indexOf(')', after);
      const args = close < 0 ? '' : text.slice(after + 1, close).trim();
      if (!(SUPPORTED_METHODS as readonly string[]).includes(name) || args !== '' || close < 0) {
        throw new SimpleSyntaxError(
          `Unsupported method call ${name}(${args}): only ${SUPPORTED_METHODS.map((m) => `${m}()`).join(', ')} ` +
            'can be called in a simple expression; use a jsonata expression for anything else',
          source,
          at + i,
        );
      }
      steps.push({ kind: 'method', name: name as SupportedMethod, nullSafe });
      i = close + 1;
      continue;
    }
    steps.push({ kind: 'key', key: name.trim(), nullSafe });
    i = after;
  }
  return steps;
}

function indexStep(raw: string, nullSafe: boolean, source: string, at: number): Step {
  if (/^-?\d+$/.test(raw)) return { kind: 'index', index: Number(raw), offset: 0, nullSafe };
  const last = /^last\s*(?:-\s*(\d+))?$/.exec(raw);
  if (last) return { kind: 'index', index: 'last', offset: last[1] ? Number(last[1]) : 0, nullSafe };
  const key = unquote(raw);
  if (key === '') throw new SimpleSyntaxError('Empty [] : write [0], [last] or [name]', source, at);
  return { kind: 'key', key, nullSafe };
}

const OFFSET = /([+-])\s*(\d+)\s*(ms|d|h|m|s)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `date:now`, `date:now-1h:yyyy-MM-dd`, `date:header.x:fmt`, `date:exchangeProperty.x:fmt`, `date:body`. */
function parseDate(text: string, source: string, at: number): FunctionSource {
  const rest = text.slice('date:'.length);
  const colon = rest.indexOf(':');
  const command = (colon < 0 ? rest : rest.slice(0, colon)).trim();
  const format = colon < 0 ? undefined : rest.slice(colon + 1);

  // Offsets are only recognised at the end, so header names with dashes (X-Value-Date) stay whole.
  const split = /^(.*?)((?:\s*[+-]\s*\d+\s*(?:ms|d|h|m|s))*)$/.exec(command)!;
  const base = split[1]!.trim();
  let offsetMs = 0;
  for (const match of split[2]!.matchAll(OFFSET)) {
    offsetMs += (match[1] === '-' ? -1 : 1) * Number(match[2]) * UNIT_MS[match[3]!]!;
  }

  let dateSource: DateSource;
  const named = /^(header|headers|in\.header|exchangeProperty|variable)[.:](.+)$/.exec(base);
  if (base === 'now') {
    dateSource = { kind: 'now', offsetMs };
  } else if (base === 'body' || base === 'in.body') {
    dateSource = { kind: 'body', offsetMs };
  } else if (named) {
    const kind =
      named[1] === 'exchangeProperty' ? 'exchangeProperty' : named[1] === 'variable' ? 'variable' : 'header';
    dateSource = { kind, name: named[2]!.trim(), offsetMs };
  } else {
    throw new SimpleSyntaxError(
      `Unknown date command "${base}": write \${date:now:format}, \${date:header.name:format}, ` +
        `\${date:exchangeProperty.name:format} or \${date:body:format}; offsets as now-1h, now+30m (d, h, m, s, ms)`,
      source,
      at + 'date:'.length,
    );
  }
  if (format === undefined) return { kind: 'date', source: dateSource };
  try {
    return { kind: 'date', source: dateSource, format: compileDateFormat(format) };
  } catch (error) {
    throw new SimpleSyntaxError((error as Error).message, source, at + 'date:'.length + colon + 1);
  }
}

function parseRandom(text: string, fail: (reason: string, offset?: number) => never): FunctionSource {
  const match = /^random\(\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\)$/.exec(text);
  if (!match) return fail('random needs whole numbers: ${random(max)} or ${random(min,max)}');
  const min = match[2] === undefined ? 0 : Number(match[1]);
  const max = match[2] === undefined ? Number(match[1]) : Number(match[2]);
  if (max <= min)
    fail(`random(${match[2] === undefined ? max : `${min},${max}`}): max must be greater than ${min}`);
  return { kind: 'random', min, max };
}
