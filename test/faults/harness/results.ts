/**
 * The table of the fault suite: one row per fault, printed at the end of the run and written to
 * test/faults/results/latest.json (and latest.md, the same table for docs/guarantees.md). Rows are
 * recorded before a scenario's assertions run, so a failing scenario shows in the table too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface FaultRow {
  fault: string;
  /** Requests answered 202 (the broker confirmed). */
  accepted: number;
  /** Answers 503 + Retry-After while the fault lasted (the client retried them). */
  refused: number;
  /** Requests that got no answer (router down or cut); the client retried them. */
  noAnswer: number;
  /** Distinct accepted messages that reached the end (partner or downstream queue). */
  delivered: number;
  /** Deliveries beyond the first, all carrying the first one's message id / Idempotency-Key. */
  duplicates: number;
  deadLettered: number;
  /** Dead letters by `x-pipes-error-class`. */
  deadLetterReasons: Record<string, number>;
  /** Accepted before the fault ended but delivered only after: what the fault held back and the router caught up on. */
  heldBack: number;
  /** Accepted, and neither delivered nor dead-lettered. Must be 0. */
  lost: number;
  /** From the end of the fault to the first success after it (202 for router/broker faults, a delivery for partner faults). */
  recoverySeconds: number | null;
  /** 'pass', or what failed. */
  verdict: string;
}

const rows: FaultRow[] = [];

export function recordRow(row: FaultRow): void {
  const existing = rows.findIndex((r) => r.fault === row.fault);
  if (existing >= 0) rows[existing] = row;
  else rows.push(row);
}

export function recordedRows(): readonly FaultRow[] {
  return rows;
}

const RESULTS_DIR = path.join('test', 'faults', 'results');

function columns(row: FaultRow): string[] {
  const reasons = Object.entries(row.deadLetterReasons)
    .map(([reason, count]) => `${count}× ${reason.split('.').pop()}`)
    .join(', ');
  return [
    row.fault,
    String(row.accepted),
    String(row.refused),
    String(row.noAnswer),
    String(row.delivered),
    String(row.duplicates),
    String(row.heldBack),
    row.deadLettered === 0 ? '0' : `${row.deadLettered} (${reasons})`,
    String(row.lost),
    row.recoverySeconds === null ? '-' : row.recoverySeconds.toFixed(1),
    row.verdict,
  ];
}

const HEADERS = ['fault', 'accepted', '503', 'no answer', 'delivered', 'duplicates', 'held back', 'dead-lettered', 'lost', 'recovery s', 'verdict'];

export function markdownTable(table: readonly FaultRow[]): string {
  const lines = [`| ${HEADERS.join(' | ')} |`, `| ${HEADERS.map(() => '---').join(' | ')} |`];
  for (const row of table) lines.push(`| ${columns(row).join(' | ')} |`);
  return lines.join('\n');
}

function textTable(table: readonly FaultRow[]): string {
  const cells = [HEADERS, ...table.map(columns)];
  const widths = HEADERS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
}

function quietly(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Prints the table and writes latest.json and latest.md (only when at least one scenario ran). */
export function writeResults(): void {
  if (rows.length === 0) return;
  const run = {
    finishedAt: new Date().toISOString(),
    node: process.version,
    rabbitmq: quietly(process.env.RABBITMQCTL || 'rabbitmqctl', ['version']),
    commit: quietly('git', ['rev-parse', '--short', 'HEAD']),
    workingTreeChanged: (quietly('git', ['status', '--porcelain']) ?? '') !== '',
    rows,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(run, null, 2) + '\n');
  writeFileSync(
    path.join(RESULTS_DIR, 'latest.md'),
    `Fault suite, ${run.finishedAt}, RabbitMQ ${run.rabbitmq ?? '?'}, Node ${run.node}, commit ${run.commit ?? '?'}${run.workingTreeChanged ? ' + local changes' : ''}\n\n${markdownTable(rows)}\n`,
  );
  process.stdout.write(`\nFault suite results (${RESULTS_DIR}/latest.json):\n${textTable(rows)}\n\n`);
}
