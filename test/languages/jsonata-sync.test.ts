import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import jsonata from 'jsonata';
import { compileJsonata } from '../../src/languages/index.js';
import { bindingsFor } from '../../src/languages/jsonata.js';
import { compileSyncJsonata, declineReason } from '../../src/languages/jsonata-sync/index.js';
import { ExpressionError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';

/**
 * The synchronous evaluator must answer exactly as jsonata does: the same value, or an error with the same
 * code. Generated expressions over paths, operators, predicates, sequences, blocks, lambdas, higher-order
 * functions, grouping, sorting, ranges, transforms and chaining are evaluated by both against generated
 * documents, headers and properties (test/languages/jsonata-suite.test.ts runs jsonata's own suite).
 */
const RUNS = Number(process.env.JSONATA_SYNC_RUNS || 2000);

/** jsonata builds null-prototype objects; compare plain copies. Functions compare as a marker. */
function normalise(value: unknown): unknown {
  if (typeof value === 'function') return '<function>';
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    if ((value as { _jsonata_lambda?: boolean })._jsonata_lambda) return '<function>';
    if ((value as { _jsonata_function?: boolean })._jsonata_function) return '<function>';
    const plain: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) plain[key] = normalise(field);
    return plain;
  }
  return value;
}

type Outcome = { value: unknown } | { error: string };

/** The bindings a route's expression sees, as the router makes them. */
function bindingsOf(exchange: Exchange): Record<string, unknown> {
  return bindingsFor(exchange, undefined);
}

function failure(error: unknown): Outcome {
  // jsonata's own failures carry a code; a crash inside it (a TypeError) does not.
  return { error: (error as { code?: string }).code ?? 'no code' };
}

async function byJsonata(text: string, input: unknown, exchange: Exchange): Promise<Outcome> {
  try {
    // Copies: jsonata deletes `@` from an input it takes for a tuple stream; both get the same document.
    const value: unknown = await jsonata(text).evaluate(
      structuredClone(input),
      structuredClone(bindingsOf(exchange)),
    );
    return { value: normalise(value) };
  } catch (error) {
    return failure(error);
  }
}

function bySync(text: string, input: unknown, exchange: Exchange): Outcome | 'declined' {
  const evaluator = compileSyncJsonata(jsonata(text).ast());
  if (!evaluator) return 'declined';
  try {
    return {
      value: normalise(evaluator.evaluate(structuredClone(input), structuredClone(bindingsOf(exchange)))),
    };
  } catch (error) {
    return failure(error);
  }
}

const NAMES = ['a', 'b', 'n', 's', 'toString', 'outerWrapper', 'tupleStream', '_jsonata_function'] as const;
// Documents also carry `@`, which jsonata reads on a tuple stream (see JSONATA_MARKERS in the fast path).
const FIELDS = [...NAMES, '@'] as const;

/** Documents made of the names above, with the values that trip JSONata's rules: numeric strings, arrays, 0, "". */
const documents = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('', 'x', 'ab', '10', '2.5', '1e3', '0x1F', 'Ünï'),
    fc.integer({ min: -20_000, max: 20_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...FIELDS), tie('value'), { maxKeys: 4 }),
}));

const path = fc
  .array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 })
  .map((steps) => steps.join('.'));

const leaf = fc.oneof(
  { weight: 6, arbitrary: path },
  fc.constantFrom(
    '$',
    '$$',
    '$$.a',
    '$.b',
    '$properties.p',
    '$properties.p.a',
    '$headers.h',
    '$variables.v',
    '$exchangeId',
    '$correlationId',
    '"x"',
    '""',
    '"10"',
    '0',
    '1',
    '2.5',
    '10000',
    'true',
    'false',
    'null',
  ),
);

