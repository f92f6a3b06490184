/**
 * The bench's arithmetic and report: medians, percentiles, per-round ratios, the order of sides in a round,
 * and the table with its reference rows. The figures themselves come from `npm run bench`; these are the
 * parts that turn measurements into the verdicts bench/README.md quotes.
 */
import { expect } from 'chai';
import { ratios, summarise, table, type ScenarioResult, type SideRound } from '../../bench/lib/report.js';
import { LatencyRecorder, max, median } from '../../bench/lib/stats.js';
import { roundOrder } from '../../bench/scenarios/context.js';
import { drainResult } from '../../bench/scenarios/drain.js';

const round = (rate: number | undefined, cpuPer1k?: number): SideRound => ({
  full: { rate },
  half: { rate: rate === undefined ? undefined : rate / 2, p50: 1, p99: 2, max: 3 },
  cpuPer1k,
  peakRssMiB: rate === undefined ? undefined : rate / 10,
});

describe('bench report', function () {
  it('takes medians and maxima over what was measured, leaving out missing figures', function () {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([undefined, 5, null, Number.NaN])).to.equal(5);
    expect(median([])).to.equal(undefined);
    expect(max([1, undefined, 7, 3])).to.equal(7);
    expect(max([undefined])).to.equal(undefined);
  });

  it('reads percentiles from the recorded latencies (nearest rank)', function () {
    const recorder = new LatencyRecorder();
    for (let ms = 100; ms >= 1; ms--) recorder.record(ms);
    expect(recorder.summary()).to.deep.equal({ p50: 50, p99: 99, max: 100 });
    expect(recorder.size).to.equal(100);
    recorder.reset();
    expect(recorder.summary()).to.equal(undefined);
  });

  it('keeps a bounded sample past its capacity, and the true maximum', function () {
    const recorder = new LatencyRecorder(1000);
    for (let i = 0; i < 50_000; i++) recorder.record(i % 10);
    recorder.record(500);
    const summary = recorder.summary()!;
    expect(summary.max).to.equal(500);
    expect(summary.p50).to.be.within(3, 6);
    expect(recorder.size).to.equal(50_001);
  });

  it('pairs router and baseline round by round and takes the median of the ratios', function () {
    const router = [round(900), round(800), round(undefined), round(1200)];
    const baseline = [round(1000), round(1000), round(1000), round(1000)];
    const result = ratios(router, baseline);
    // The round without a router figure is left out, not counted as 0.
    expect(result.ratios).to.deep.equal([0.9, 0.8, 1.2]);
    expect(result.ratio).to.equal(0.9);
  });

  it('summarises rounds as medians, peak RSS as the maximum', function () {
    const summary = summarise([round(100, 0.3), round(300, 0.1), round(200, 0.2)])!;
    expect(summary.rounds).to.equal(3);
    expect(summary.full.rate).to.equal(200);
    expect(summary.half.rate).to.equal(100);
    expect(summary.cpuPer1k).to.equal(0.2);
    expect(summary.peakRssMiB).to.equal(30);
    expect(summarise([])).to.equal(undefined);
  });

  it('alternates router and baseline, with the reference between them', function () {
    expect(roundOrder(0, ['A', 'B'])).to.deep.equal(['A', 'B']);
    expect(roundOrder(1, ['A', 'B'])).to.deep.equal(['B', 'A']);
    expect(roundOrder(0, ['A', 'B'], 'R')).to.deep.equal(['A', 'R', 'B']);
    expect(roundOrder(1, ['A', 'B'], 'R')).to.deep.equal(['B', 'R', 'A']);
    expect(roundOrder(2, ['A', 'B'], 'R')).to.deep.equal(['A', 'R', 'B']);
  });

  it('prints the verdict on the router row and the reference ratio on the reference row', function () {
    const router = [round(800, 0.26), round(820, 0.27)];
    const baseline = [round(1000, 0.18), round(1000, 0.18)];
    const reference = [round(1100, 0.17), round(1200, 0.16)];
    const { ratio, ratios: each } = ratios(router, baseline);
    const scenario: ScenarioResult = {
      id: 'S3',
      title: 'connector',
      router: summarise(router),
      baseline: summarise(baseline),
      baselineName: 'consume → POST',
      ratio,
      ratios: each,
      met: ratio! >= 0.8,
      reference: {
        name: 'consume → POST, writes coalesced',
        side: summarise(reference),
        ...ratios(router, reference),
      },
      notes: ['a note'],
    };
    const lines = table(
      [scenario, { id: 'S4', title: 'flow', skipped: 'failed: no broker', notes: [] }],
      undefined,
    ).split('\n');
    // Cells of the row whose side column reads `side`.
    const row = (side: string): string[] =>
      lines.map((line) => line.split('|').map((cell) => cell.trim())).find((cells) => cells[2] === side)!;
    expect(row('router')[1]).to.equal('S3');
    expect(row('router')).to.include('0.81 (met)');
    expect(row('consume → POST, writes coalesced')).to.include('router/this 0.71');
    expect(row('consume → POST').at(-2)).to.equal('');
    expect(lines.some((line) => line.includes('skipped: failed: no broker'))).to.equal(true);
    expect(lines).to.include('S3: a note');
  });

  it('judges an AMQP scenario against the plain pump and against the coalescing pump, and needs both', function () {
    const judge = (routerRate: number) =>
      drainResult(
        {
          router: [round(routerRate), round(routerRate)],
          baseline: [round(1000), round(1000)],
          reference: [round(1200), round(1200)],
        },
        [],
        { id: 'S2', title: 'hop', baselineName: 'bare pump', referenceName: 'coalescing pump', atLeast: 0.8, referenceAtLeast: 0.9 },
      );
    // 0.95 of the plain pump but 0.79 of the coalescing one: missed.
    expect(judge(950)).to.include({ met: false });
    expect(judge(950).targets).to.deep.equal(['router/baseline ≥ 0.8', 'router/coalescing pump ≥ 0.9']);
    expect(judge(1100)).to.include({ met: true });
    expect(judge(1100).reference?.ratio).to.be.closeTo(0.917, 0.001);
  });
});
