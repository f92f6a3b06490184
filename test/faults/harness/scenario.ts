/**
 * One fault scenario from start to finish: a router child process on routes of the scenario's own,
 * numbered load over HTTP, the fault, recovery, then drain and count at the far end (the test's own queue
 * or a partner) and on the dead-letter queue. The row is recorded, then asserted: nothing accepted lost,
 * every dead letter expected and for the expected reason, duplicates recognisable, no unexpected answer.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { awaitBroker } from './broker-faults.js';
import { amqpConnection, depths, QueueCounter, type Tally } from './downstream.js';
import { HttpLoad, pause } from './load.js';
import { Partner } from './partner.js';
import { recordRow, type FaultRow } from './results.js';
import { RouterProcess } from './router-process.js';

export interface Names {
  /** Short unique id of the scenario: part of every queue, exchange and flow name. */
  id: string;
  entry: string;
  out: string;
  work: string;
  flow: string;
}

export interface ScenarioContext {
  names: Names;
  router: RouterProcess;
  load: HttpLoad;
  partner?: Partner;
  amqp: Connection;
}

export interface ExpectedDeadLetter {
  /** `x-pipes-error-class` the dead letter must carry. */
  reason: string;
  /** What its `x-pipes-error-message` must say. */
  message: RegExp;
}

export interface Scenario {
  fault: string;
  /** The routes (YAML files by name, plus any scripts) for these names and partner URL. */
  files: (names: Names, partnerUrl: string | undefined) => Record<string, string>;
  /** Where load goes: a path of the router (default `/faults/in`). */
  entryPath?: (names: Names) => string;
  body?: (n: number) => unknown;
  /** Count at a partner (true) or at the test's queue on the `out` exchange (false). */
  partner?: boolean;
  /** The dead-letter queue to count (default `<work>.dlq`). */
  deadLetterQueue?: (names: Names) => string;
  /** Queues that must be empty before counting stops (default the work queue and its retry levels). */
  queues?: (names: Names) => string[];
  /** For each n: the dead letter it must become, or undefined when it must be delivered. */
  deadLetterFor?: (n: number) => ExpectedDeadLetter | undefined;
  routerEnv?: Record<string, string>;
  senders?: number;
  /** Accepted messages before the fault and after it. */
  warmUp?: number;
  afterwards?: number;
  /** Injects the fault; resolves with the time (ms epoch) the fault ended. */
  inject: (context: ScenarioContext) => Promise<number>;
  /** More checks on the finished scenario (recorded in the verdict when they fail). */
  check?: (context: ScenarioContext, row: FaultRow) => void;
  settleTimeoutMs?: number;
}

export function scenarioNames(slug: string): Names {
  const id = `${slug}-${randomUUID().slice(0, 6)}`;
  return { id, entry: `faults.${id}.in`, out: `faults.${id}.out`, work: `faults.${id}.work`, flow: `faults-${id}` };
}

/** The work queue and every queue the router derives from it. */
export function derivedQueues(queue: string, levels = 5): string[] {
  return [queue, `${queue}.dlq`, ...Array.from({ length: levels }, (_, i) => `${queue}.retry.${i + 1}`)];
}

