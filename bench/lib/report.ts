/** The figures of a bench run: per scenario and side, medians over rounds, as a table and as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { median, max } from './stats.js';

/** Throughput and latency of one load level. Latency in milliseconds. */
export interface LoadFigures {
  rate?: number;
  p50?: number;
  p99?: number;
  max?: number;
  /** Why a figure is missing or what it means. */
  note?: string;
}

/** One side (router or baseline) in one round. */
export interface SideRound {
  full: LoadFigures;
  half: LoadFigures;
  /**
   * S1/S1b: latency at the same offered rate for both sides, the lower of the two half-load rates of the
   * round (the slower side's own half load; the faster side is run once more at that rate). Each side's own
   * half load differs in rate when their throughputs differ, and the broker's confirm latency grows with
   * the rate (see the broker floor), so only this row compares what each side adds at one load.
   */
  sameRate?: LoadFigures;
  /** CPU seconds per 1,000 messages of the process under test, at full load. */
  cpuPer1k?: number;
  /** CPU seconds per 1,000 messages of the broker (beam.smp), at full load. */
  brokerCpuPer1k?: number;
  peakRssMiB?: number;
}

export interface SideSummary extends SideRound {
  rounds: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  skipped?: string;
  router?: SideSummary;
  baseline?: SideSummary;
  baselineName?: string;
  /** Median over rounds of router msg/s ÷ baseline msg/s, each pair measured back to back. */
  ratio?: number;
  ratios?: number[];
  targets?: string[];
  met?: boolean;
  /**
   * The baseline again with a technique of the router's own transport switched on (S2, S3: its one write
   * per event-loop turn), at full load only: how much of the ratio is the technique and how much is the
   * router's own work. No target; the ratio above stays the verdict.
   */
  reference?: { name: string; side?: SideSummary; ratio?: number; ratios: number[] };
  notes: string[];
  raw?: {
    router: SideRound[];
    baseline: SideRound[];
    reference?: SideRound[];
    brokerFloor?: { p50: number; p99: number; max: number };
  };
}

export interface SoakPoint {
  messages: number;
  rssMiB: number;
  heapUsedMiB?: number;
  heapTotalMiB?: number;
  externalMiB?: number;
}

export interface SoakResult {
  skipped?: string;
  messages?: number;
  rssAt100kMiB?: number;
  rssAtEndMiB?: number;
  growthPercent?: number;
  series?: SoakPoint[];
  rate?: number;
  met?: boolean;
  notes: string[];
}

export function summarise(rounds: SideRound[]): SideSummary | undefined {
  if (rounds.length === 0) return undefined;
  const load = (pick: (round: SideRound) => LoadFigures): LoadFigures => ({
    rate: median(rounds.map((round) => pick(round).rate)),
    p50: median(rounds.map((round) => pick(round).p50)),
    p99: median(rounds.map((round) => pick(round).p99)),
    max: median(rounds.map((round) => pick(round).max)),
    note: rounds.map((round) => pick(round).note).find(Boolean),
  });
  return {
    rounds: rounds.length,
    full: load((round) => round.full),
    half: load((round) => round.half),
    ...(rounds.some((round) => round.sameRate) ? { sameRate: load((round) => round.sameRate ?? {}) } : {}),
    cpuPer1k: median(rounds.map((round) => round.cpuPer1k)),
    brokerCpuPer1k: median(rounds.map((round) => round.brokerCpuPer1k)),
    peakRssMiB: max(rounds.map((round) => round.peakRssMiB)),
  };
}

/** Router ÷ baseline throughput per round (pairs measured back to back), and their median. */
export function ratios(router: SideRound[], baseline: SideRound[]): { ratio?: number; ratios: number[] } {
  const each: number[] = [];
  for (let i = 0; i < Math.min(router.length, baseline.length); i += 1) {
    const a = router[i]!.full.rate;
    const b = baseline[i]!.full.rate;
    if (a !== undefined && b) each.push(a / b);
  }
  return { ratio: median(each), ratios: each };
}

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
const latency = (load: LoadFigures): string =>
  load.p50 === undefined ? 'n/a' : `${fmt(load.p50, 1)} / ${fmt(load.p99, 1)} / ${fmt(load.max, 0)}`;

export function table(scenarios: ScenarioResult[], soak: SoakResult | undefined): string {
  const header = [
    'scenario',
    'side',
    'msg/s',
    'full p50/p99/max ms',
    'half msg/s',
    'half p50/p99/max ms',
    'CPU s/1k',
    'broker CPU s/1k',
    'peak RSS MiB',
    'router/baseline',
  ];
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    if (scenario.skipped) {
      rows.push([scenario.id, `skipped: ${scenario.skipped}`, '', '', '', '', '', '', '', '']);
      continue;
    }
    const sides: [string, SideSummary | undefined][] = [
      ['router', scenario.router],
      [scenario.baselineName ?? 'baseline', scenario.baseline],
    ];
    if (scenario.reference) sides.push([scenario.reference.name, scenario.reference.side]);
    sides.forEach(([name, side], index) => {
      if (!side) return;
      const ratioCell =
        index === 0
          ? scenario.ratio === undefined
            ? 'n/a'
            : `${scenario.ratio.toFixed(2)}${scenario.met === undefined ? '' : scenario.met ? ' (met)' : ' (missed)'}`
          : index === 2 && scenario.reference?.ratio !== undefined
            ? `router/this ${scenario.reference.ratio.toFixed(2)}`
            : '';
      rows.push([
        index === 0 ? scenario.id : '',
        name,
        fmt(side.full.rate),
        latency(side.full),
        fmt(side.half.rate),
        latency(side.half),
        fmt(side.cpuPer1k, 3),
        fmt(side.brokerCpuPer1k, 3),
        fmt(side.peakRssMiB),
        ratioCell,
      ]);
    });
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  const out = [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ];
  for (const scenario of scenarios) for (const note of scenario.notes) out.push(`${scenario.id}: ${note}`);
  if (soak) {
    out.push(
      soak.skipped
        ? `Soak: skipped: ${soak.skipped}`
        : `Soak: ${soak.messages} messages through S2 at ${fmt(soak.rate)} msg/s; router RSS ${fmt(soak.rssAt100kMiB, 1)} MiB after 100,000, ` +
            `${fmt(soak.rssAtEndMiB, 1)} MiB at the end (${soak.growthPercent !== undefined && soak.growthPercent >= 0 ? '+' : ''}${fmt(soak.growthPercent, 1)} %)` +
            `${soak.met === undefined ? '' : soak.met ? ' (met: within 10 %)' : ' (missed: over 10 %)'}`,
    );
    for (const note of soak.notes) out.push(`Soak: ${note}`);
  }
  return out.join('\n');
}

export function writeJson(dir: string, report: unknown): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `bench-${stamp}.json`);
  const text = JSON.stringify(report, null, 2) + '\n';
  writeFileSync(file, text);
  writeFileSync(path.join(dir, 'latest.json'), text);
  return file;
}
