import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import jsonata from 'jsonata';
import { compileJsonata } from '../../src/languages/index.js';
import { compileSyncJsonata } from '../../src/languages/jsonata-sync/index.js';
import { ExpressionError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';

/**
 * jsonata's official test suite (the cases of its v2.2.2 release, ../shared/jsonata-test-suite beside the
 * repository) on the synchronous evaluator and on compileJsonata. Every answer must equal the case's
 * expectation; a case that expects an error must end in an error with that code (the sync path may decline
 * an expression at compile time instead, never answer it with a value).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SUITE = resolve(ROOT, '../shared/jsonata-test-suite');

interface Case {
  name: string;
  expr: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  timelimit?: number;
  depth?: number;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  /** Some cases give the expected error as an object: its code (and message). */
  error?: { code: string };
}

function loadCases(): Case[] {
  if (!existsSync(SUITE)) throw new Error(`the JSONata test suite is missing: expected it at ${SUITE}`);
  const datasets = new Map<string, unknown>();
  const dataset = (name: string): unknown => {
    if (!datasets.has(name))
      datasets.set(name, JSON.parse(readFileSync(join(SUITE, 'datasets', `${name}.json`), 'utf8')));
    return datasets.get(name);
  };
  const cases: Case[] = [];
  for (const group of readdirSync(join(SUITE, 'groups')).sort()) {
    const folder = join(SUITE, 'groups', group);
    for (const file of readdirSync(folder).sort()) {
      if (!file.endsWith('.json')) continue;
      const read = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Case | Case[];
      const list = Array.isArray(read) ? read : [read];
      list.forEach((entry, index) => {
        const raw = entry as Case & { 'expr-file'?: string };
        const expr = raw['expr-file'] ? readFileSync(join(folder, raw['expr-file']), 'utf8') : raw.expr;
        const data =
          'data' in raw ? raw.data : typeof raw.dataset === 'string' ? dataset(raw.dataset) : undefined;
        const name = `${group}/${file}${list.length > 1 ? `[${index}]` : ''}`;
        cases.push({ ...raw, name, expr, data });
      });
    }
  }
  return cases;
}

/** Results are compared after a JSON round trip, as the suite's README says (jsonata's objects have no prototype). */
function roundTrip(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value) ?? 'null') as unknown);
}

type Outcome = { value: unknown } | { code: string };

function expected(testCase: Case): Outcome {
  if (testCase.code !== undefined) return { code: testCase.code };
  if (testCase.error !== undefined) return { code: testCase.error.code };
  if (testCase.undefinedResult) return { value: undefined };
  return { value: testCase.result };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : `no code: ${String((error as Error)?.message ?? error)}`;
}

/**
 * jsonata's own suite runner guards the cases with a `timelimit` and `depth` through the evaluator's entry and
 * exit callbacks, and fails them with its code U1001; the same guard here.
 */
function timebox(
  expression: { assign(name: symbol, value: unknown): void },
  timeout: number,
  maxDepth: number,
) {
  let depth = 0;
  const start = Date.now();
  const check = () => {
    if (depth > maxDepth) throw Object.assign(new Error('Stack overflow error'), { code: 'U1001' });
    if (Date.now() - start > timeout)
      throw Object.assign(new Error('Expression evaluation timeout'), { code: 'U1001' });
  };
  expression.assign(
    Symbol.for('jsonata.__evaluate_entry'),
    (_e: unknown, _i: unknown, env: { isParallelCall?: boolean }) => {
      if (env.isParallelCall) return;
      depth++;
      check();
    },
  );
  expression.assign(
    Symbol.for('jsonata.__evaluate_exit'),
    (_e: unknown, _i: unknown, env: { isParallelCall?: boolean }) => {
      if (env.isParallelCall) return;
      depth--;
      check();
    },
  );
}

describe('the JSONata test suite', function () {
  this.timeout(120_000);
  const cases = loadCases();
  /** Cases jsonata's parser accepts: the ones an evaluator is asked about. */
  const parseable = cases.filter((testCase) => {
    try {
      jsonata(testCase.expr);
      return true;
    } catch {
      return false;
    }
  });

  it('has its cases', () => {
    expect(parseable.length, 'parseable cases').to.be.greaterThan(1500);
  });

  it('the synchronous evaluator answers every case it compiles as the suite expects', () => {
    let answered = 0;
    let declined = 0;
    const disagreements: string[] = [];
    for (const testCase of parseable) {
      const evaluator = compileSyncJsonata(jsonata(testCase.expr).ast());
      if (!evaluator) {
        declined++;
        continue;
      }
      if (testCase.timelimit !== undefined && testCase.depth !== undefined)
        timebox(evaluator, testCase.timelimit, testCase.depth);
      let actual: Outcome;
      try {
        actual = { value: roundTrip(evaluator.evaluate(testCase.data, testCase.bindings)) };
      } catch (error) {
        actual = { code: codeOf(error) };
      }
      answered++;
      const want = expected(testCase);
      try {
        expect(actual).to.deep.equal(want);
      } catch {
        disagreements.push(
          `${testCase.name}: ${testCase.expr}\n    expected ${JSON.stringify(want)}\n    got ${JSON.stringify(actual)}`,
        );
      }
    }
    const share = ((100 * answered) / parseable.length).toFixed(1);
    console.log(
      `      sync path: answered ${answered} of ${parseable.length} parseable cases (${share} %), ` +
        `declined ${declined}, disagreements ${disagreements.length}`,
    );
    expect(disagreements, disagreements.join('\n')).to.have.length(0);
    expect(answered / parseable.length).to.be.at.least(0.7);
  });

  it('compileJsonata answers every case as the suite expects', async () => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const testCase of cases) {
      const want = expected(testCase);
      // U1001 is the suite runner's own guard against runaway recursion (see timebox), not jsonata's.
      if ('code' in want && want.code === 'U1001') continue;
      checked++;
      let actual: Outcome;
      try {
        const evaluate = compileJsonata(testCase.expr, 'suite case', { constants: testCase.bindings });
        const value = await evaluate(new Exchange({ body: null }), testCase.data);
        actual = { value: roundTrip(value) };
      } catch (error) {
        if (error instanceof ExpressionError) {
          const code = error.details?.['jsonataCode'];
          actual = { code: typeof code === 'string' ? code : `no code: ${error.message}` };
        } else {
          // A syntax error at compile time: jsonata's code in brackets.
          actual = { code: /\[([A-Z]\d{4})\]/.exec((error as Error).message)?.[1] ?? String(error) };
        }
      }
      // compileJsonata answers null for jsonata's undefined.
      const wanted = 'value' in want && want.value === undefined ? { value: null } : want;
      try {
        expect(actual).to.deep.equal(wanted);
      } catch {
        disagreements.push(
          `${testCase.name}: ${testCase.expr}\n    expected ${JSON.stringify(wanted)}\n    got ${JSON.stringify(actual)}`,
        );
      }
    }
    console.log(`      compileJsonata: ${checked} cases, disagreements ${disagreements.length}`);
    expect(disagreements, disagreements.join('\n')).to.have.length(0);
  });
});