export async function runScenario(slug: string, scenario: Scenario): Promise<FaultRow> {
  const names = scenarioNames(slug);
  const amqp = amqpConnection(`faults ${names.id}`);
  const partner = scenario.partner ? new Partner() : undefined;
  await partner?.start();
  const router = new RouterProcess(scenario.files(names, partner?.url), scenario.routerEnv);
  const entryPath = scenario.entryPath?.(names) ?? '/faults/in';
  const load = new HttpLoad({
    url: () => `${router.baseUrl}${entryPath}`,
    body: scenario.body ?? ((n) => ({ n })),
    keyPrefix: names.id,
    senders: scenario.senders ?? 4,
  });
  const context: ScenarioContext = { names, router, load, partner, amqp };
  const workQueues = scenario.queues?.(names) ?? derivedQueues(names.work);
  let downstream: QueueCounter | undefined;
  let deadLetters: QueueCounter | undefined;
  try {
    if (!partner) downstream = await QueueCounter.bound(amqp, names.out, 'out', `faults.${names.id}.watch`);
    await router.start();
    downstream?.start();
    deadLetters = new QueueCounter(amqp, scenario.deadLetterQueue?.(names) ?? `${names.work}.dlq`).start();

    load.start();
    await load.acceptMore(scenario.warmUp ?? 40, 'before the fault');
    const restoredAt = await scenario.inject(context);
    await load.acceptMore(scenario.afterwards ?? 40, 'after the fault', 120_000);
    await load.stop();

    const delivered: Tally = partner ? partner.tally : downstream!.tally;
    await settle(amqp, load, delivered, deadLetters.tally, workQueues, scenario.settleTimeoutMs ?? 90_000);

    const row = tallyRow(scenario, load, delivered, deadLetters.tally, restoredAt);
    const problems = findings(scenario, load, delivered, deadLetters, downstream, row);
    try {
      scenario.check?.(context, row);
    } catch (error) {
      problems.push((error as Error).message);
    }
    row.verdict = problems.length === 0 ? 'pass' : `FAIL: ${problems.join('; ')}`;
    recordRow(row);
    if (problems.length > 0) process.stdout.write(`\n--- router log (${scenario.fault}) ---\n${router.logTail()}\n`);
    expect(problems, `${scenario.fault}: ${load.summary()}`).to.deep.equal([]);
    expect(row.lost).to.equal(0);
    return row;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AssertionError')) {
      recordRow(failedRow(scenario.fault, load, (error as Error).message));
      process.stdout.write(`\n--- router log (${scenario.fault}) ---\n${router.logTail()}\n`);
    }
    throw error;
  } finally {
    await load.stop();
    await router.dispose();
    await downstream?.close();
    await deadLetters?.close();
    await partner?.stop();
    await amqp.close();
    const queues = [...workQueues, ...(scenario.deadLetterQueue ? [scenario.deadLetterQueue(names)] : []), ...(downstream ? [downstream.queue] : [])];
    await removeTopology([...new Set(queues)], [names.entry, names.out]);
  }
}

/** Deletes the scenario's queues and exchanges on a fresh connection, once the broker answers again. */
async function removeTopology(queues: string[], exchanges: string[]): Promise<void> {
  await awaitBroker();
  const cleaner = amqpConnection('faults clean-up');
  const failed: string[] = [];
  try {
    for (const queue of queues) await cleaner.queueDelete({ queue }).catch((error: Error) => failed.push(`${queue}: ${error.message}`));
    for (const exchange of exchanges)
      await cleaner.exchangeDelete({ exchange }).catch((error: Error) => failed.push(`${exchange}: ${error.message}`));
  } finally {
    await cleaner.close();
  }
  if (failed.length > 0) process.stdout.write(`      could not remove: ${failed.join('; ')}\n`);
}

/**
 * Waits until every accepted message has reached an end, then until the router's queues are empty and
 * nothing has arrived for a while (so late duplicates are counted too). Bounded: what has not arrived by
 * then is lost.
 */
export async function settle(
  amqp: Connection,
  load: { accepted: ReadonlyMap<number, number> },
  delivered: Tally,
  deadLetters: Tally,
  queues: string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ended = (): boolean => {
    const seen = new Set([...delivered.unique(), ...deadLetters.unique()]);
    return [...load.accepted.keys()].every((n) => seen.has(n));
  };
  while (!ended() && Date.now() < deadline) await pause(100);
  let lastCount = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const count = delivered.arrivals.length + deadLetters.arrivals.length;
    if (count !== lastCount) {
      lastCount = count;
      quietSince = Date.now();
    }
    const waiting = Object.values(await depths(amqp, queues)).reduce((a, b) => a + b, 0);
    if (waiting === 0 && Date.now() - quietSince > 2000) return;
    await pause(250);
  }
}

