/**
 * Drain in process (embedded transport): readiness turns false first, a new HTTP request meets 503 with
 * Retry-After while one in flight finishes normally, and the router then stops.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { eventually, getJson } from './support.js';

describe('ops: drain (in process)', function () {
  this.timeout(30_000);
  let router: TestRouter | undefined;
  let partner: http.Server | undefined;
  let release: () => void = () => undefined;
  let waiting = 0;

  before(async () => {
    const gate = new Promise<void>((resolve) => (release = resolve));
    partner = http.createServer((request, response) => {
      waiting++;
      request.resume();
      void gate.then(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"booked":true}'));
    });
    await new Promise<void>((resolve) => partner!.listen(0, '127.0.0.1', resolve));
    const port = (partner.address() as AddressInfo).port;
    router = await startRouter({
      'routes/slow.yaml': `
- route:
    id: slow-entry
    from:
      uri: platform-http:/ops/slow
      steps:
        - to: {uri: "http://127.0.0.1:${port}/book", parameters: {httpMethod: POST}}
`,
    });
  });

  after(async () => {
    release();
    await router?.stop();
    partner?.closeAllConnections();
    await new Promise<void>((resolve) => (partner ? partner.close(() => resolve()) : resolve()));
  });

  it('answers 503 + Retry-After to new requests while the one in flight finishes, then stops', async () => {
    const inFlight = fetch(`${router!.baseUrl}/ops/slow`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await eventually(() => waiting === 1, 'the first request to reach the partner');

    const draining = router!.router.drain(20_000);
    expect(router!.router.state).to.equal('draining');
    const ready = await getJson(`${router!.baseUrl}/health/ready`);
    expect(ready.status).to.equal(503);
    expect((ready.body.checks as Record<string, unknown>).router).to.deep.equal({ ready: false, detail: 'router draining' });

    const refused = await fetch(`${router!.baseUrl}/ops/slow`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(refused.status).to.equal(503);
    expect(refused.headers.get('retry-after')).to.equal('5');
    expect(((await refused.json()) as { error: string }).error).to.equal('SHUTTING_DOWN');
    expect(waiting, 'the refused request never ran').to.equal(1);

    release();
    const finished = await inFlight;
    expect(finished.status).to.equal(200);
    expect(await finished.json()).to.deep.equal({ booked: true });
    expect(await draining).to.equal(true);
    expect(router!.router.state).to.equal('stopped');
  });
});
