/**
 * Cluster faults under load: a three-node RabbitMQ cluster on this machine (harness/local-cluster.ts, the
 * installed rabbitmq-server; the machine's broker on 5672 is not touched), two routers given every node,
 * quorum queues of three replicas. The node holding the work queue's leader is killed with SIGKILL,
 * stopped gracefully, or cut off from the others; all three are restarted one by one as in a rolling
 * upgrade; two are stopped at once (no majority: callers must be refused, nothing accepted). Every accepted message (202 or confirm) must come out the far end; duplicates must carry the
 * first copy's message-id.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runClusterScenario, type ClusterContext } from './harness/cluster-scenario.js';
import { writeClusterResults } from './harness/cluster-results.js';
import { LocalCluster, rabbitmqServerInstalled } from './harness/local-cluster.js';
import { pause } from './harness/load.js';

/** Waits until `count` more messages were accepted over both paths together. */
async function acceptedMore({ http, amqp }: ClusterContext, count: number, what: string): Promise<void> {
  const target = http.accepted.size + amqp.accepted.size + count;
  const deadline = Date.now() + 120_000;
  while (http.accepted.size + amqp.accepted.size < target) {
    if (Date.now() > deadline) throw new Error(`no ${count} acceptances ${what}: ${http.summary()}; ${amqp.summary()}`);
    await pause(25);
  }
}

