/**
 * One cluster fault scenario: two router processes on the three-node cluster (each given every node, in
 * another order, so they start on different nodes), numbered load from HTTP callers (spread over both
 * routers, as a load balancer would) and from an AMQP publisher, the fault, more load, then drain and
 * count at the far end (the test's own quorum queue on the output exchange) and on the dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Connection } from 'rabbitmq-client';
import { AmqpLoad } from './amqp-load.js';
import { QueueCounter, type Tally } from './downstream.js';
import { HttpLoad } from './load.js';
import type { LocalCluster } from './local-cluster.js';
import { RouterProcess } from './router-process.js';
import { pipelineRoutes } from './routes.js';
import { derivedQueues, settle, type Names } from './scenario.js';
import { recordClusterRow, type ClusterRow } from './cluster-results.js';

export interface ClusterContext {
  names: Names;
  cluster: LocalCluster;
  routers: RouterProcess[];
  http: HttpLoad;
  amqp: AmqpLoad;
}

export interface ClusterScenario {
  fault: string;
  /** Injects the fault; resolves with the time (ms epoch) the disruption began that recovery is measured from. */
  inject: (context: ClusterContext) => Promise<number>;
  warmUp?: number;
  afterwards?: number;
}

const AMQP_FIRST_NUMBER = 1_000_000;

/** A connection of the test's own that knows every node. */
export function clusterConnection(cluster: LocalCluster, name: string): Connection {
  const urls = cluster.urls();
  const connection = new Connection({
    url: urls[0]!,
    hosts: urls.map((url) => new URL(url).host),
    connectionName: name,
    retryLow: 200,
    retryHigh: 1000,
    acquireTimeout: 5000,
  });
  connection.on('error', () => undefined);
  return connection;
}

export async function runClusterScenario(cluster: LocalCluster, slug: string, scenario: ClusterScenario): Promise<ClusterRow> {
  const id = `${slug}-${randomUUID().slice(0, 6)}`;
  const names: Names = { id, entry: `faults.${id}.in`, out: `faults.${id}.out`, work: `faults.${id}.work`, flow: `faults-${id}` };
  const connection = clusterConnection(cluster, `faults ${id}`);
  const routers = [0, 1].map(
    (i) =>
      new RouterProcess(pipelineRoutes(names), {
        RABBITMQ_URL: cluster.urls(i).join(','),
        RABBITMQ_URLS: '',
        RABBITMQ_QUORUM_GROUP_SIZE: '3',
        LOG_LEVEL: 'warn',
      }),
  );
  let turn = 0;
  const http = new HttpLoad({
    // Round robin over both routers, as a load balancer in front of them would.
    url: () => `${routers[turn++ % routers.length]!.baseUrl}/faults/in`,
    body: (n) => ({ n }),
    keyPrefix: names.id,
    senders: 4,
  });
  const amqp = new AmqpLoad({
    urls: cluster.urls(2),
    exchange: names.entry,
    routingKey: 'in',
    keyPrefix: `${names.id}-amqp`,
    firstNumber: AMQP_FIRST_NUMBER,
    senders: 2,
  });
  const context: ClusterContext = { names, cluster, routers, http, amqp };
  const workQueues = derivedQueues(names.work);
  const watch = `faults.${id}.watch`;
  let downstream: QueueCounter | undefined;
  let deadLetters: QueueCounter | undefined;
  const startedAt = Date.now();
  try {
    await connection.exchangeDeclare({ exchange: names.out, type: 'direct', durable: true });
    await connection.queueDeclare({
      queue: watch,
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3 },
    });
    await connection.queueBind({ exchange: names.out, queue: watch, routingKey: 'out' });
    downstream = new QueueCounter(connection, watch);
    for (const router of routers) await router.start(120_000);
    downstream.start();
    deadLetters = new QueueCounter(connection, `${names.work}.dlq`).start();

    http.start();
    amqp.start();
    await acceptMore(context, scenario.warmUp ?? 60, 'before the fault', 120_000);
    const faultAt = await scenario.inject(context);
    await acceptMore(context, scenario.afterwards ?? 60, 'after the fault', 180_000);
    await http.stop();
    await amqp.stop();

    const accepted = new Map([...http.accepted, ...amqp.accepted]);
    await settle(connection, { accepted }, downstream.tally, deadLetters.tally, workQueues, 120_000);

    const row = tallyRow(scenario.fault, http, amqp, downstream.tally, deadLetters.tally, faultAt, startedAt);
    row.routerReconnects = routers.reduce((sum, router) => sum + reconnectsIn(router), 0);
    const problems = findings(accepted, http, amqp, downstream, deadLetters, row);
    // The fault must have reached a router (its connection was on the node), or it proved nothing about failover.
    if (row.routerReconnects === 0) problems.push('no router lost its connection: the fault did not reach a router');
    row.verdict = problems.length === 0 ? 'pass' : `FAIL: ${problems.join('; ')}`;
    recordClusterRow(row);
    if (problems.length > 0) printLogs(scenario.fault, routers);
    expect(problems, `${scenario.fault}: ${http.summary()}; ${amqp.summary()}`).to.deep.equal([]);
    expect(row.lost).to.equal(0);
    return row;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AssertionError')) {
      recordClusterRow({
        ...tallyRow(scenario.fault, http, amqp, downstream?.tally, deadLetters?.tally, Date.now(), startedAt),
        verdict: `FAIL (did not finish): ${(error as Error).message.split('\n')[0]!.slice(0, 200)}`,
      });
      printLogs(scenario.fault, routers);
    }
    throw error;
  } finally {
    await http.stop();
    await amqp.close();
    for (const router of routers) await router.dispose();
    await downstream?.close();
    await deadLetters?.close();
    for (const queue of [...workQueues, watch]) await connection.queueDelete({ queue }).catch(() => undefined);
    for (const exchange of [names.entry, names.out]) await connection.exchangeDelete({ exchange }).catch(() => undefined);
    await connection.close();
  }
}

