/**
 * The router process is killed (SIGKILL) while a payment waits in a retry delay queue. The delay is held
 * by RabbitMQ, so after a restart the payment goes on where it was: it is dead-lettered after exactly the
 * configured number of attempts, no more, no fewer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { eventually, uniqueName } from './rabbitmq-support.js';
import { connectorQueues, connectorRoute, deleteQueues, depth, publishPayment, testClient } from './connector-support.js';
import { ROOT } from '../helpers/project-root.js';

const MAX_REDELIVERIES = 2;

/** A router run as `pipes run`, its JSON log lines collected. */
class RouterProcess {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<NodeJS.Signals | number | null>;
  private readonly child: ChildProcess;

  constructor(routesDir: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'run', '--no-auth', '--routes', routesDir], {
      cwd: ROOT,
      env: { ...process.env, RABBITMQ_URL: brokerUrl(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        try {
          this.lines.push(JSON.parse(part) as Record<string, unknown>);
        } catch {
          // not a log line
        }
      }
    });
    this.child.stderr!.resume();
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(signal ?? code)));
  }

  logged(message: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.message === message);
  }

  get port(): number {
    return this.logged('router started')[0]?.port as number;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

describe('connector: the router killed (SIGKILL) between retry attempts', function () {
  this.timeout(60_000);
  let connection: Connection;
  let partner: StubPartner;
  let dir: string;
  const running: RouterProcess[] = [];
  const exchange = uniqueName('kill-ex');
  const queue = uniqueName('kill');

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('connector sigkill test');
    partner = await startStubPartner({ then: 503 });
    dir = mkdtempSync(path.join(tmpdir(), 'pipes-kill-'));
    mkdirSync(path.join(dir, 'routes'));
    writeFileSync(
      path.join(dir, 'routes', 'connector.yaml'),
      connectorRoute({
        routeId: 'killed-delivery',
        exchange,
        queue,
        partnerUrl: `${partner.url}/payments`,
        maximumRedeliveries: MAX_REDELIVERIES,
        redeliveryDelayMs: 2000,
      }),
    );
  });

  after(async () => {
    for (const router of running) {
      router.kill('SIGKILL');
      await router.exited;
    }
    await partner?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (connection) {
      await deleteQueues(connection, connectorQueues(queue, MAX_REDELIVERIES), exchange);
      await connection.close();
    }
  });

  const start = async (): Promise<RouterProcess> => {
    const router = new RouterProcess(path.join(dir, 'routes'));
    running.push(router);
    await eventually(() => router.logged('router started').length === 1, 'the router started', 30_000);
    return router;
  };

  it('dead-letters the payment after exactly the configured attempts, across the kill', async () => {
    const first = await start();
    const messageId = `kill-${Date.now()}`;
    await publishPayment(connection, exchange, messageId);
    await eventually(() => first.logged('message scheduled for a retry held by the broker').length === 1, 'the first attempt failed');
    expect((await depth(connection, `${queue}.retry.1`)).messageCount).to.equal(1);

    first.kill('SIGKILL');
    expect(await first.exited).to.equal('SIGKILL');
    running.splice(running.indexOf(first), 1);
    expect(partner.calls).to.have.length(1);
    // Nothing was lost with the process: the payment waits in its delay queue (or is back in its queue).
    const waiting =
      (await depth(connection, `${queue}.retry.1`)).messageCount + (await depth(connection, queue)).messageCount;
    expect(waiting).to.equal(1);

    const second = await start();
    await eventually(async () => (await depth(connection, `${queue}.dlq`)).messageCount === 1, 'the payment was dead-lettered', 40_000);
    expect(partner.calls.map((call) => call.status)).to.deep.equal([503, 503, 503]);
    expect(partner.calls.map((call) => call.headers['idempotency-key'])).to.deep.equal([messageId, messageId, messageId]);
    expect(second.logged('message scheduled for a retry held by the broker').map((line) => line.attempt)).to.deep.equal([2]);

    const answer = (await (await fetch(`http://127.0.0.1:${second.port}/admin/dead-letters?route=killed-delivery`)).json()) as {
      deadLetters: Record<string, unknown>[];
    };
    expect(answer.deadLetters).to.have.length(1);
    expect(answer.deadLetters[0]).to.include({ id: messageId, attempts: MAX_REDELIVERIES + 1, httpStatus: 503, queue });
    for (const name of [queue, `${queue}.retry.1`, `${queue}.retry.2`]) expect((await depth(connection, name)).messageCount, name).to.equal(0);

    second.kill('SIGTERM');
    expect(await second.exited).to.equal(0);
    running.splice(running.indexOf(second), 1);
  });
});
