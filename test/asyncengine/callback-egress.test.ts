/**
 * callbackUrl and the egress policy (embedded transport): a start naming a refused address, in any
 * spelling, is refused with 400 before anything is recorded or connected; a name is resolved through an
 * injected resolver (no DNS query leaves the machine) and the callback connects to the checked address;
 * a name that rebinds to a refused address between start and delivery is not called; refused and
 * unreachable receivers leave the same words in the run status. Only 127.0.0.1 is ever connected to.
 */
import net from 'node:net';
import { expect } from 'chai';
import { CALLBACK_UNREACHABLE, verifySignature } from '../../src/asyncengine/callbacks.js';
import { EGRESS_POLICY, createEgressPolicy, type ResolvedAddress } from '../../src/security/egress-policy.js';
import { freePort } from '../helpers/free-port.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { watchSockets } from '../security/egress-sockets.js';
import { startPartner, startRun, waitForRun, type Partner } from './support.js';

const SECRET = 'callback-egress-secret-0123456789';

describe('async engine: callbackUrl goes only where the egress policy allows', function () {
  this.timeout(20_000);
  let test: TestRouter;
  let receiver: Partner;
  let receiverPort: string;
  /** What each name resolves to now (a test changes it to rebind a name). */
  const dns = new Map<string, string[]>();
  const asked: string[] = [];
  const rebinding = new Map<string, string[]>();

  const resolve = (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    // A rebinding name answers its next address each time it is asked (the last one stays).
    const sequence = rebinding.get(host);
    const addresses = sequence ? (sequence.length > 1 ? [sequence.shift()!] : sequence) : dns.get(host);
    if (!addresses) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: net.isIP(address) === 6 ? (6 as const) : (4 as const) })));
  };

  before(async () => {
    receiver = await startPartner();
    receiverPort = new URL(receiver.url).port;
    test = await startRouter(
      {
        'routes/flows.yaml': `
- flow:
    name: cb
    callback:
      secret: ${SECRET}
      retry: {maxAttempts: 2, initialDelay: 20ms, maxDelay: 20ms, jitter: 0}
      timeout: 2s
    steps:
      - {name: echo, uri: "script:echo.mjs"}
`,
        'routes/echo.mjs': 'export default async (payload) => payload;',
      },
      {
        // The loopback receiver is allowed by address, as an operator would allow a partner's network.
        egressAllow: ['127.0.0.1'],
        prepare: (router) => EGRESS_POLICY.set(router.services, createEgressPolicy(router.services, { resolve })),
      },
    );
  });

  after(async () => {
    await test?.stop();
    await receiver?.close();
  });

  it('refuses a start whose callbackUrl is refused, in every spelling, before any run or connection', async () => {
    dns.set('inside.example', ['10.0.0.8']);
    dns.set('mixed.example', ['93.184.215.14', '169.254.169.254']);
    const refused = [
      'http://127.0.0.2:6379/',
      'http://localhost:15672/',
      'http://localhost.:15672/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.2]/',
      'http://2130706434/',
      'http://0177.0.0.2/',
      'http://0x7f000002/',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://inside.example/hook',
      'http://mixed.example/hook',
      'http://nowhere.example/hook',
    ];
    const bodies = new Set<string>();
    const sockets = watchSockets();
    try {
      for (const callbackUrl of refused) {
        const answer = await startRun(test.baseUrl, 'cb', { n: 1 }, {}, `&callbackUrl=${encodeURIComponent(callbackUrl)}`);
        expect(answer.status, callbackUrl).to.equal(400);
        expect(answer.body.error, callbackUrl).to.equal('BAD_CALLBACK_URL');
        bodies.add(JSON.stringify(answer.body));
      }
    } finally {
      sockets.stop();
    }
    // One answer for all of them: refused, private and unresolvable look the same.
    expect(bodies.size).to.equal(1);
    const routerPort = new URL(test.baseUrl).port;
    expect(sockets.opened.filter((to) => !to.endsWith(`:${routerPort}`)), 'no socket but the test to the router').to.deep.equal([]);
    const runs = (await (await fetch(`${test.baseUrl}/async/api/runs`)).json()) as { runs: unknown[] };
    expect(runs.runs).to.deep.equal([]);
  });

  it('calls back an allowed name at the address it was checked at, signed', async () => {
    dns.set('receiver.example', ['127.0.0.1']);
    receiver.requests.length = 0;
    const answer = await startRun(test.baseUrl, 'cb', { n: 2 }, {}, `&callbackUrl=${encodeURIComponent(`http://receiver.example:${receiverPort}/done`)}`);
    expect(answer.status).to.equal(202);
    const run = await waitForRun(test.baseUrl, answer.body.correlationId as string, ['succeeded'], { until: (r) => r.callback?.state === 'delivered' });
    expect(run.callback?.state).to.equal('delivered');
    expect(receiver.requests).to.have.length(1);
    const [request] = receiver.requests;
    expect(request!.headers.host).to.equal(`receiver.example:${receiverPort}`);
    expect(verifySignature(SECRET, request!.body, request!.headers['x-pipes-signature'] as string)).to.equal(true);
  });

  it('does not call a name that rebound to a refused address, and says the same as for an unreachable receiver', async () => {
    // Checked at the start as 127.0.0.1; by delivery the name points inside.
    rebinding.set('rebind.example', ['127.0.0.1', '10.0.0.9']);
    receiver.requests.length = 0;
    const sockets = watchSockets();
    let rebound: Awaited<ReturnType<typeof waitForRun>>;
    let unreachable: Awaited<ReturnType<typeof waitForRun>>;
    try {
      const started = await startRun(test.baseUrl, 'cb', { n: 3 }, {}, `&callbackUrl=${encodeURIComponent(`http://rebind.example:${receiverPort}/done`)}`);
      expect(started.status).to.equal(202);
      rebound = await waitForRun(test.baseUrl, started.body.correlationId as string, ['succeeded'], { until: (r) => r.callback?.state === 'failed' });

      // An allowed address where nothing listens.
      const closed = await freePort();
      const other = await startRun(test.baseUrl, 'cb', { n: 4 }, {}, `&callbackUrl=${encodeURIComponent(`http://127.0.0.1:${closed}/done`)}`);
      expect(other.status).to.equal(202);
      unreachable = await waitForRun(test.baseUrl, other.body.correlationId as string, ['succeeded'], { until: (r) => r.callback?.state === 'failed' });
    } finally {
      sockets.stop();
    }
    expect(receiver.requests, 'the rebound name was never called').to.deep.equal([]);
    expect(sockets.notLoopback()).to.deep.equal([]);
    const status = (run: typeof rebound): unknown => ({ ...(run.callback as Record<string, unknown>), at: undefined });
    expect(status(rebound)).to.deep.equal(status(unreachable));
    expect((rebound.callback as { lastError?: string }).lastError).to.equal(CALLBACK_UNREACHABLE);
    // The reason is in the router's log only.
    const refusal = test.log.lines.find((line) => line.message === 'egress refused' && line.host === 'rebind.example');
    expect(refusal).to.include({ purpose: 'callback', address: '10.0.0.9' });
  });
});
