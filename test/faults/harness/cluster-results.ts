/**
 * The table of the cluster fault suite: one row per scenario, printed at the end and written to
 * test/faults/results/cluster.json and cluster.md (the table docs/guarantees.md shows). Rows are recorded
 * before a scenario's assertions run, so a failing scenario shows in the table too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ClusterRow {
  fault: string;
  /** HTTP requests answered 202 (the quorum confirmed the publish). */
  acceptedHttp: number;
  /** AMQP publishes the broker confirmed. */
  acceptedAmqp: number;
  /** 503s, unanswered requests and unconfirmed publishes the clients sent again (same key). */
  retried: number;
  /** Times a router lost its broker connection and connected again (to the next node), from their logs. */
  routerReconnects: number;
  /** Distinct accepted messages that reached the far end. */
  delivered: number;
  /** Deliveries beyond the first. */
  duplicates: number;
  /** Duplicates carrying the first delivery's message-id: an idempotent receiver drops them. */
  absorbed: number;
  deadLettered: number;
  /** Accepted and neither delivered nor dead-lettered. Must be 0. */
  lost: number;
  /** From the disruption to the first far-end delivery of a message accepted after it began. */
  recoverySeconds: number | null;
  /** Longest time without any acceptance while the load ran. */
  longestStallSeconds: number;
  durationSeconds: number;
  verdict: string;
}

const rows: ClusterRow[] = [];

export function recordClusterRow(row: ClusterRow): void {
  const existing = rows.findIndex((r) => r.fault === row.fault);
  if (existing >= 0) rows[existing] = row;
  else rows.push(row);
}

const HEADERS = [
  'scenario',
  'accepted (HTTP + AMQP)',
  'retried',
  'router reconnects',
  'delivered',
  'duplicates (absorbed)',
  'dead-lettered',
  'lost',
  'recovery s',
  'longest stall s',
  'verdict',
];

function columns(row: ClusterRow): string[] {
  return [
    row.fault,
    `${row.acceptedHttp + row.acceptedAmqp} (${row.acceptedHttp} + ${row.acceptedAmqp})`,
    String(row.retried),
    String(row.routerReconnects),
    String(row.delivered),
    `${row.duplicates} (${row.absorbed})`,
    String(row.deadLettered),
    String(row.lost),
    row.recoverySeconds === null ? '-' : row.recoverySeconds.toFixed(1),
    row.longestStallSeconds.toFixed(1),
    row.verdict,
  ];
}

export function clusterMarkdownTable(table: readonly ClusterRow[]): string {
  const lines = [`| ${HEADERS.join(' | ')} |`, `| ${HEADERS.map(() => '---').join(' | ')} |`];
  for (const row of table) lines.push(`| ${columns(row).join(' | ')} |`);
  return lines.join('\n');
}

function quietly(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Prints the table and writes cluster.json and cluster.md (only when a scenario ran). */
export function writeClusterResults(setup: { rabbitmq?: string; machine?: string } & Record<string, unknown>): void {
  if (rows.length === 0) return;
  const run = {
    finishedAt: new Date().toISOString(),
    node: process.version,
    commit: quietly('git', ['rev-parse', '--short', 'HEAD']),
    workingTreeChanged: (quietly('git', ['status', '--porcelain']) ?? '') !== '',
    ...setup,
    rows,
  };
  const dir = path.join('test', 'faults', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'cluster.json'), JSON.stringify(run, null, 2) + '\n');
  writeFileSync(
    path.join(dir, 'cluster.md'),
    `Cluster fault suite, ${run.finishedAt}, ${setup.rabbitmq ?? 'RabbitMQ ?'}, ${setup.machine ?? ''}, Node ${run.node}, ` +
      `commit ${run.commit ?? '?'}${run.workingTreeChanged ? ' + local changes' : ''}\n\n${clusterMarkdownTable(rows)}\n`,
  );
  const cells = [HEADERS, ...rows.map(columns)];
  const widths = HEADERS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const text = cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
  process.stdout.write(`\nCluster fault suite results (${dir}/cluster.json):\n${text}\n\n`);
}