/** Expression text; every compound is parenthesised so the grammar never depends on precedence. */
const expressions = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: leaf },
    fc
      .tuple(
        tie('expr'),
        fc.constantFrom(
          '&',
          '+',
          '-',
          '*',
          '/',
          '%',
          '=',
          '!=',
          '<',
          '<=',
          '>',
          '>=',
          'and',
          'or',
          'in',
          '??',
          '?:',
        ),
        tie('expr'),
      )
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, e]) => `(${c} ? ${t} : ${e})`),
    fc.tuple(tie('expr'), tie('expr')).map(([c, t]) => `(${c} ? ${t})`),
    tie('expr').map((e) => `-(${e})`),
    fc
      .tuple(
        fc.constantFrom(
          'exists',
          'string',
          'number',
          'uppercase',
          'lowercase',
          'boolean',
          'not',
          'sum',
          'count',
          'max',
          'min',
          'average',
          'length',
          'trim',
          'keys',
          'distinct',
          'reverse',
          'sort',
          'type',
          'spread',
          'abs',
          'floor',
          'round',
          'append',
          'merge',
          'join',
          'values',
        ),
        tie('expr'),
      )
      .map(([f, e]) => `$${f}(${e})`),
    fc
      .tuple(
        fc.constantFrom(
          'substring',
          'pad',
          'round',
          'join',
          'split',
          'contains',
          'lookup',
          'append',
          'power',
        ),
        tie('expr'),
        tie('expr'),
      )
      .map(([f, a, b]) => `$${f}(${a}, ${b})`),
    fc
      .array(fc.tuple(fc.constantFrom('k', 'm', 'amount', 'ref'), tie('expr')), { maxLength: 3 })
      .map((pairs) => {
        const unique = new Map(pairs);
        return `{${[...unique].map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
      }),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a}; ${b})`),
    // Sequences: predicates, index filters, keep-array, wildcards, descendants, parent, focus and index binding.
    fc.tuple(path, tie('expr')).map(([p, e]) => `${p}[${e}]`),
    fc.tuple(path, fc.integer({ min: -2, max: 2 })).map(([p, i]) => `${p}[${i}]`),
    path.map((p) => `${p}[]`),
    path.map((p) => `*.${p}`),
    path.map((p) => `**.${p}`),
    path.map((p) => `${p}.%`),
    path.map((p) => `${p}.%.s`),
    fc.tuple(path, tie('expr')).map(([p, e]) => `${p}@$v.(${e} & $v)`),
    fc.tuple(path, tie('expr')).map(([p, e]) => `${p}#$i.{"i": $i, "e": ${e}}`),
    fc.tuple(path, tie('expr')).map(([p, e]) => `${p}.(${e})`),
    // Blocks with variables, lambdas and higher-order functions.
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `($x := ${a}; $y := ${b}; [$x, $y, $x & $y])`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(function($p){ ${b} & $p })(${a})`),
    fc
      .tuple(fc.constantFrom('map', 'filter', 'single', 'sift', 'each'), path, tie('expr'))
      .map(([f, p, e]) => `$${f}(${p}, function($v, $k){ $v ? ${e} : $k })`),
    fc.tuple(path, tie('expr')).map(([p, e]) => `$reduce(${p}, function($a, $b){ $a & $b & ${e} }, "")`),
    fc.tuple(path, tie('expr')).map(([p, e]) => `$sort(${p}, function($l, $r){ $l > $r or ${e} })`),
    // Grouping, order-by, ranges, transforms, chaining, partial application.
    fc.tuple(path, path, tie('expr')).map(([p, k, e]) => `${p}{${k}: ${e}}`),
    fc.tuple(path, path).map(([p, k]) => `${p}^(${k})`),
    fc.tuple(path, path).map(([p, k]) => `${p}^(>${k}, ${k})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `[(${a})..(${b})]`),
    fc
      .tuple(fc.integer({ min: -3, max: 5 }), fc.integer({ min: -3, max: 5 }))
      .map(([a, b]) => `[${a}..${b}]`),
    fc.tuple(path, path, tie('expr')).map(([p, q, e]) => `($ ~> | ${p} | {"${q}": ${e}}, ["s"] |)`),
    tie('expr').map((e) => `(${e} ~> $string() ~> $uppercase())`),
    tie('expr').map((e) => `($f := $substring(?, 0, 2); $f(${e}))`),
    tie('expr').map((e) => `(${e} ~> $map(function($v){ [$v] }))`),
    fc.constantFrom(
      '(a[0])',
      '$sum(a)',
      '(a.b[])',
      '(*.a)',
      '(a.$uppercase(s))',
      '$count(a)',
      '$string(1)',
      '[a, b]',
      '$formatNumber(n, "#,##0.00")',
      '$fromMillis(0)',
      '$toMillis("2026-11-23T10:15:00Z")',
      '$now() = $now()',
      '$eval("1 + 1")',
      '$formatInteger(42, "w")',
    ),
  ),
}));

