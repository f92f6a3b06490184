/**
 * Two router processes on one RabbitMQ and one Redis: this test's router and a second one spawned with
 * `pipes run` on the same route files. Runs started on either are worked on by both; none is lost or
 * completed twice (one completion callback each, every step once in every history), and either router
 * answers the status of any run. The async API is guarded by RBAC in both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { flowEngine } from '../../src/asyncengine/index.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { freePort } from '../helpers/free-port.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { REDIS_URL, deleteQueues, flowQueueNames, requireRedisOrSkip, startPartner, startRun, uniqueFlow, waitForRun, type Partner } from '../asyncengine/support.js';

const API_KEY = 'two-routers-test-key-0123456789abcdef';
const OPERATOR_KEY = 'two-routers-operator-key-0123456789';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const SECRET = 'two-routers-callback-secret-0123';
const RUNS = 40;

describe('async engine across two router processes (e2e, RabbitMQ + Redis)', function () {
  this.timeout(60_000);
  const flow = uniqueFlow('shared');
  let partner: Partner;
  let local: TestRouter;
  let child: ChildProcess | undefined;
  let childUrl = '';
  let childOutput = '';
  let queues: string[] = [];
  const caller = { 'x-api-key': API_KEY };

  before(async function () {
    await requireBrokerOrSkip(this);
    await requireRedisOrSkip(this);
    partner = await startPartner();
    partner.answer = () => ({ status: 204 });
    const rbac = `
version: 1
roles:
  starter: {permissions: ["flow:${flow}"]}
  operator: {permissions: ["admin:runs"]}
principals:
  - {id: test-caller, roles: [starter], apiKeySha256: ${sha256(API_KEY)}}
  - {id: test-operator, roles: [operator], apiKeySha256: ${sha256(OPERATOR_KEY)}}
`;
    const step = (name: string) => `      - {name: ${name}, uri: "script:scripts/work.mjs", concurrency: 3, retry: {maxAttempts: 3, initialDelay: 50ms, jitter: 0}}`;
    local = await startRouter(
      {
        'routes/shared.yaml': `
- flow:
    name: ${flow}
    callback: {secret: ${SECRET}, retry: {maxAttempts: 3, initialDelay: 50ms}}
    steps:
${step('one')}
${step('two')}
${step('three')}
`,
        'routes/scripts/work.mjs': `
export default async function work(payload, context) {
  await new Promise((resolve) => setTimeout(resolve, 15));
  return { ...payload, steps: [...(payload.steps ?? []), context.step] };
}`,
      },
      { rabbitmqUrl: brokerUrl(), redisUrl: REDIS_URL, rbac, egressAllow: ['127.0.0.1'] },
    );
    queues = flowQueueNames(flowEngine(local.router.services)!.topology());

    const port = await freePort();
    childUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--routes', path.join(local.dir, 'routes'), '--port', String(port)], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        RABBITMQ_URL: brokerUrl(),
        REDIS_URL,
        RBAC_FILE: path.join(local.dir, 'rbac.yaml'),
        SCHEMAS_DIR: path.join(local.dir, 'schemas'),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        EGRESS_ALLOW: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (childOutput += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (childOutput += chunk.toString('utf8')));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${childUrl}/health/live`).then((r) => r.ok, () => false);
      if (ready) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the second router did not start:\n${childOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await local?.stop();
    await deleteQueues(queues);
    await partner?.close();
  });

  it('shares the work of one flow: every run completes exactly once, and either router answers its status', async () => {
    const routers = [local.baseUrl, childUrl];
    const callbackUrl = encodeURIComponent(`${partner.url}/done`);
    const started: { correlationId: string; by: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const by = i % 2;
      const answer = await startRun(routers[by]!, flow, { n: i }, caller, `&callbackUrl=${callbackUrl}`);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
      started.push({ correlationId: answer.body.correlationId as string, by });
    }

    const instances = new Set<string>();
    for (const { correlationId, by } of started) {
      // Asked of the router that did not start it, as a caller holding only flow:<name>.
      const other = routers[1 - by]!;
      const run = await waitForRun(other, correlationId, ['succeeded'], {
        headers: caller,
        until: (r) => r.callback?.state === 'delivered',
        timeoutMs: 30_000,
        query: `?flowName=${flow}`,
      });
      expect(run.history.map((h) => `${h.step}:${h.outcome}`)).to.deep.equal(['one:succeeded', 'two:succeeded', 'three:succeeded']);
      expect((run.output as { steps: string[] }).steps).to.deep.equal(['one', 'two', 'three']);
      for (const attempt of run.history) instances.add(attempt.instance!.split(':').slice(0, 2).join(':'));
    }
    expect(instances.size, `instances that worked: ${[...instances].join(', ')}`).to.equal(2);

    // One callback per run: no run completed twice.
    const called = partner.requests.filter((r) => r.path === '/done').map((r) => (JSON.parse(r.body) as { correlationId: string }).correlationId);
    expect(called.length).to.equal(RUNS);
    expect(new Set(called)).to.deep.equal(new Set(started.map((s) => s.correlationId)));

    // The operator lists every run of the flow from either router.
    for (const router of routers) {
      const listed = (await (await fetch(`${router}/async/api/runs?flowName=${flow}&state=succeeded&limit=1000`, { headers: caller })).json()) as { runs: unknown[] };
      expect(listed.runs).to.have.length(RUNS);
    }
  });

  it('guards the async API: no key → 401, a key without the flow → 403, runs of all flows need admin:runs', async () => {
    expect((await startRun(childUrl, flow, { n: 1 })).status).to.equal(401);
    expect((await startRun(childUrl, flow, { n: 1 }, { 'x-api-key': OPERATOR_KEY })).status).to.equal(403);
    expect((await fetch(`${local.baseUrl}/async/api/runs`, { headers: caller })).status).to.equal(403);
    expect((await fetch(`${local.baseUrl}/async/api/runs`, { headers: { 'x-api-key': OPERATOR_KEY } })).status).to.equal(200);
    expect((await fetch(`${childUrl}/async/specifications/openapi.json`)).status).to.equal(200);
  });
});
