/**
 * Readiness follows the broker connection (real broker behind a proxy the test cuts) and the router's
 * own state; the admin API shows routes, consumers and the summary, stops and starts a route, and
 * everything it shows is in the metrics; RBAC guards it.
 */
import { expect } from 'chai';
import { Connection } from 'rabbitmq-client';
import { brokerAddress, brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { readiness } from '../../src/runtime/readiness.js';
import { consumerQueues, uniqueName } from '../e2e/rabbitmq-support.js';
import { eventually, getJson, scrape, valueOf } from './support.js';

interface RouteJson {
  id: string;
  state: string;
  from: string;
  counters: Record<string, number>;
  consumer?: Record<string, unknown>;
}

const OPS_KEY = 'ops-key-0123456789abcdef';
const LOADER_KEY = 'loader-key-0123456789abcdef';

describe('ops: readiness and the admin API (real broker)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('ops-admin');
  const queue = uniqueName('ops-admin-q');
  let proxy: TcpProxy;
  let router: TestRouter;

  before(async function () {
    await requireBrokerOrSkip(this);
    const { host, port } = brokerAddress();
    proxy = new TcpProxy(host, port);
    const proxyPort = await proxy.start();
    const url = new URL(brokerUrl());
    url.host = `127.0.0.1:${proxyPort}`;
    process.env.OPS_KEY = OPS_KEY;
    process.env.LOADER_KEY = LOADER_KEY;
    router = await startRouter(
      {
        'routes/admin.yaml': `
- route:
    id: ops-load
    from:
      uri: platform-http:/ops/load
      steps:
        - to: {uri: "spring-rabbitmq:${exchange}", pattern: InOnly, parameters: {routingKey: load}}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: ops-sink
    from:
      uri: spring-rabbitmq:${exchange}
      parameters: {queues: ${queue}, routingKey: load, concurrentConsumers: 3, prefetchCount: 5}
      steps:
        - to: mock:sink
`,
      },
      {
        rabbitmqUrl: url.toString(),
        rbac: `
roles:
  operator: [admin:routes, admin:summary, admin:reload]
  loader: [route:ops-load]
principals:
  - {id: ops-console, roles: [operator], apiKeyEnv: OPS_KEY}
  - {id: load-client, roles: [loader], apiKeyEnv: LOADER_KEY}
`,
      },
    );
  });

  after(async () => {
    proxy?.restore();
    await router?.stop();
    await proxy?.stop();
    const connection = new Connection({ url: brokerUrl(), connectionName: 'ops admin cleanup' });
    for (const name of consumerQueues(queue)) await connection.queueDelete({ queue: name }).catch(() => undefined);
    await connection.exchangeDelete({ exchange }).catch(() => undefined);
    await connection.close();
  });

  const ops = { 'x-api-key': OPS_KEY };

  it('is ready with the broker connected, not ready while it is cut off, ready again after', async () => {
    const ready = await getJson(`${router.baseUrl}/health/ready`);
    expect(ready.status).to.equal(200);
    expect((await getJson(`${router.baseUrl}/health/live`)).status).to.equal(200);

    proxy.cut();
    await eventually(async () => (await getJson(`${router.baseUrl}/health/ready`)).status === 503, 'readiness to turn false');
    const down = await getJson(`${router.baseUrl}/health/ready`);
    expect(down.body.status).to.equal('DOWN');
    expect((await getJson(`${router.baseUrl}/health/live`)).status, 'liveness does not follow the broker').to.equal(200);
    expect(valueOf(await scrape(router.baseUrl), 'pipes_broker_connected')).to.equal(0);

    proxy.restore();
    await eventually(async () => (await getJson(`${router.baseUrl}/health/ready`)).status === 200, 'readiness to come back', 30_000);
    expect(valueOf(await scrape(router.baseUrl), 'pipes_broker_connected')).to.equal(1);
  });

  it('lists routes with their state, counters and consumer, as the metrics do', async () => {
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${router.baseUrl}/ops/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': LOADER_KEY },
        body: JSON.stringify({ n: i }),
      });
      expect(response.status).to.equal(202);
    }
    await eventually(async () => {
      const samples = await scrape(router.baseUrl);
      return valueOf(samples, 'pipes_route_exchanges_total', { route: 'ops-sink', outcome: 'completed' }) === 4;
    }, 'the sink route to complete 4');

    const { status, body } = await getJson(`${router.baseUrl}/admin/routes`, { headers: ops });
    expect(status).to.equal(200);
    const routes = body.routes as RouteJson[];
    const sink = routes.find((r) => r.id === 'ops-sink')!;
    const load = routes.find((r) => r.id === 'ops-load')!;
    expect(load.state).to.equal('started');
    expect(load.from).to.match(/^platform-http:\/ops\/load\b/);
    expect(load.counters).to.deep.equal({ received: 4, completed: 4, failed: 0, retried: 0, deadLettered: 0, inFlight: 0 });
    expect(sink.counters).to.deep.equal({ received: 4, completed: 4, failed: 0, retried: 0, deadLettered: 0, inFlight: 0 });
    expect(sink.consumer).to.deep.include({ queues: [queue], concurrency: 3, prefetch: 5, inFlight: 0, utilisation: 0 });

    const samples = await scrape(router.baseUrl);
    expect(valueOf(samples, 'pipes_route_exchanges_received_total', { route: 'ops-sink' })).to.equal(sink.counters.received);
    expect(valueOf(samples, 'pipes_consumer_concurrency', { route: 'ops-sink' })).to.equal(3);
    expect(valueOf(samples, 'pipes_consumer_prefetch_limit', { route: 'ops-sink' })).to.equal(5);

    const consumers = await getJson(`${router.baseUrl}/admin/consumers`, { headers: ops });
    expect((consumers.body.consumers as { route: string }[]).map((c) => c.route)).to.deep.equal(['ops-sink']);

    const summary = await getJson(`${router.baseUrl}/admin/summary`, { headers: ops });
    expect(summary.status).to.equal(200);
    expect(summary.body, JSON.stringify(summary.body.checks)).to.deep.include({ state: 'running', ready: true });
    expect(summary.body.routes).to.deep.equal({ total: 2, started: 2, stopped: [] });
    expect(summary.body.deadLetters).to.deep.equal([{ queue: `${queue}.dlq`, owner: 'route:ops-sink', messages: 0 }]);
    expect(summary.body.queues).to.deep.equal([{ queue, owner: 'route:ops-sink', messages: 0, consumers: 1 }]);
  });

  it('stops a route (its messages wait in the queue) and starts it again', async () => {
    const stopped = await getJson(`${router.baseUrl}/admin/routes/ops-sink/stop`, { method: 'POST', headers: ops });
    expect(stopped.status).to.equal(200);
    expect(stopped.body.state).to.equal('stopped');
    expect(valueOf(await scrape(router.baseUrl), 'pipes_route_up', { route: 'ops-sink' })).to.equal(0);

    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${router.baseUrl}/ops/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': LOADER_KEY },
        body: JSON.stringify({ waiting: i }),
      });
      expect(response.status).to.equal(202);
    }
    await eventually(async () => {
      const summary = await getJson(`${router.baseUrl}/admin/summary`, { headers: ops });
      return (summary.body.queues as { messages: number }[])[0]?.messages === 3;
    }, 'three messages to wait in the stopped route’s queue');
    const summary = await getJson(`${router.baseUrl}/admin/summary`, { headers: ops });
    expect((summary.body.routes as { stopped: string[] }).stopped).to.deep.equal(['ops-sink']);
    // Scrapes ask the broker again once the last answer is a few seconds old.
    await eventually(
      async () => valueOf(await scrape(router.baseUrl), 'pipes_queue_depth', { queue, kind: 'work' }) === 3,
      'the queue depth metric to show the 3 waiting messages',
    );

    const started = await getJson(`${router.baseUrl}/admin/routes/ops-sink/start`, { method: 'POST', headers: ops });
    expect(started.body.state).to.equal('started');
    await eventually(async () => {
      const route = await getJson(`${router.baseUrl}/admin/routes/ops-sink`, { headers: ops });
      return (route.body.counters as { completed: number }).completed === 7;
    }, 'the waiting messages to be consumed after the start');
  });

  it('guards the admin API with admin:* permissions and knows no unknown route', async () => {
    expect((await getJson(`${router.baseUrl}/admin/routes`)).status).to.equal(401);
    expect((await getJson(`${router.baseUrl}/admin/routes`, { headers: { 'x-api-key': LOADER_KEY } })).status).to.equal(403);
    expect((await getJson(`${router.baseUrl}/admin/routes/nope/stop`, { method: 'POST', headers: ops })).status).to.equal(404);
    // Metrics stay open to the scraper (open.metrics defaults to true).
    expect((await fetch(`${router.baseUrl}/metrics`)).status).to.equal(200);
  });

  it('is not ready while draining', async () => {
    const draining = router.router.drain(5_000);
    const during = await readiness(router.router.services);
    expect(during.ready).to.equal(false);
    expect(during.checks.router).to.deep.equal({ ready: false, detail: 'router draining' });
    expect(await draining).to.equal(true);
    expect(router.router.state).to.equal('stopped');
  });
});
