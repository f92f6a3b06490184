/**
 * `npm run bench`: the router against its baselines, side by side in one run on one machine (see
 * bench/README.md for the method). Needs RABBITMQ_URL.
 *
 *   npm run bench                      S1–S4, 4 alternating rounds each (about 8 minutes on 2 cores)
 *   npm run bench -- --quick           one short round of each (about a minute)
 *   npm run bench -- --soak            also the soak: 1,000,000 messages through S2 (several minutes more)
 *   npm run bench -- --only S1,S2      some scenarios only (S1 S2 S3 S4 soak)
 *   npm run bench -- --cpu-prof        CPU profiles of router and baselines in bench/results/profiles/<run>/
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { BENCH_DIR, REPO_DIR, startWorker } from './lib/children.js';
import { brokerPid } from './lib/proc-stats.js';
import { table, writeJson, type ScenarioResult, type SoakResult } from './lib/report.js';
import { Sampler } from './lib/sampler.js';
import { FULL, QUICK, type BenchContext } from './scenarios/context.js';
import { runS1, runS1b } from './scenarios/s1-http.js';
import { runS2 } from './scenarios/s2-amqp.js';
import { runS3 } from './scenarios/s3-connector.js';
import { runS4 } from './scenarios/s4-flow.js';
import { runSoak } from './scenarios/soak.js';

const SCENARIOS: Record<string, (context: BenchContext) => Promise<ScenarioResult>> = { S1: runS1, S1b: runS1b, S2: runS2, S3: runS3, S4: runS4 };

const flags = new Command()
  .name('bench')
  .option('--quick', 'one short round per scenario (a smoke run of about a minute)')
  .option('--soak', 'also run the soak (1,000,000 messages through S2; 200,000 with --quick)')
  .option('--only <list>', 'comma-separated scenarios to run: S1,S1b,S2,S3,S4,soak')
  .option("--cpu-prof", "write CPU profiles (node --cpu-prof) of the router and baseline processes to bench/results/profiles/")
  .parse()
  .opts<{ quick?: boolean; soak?: boolean; only?: string; cpuProf?: boolean }>();

// An interrupted bench still ends its children (lib/children.ts kills them on exit).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const rabbitmqUrl = process.env.RABBITMQ_URL;
if (!rabbitmqUrl) {
  process.stderr.write('npm run bench needs RABBITMQ_URL (e.g. amqp://guest:guest@127.0.0.1:5672)\n');
  process.exit(2);
}

function rabbitmqVersion(): string {
  try {
    return execFileSync('rabbitmqctl', ['version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const selected = flags.only
  ? flags.only.split(',').map((name) => name.trim()).filter(Boolean)
  : [...Object.keys(SCENARIOS), ...(flags.soak ? ['soak'] : [])];
for (const name of selected) {
  if (!SCENARIOS[name] && name !== 'soak') {
    process.stderr.write(`unknown scenario ${name}; choose from ${Object.keys(SCENARIOS).join(', ')}, soak\n`);
    process.exit(2);
  }
}

const started = Date.now();
// The router runs compiled, as the Dockerfile starts it (`node dist/cli.js run`): build what is checked out.
process.stderr.write('building the router (npm run build) ...\n');
execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
const sampler = new Sampler();
const broker = brokerPid();
sampler.watch(broker);
const machine = {
  date: new Date().toISOString(),
  nproc: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  rabbitmq: rabbitmqVersion(),
  loadAverageAtStart: (await import('node:os')).loadavg().map((value) => Number(value.toFixed(2))),
};
const profileDir = flags.cpuProf ? path.join(BENCH_DIR, 'results', 'profiles', machine.date.replace(/[:.]/g, '-')) : undefined;
const log = (line: string): void => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
};
log(`bench ${flags.quick ? '--quick ' : ''}on ${machine.nproc} × ${machine.cpuModel}, node ${machine.node}, RabbitMQ ${machine.rabbitmq}; load average ${machine.loadAverageAtStart.join(' ')}`);
if (broker === undefined) log('no single beam.smp process found: broker CPU is not reported');

const amqp = await startWorker('amqp load', 'workers/amqp-load.ts', { RABBITMQ_URL: rabbitmqUrl });
const context: BenchContext = { rabbitmqUrl, sizes: flags.quick ? QUICK : FULL, profileDir, sampler, brokerPid: broker, amqp, log };
const results: ScenarioResult[] = [];
let soak: SoakResult | undefined;
let failed = false;
try {
  for (const name of selected) {
    if (name === 'soak') continue;
    log(`${name}: starting`);
    try {
      results.push(await SCENARIOS[name]!(context));
    } catch (error) {
      failed = true;
      const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      log(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      results.push({ id: name, title: name, skipped: `failed: ${reason}`, notes: [] });
    }
  }
  if (selected.includes('soak')) {
    log('soak: starting');
    try {
      soak = flags.quick ? await runSoak(context, 200_000, 20_000) : await runSoak(context, 1_000_000, 100_000);
    } catch (error) {
      failed = true;
      log(`soak failed: ${error instanceof Error ? error.stack : String(error)}`);
      soak = { skipped: `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, notes: [] };
    }
  } else {
    soak = { skipped: 'not asked for (run with --soak; it takes several minutes on its own)', notes: [] };
  }
} finally {
  sampler.stop();
  await amqp.stop();
}

const seconds = (Date.now() - started) / 1000;
const report = {
  machine: { ...machine, loadAverageAtEnd: (await import('node:os')).loadavg().map((value) => Number(value.toFixed(2))) },
  mode: flags.quick ? 'quick' : 'full',
  sizes: context.sizes,
  durationSeconds: Math.round(seconds),
  scenarios: results,
  soak,
  profiles: profileDir,
};
const file = writeJson(path.join(BENCH_DIR, 'results'), report);
process.stdout.write(`\n${table(results, soak)}\n\n`);
process.stdout.write(`${machine.nproc} × ${machine.cpuModel}, node ${machine.node}, RabbitMQ ${machine.rabbitmq}, ${machine.date}; ${Math.round(seconds)} s\n`);
process.stdout.write(`JSON: ${path.relative(process.cwd(), file)}${profileDir ? `\nCPU profiles: ${path.relative(process.cwd(), profileDir)}` : ''}\n`);
process.exit(failed ? 1 : 0);
