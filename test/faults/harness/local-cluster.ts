/**
 * A RabbitMQ cluster of three nodes on this machine, from the installed rabbitmq-server, for the cluster
 * fault suite: nodes sp1@localhost..sp3@localhost on AMQP ports 5681-5683 and distribution ports
 * 25681-25683, each with its own data, log, pid, config and plugins files under one temp folder, and an
 * Erlang cookie of their own (so neither they nor this harness can ever reach the machine's broker on
 * 5672, which stays untouched). Stopped and removed by `stop()`; a run that died before that leaves a
 * folder under STALE_ROOT that the next `start()` cleans up first (its nodes killed by their pid files).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pause } from './load.js';

const SBIN = process.env.RABBITMQ_SBIN ?? '/usr/lib/rabbitmq/bin';
/** Every run's folder lives here, so a later run finds what an aborted one left. */
export const STALE_ROOT = path.join(tmpdir(), 'pipes-cluster-faults');

export interface ClusterNode {
  /** sp1, sp2, sp3 */
  short: string;
  /** sp1@localhost */
  name: string;
  amqpPort: number;
  distPort: number;
  dir: string;
}

/** Whether this machine can run the suite: rabbitmq-server installed and the cluster's ports free. */
export function rabbitmqServerInstalled(): boolean {
  return existsSync(path.join(SBIN, 'rabbitmq-server')) && existsSync(path.join(SBIN, 'rabbitmqctl'));
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command line of a pid (to make sure a pid file still names one of our nodes before killing it). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Kills nodes an aborted earlier run left behind (by their pid files) and removes their folders. */
export async function removeStaleClusters(except?: string): Promise<string[]> {
  if (!existsSync(STALE_ROOT)) return [];
  const removed: string[] = [];
  for (const run of readdirSync(STALE_ROOT)) {
    const runDir = path.join(STALE_ROOT, run);
    if (runDir === except) continue;
    for (const node of existsSync(runDir) ? readdirSync(runDir) : []) {
      const pidFile = path.join(runDir, node, 'rabbitmq.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      // Only a process that is one of this harness's nodes (its command line names the run folder).
      if (Number.isInteger(pid) && processAlive(pid) && commandLine(pid).includes(runDir)) {
        process.kill(pid, 'SIGKILL');
        removed.push(`${node} (pid ${pid})`);
      }
    }
    rmSync(runDir, { recursive: true, force: true });
  }
  return removed;
}

export class LocalCluster {
  readonly nodes: ClusterNode[];
  readonly root: string;
  private readonly children = new Map<string, ChildProcess>();
  private readonly onExit = (): void => void this.killAllSync();

  constructor(size = 3) {
    mkdirSync(STALE_ROOT, { recursive: true });
    this.root = mkdtempSync(path.join(STALE_ROOT, 'run-'));
    this.nodes = Array.from({ length: size }, (_, i) => {
      const short = `sp${i + 1}`;
      return { short, name: `${short}@localhost`, amqpPort: 5681 + i, distPort: 25681 + i, dir: path.join(this.root, short) };
    });
  }

  /** `amqp://guest:guest@127.0.0.1:568x` of every node, in node order (or rotated to start at `first`). */
  urls(first = 0): string[] {
    const all = this.nodes.map((node) => `amqp://guest:guest@127.0.0.1:${node.amqpPort}`);
    return [...all.slice(first), ...all.slice(0, first)];
  }

  node(short: string): ClusterNode {
    const node = this.nodes.find((candidate) => candidate.short === short || candidate.name === short);
    if (!node) throw new Error(`no node ${short}`);
    return node;
  }

  /** Starts the three nodes and joins sp2 and sp3 to sp1. */
  async start(): Promise<void> {
    const stale = await removeStaleClusters(this.root);
    if (stale.length > 0) process.stdout.write(`      removed stale cluster nodes: ${stale.join(', ')}\n`);
    for (const node of this.nodes) {
      for (const port of [node.amqpPort, node.distPort]) {
        if (await portOpen(port)) throw new Error(`port ${port} for ${node.name} is taken; is another cluster suite running?`);
      }
    }
    // Private cookie: the CLI below reads it from HOME; nothing else on the machine accepts it.
    writeFileSync(path.join(this.root, '.erlang.cookie'), randomBytes(24).toString('hex').toUpperCase(), { mode: 0o400 });
    writeFileSync(path.join(this.root, 'rabbitmq-env.conf'), '# empty: the machine-wide rabbitmq-env.conf is not read\n');
    process.on('exit', this.onExit);
    for (const node of this.nodes) this.writeNodeFiles(node);
    // Booted in turn: on 2 shared cores three boots at once take longer than one after the other.
    for (const node of this.nodes) await this.startNode(node.short);
    const [seed, ...others] = this.nodes;
    for (const node of others) {
      await this.ctl(node, 'stop_app');
      await this.ctl(node, 'join_cluster', seed!.name);
      await this.ctl(node, 'start_app');
    }
    await this.awaitMembers(this.nodes.length);
  }

  private writeNodeFiles(node: ClusterNode): void {
    mkdirSync(path.join(node.dir, 'log'), { recursive: true });
    writeFileSync(
      path.join(node.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.default = 127.0.0.1:${node.amqpPort}`,
        // A node cut off from the other two stops serving instead of accepting what it cannot replicate.
        'cluster_partition_handling = pause_minority',
        'loopback_users.guest = true',
        'disk_free_limit.absolute = 50MB',
        'vm_memory_high_watermark.absolute = 1GB',
        'log.file.level = info',
        'log.console = false',
        '',
      ].join('\n'),
    );
    // No plugins: the management UI is not needed here and every plugin costs memory and boot time.
    writeFileSync(path.join(node.dir, 'enabled_plugins'), '[].\n');
  }

  private env(node: ClusterNode): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.root,
      LANG: 'C.UTF-8',
      RABBITMQ_NODENAME: node.name,
      RABBITMQ_NODE_PORT: String(node.amqpPort),
      RABBITMQ_DIST_PORT: String(node.distPort),
      RABBITMQ_MNESIA_BASE: path.join(node.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(node.dir, 'log'),
      RABBITMQ_PID_FILE: path.join(node.dir, 'rabbitmq.pid'),
      RABBITMQ_CONFIG_FILE: path.join(node.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: path.join(node.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(node.dir, 'enabled_plugins'),
      RABBITMQ_CONF_ENV_FILE: path.join(this.root, 'rabbitmq-env.conf'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      // One scheduler per node: three nodes share two cores with the routers and the load; distribution
      // on loopback only.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+S 1:1 +A 8 -kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  /** Starts one node (again) and waits until it has booted. */
  async startNode(short: string): Promise<void> {
    const node = this.node(short);
    const running = this.children.get(node.short);
    if (running && running.exitCode === null && running.signalCode === null) throw new Error(`${node.name} is already running`);
    const child = spawn(path.join(SBIN, 'rabbitmq-server'), [], {
      env: this.env(node),
      cwd: node.dir,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    this.children.set(node.short, child);
    await this.ctl(node, 'wait', '--timeout', '120', path.join(node.dir, 'rabbitmq.pid'));
    await this.ctl(node, 'await_startup', '--timeout', '120');
  }

  /** SIGKILL to the node's Erlang VM: no goodbye to the cluster, no flush. */
  async killNode(short: string): Promise<void> {
    const node = this.node(short);
    const pid = this.pidOf(node);
    process.kill(pid, 'SIGKILL');
    while (processAlive(pid)) await pause(50);
    // The node's name stays registered with epmd until its socket closes; wait for the port too.
    while (await portOpen(node.amqpPort)) await pause(100);
  }

  /** `rabbitmqctl stop`: the node leaves gracefully (leaders handed over) and its VM exits. */
  async stopNode(short: string): Promise<void> {
    const node = this.node(short);
    const pid = this.pidOf(node);
    await this.ctl(node, 'stop');
    while (processAlive(pid)) await pause(50);
  }

  pidOf(node: ClusterNode): number {
    const pid = Number(readFileSync(path.join(node.dir, 'rabbitmq.pid'), 'utf8').trim());
    // The VM's command line carries `-home <run folder>`: a recycled pid is never taken for a node.
    if (!Number.isInteger(pid) || !commandLine(pid).includes(this.root)) throw new Error(`no running VM for ${node.name}`);
    return pid;
  }

  /** Waits until `count` nodes run in the cluster (asked of any running node). */
  async awaitMembers(count: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = await this.runningNodes().catch(() => []);
      if (running.length >= count) return;
      if (Date.now() > deadline) throw new Error(`the cluster has ${running.length} running nodes, not ${count}`);
      await pause(500);
    }
  }

  async runningNodes(): Promise<string[]> {
    for (const node of this.nodes) {
      const out = await this.ctl(node, 'eval', 'rabbit_nodes:all_running().').catch(() => undefined);
      if (out !== undefined) return [...out.matchAll(/'?(sp\d@localhost)'?/g)].map((match) => match[1]!);
    }
    return [];
  }

  /** The node that holds the leader of a quorum queue (asked of any running node). */
  async leaderOf(queue: string): Promise<ClusterNode> {
    for (const node of this.nodes) {
      const out = await this.ctl(node, 'list_queues', 'name', 'leader', '--quiet', '--no-table-headers').catch(() => undefined);
      if (out === undefined) continue;
      const line = out.split('\n').find((row) => row.split('\t')[0] === queue);
      const leader = line?.split('\t')[1]?.trim();
      if (leader) return this.node(leader);
    }
    throw new Error(`no leader found for ${queue}`);
  }

  /**
   * Cuts `short` away from the other nodes for `holdMs`, from inside the node: its cookie is changed so
   * that neither side can reconnect, its connections to the peers are dropped, and after `holdMs` the
   * real cookie is put back (the nodes reconnect by themselves). pause_minority stops the cut-off node
   * serving clients meanwhile. The node's own process does it, so the heal happens even if this process dies.
   */
  async partition(short: string, holdMs: number): Promise<void> {
    const node = this.node(short);
    const peers = this.nodes.filter((other) => other !== node).map((other) => `'${other.name}'`).join(',');
    const expression =
      `Cookie = erlang:get_cookie(), Peers = [${peers}], ` +
      'spawn(fun() -> ' +
      "erlang:set_cookie(node(), 'pipes_partitioned'), " +
      '[erlang:disconnect_node(P) || P <- Peers], ' +
      `timer:sleep(${holdMs}), ` +
      'erlang:set_cookie(node(), Cookie), ' +
      '[net_adm:ping(P) || P <- Peers] end), ok.';
    await this.ctl(node, 'eval', expression);
  }

  /** rabbitmqctl (or another CLI tool of the package) against one node, with the cluster's cookie. */
  ctl(node: ClusterNode, ...args: string[]): Promise<string> {
    return this.cli('rabbitmqctl', node, args);
  }

  cli(tool: 'rabbitmqctl' | 'rabbitmq-queues' | 'rabbitmq-upgrade' | 'rabbitmq-diagnostics', node: ClusterNode, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        path.join(SBIN, tool),
        ['-n', node.name, ...args],
        { env: this.env(node), timeout: 150_000 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${tool} -n ${node.name} ${args.join(' ')} failed: ${(stderr || error.message).trim()}`));
          else resolve(stdout);
        },
      );
    });
  }

  /** Stops every node (SIGKILL: the data goes anyway) and removes the folder. */
  async stop(): Promise<void> {
    const killed = this.killAllSync();
    // A VM writes its logs until it is gone: the folder is removed only after every one has exited.
    for (const pid of killed) while (processAlive(pid)) await pause(50);
    for (const node of this.nodes) while (await portOpen(node.amqpPort)) await pause(100);
    process.off('exit', this.onExit);
    rmSync(this.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }

  /** SIGKILL to every node that runs; returns their pids. */
  private killAllSync(): number[] {
    const killed: number[] = [];
    for (const node of this.nodes) {
      try {
        const pid = this.pidOf(node);
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // not running
      }
    }
    return killed;
  }
}
