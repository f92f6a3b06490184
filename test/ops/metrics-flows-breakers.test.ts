/**
 * Flow step and circuit breaker metrics, on the embedded transport: exact event counts for a flow whose
 * step fails once and is retried through the queue, and breaker state and transitions.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { flowEngine } from '../../src/asyncengine/module.js';
import { sendToDirect } from '../../src/components/direct/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { eventually, scrape, valueOf } from './support.js';

describe('ops: flow step and breaker metrics (embedded transport)', function () {
  this.timeout(30_000);
  let router: TestRouter | undefined;
  let partner: http.Server | undefined;

  before(async () => {
    partner = http.createServer((request, response) => {
      request.resume();
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => partner!.listen(0, '127.0.0.1', resolve));
    const port = (partner.address() as AddressInfo).port;
    router = await startRouter({
      'routes/flows.yaml': `
- flow:
    name: ops-flow
    steps:
      - {name: prepare, uri: "script:scripts/echo.mjs"}
      - {name: call, uri: "script:scripts/flaky.mjs", retry: {maxAttempts: 3, initialDelay: 20ms, jitter: 0}}
- route:
    id: ops-guarded
    from:
      uri: direct:ops-guarded
      steps:
        - circuitBreaker:
            id: ops-partner
            resilience4jConfiguration:
              failureRateThreshold: 50
              minimumNumberOfCalls: 2
              waitDurationInOpenState: 60
            steps:
              - to: "http://127.0.0.1:${port}/down"
`,
      'routes/scripts/echo.mjs': 'export default async function echo(payload) { return payload; }',
      'routes/scripts/flaky.mjs': `
const calls = new Map();
export default async function flaky(payload, context) {
  const n = (calls.get(context.correlationId) ?? 0) + 1;
  calls.set(context.correlationId, n);
  if (n <= payload.failTimes) throw Object.assign(new Error('partner hiccup'), { retryable: true });
  return payload;
}`,
    });
  });

  after(async () => {
    await router?.stop();
    partner?.closeAllConnections();
    await new Promise<void>((resolve) => (partner ? partner.close(() => resolve()) : resolve()));
  });

  it('counts flow step events exactly', async () => {
    const engine = flowEngine(router!.router.services)!;
    const runs: { correlationId: string }[] = [];
    for (const failTimes of [0, 0, 1]) runs.push(await engine.startRun('ops-flow', { failTimes }));
    await eventually(async () => {
      const states = await Promise.all(runs.map((run) => engine.getRun(run.correlationId)));
      return states.every((run) => run?.state === 'succeeded');
    }, 'the three runs to succeed');
    const samples = await scrape(router!.baseUrl);
    const events = (step: string) =>
      Object.fromEntries(
        ['submitted', 'started', 'succeeded', 'failed', 'retried', 'dead_lettered'].map((event) => [
          event,
          valueOf(samples, 'pipes_flow_step_events_total', { flow: 'ops-flow', step, event }) ?? 0,
        ]),
      );
    expect(events('prepare')).to.deep.equal({ submitted: 3, started: 3, succeeded: 3, failed: 0, retried: 0, dead_lettered: 0 });
    expect(events('call')).to.deep.equal({ submitted: 3, started: 4, succeeded: 3, failed: 1, retried: 1, dead_lettered: 0 });
    expect(valueOf(samples, 'pipes_flow_step_duration_seconds_count', { flow: 'ops-flow', step: 'call' })).to.equal(4);
  });

  it('shows breaker state and counts its transitions', async () => {
    const services = router!.router.services;
    let samples = await scrape(router!.baseUrl);
    expect(valueOf(samples, 'pipes_breaker_state', { breaker: 'ops-partner' })).to.equal(0);
    for (let i = 0; i < 3; i++) {
      await sendToDirect(services, 'ops-guarded', new Exchange({ body: {} })).then(
        () => expect.fail('the partner is down'),
        () => undefined,
      );
    }
    samples = await scrape(router!.baseUrl);
    expect(valueOf(samples, 'pipes_breaker_state', { breaker: 'ops-partner' })).to.equal(2);
    expect(valueOf(samples, 'pipes_breaker_transitions_total', { breaker: 'ops-partner', to: 'open' })).to.equal(1);
    expect(valueOf(samples, 'pipes_route_failures_total', { route: 'ops-guarded', error_class: 'CallNotPermittedException', handled: 'false' })).to.equal(1);
  });
});