async function acceptMore({ http, amqp }: ClusterContext, count: number, what: string, timeoutMs: number): Promise<void> {
  const target = http.accepted.size + amqp.accepted.size + count;
  const deadline = Date.now() + timeoutMs;
  while (http.accepted.size + amqp.accepted.size < target) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} accepted messages (${what}); ${http.summary()}; ${amqp.summary()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The transport logs each lost connection once ('RabbitMQ connection lost; reconnecting'). */
function reconnectsIn(router: RouterProcess): number {
  return router.logTail(1_000_000).split('\n').filter((line) => line.includes('RabbitMQ connection lost')).length;
}

function printLogs(fault: string, routers: RouterProcess[]): void {
  routers.forEach((router, i) => process.stdout.write(`\n--- router ${i + 1} log (${fault}) ---\n${router.logTail()}\n`));
}

function tallyRow(
  fault: string,
  http: HttpLoad,
  amqp: AmqpLoad,
  delivered: Tally | undefined,
  deadLetters: Tally | undefined,
  faultAt: number,
  startedAt: number,
): ClusterRow {
  const accepted = new Map([...http.accepted, ...amqp.accepted]);
  const deliveredSet = delivered?.unique() ?? new Set<number>();
  const deadSet = deadLetters?.unique() ?? new Set<number>();
  const duplicates = (delivered?.duplicates ?? 0) + (deadLetters?.duplicates ?? 0);
  const unabsorbable = (delivered?.unabsorbable().length ?? 0) + (deadLetters?.unabsorbable().length ?? 0);
  // Recovery: from the disruption to the first far-end delivery of a message accepted after it began.
  let firstFresh: number | undefined;
  for (const { n, at } of delivered?.arrivals ?? []) {
    const acceptedAt = accepted.get(n);
    if (acceptedAt !== undefined && acceptedAt >= faultAt && (firstFresh === undefined || at < firstFresh)) firstFresh = at;
  }
  // The longest time nobody got an acceptance (HTTP 202 or AMQP confirm) while the load ran.
  const times = [...accepted.values()].sort((a, b) => a - b);
  let stall = 0;
  for (let i = 1; i < times.length; i++) stall = Math.max(stall, times[i]! - times[i - 1]!);
  return {
    fault,
    acceptedHttp: http.accepted.size,
    acceptedAmqp: amqp.accepted.size,
    retried: http.refused + http.connectionErrors + amqp.failedAttempts,
    routerReconnects: 0,
    delivered: [...accepted.keys()].filter((n) => deliveredSet.has(n)).length,
    duplicates,
    absorbed: duplicates - unabsorbable,
    deadLettered: deadSet.size,
    lost: [...accepted.keys()].filter((n) => !deliveredSet.has(n) && !deadSet.has(n)).length,
    recoverySeconds: firstFresh === undefined ? null : Math.max(0, firstFresh - faultAt) / 1000,
    longestStallSeconds: stall / 1000,
    durationSeconds: (Date.now() - startedAt) / 1000,
    verdict: 'pass',
  };
}

function findings(
  accepted: Map<number, number>,
  http: HttpLoad,
  amqp: AmqpLoad,
  downstream: QueueCounter,
  deadLetters: QueueCounter,
  row: ClusterRow,
): string[] {
  const problems: string[] = [];
  if (row.lost > 0) {
    const seen = new Set([...downstream.tally.unique(), ...deadLetters.tally.unique()]);
    const lost = [...accepted.keys()].filter((n) => !seen.has(n));
    problems.push(`${row.lost} accepted message(s) lost: ${lost.slice(0, 20).join(', ')}`);
  }
  if (row.deadLettered > 0) {
    const first = deadLetters.tally.arrivals[0];
    problems.push(`${row.deadLettered} dead-lettered (none expected), e.g. ${first?.n}: ${first?.reason}: ${first?.message}`);
  }
  if (http.unexpected.length > 0) problems.push(`unexpected answers: ${http.unexpected.slice(0, 5).join(' | ')}`);
  if (row.recoverySeconds === null) problems.push('no delivery of a message accepted after the fault');
  const malformed = [...deadLetters.malformed, ...downstream.malformed];
  if (malformed.length > 0) problems.push(`malformed arrivals: ${malformed.slice(0, 3).join(' | ')}`);
  if (row.absorbed !== row.duplicates) {
    const bad = [...downstream.tally.unabsorbable(), ...deadLetters.tally.unabsorbable()];
    problems.push(`duplicates with another message-id than the first delivery: ${bad.slice(0, 10).join(', ')}`);
  }
  const strangers = [...downstream.tally.unique()].filter((n) => (n >= http.sent && n < amqp.firstNumber) || n >= amqp.sent);
  if (strangers.length > 0) problems.push(`deliveries of messages never sent: ${strangers.slice(0, 10).join(', ')}`);
  return problems.slice(0, 12);
}
