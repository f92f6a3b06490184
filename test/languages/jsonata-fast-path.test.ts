import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import jsonata from 'jsonata';
import { compileJsonata } from '../../src/languages/index.js';
import { BAIL, compileFastPath } from '../../src/languages/jsonata-fast-path.js';
import { ExpressionError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';

/**
 * The fast path must answer exactly as jsonata does whenever it answers at all. Generated expressions over
 * the subset (and a few outside it) are evaluated by both against generated documents, headers and
 * properties; the counts at the end make sure the fast path really answered a good share of them.
 */
const RUNS = Number(process.env.JSONATA_FAST_RUNS || 2000);

/** jsonata builds null-prototype objects, the fast path plain ones; both serialise alike. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) plain[key] = normalise(field);
    return plain;
  }
  return value;
}

type Outcome = { value: unknown } | { error: string };

async function byJsonata(text: string, input: unknown, exchange: Exchange): Promise<Outcome> {
  try {
    // A copy: jsonata deletes `@` from an input it takes for a tuple stream.
    const value: unknown = await jsonata(text).evaluate(structuredClone(input), {
      headers: exchange.message.headers,
      properties: exchange.properties,
      variables: exchange.variables,
      exchangeId: exchange.exchangeId,
      correlationId: exchange.correlationId,
    });
    return { value: normalise(value) };
  } catch (error) {
    // jsonata's own failures carry a code; a crash inside it (a TypeError) does not.
    return { error: (error as { code?: string }).code ?? 'no code' };
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
        fc.constantFrom('&', '+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'and', 'or'),
        tie('expr'),
      )
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, e]) => `(${c} ? ${t} : ${e})`),
    fc.tuple(tie('expr'), tie('expr')).map(([c, t]) => `(${c} ? ${t})`),
    tie('expr').map((e) => `-(${e})`),
    fc
      .tuple(
        fc.constantFrom('exists', 'string', 'number', 'uppercase', 'lowercase', 'boolean', 'not'),
        tie('expr'),
      )
      .map(([f, e]) => `$${f}(${e})`),
    fc
      .array(fc.tuple(fc.constantFrom('k', 'm', 'amount', 'ref'), tie('expr')), { maxLength: 3 })
      .map((pairs) => {
        const unique = new Map(pairs);
        return `{${[...unique].map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
      }),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a}; ${b})`),
    // Outside the subset: these must leave the whole expression to jsonata.
    fc.constantFrom(
      '(a[0])',
      '$sum(a)',
      '(a.b[])',
      '(*.a)',
      '(a.$uppercase(s))',
      '$count(a)',
      '$string(1)',
      '[a, b]',
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

describe('jsonata fast path', () => {
  const counts = { compiled: 0, answered: 0, declined: 0, notCompiled: 0 };

  it(`answers as jsonata does on ${RUNS} generated expressions and documents, or declines`, async () => {
    await forGenerated(RUNS, async (text, input, exchange) => {
      const fast = compileFastPath(jsonata(text).ast());
      if (!fast) {
        counts.notCompiled++;
        return;
      }
      counts.compiled++;
      let answer: unknown;
      try {
        answer = fast(input, exchange);
      } catch (error) {
        expect(error, `only BAIL may be thrown by ${text}`).to.equal(BAIL);
        counts.declined++;
        return;
      }
      counts.answered++;
      const expected = await byJsonata(text, input, exchange);
      expect(expected, `jsonata threw where the fast path answered: ${text}`).to.have.property('value');
      expect(normalise(answer), text).to.deep.equal((expected as { value: unknown }).value);
    });
    if (process.env.JSONATA_FAST_COUNTS) console.log(counts);
    // Not a vacuous pass: most generated expressions compile, and the fast path answers many inputs itself.
    expect(counts.compiled, JSON.stringify(counts)).to.be.greaterThan(RUNS / 2);
    expect(counts.answered, JSON.stringify(counts)).to.be.greaterThan(RUNS / 4);
    expect(counts.notCompiled, JSON.stringify(counts)).to.be.greaterThan(0);
    expect(counts.declined, JSON.stringify(counts)).to.be.greaterThan(0);
  });

  it('compileJsonata gives jsonata’s own result or error whether or not the fast path declines', async () => {
    await forGenerated(Math.ceil(RUNS / 3), async (text, input, exchange) => {
      const expected = await byJsonata(text, input, exchange);
      let actual: Outcome;
      try {
        actual = { value: normalise(await compileJsonata(text)(exchange, structuredClone(input))) };
      } catch (error) {
        expect(error).to.be.instanceOf(ExpressionError);
        actual = {
          error: ((error as ExpressionError).details?.['jsonataCode'] as string | undefined) ?? 'no code',
        };
      }
      if ('value' in expected) expect(actual, text).to.deep.equal({ value: expected.value ?? null });
      else expect(actual, text).to.deep.equal(expected);
    });
  });

  it('compiles the shipped payment mapping and answers a payment without jsonata', () => {
    const text = readFileSync(
      new URL('../../routes/mappings/payment-to-ledger.jsonata', import.meta.url),
      'utf8',
    );
    const fast = compileFastPath(jsonata(text).ast());
    expect(fast).to.be.a('function');
    const exchange = new Exchange({ body: null, properties: { receivedAt: '2026-11-24T10:00:00Z' } });
    const payment = {
      paymentId: 'p-1',
      instructedAmount: { amount: 12_000, currency: 'EUR' },
      debtor: { iban: 'DE89370400440532013000', name: 'Globex GmbH' },
      creditor: { iban: 'GB33BUKB20201555555555', name: 'Acme Ltd' },
      requestedAt: '2026-11-24T09:59:00Z',
    };
    expect(fast!(payment, exchange)).to.deep.equal({
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

  it('declines an array on a path, and compileJsonata then answers with jsonata’s sequence rules', async () => {
    const fast = compileFastPath(jsonata('{"holder": debtor.name}').ast())!;
    const exchange = new Exchange({ body: null });
    const input = { debtor: [{ name: 'A' }, { name: 'B' }] };
    expect(() => fast(input, exchange))
      .to.throw()
      .that.equals(BAIL);
    expect(normalise(await compileJsonata('{"holder": debtor.name}')(exchange, input))).to.deep.equal({
      holder: ['A', 'B'],
    });
  });

  it('declines documents carrying the fields jsonata reads to tell functions, wrappers and tuple streams', async () => {
    const cases: [string, unknown, Record<string, unknown>?][] = [
      ['$', { outerWrapper: true, a: 1 }],
      ['{"x": $.a}', { 0: { a: 'zero' }, outerWrapper: true, a: 1 }],
      ['$exists($)', { outerWrapper: true }],
      ['{"x": a}', { tupleStream: true, a: 1, '@': { a: 'other' } }],
      ['{"x": $headers}', { tupleStream: true, headers: 'from body' }, { h: 1 }],
      ['a', { _jsonata_function: true, a: 1 }],
      ['a.b', { a: { _jsonata_lambda: true, b: 1 } }],
      ['$headers.h', {}, { _jsonata_function: true, h: 'v' }],
    ];
    for (const [text, input, headers] of cases) {
      const exchange = new Exchange({ body: null, headers: headers ?? {} });
      expect(() => compileFastPath(jsonata(text).ast())!(input, exchange), text)
        .to.throw()
        .that.equals(BAIL);
      const expected = await byJsonata(text, input, exchange);
      const actual = normalise(await compileJsonata(text)(exchange, structuredClone(input)));
      expect({ value: actual }, text).to.deep.equal({
        value: (expected as { value: unknown }).value ?? null,
      });
    }
  });

  it('compiles every construct of the subset', () => {
    const subset = [
      'a.b.n',
      '$',
      '$$.a',
      '$properties.p',
      '$headers.h',
      '$exchangeId',
      '"x"',
      '1',
      'true',
      'null',
      '{"k": a, "m": {"n": b}}',
      '-n',
      'a & b',
      'n + 1',
      'n - 1',
      'n * 2',
      'n / 2',
      'n % 2',
      'a = b',
      'a != b',
      'n < 1',
      'n <= 1',
      'n > 1',
      'n >= 1',
      'a and b',
      'a or b',
      'a ? b : n',
      'a ? b',
      '(a; b)',
      '$exists(a)',
      '$string(a)',
      '$number(a)',
      '$uppercase(a)',
      '$lowercase(a)',
      '$boolean(a)',
      '$not(a)',
    ];
    for (const text of subset) expect(compileFastPath(jsonata(text).ast()), text).to.be.a('function');
  });

  it('leaves expressions with bindings, predicates, lambdas or unknown functions to jsonata', () => {
    for (const text of [
      '($x := 1; $x)',
      'a[b > 1]',
      'function($v){$v}',
      '$now()',
      '$sum(a)',
      'a{b: c}',
      'a^(b)',
      '{"a": 1, "a": 2}',
      '$exists()',
    ]) {
      expect(compileFastPath(jsonata(text).ast()), text).to.equal(undefined);
    }
  });
});
