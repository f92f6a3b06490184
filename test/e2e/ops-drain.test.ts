/**
 * Graceful drain of a real `pipes run` process under HTTP + AMQP load: SIGTERM mid-load, exit code 0,
 * and every message answered 202 before it is either downstream or still in its queue, counted.
 * A second run with a drain bound shorter than the work in hand: what was in flight goes back to its queue.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Connection } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { writeFiles } from '../helpers/router.js';
import { eventually, uniqueName } from './rabbitmq-support.js';

interface Partner {
  url: string;
  active: number;
  served: number;
  close(): Promise<void>;
}

/** A partner that takes `delayMs` to answer 200. */
async function slowPartner(delayMs: number): Promise<Partner> {
  const state = { active: 0, served: 0 };
  const server = http.createServer((request, response) => {
    state.active++;
    request.resume();
    setTimeout(() => {
      state.active--;
      state.served++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/deliver`,
    get active() {
      return state.active;
    },
    get served() {
      return state.served;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface RunningRouter {
  child: ChildProcess;
  port: number;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startPipes(dir: string, env: Record<string, string>): Promise<RunningRouter> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--routes', path.join(dir, 'routes'), '--port', '0', '--no-auth'], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', SCHEMAS_DIR: path.join(dir, 'schemas'), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(() => lines.some((l) => l.message === 'router started') || child.exitCode !== null, 'the router to start', 30_000);
  const started = lines.find((l) => l.message === 'router started');
  if (!started) throw new Error('pipes run exited before starting');
  return { child, port: Number(started.port), lines, exited };
}

function routeFiles(names: { entry: string; queue: string; out: string }, partnerUrl: string): Record<string, string> {
  return {
    'routes/drain.yaml': `
- route:
    id: drain-entry
    from:
      uri: platform-http:/ops/drain
      parameters: {httpMethodRestrict: POST}
      steps:
        - to: {uri: "spring-rabbitmq:${names.entry}", pattern: InOnly, parameters: {routingKey: work}}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: drain-worker
    from:
      uri: spring-rabbitmq:${names.entry}
      parameters: {queues: ${names.queue}, routingKey: work, concurrentConsumers: 4}
      steps:
        - setProperty: {name: original, simple: "\${body}"}
        - to: {uri: "${partnerUrl}", parameters: {httpMethod: POST}}
        - setBody: {simple: "\${exchangeProperty.original}"}
        - to: {uri: "spring-rabbitmq:${names.out}", parameters: {routingKey: done}}
`,
  };
}

describe('e2e: graceful drain of `pipes run` on SIGTERM (real broker)', function () {
  this.timeout(90_000);
  let amqp: Connection;
  const cleanup: (() => Promise<void>)[] = [];

  before(async function () {
    await requireBrokerOrSkip(this);
    amqp = new Connection({ url: brokerUrl(), connectionName: 'ops drain test' });
  });

  after(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await amqp?.close();
  });

  /** Runs the scenario and returns what the test counts. */
  async function scenario(options: { partnerDelayMs: number; drainTimeoutMs: number }) {
    const names = { entry: uniqueName('drain-in'), queue: uniqueName('drain-work'), out: uniqueName('drain-out'), watch: uniqueName('drain-watch') };
    const partner = await slowPartner(options.partnerDelayMs);
    cleanup.push(() => partner.close());
    await amqp.exchangeDeclare({ exchange: names.out, type: 'direct', durable: true });
    await amqp.queueDeclare({ queue: names.watch, durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await amqp.queueBind({ exchange: names.out, queue: names.watch, routingKey: 'done' });
    cleanup.push(async () => {
      for (const queue of [names.queue, names.watch, `${names.queue}.dlq`, ...[1, 2, 3, 4, 5].map((n) => `${names.queue}.retry.${n}`)]) {
        await amqp.queueDelete({ queue }).catch(() => undefined);
      }
      for (const exchange of [names.entry, names.out]) await amqp.exchangeDelete({ exchange }).catch(() => undefined);
    });

    const dir = writeFiles(routeFiles(names, partner.url));
    const router = await startPipes(dir, { RABBITMQ_URL: brokerUrl(), DRAIN_TIMEOUT_MS: String(options.drainTimeoutMs) });
    cleanup.push(async () => {
      if (router.child.exitCode === null) router.child.kill('SIGKILL');
    });

    const accepted = new Set<string>();
    const answers = new Map<number | string, number>();
    let stop = false;
    const client = async (worker: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const id = `${worker}-${i}`;
        let status: number | string;
        try {
          const response = await fetch(`http://127.0.0.1:${router.port}/ops/drain`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id }),
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          status = response.status;
          if (status === 202) accepted.add(id);
        } catch {
          // Refused or reset while the router goes away: not accepted.
          status = 'network';
        }
        answers.set(status, (answers.get(status) ?? 0) + 1);
        if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const clients = [0, 1, 2, 3].map((worker) => client(worker));
    // Mid-load: messages accepted and the worker holding some at the partner.
    await eventually(() => accepted.size >= 60 && partner.active > 0, 'load with work in flight', 30_000);
    router.child.kill('SIGTERM');
    const code = await router.exited;
    stop = true;
    await Promise.all(clients);

    // Count: what went downstream, and what is still waiting in the work queue.
    const downstream = await drainQueue(amqp, names.watch);
    const queued = await drainQueue(amqp, names.queue);
    const deadLetters = await drainQueue(amqp, `${names.queue}.dlq`);
    return { code, accepted, answers, downstream, queued, deadLetters, router, partner };
  }

  it('lets in-flight exchanges finish, refuses new work with 503, loses nothing, exits 0', async () => {
    const run = await scenario({ partnerDelayMs: 100, drainTimeoutMs: 20_000 });
    expect(run.code).to.equal(0);
    const missing = [...run.accepted].filter((id) => !run.downstream.has(id) && !run.queued.has(id));
    expect(missing, `accepted ${run.accepted.size}, downstream ${run.downstream.size}, queued ${run.queued.size}`).to.deep.equal([]);
    // Within the bound nothing is half done: no message is both delivered and still queued.
    expect([...run.downstream].filter((id) => run.queued.has(id))).to.deep.equal([]);
    expect(run.deadLetters.size).to.equal(0);
    // Messages the worker had started were finished, not abandoned.
    expect(run.partner.active).to.equal(0);
    expect(run.router.lines.some((l) => l.message === 'router stopped' && l.drained === true)).to.equal(true);
  });

  it('with a drain bound shorter than the work in hand, returns what is unfinished to its queue and exits 0', async () => {
    const run = await scenario({ partnerDelayMs: 3_000, drainTimeoutMs: 300 });
    expect(run.code).to.equal(0);
    const missing = [...run.accepted].filter((id) => !run.downstream.has(id) && !run.queued.has(id));
    expect(missing, `accepted ${run.accepted.size}, downstream ${run.downstream.size}, queued ${run.queued.size}`).to.deep.equal([]);
    expect(run.queued.size, 'the unfinished messages wait in their queue').to.be.greaterThan(0);
    expect(run.deadLetters.size).to.equal(0);
    expect(run.router.lines.some((l) => l.message === 'router stopped' && l.drained === false)).to.equal(true);
  });
});

/** Takes every message of a queue (acking it) and returns the ids in their bodies. */
async function drainQueue(connection: Connection, queue: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (;;) {
    let message;
    try {
      message = await connection.basicGet({ queue, noAck: true });
    } catch {
      return ids;
    }
    if (!message) return ids;
    const body: unknown = message.body;
    const parsed = (Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : typeof body === 'string' ? JSON.parse(body) : body) as { id?: unknown };
    ids.add(String(parsed.id));
  }
}