describe('faults: the RabbitMQ cluster (three local nodes)', function () {
  this.timeout(600_000);
  let cluster: LocalCluster | undefined;
  let bootSeconds = 0;

  before(async function () {
    if (!rabbitmqServerInstalled()) {
      if (process.env.REQUIRE_RABBITMQ_CLUSTER === '1') throw new Error('rabbitmq-server is not installed (REQUIRE_RABBITMQ_CLUSTER=1)');
      console.warn('\n!!!!! rabbitmq-server is not installed: SKIPPING THE CLUSTER FAULT SUITE !!!!!\n');
      this.skip();
    }
    const started = Date.now();
    cluster = new LocalCluster();
    try {
      await cluster.start();
    } catch (error) {
      await cluster.stop();
      cluster = undefined;
      throw error;
    }
    bootSeconds = (Date.now() - started) / 1000;
  });

  after(async function () {
    let rabbitmq: string | undefined;
    try {
      rabbitmq = cluster ? `RabbitMQ ${(await cluster.ctl(cluster.nodes[0]!, 'version')).trim()} × 3 nodes` : undefined;
    } catch {
      rabbitmq = undefined;
    }
    const nodeRssMiB = cluster?.nodes.map((node) => residentMiB(cluster!, node.short));
    try {
      await cluster?.stop();
    } finally {
      // The table is written even when stopping the nodes failed.
      writeClusterResults({
        nodeRssMiB,
        rabbitmq,
        machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
        erlang: quietly('erl', ['-noshell', '-eval', 'io:format("~s",[erlang:system_info(otp_release)]), halt().']),
        clusterBootSeconds: bootSeconds,
      });
    }
  });

  it('node holding the queue leaders killed with SIGKILL, restarted after 5 s', async function () {
    let killed = '';
    let newLeader = '';
    await runClusterScenario(cluster!, 'cluster-kill', {
      fault: 'node with the queue leaders killed (SIGKILL), back after 5 s',
      inject: async (context) => {
        const leader = await context.cluster.leaderOf(context.names.work);
        killed = leader.name;
        const at = Date.now();
        await context.cluster.killNode(leader.short);
        await acceptedMore(context, 30, 'with the leader node dead');
        newLeader = (await context.cluster.leaderOf(context.names.work)).name;
        await pause(Math.max(0, at + 5000 - Date.now()));
        await context.cluster.startNode(leader.short);
        await context.cluster.awaitMembers(3);
        return at;
      },
    });
    expect(newLeader, 'the leader moved to another node').to.not.equal(killed);
  });

  it('node holding the queue leaders stopped gracefully, started after 5 s', async function () {
    let stopped = '';
    let newLeader = '';
    await runClusterScenario(cluster!, 'cluster-stop', {
      fault: 'node with the queue leaders stopped (rabbitmqctl stop), back after 5 s',
      inject: async (context) => {
        const leader = await context.cluster.leaderOf(context.names.work);
        stopped = leader.name;
        const at = Date.now();
        await context.cluster.stopNode(leader.short);
        await acceptedMore(context, 30, 'with the leader node stopped');
        newLeader = (await context.cluster.leaderOf(context.names.work)).name;
        await pause(Math.max(0, at + 5000 - Date.now()));
        await context.cluster.startNode(leader.short);
        await context.cluster.awaitMembers(3);
        return at;
      },
    });
    expect(newLeader, 'the leader moved to another node').to.not.equal(stopped);
  });

  it('all three nodes restarted one by one (rolling upgrade)', async function () {
    await runClusterScenario(cluster!, 'cluster-rolling', {
      fault: 'rolling restart of all three nodes (one at a time, quorum kept)',
      inject: async (context) => {
        let lastStop = Date.now();
        for (const node of context.cluster.nodes) {
          // What an upgrade does before taking a node down: every quorum queue must keep its majority.
          await context.cluster.cli('rabbitmq-upgrade', node, ['await_online_quorum_plus_one', '-t', '120']);
          lastStop = Date.now();
          await context.cluster.stopNode(node.short);
          await acceptedMore(context, 10, `with ${node.name} down`);
          await context.cluster.startNode(node.short);
          await context.cluster.awaitMembers(3);
        }
        return lastStop;
      },
    });
  });

  it('majority lost (two nodes stopped for 10 s): refused with 503, never accepted on one node', async function () {
    let refusedDuringOutage = 0;
    let acceptedDuringOutage = 0;
    await runClusterScenario(cluster!, 'cluster-majority', {
      fault: 'majority lost: two of three nodes stopped for 10 s, then started',
      inject: async (context) => {
        const stopped = context.cluster.nodes.slice(1);
        for (const node of stopped) await context.cluster.stopNode(node.short);
        // From here one node of three runs: no quorum queue can confirm anything.
        const refusedBefore = context.http.refused;
        const acceptedBefore = context.http.accepted.size + context.amqp.accepted.size;
        await pause(10_000);
        refusedDuringOutage = context.http.refused - refusedBefore;
        acceptedDuringOutage = context.http.accepted.size + context.amqp.accepted.size - acceptedBefore;
        process.stdout.write(
          `      majority lost for 10 s: ${refusedDuringOutage} HTTP 503s, ${acceptedDuringOutage} acceptances; ${context.amqp.summary()}\n`,
        );
        for (const node of stopped) await context.cluster.startNode(node.short);
        await context.cluster.awaitMembers(3);
        // Measured from the majority being back: before that the queues can take nothing.
        return Date.now();
      },
    });
    expect(refusedDuringOutage, 'HTTP callers were refused (503) while no majority could confirm').to.be.greaterThan(0);
    expect(acceptedDuringOutage, 'no 202 and no confirm while one node of three ran').to.equal(0);
  });

  it('node holding the queue leaders partitioned away for 10 s, then healed', async function () {
    let cut = '';
    let newLeader = '';
    await runClusterScenario(cluster!, 'cluster-partition', {
      fault: 'node with the queue leaders cut off for 10 s (pause_minority), healed',
      inject: async (context) => {
        const leader = await context.cluster.leaderOf(context.names.work);
        cut = leader.name;
        const at = Date.now();
        await context.cluster.partition(leader.short, 10_000);
        await acceptedMore(context, 30, `with ${leader.name} cut off`);
        newLeader = (await context.cluster.leaderOf(context.names.work)).name;
        await pause(Math.max(0, at + 10_000 - Date.now()));
        await context.cluster.awaitMembers(3);
        return at;
      },
    });
    expect(newLeader, 'the leader moved to the majority side').to.not.equal(cut);
  });
});

/** Resident memory of a node's VM now, MiB (undefined when it does not run). */
function residentMiB(cluster: LocalCluster, short: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${cluster.pidOf(cluster.node(short))}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
    return Number.isFinite(kib) ? Math.round(kib / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function quietly(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
