/**
 * Reload: an invalid set of files is refused with its load errors and the old routes keep serving; a
 * valid set replaces the old one under HTTP + AMQP load without losing or refusing a message; the RBAC
 * file is re-read too.
 */
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type AsyncMessage, type Consumer } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { consumerQueues, uniqueName } from '../e2e/rabbitmq-support.js';
import { eventually, getJson, scrape, valueOf } from './support.js';

const KEY_A = 'key-a-0123456789abcdefghij';
const KEY_B = 'key-b-0123456789abcdefghij';
const OPS_KEY = 'ops-key-0123456789abcdefgh';

function routes(exchange: string, out: string, queue: string, version: number): string {
  return `
- route:
    id: reload-entry
    from:
      uri: platform-http:/ops/reload
      parameters: {httpMethodRestrict: POST}
      steps:
        - setHeader: {name: x-entry-version, constant: "${version}"}
        - to: {uri: "spring-rabbitmq:${exchange}", pattern: InOnly, parameters: {routingKey: work}}
        - setBody: {constant: "accepted by v${version}"}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: reload-worker
    from:
      uri: spring-rabbitmq:${exchange}
      parameters: {queues: ${queue}, routingKey: work, concurrentConsumers: 4}
      steps:
        - to: direct:stamp
        - to: {uri: "spring-rabbitmq:${out}", parameters: {routingKey: done}}
- route:
    id: reload-stamp
    from:
      uri: direct:stamp
      steps:
        - setHeader: {name: x-worker-version, constant: "${version}"}
`;
}

function rbac(keyEnv: string): string {
  return `
roles:
  caller: [route:reload-entry]
  operator: [admin:reload, admin:routes]
principals:
  - {id: caller, roles: [caller], apiKeyEnv: ${keyEnv}}
  - {id: ops, roles: [operator], apiKeyEnv: RELOAD_OPS_KEY}
`;
}