const bindings = fc.record({
  h: documents.value,
  p: documents.value,
  v: documents.value,
});

function exchangeFor(values: { h: unknown; p: unknown; v: unknown }): Exchange {
  const exchange = new Exchange({ body: null, headers: { h: values.h }, properties: { p: values.p } });
  exchange.variables['v'] = values.v;
  exchange.correlationId = 'corr-1';
  return exchange;
}

/** Runs `check` on generated expressions, documents and exchange values. */
async function forGenerated(
  runs: number,
  check: (text: string, input: unknown, exchange: Exchange) => Promise<void>,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      expressions.expr,
      fc.oneof(documents.object, documents.value),
      bindings,
      (text, input, values) => check(text, input, exchangeFor(values)),
    ),
    { numRuns: runs },
  );
}

/**
 * jsonata evaluates the items of an array constructor and the values of an object constructor concurrently
 * (Promise.all): when two of them fail, it reports the one whose promise settles first, which depends on how
 * many awaits each took. The synchronous evaluator reports the first in document order. Both are errors; only
 * in an expression with such a constructor may their codes differ (counted, and rare).
 */
function racing(text: string): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const { type, value, expressions, lhs } = node as {
      type?: string;
      value?: unknown;
      expressions?: unknown[];
      lhs?: unknown;
    };
    if (type === 'unary' && value === '[' && (expressions?.length ?? 0) > 1) found = true;
    if (type === 'unary' && value === '{' && Array.isArray(lhs) && lhs.length > 1) found = true;
    if (
      Array.isArray((node as { group?: { lhs?: unknown[] } }).group?.lhs) &&
      (node as { group: { lhs: unknown[] } }).group.lhs.length > 1
    )
      found = true;
    for (const child of Object.values(node)) visit(child);
  };
  visit(jsonata(text).ast());
  return found;
}