function tallyRow(scenario: Scenario, load: HttpLoad, delivered: Tally, deadLetters: Tally, restoredAt: number): FaultRow {
  const deliveredSet = delivered.unique();
  const deadSet = deadLetters.unique();
  const accepted = [...load.accepted.keys()];
  const reasons: Record<string, number> = {};
  for (const arrival of deadLetters.arrivals) reasons[arrival.reason ?? '(none)'] = (reasons[arrival.reason ?? '(none)'] ?? 0) + 1;
  const firstDelivery = new Map<number, number>();
  for (const { n, at } of delivered.arrivals) if (!firstDelivery.has(n) || at < firstDelivery.get(n)!) firstDelivery.set(n, at);
  const heldBack = [...load.accepted].filter(([n, at]) => at < restoredAt && (firstDelivery.get(n) ?? 0) >= restoredAt).length;
  const firstSuccess = scenario.partner ? delivered.firstAfter(restoredAt) : load.firstAcceptedAfter(restoredAt);
  return {
    fault: scenario.fault,
    accepted: accepted.length,
    refused: load.refused,
    noAnswer: load.connectionErrors,
    delivered: accepted.filter((n) => deliveredSet.has(n)).length,
    duplicates: delivered.duplicates + deadLetters.duplicates,
    heldBack,
    deadLettered: deadSet.size,
    deadLetterReasons: reasons,
    lost: accepted.filter((n) => !deliveredSet.has(n) && !deadSet.has(n)).length,
    recoverySeconds: firstSuccess === undefined ? null : Math.max(0, firstSuccess - restoredAt) / 1000,
    verdict: 'pass',
  };
}

function findings(
  scenario: Scenario,
  load: HttpLoad,
  delivered: Tally,
  deadLetters: QueueCounter,
  downstream: QueueCounter | undefined,
  row: FaultRow,
): string[] {
  const problems: string[] = [];
  const accepted = new Set(load.accepted.keys());
  if (row.lost > 0) {
    const deliveredSet = delivered.unique();
    const deadSet = deadLetters.tally.unique();
    const lost = [...accepted].filter((n) => !deliveredSet.has(n) && !deadSet.has(n));
    problems.push(`${row.lost} accepted message(s) lost: ${lost.slice(0, 20).join(', ')}`);
  }
  if (load.unexpected.length > 0) problems.push(`unexpected answers: ${load.unexpected.slice(0, 5).join(' | ')}`);
  if (row.recoverySeconds === null) problems.push('no success after the fault ended');
  const malformed = [...deadLetters.malformed, ...(downstream?.malformed ?? [])];
  if (malformed.length > 0) problems.push(`malformed arrivals: ${malformed.slice(0, 3).join(' | ')}`);
  for (const arrival of deadLetters.tally.arrivals) {
    const expected = scenario.deadLetterFor?.(arrival.n);
    if (!expected) {
      problems.push(`message ${arrival.n} dead-lettered unexpectedly: ${arrival.reason}: ${arrival.message}`);
    } else if (arrival.reason !== expected.reason || !expected.message.test(arrival.message ?? '')) {
      problems.push(`message ${arrival.n} dead-lettered for ${arrival.reason}: ${arrival.message} (expected ${expected.reason} ${expected.message})`);
    }
  }
  const deliveredSet = delivered.unique();
  const poisonDelivered = [...accepted].filter((n) => scenario.deadLetterFor?.(n) && deliveredSet.has(n));
  if (poisonDelivered.length > 0) problems.push(`messages that must be dead-lettered were delivered: ${poisonDelivered.slice(0, 10).join(', ')}`);
  const unabsorbable = [...delivered.unabsorbable(), ...deadLetters.tally.unabsorbable()];
  if (unabsorbable.length > 0) problems.push(`duplicates with another key than the first delivery: ${unabsorbable.slice(0, 10).join(', ')}`);
  const strangers = [...delivered.unique()].filter((n) => n >= load.sent);
  if (strangers.length > 0) problems.push(`deliveries of messages never sent: ${strangers.slice(0, 10).join(', ')}`);
  return problems.slice(0, 12);
}

function failedRow(fault: string, load: HttpLoad, message: string): FaultRow {
  return {
    fault,
    accepted: load.accepted.size,
    refused: load.refused,
    noAnswer: load.connectionErrors,
    delivered: 0,
    duplicates: 0,
    heldBack: 0,
    deadLettered: 0,
    deadLetterReasons: {},
    lost: 0,
    recoverySeconds: null,
    verdict: `FAIL (did not finish): ${message.split('\n')[0]!.slice(0, 200)}`,
  };
}