describe('ops: reload (real broker)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('reload-in');
  const out = uniqueName('reload-out');
  const queue = uniqueName('reload-work');
  const watchQueue = uniqueName('reload-watch');
  let router: TestRouter;
  let amqp: Connection;
  const seen = new Map<string, AsyncMessage>();
  let watcher: Consumer | undefined;

  const post = async (body: unknown, key = KEY_A): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${router.baseUrl}/ops/reload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, text: await response.text() };
  };
  const routeFile = (): string => path.join(router.dir, 'routes', 'reload.yaml');

  before(async function () {
    await requireBrokerOrSkip(this);
    process.env.RELOAD_KEY_A = KEY_A;
    process.env.RELOAD_KEY_B = KEY_B;
    process.env.RELOAD_OPS_KEY = OPS_KEY;
    amqp = new Connection({ url: brokerUrl(), connectionName: 'ops reload test' });
    await amqp.exchangeDeclare({ exchange: out, type: 'direct', durable: true });
    await amqp.queueDeclare({ queue: watchQueue, durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await amqp.queueBind({ exchange: out, queue: watchQueue, routingKey: 'done' });
    watcher = amqp.createConsumer({ queue: watchQueue, queueOptions: { passive: true }, qos: { prefetchCount: 100 } }, (message) => {
      seen.set(String((message.body as { id?: unknown }).id), message);
    });
    router = await startRouter({ 'routes/reload.yaml': routes(exchange, out, queue, 1) }, { rabbitmqUrl: brokerUrl(), rbac: rbac('RELOAD_KEY_A') });
  });

  after(async () => {
    await router?.stop();
    await watcher?.close();
    if (amqp) {
      for (const name of [...consumerQueues(queue), watchQueue]) await amqp.queueDelete({ queue: name }).catch(() => undefined);
      for (const name of [exchange, out]) await amqp.exchangeDelete({ exchange: name }).catch(() => undefined);
      await amqp.close();
    }
  });

  it('refuses an invalid set with its load errors and keeps the old routes serving', async () => {
    const good = readFileSync(routeFile(), 'utf8');
    writeFileSync(routeFile(), good.replace('- setBody:', '- setBodyy:'));
    writeFileSync(path.join(router.dir, 'routes', 'broken.yaml'), '- route:\n    id: broken\n    from: [unclosed\n');
    try {
      const result = await router.router.reload();
      expect(result.ok).to.equal(false);
      const messages = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${path.basename(d.loc?.file ?? '')}: ${d.message}`);
      expect(messages.some((m) => m.startsWith('reload.yaml') && /setBodyy/.test(m)), messages.join('\n')).to.equal(true);
      expect(messages.some((m) => m.startsWith('broken.yaml')), messages.join('\n')).to.equal(true);

      // The old routes answer as before.
      const answer = await post({ id: 'after-refused' });
      expect(answer).to.deep.equal({ status: 202, text: 'accepted by v1' });
      await eventually(() => seen.has('after-refused'), 'the message to go through the old routes');
      expect(router.router.state).to.equal('running');
      expect((await getJson(`${router.baseUrl}/health/ready`)).status).to.equal(200);

      const samples = await scrape(router.baseUrl);
      expect(valueOf(samples, 'pipes_reload_total', { result: 'failure' })).to.equal(1);
      const last = await getJson(`${router.baseUrl}/admin/reload`, { headers: { 'x-api-key': OPS_KEY } });
      expect((last.body.lastReload as { ok: boolean }).ok).to.equal(false);
      // The refused files are logged with their locations.
      expect(router.log.lines.some((line) => line.message === 'reload refused' && /broken\.yaml/.test(String(line.diagnostic)))).to.equal(true);
    } finally {
      writeFileSync(routeFile(), good);
      rmSync(path.join(router.dir, 'routes', 'broken.yaml'));
    }
  });

  it('swaps in a valid set under load: every accepted message arrives, none refused, new behaviour after', async () => {
    writeFileSync(routeFile(), routes(exchange, out, queue, 2));
    const accepted: string[] = [];
    const refused: { id: string; status: number }[] = [];
    let stop = false;
    let sent = 0;
    const client = async (worker: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const id = `w${worker}-${i}`;
        sent++;
        const answer = await post({ id });
        if (answer.status === 202) accepted.push(id);
        else refused.push({ id, status: answer.status });
      }
    };
    const clients = [0, 1, 2, 3].map((worker) => client(worker));
    await eventually(() => accepted.length >= 40, 'load before the reload');
    const result = await router.router.reload();
    expect(result.ok, JSON.stringify(result.diagnostics)).to.equal(true);
    const atReload = accepted.length;
    await eventually(() => accepted.length >= atReload + 40, 'load after the reload');
    stop = true;
    await Promise.all(clients);

    expect(refused, 'requests refused during the swap').to.deep.equal([]);
    expect(accepted.length).to.equal(sent);
    await eventually(() => accepted.every((id) => seen.has(id)), `all ${accepted.length} accepted messages downstream`, 30_000);
    const versions = accepted.map((id) => String(seen.get(id)!.headers?.['x-worker-version']));
    expect(versions).to.include('1');
    expect(versions).to.include('2');
    // Once swapped, only the new entry answers.
    expect(await post({ id: 'after-swap' })).to.deep.equal({ status: 202, text: 'accepted by v2' });
    await eventually(() => seen.has('after-swap'), 'the message through the new routes');
    expect(seen.get('after-swap')!.headers?.['x-worker-version']).to.equal('2');
    expect(valueOf(await scrape(router.baseUrl), 'pipes_reload_total', { result: 'success' })).to.equal(1);
  });

  it('re-reads the RBAC file: a valid one takes effect, an invalid one is refused', async () => {
    expect((await post({ id: 'rbac-1' }, KEY_B)).status).to.equal(401);
    writeFileSync(path.join(router.dir, 'rbac.yaml'), rbac('RELOAD_KEY_B'));
    const result = await router.router.reload();
    expect(result.ok, JSON.stringify(result.diagnostics)).to.equal(true);
    const admitted = await post({ id: 'rbac-2' }, KEY_B);
    expect(admitted.status, admitted.text).to.equal(202);
    expect((await post({ id: 'rbac-3' }, KEY_A)).status).to.equal(401);

    writeFileSync(path.join(router.dir, 'rbac.yaml'), 'roles:\n  caller: [route:no-such-route]\nprincipals: {}\n');
    const refused = await router.router.reload();
    expect(refused.ok).to.equal(false);
    expect((await post({ id: 'rbac-4' }, KEY_B)).status, 'the old RBAC file still applies').to.equal(202);
  });
});