describe('jsonata synchronous evaluator', () => {
  it(`answers as jsonata does on ${RUNS} generated expressions and documents`, async () => {
    const counts = { answered: 0, errors: 0, declined: 0, raced: 0 };
    await forGenerated(RUNS, async (text, input, exchange) => {
      try {
        jsonata(text);
      } catch {
        return; // not an expression (a generated `%` outside a path, say): nothing to compare
      }
      const actual = bySync(text, input, exchange);
      if (actual === 'declined') {
        counts.declined++;
        return;
      }
      const wanted = await byJsonata(text, input, exchange);
      counts['error' in wanted ? 'errors' : 'answered']++;
      if ('error' in wanted && 'error' in actual && wanted.error !== actual.error && racing(text)) {
        counts.raced++;
        return;
      }
      expect(actual, text).to.deep.equal(wanted);
    });
    if (process.env.JSONATA_SYNC_COUNTS) console.log(counts);
    expect(counts.raced, JSON.stringify(counts)).to.be.at.most(RUNS / 100);
    // Not a vacuous pass: most generated expressions give values, some give jsonata's errors.
    expect(counts.answered, JSON.stringify(counts)).to.be.greaterThan(RUNS / 3);
    expect(counts.errors, JSON.stringify(counts)).to.be.greaterThan(0);
  });

  it('compileJsonata gives jsonata’s own result or error code', async () => {
    await forGenerated(Math.ceil(RUNS / 3), async (text, input, exchange) => {
      try {
        jsonata(text);
      } catch {
        return;
      }
      const wanted = await byJsonata(text, input, exchange);
      let actual: Outcome;
      try {
        actual = { value: normalise(await compileJsonata(text)(exchange, structuredClone(input))) };
      } catch (error) {
        expect(error).to.be.instanceOf(ExpressionError);
        actual = {
          error: ((error as ExpressionError).details?.['jsonataCode'] as string | undefined) ?? 'no code',
        };
      }
      if ('value' in wanted) expect(actual, text).to.deep.equal({ value: wanted.value ?? null });
      else if (!('error' in actual && actual.error !== wanted.error && racing(text)))
        expect(actual, text).to.deep.equal(wanted);
    });
  });

  it('evaluates the shipped mappings without jsonata', () => {
    const text = readFileSync(
      new URL('../../routes/mappings/payment-to-ledger.jsonata', import.meta.url),
      'utf8',
    );
    const evaluator = compileSyncJsonata(jsonata(text).ast());
    expect(evaluator).to.not.equal(undefined);
    const payment = {
      paymentId: 'p-1',
      instructedAmount: { amount: 12_000, currency: 'EUR' },
      debtor: { iban: 'DE89370400440532013000', name: 'Globex GmbH' },
      creditor: { iban: 'GB33BUKB20201555555555', name: 'Acme Ltd' },
      requestedAt: '2026-11-24T09:59:00Z',
    };
    const result = evaluator!.evaluate(payment, { properties: { receivedAt: '2026-11-24T10:00:00Z' } });
    expect(normalise(result)).to.deep.equal({
      entryId: 'p-1',
      bookedAmount: 12_000,
      currency: 'EUR',
      debit: { account: 'DE89370400440532013000', holder: 'Globex GmbH' },
      credit: { account: 'GB33BUKB20201555555555', holder: 'Acme Ltd' },
      reference: 'PAYMENT p-1',
      requestedAt: '2026-11-24T09:59:00Z',
      receivedAt: '2026-11-24T10:00:00Z',
      review: 'manual',
    });
  });

  it('follows jsonata’s sequence rules: flattening, singletons, keep-array', async () => {
    const exchange = new Exchange({ body: null });
    const input = { debtor: [{ name: 'A' }, { name: ['B', 'C'] }], one: [{ name: 'D' }] };
    for (const text of [
      '{"holder": debtor.name}',
      'one.name',
      'one.name[]',
      'debtor[1].name',
      '$count(debtor.name)',
    ]) {
      const wanted = await byJsonata(text, input, exchange);
      expect(bySync(text, input, exchange), text).to.deep.equal(wanted);
    }
    expect(normalise(await compileJsonata('{"holder": debtor.name}')(exchange, input))).to.deep.equal({
      holder: ['A', 'B', 'C'],
    });
  });

  it('keeps $now() and $millis() constant within one evaluation', () => {
    const evaluator = compileSyncJsonata(
      jsonata('[$millis(), $map([1..2000], function($v){ $millis() }), $millis()]').ast(),
    )!;
    const values = (evaluator.evaluate(null) as unknown[]).flat();
    expect(new Set(values).size).to.equal(1);
  });

  it('answers a stack overflow in a runaway recursion with jsonata’s code D1011', async () => {
    const evaluate = compileJsonata('($f := function($n){ $n + $f($n + 1) }; $f(0))');
    const error = await evaluate(new Exchange({ body: null }), null).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(ExpressionError);
    expect((error as ExpressionError).details?.['jsonataCode']).to.equal('D1011');
  });

  it('declines, when compiling, a tree it does not know or one from another jsonata release', () => {
    const ast = jsonata('a.b').ast() as { steps: { type: string }[] };
    expect(declineReason(ast)).to.equal(undefined);
    expect(declineReason(ast, '2.3.0')).to.match(/jsonata 2.3.0 is installed/);
    const later = structuredClone(ast);
    later.steps[1]!.type = 'pipeline';
    expect(declineReason(later)).to.match(/node of type "pipeline"/);
    expect(compileSyncJsonata(later)).to.equal(undefined);
  });
});
