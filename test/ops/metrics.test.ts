/**
 * A scripted run with known failures against the real broker, then one scrape of /metrics that must
 * show exactly the expected counts.
 */
import { expect } from 'chai';
import { Connection } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { eventually, scrape, valueOf, type Sample } from './support.js';
import { consumerQueues, uniqueName } from '../e2e/rabbitmq-support.js';

const ORDER_SCHEMA = JSON.stringify({
  type: 'object',
  required: ['id', 'amount'],
  properties: { id: { type: 'string' }, amount: { type: 'number' }, kind: { type: 'string' } },
});
// What the delivering route accepts: anything but a poison order (a validation failure: never retried).
const DELIVERABLE_SCHEMA = JSON.stringify({ type: 'object', properties: { kind: { not: { const: 'poison' } } } });

describe('ops: metrics after a scripted run (real broker)', function () {
  this.timeout(60_000);
  const exchange = uniqueName('ops-orders');
  const queue = uniqueName('ops-orders-q');
  let router: TestRouter;

  before(async function () {
    await requireBrokerOrSkip(this);
    router = await startRouter(
      {
        'schemas/order.schema.json': ORDER_SCHEMA,
        'schemas/deliverable.schema.json': DELIVERABLE_SCHEMA,
        'routes/orders.yaml': `
- route:
    id: ops-intake
    from:
      uri: platform-http:/ops/orders
      parameters: {httpMethodRestrict: POST}
      steps:
        - to: json-validator:order.schema.json
        - to:
            uri: spring-rabbitmq:${exchange}
            pattern: InOnly
            parameters: {routingKey: order}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: ops-deliver
    errorHandler:
      defaultErrorHandler:
        redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 20}
    from:
      uri: spring-rabbitmq:${exchange}
      parameters: {queues: ${queue}, routingKey: order, concurrentConsumers: 2}
      steps:
        - to: json-validator:deliverable.schema.json
        - choice:
            when:
              - expression:
                  simple:
                    expression: "\${body[kind]} == 'flaky'"
                steps:
                  - to: mock:flaky?failWith=partner%20down&failCount=1
        - to: mock:delivered
`,
      },
      { rabbitmqUrl: brokerUrl() },
    );
  });

  after(async () => {
    await router?.stop();
    const connection = new Connection({ url: brokerUrl(), connectionName: 'ops metrics cleanup' });
    for (const name of consumerQueues(queue)) {
      await connection.queueDelete({ queue: name }).catch(() => undefined);
    }
    await connection.exchangeDelete({ exchange }).catch(() => undefined);
    await connection.close();
  });

  it('counts every outcome exactly: 10 posted, 3 invalid, 1 retried once, 1 dead-lettered', async () => {
    const orders = [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `ok-${i}`, amount: 10 + i })),
      { id: 'flaky-1', amount: 5, kind: 'flaky' },
      { id: 'poison-1', amount: 5, kind: 'poison' },
      ...Array.from({ length: 3 }, (_, i) => ({ id: `bad-${i}` })),
    ];
    const statuses: number[] = [];
    for (const order of orders) {
      const response = await fetch(`${router.baseUrl}/ops/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 202)).to.have.length(7);
    expect(statuses.filter((s) => s === 400)).to.have.length(3);

    const delivered = mockEndpoint(router.router.services, 'delivered');
    await delivered.waitFor(6, 20_000);
    let samples: Sample[] = [];
    await eventually(async () => {
      samples = await scrape(router.baseUrl);
      const settled =
        valueOf(samples, 'pipes_route_inflight', { route: 'ops-deliver' }) === 0 &&
        valueOf(samples, 'pipes_route_exchanges_total', { route: 'ops-deliver', outcome: 'dead_lettered' }) === 1 &&
        valueOf(samples, 'pipes_queue_depth', { queue: `${queue}.dlq` }) === 1 &&
        // The handler that settled last gives its slot back just after the route's own counters move.
        valueOf(samples, 'pipes_consumer_utilisation', { route: 'ops-deliver' }) === 0 &&
        valueOf(samples, 'pipes_consumer_prefetch_in_use', { route: 'ops-deliver' }) === 0;
      return settled;
    }, 'the run to settle in the metrics');

    const route = (id: string, outcome: string) => valueOf(samples, 'pipes_route_exchanges_total', { route: id, outcome });
    expect(valueOf(samples, 'pipes_route_exchanges_received_total', { route: 'ops-intake' })).to.equal(10);
    expect([route('ops-intake', 'completed'), route('ops-intake', 'failed'), route('ops-intake', 'retried'), route('ops-intake', 'dead_lettered')]).to.deep.equal([7, 3, 0, 0]);
    expect(valueOf(samples, 'pipes_route_failures_total', { route: 'ops-intake', error_class: 'JsonValidationException', handled: 'false' })).to.equal(3);
    expect(valueOf(samples, 'pipes_http_requests_total', { route: 'ops-intake', status: '202' })).to.equal(7);
    expect(valueOf(samples, 'pipes_http_requests_total', { route: 'ops-intake', status: '400' })).to.equal(3);

    // 7 messages, and the flaky one a second time after its broker-held retry.
    expect(valueOf(samples, 'pipes_route_exchanges_received_total', { route: 'ops-deliver' })).to.equal(8);
    expect([route('ops-deliver', 'completed'), route('ops-deliver', 'failed'), route('ops-deliver', 'retried'), route('ops-deliver', 'dead_lettered')]).to.deep.equal([6, 1, 1, 1]);
    expect(valueOf(samples, 'pipes_route_failures_total', { route: 'ops-deliver', error_class: 'JsonValidationException', handled: 'false' })).to.equal(1);
    expect(valueOf(samples, 'pipes_route_duration_seconds_count', { route: 'ops-deliver' })).to.equal(8);
    expect(valueOf(samples, 'pipes_route_duration_seconds_bucket', { route: 'ops-deliver', le: '+Inf' })).to.equal(8);

    // Broker and consumer state, polled queue depths.
    expect(valueOf(samples, 'pipes_queue_depth', { queue, kind: 'work' })).to.equal(0);
    expect(valueOf(samples, 'pipes_queue_depth', { queue: `${queue}.dlq`, kind: 'dead_letter' })).to.equal(1);
    expect(valueOf(samples, 'pipes_queue_consumers', { queue, kind: 'work' })).to.equal(1);
    expect(valueOf(samples, 'pipes_consumer_concurrency', { route: 'ops-deliver' })).to.equal(2);
    expect(valueOf(samples, 'pipes_consumer_prefetch_limit', { route: 'ops-deliver' })).to.equal(4);
    expect(valueOf(samples, 'pipes_consumer_utilisation', { route: 'ops-deliver' })).to.equal(0);
    expect(valueOf(samples, 'pipes_consumer_prefetch_in_use', { route: 'ops-deliver' })).to.equal(0);
    expect(valueOf(samples, 'pipes_broker_connected')).to.equal(1);
    expect(valueOf(samples, 'pipes_router_ready')).to.equal(1);
    expect(valueOf(samples, 'pipes_route_up', { route: 'ops-intake' })).to.equal(1);
    // Default process metrics, on the router's own registry.
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).to.be.a('number');
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
  });

  it('labels stay bounded: error classes are names, never messages', async () => {
    const samples = await scrape(router.baseUrl);
    const classes = samples.filter((s) => s.name === 'pipes_route_failures_total').map((s) => s.labels.error_class);
    for (const name of classes) expect(name).to.match(/^[A-Za-z_][\w]*$/);
  });
});
