import { expect } from 'chai';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { sendToDirect } from '../../src/components/direct/direct-registry.js';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { RouteLoadError } from '../../src/errors/index.js';
import { CircuitOpenError, HttpOperationFailedError, TimeoutError } from '../../src/errors/index.js';
import { breakerRegistry, type BreakerEvent, type BreakerRegistry } from '../../src/reliability/breakers.js';
import { CircuitBreakerProperties as P } from '../../src/eips/circuit-breaker/index.js';
import { startPartner, type Partner } from '../components/http-partner.js';

/** circuitBreaker with real local partners, through YAML routes. */
describe('circuitBreaker EIP', () => {
  let router: TestRouter | undefined;
  let partner: Partner | undefined;
  afterEach(async () => {
    await router?.stop();
    await partner?.close();
    router = undefined;
    partner = undefined;
  });

  async function start(yaml: string): Promise<TestRouter> {
    router = await startRouter({ 'routes/cb.yaml': yaml }, { http: false });
    return router;
  }

  const registry = (): BreakerRegistry => breakerRegistry(router!.router.services);

  function send(name: string, init: ConstructorParameters<typeof Exchange>[0] = {}): Promise<Exchange> {
    return sendToDirect(router!.router.services, name, new Exchange(init));
  }

  function failure(name: string, init: ConstructorParameters<typeof Exchange>[0] = {}): Promise<unknown> {
    return send(name, init).then(
      () => expect.fail('the call should have failed'),
      (error: unknown) => error,
    );
  }

  function nextEvent(kind: 'open' | 'halfOpen' | 'close'): Promise<BreakerEvent> {
    return new Promise((resolve) => registry().once(kind, resolve));
  }

  const route = (id: string, path: string, config: string, fallback = '') => `
- route:
    id: ${id}
    from:
      uri: direct:${id}
      steps:
        - circuitBreaker:
            resilience4jConfiguration:
${config
  .trim()
  .split('\n')
  .map((line) => `              ${line.trim()}`)
  .join('\n')}
            steps:
              - setHeader:
                  name: touchedInside
                  constant: "yes"
              - to: "${partner!.url}${path}"${fallback}
        - to: mock:${id}-after
`;

  const FAST = `
    failureRateThreshold: 50
    minimumNumberOfCalls: 2
    waitDurationInOpenState: 60`;

  it('opens after failures, then refuses calls at once with CallNotPermittedException', async () => {
    partner = await startPartner({ status: 503, body: 'down' });
    await start(route('pay', '/pay', FAST));
    const origin = new URL(partner.url).origin;
    expect(registry().breakersOf('pay')).to.deep.equal([origin]);
    const opened = nextEvent('open');

    expect(await failure('pay', { body: { n: 1 } })).to.be.instanceOf(HttpOperationFailedError);
    expect(await failure('pay', { body: { n: 2 } })).to.be.instanceOf(HttpOperationFailedError);
    const event = await opened;
    expect(event).to.deep.include({ name: origin, state: 'open', routeIds: ['pay'] });
    expect(registry().state(origin)).to.equal('open');

    const exchange = new Exchange({ body: { n: 3 } });
    const refused = await sendToDirect(router!.router.services, 'pay', exchange).then(
      () => expect.fail('should be refused'),
      (error: unknown) => error as CircuitOpenError,
    );
    expect(refused).to.be.instanceOf(CircuitOpenError);
    expect(refused.camelName).to.equal('io.github.resilience4j.circuitbreaker.CallNotPermittedException');
    expect(refused.retryable).to.equal(true);
    expect(refused.details.breaker).to.equal(origin);
    expect(refused.details.retryAfterMs).to.be.greaterThan(0).and.at.most(60_000);
    expect(partner.requests).to.have.length(2);
    expect(exchange.properties).to.include({
      [P.successfulExecution]: false,
      [P.shortCircuited]: true,
      [P.rejected]: true,
      [P.fromFallback]: false,
      [P.state]: 'OPEN',
    });
    const [info] = registry().list();
    expect(info).to.deep.include({ name: origin, state: 'open', routeIds: ['pay'] });
    expect(info!.stats).to.deep.include({ calls: 3, failures: 2, shortCircuited: 1 });
    expect(info!.retryAfterMs).to.be.greaterThan(0);
  });

  it('answers from onFallback, which sees the message as it was before the block', async () => {
    partner = await startPartner({ status: 500, body: 'boom' });
    await start(
      route(
        'quote',
        '/quote',
        FAST,
        `
            onFallback:
              steps:
                - setBody:
                    simple: "fallback for \${body[n]}, inside=\${header.touchedInside}, error=\${exception.statusCode}"`,
      ),
    );
    const first = await send('quote', { body: { n: 1 } });
    expect(first.message.body).to.equal('fallback for 1, inside=, error=500');
    expect(first.properties).to.include({
      [P.successfulExecution]: false,
      [P.fromFallback]: true,
      [P.shortCircuited]: false,
      [P.timedOut]: false,
    });
    await send('quote', { body: { n: 2 } });
    const shortCircuited = await send('quote', { body: { n: 3 } });
    expect(shortCircuited.message.body).to.match(/^fallback for 3, inside=, error=/);
    expect(shortCircuited.properties).to.include({ [P.fromFallback]: true, [P.shortCircuited]: true });
    expect(partner.requests).to.have.length(2);
    expect(mockEndpoint(router!.router.services, 'quote-after').received).to.have.length(3);
  });

  it('keeps the answer and sets the success properties when the call works', async () => {
    partner = await startPartner({ status: 200, body: { rate: 1.1 } });
    await start(route('rate', '/rate', FAST));
    const done = await send('rate', { body: { n: 1 } });
    expect(done.message.body).to.deep.equal({ rate: 1.1 });
    expect(done.getHeader('touchedInside')).to.equal('yes');
    expect(done.properties).to.include({ [P.successfulExecution]: true, [P.fromFallback]: false, [P.state]: 'CLOSED' });
    // The error handling's "inside a breaker" marker is the router's own: a route listing its properties never sees it.
    expect(Object.keys(done.properties).filter((name) => !name.startsWith('CamelCircuitBreaker'))).to.deep.equal([]);
  });

  it('lets one trial through when half-open and closes when it succeeds', async () => {
    partner = await startPartner({ status: 503 }, { status: 503 }, { hold: true });
    await start(
      route(
        'trial',
        '/trial',
        `
        failureRateThreshold: 50
        minimumNumberOfCalls: 2
        waitDurationInOpenState: 200ms`,
      ),
    );
    const name = registry().breakersOf('trial')[0]!;
    const opened = nextEvent('open');
    await failure('trial', { body: {} });
    await failure('trial', { body: {} });
    await opened;
    const halfOpen = await nextEvent('halfOpen');
    expect(halfOpen).to.deep.include({ name, state: 'halfOpen', routeIds: ['trial'] });

    const trial = send('trial', { body: { trial: true } });
    await partner.until(() => partner!.requests.length === 3);
    // While the trial is in flight every other call is refused.
    expect(await failure('trial', { body: {} })).to.be.instanceOf(CircuitOpenError);
    const closed = nextEvent('close');
    partner.release({ status: 200, body: { ok: true } });
    expect((await trial).message.body).to.deep.equal({ ok: true });
    await closed;
    expect(registry().state(name)).to.equal('closed');
    expect(partner.requests).to.have.length(3);
  });

  it('goes back to open when the half-open trial fails', async () => {
    partner = await startPartner({ status: 503 });
    await start(route('retrial', '/x', 'minimumNumberOfCalls: 1\nwaitDurationInOpenState: 100ms'));
    const name = registry().breakersOf('retrial')[0]!;
    const opened = nextEvent('open');
    await failure('retrial', { body: {} });
    await opened;
    await nextEvent('halfOpen');
    const reopened = nextEvent('open');
    expect(await failure('retrial', { body: {} })).to.be.instanceOf(HttpOperationFailedError);
    await reopened;
    expect(registry().state(name)).to.equal('open');
  });

  it('does not count 4xx against the partner and does not take the fallback for them', async () => {
    partner = await startPartner({ status: 400, body: { error: 'bad iban' } });
    await start(
      route(
        'bad',
        '/pay',
        FAST,
        `
            onFallback:
              steps:
                - setBody:
                    constant: fallback`,
      ),
    );
    const name = registry().breakersOf('bad')[0]!;
    for (let i = 0; i < 5; i++) {
      const error = (await failure('bad', { body: { i } })) as HttpOperationFailedError;
      expect(error.statusCode).to.equal(400);
    }
    expect(registry().state(name)).to.equal('closed');
    expect(partner.requests).to.have.length(5);
    expect(registry().list()[0]!.stats).to.deep.include({ ignored: 5, failures: 0, fallbacks: 0 });
  });

  it('honours recordException and ignoreException by is-a', async () => {
    partner = await startPartner({ status: 503 });
    await start(`
${route('ignoring', '/a', 'minimumNumberOfCalls: 1\nignoreException: [org.apache.camel.http.base.HttpOperationFailedException]')}
- route:
    id: recording
    from:
      uri: direct:recording
      steps:
        - circuitBreaker:
            id: recording-breaker
            resilience4jConfiguration:
              minimumNumberOfCalls: 1
              recordException: [java.io.IOException]
            steps:
              - to: "${partner.url}/b"
`);
    const ignoring = registry().breakersOf('ignoring')[0]!;
    await failure('ignoring', { body: {} });
    await failure('ignoring', { body: {} });
    expect(registry().state(ignoring)).to.equal('closed');
    // A 503 is not an IOException: not recorded either.
    await failure('recording', { body: {} });
    await failure('recording', { body: {} });
    expect(registry().state('recording-breaker')).to.equal('closed');
    expect(registry().breakersOf('recording')).to.deep.equal(['recording-breaker']);
  });

  it('shares one breaker between the routes calling the same partner', async () => {
    partner = await startPartner({ status: 503 });
    await start(`${route('first', '/payments', FAST)}${route('second', '/refunds', FAST)}`);
    const origin = new URL(partner.url).origin;
    expect(registry().breakersOf('first')).to.deep.equal([origin]);
    expect(registry().breakersOf('second')).to.deep.equal([origin]);
    expect(registry().routesOf(origin)).to.deep.equal(['first', 'second']);
    const opened = nextEvent('open');
    await failure('first', { body: {} });
    await failure('first', { body: {} });
    expect((await opened).routeIds).to.deep.equal(['first', 'second']);
    expect(await failure('second', { body: {} })).to.be.instanceOf(CircuitOpenError);
    expect(partner.requests.map((r) => r.url)).to.deep.equal(['/payments', '/payments']);
  });

  it('warns when routes sharing a breaker configure it differently', async () => {
    partner = await startPartner();
    await start(`${route('one', '/a', FAST)}${route('two', '/b', 'minimumNumberOfCalls: 7')}`);
    const warning = router!.router.diagnostics.find((d) => d.message.includes('configured it differently'));
    expect(warning?.severity).to.equal('warning');
  });

  it('cancels a call that outlives timeoutDuration: the partner sees the connection close', async () => {
    partner = await startPartner({ hold: true });
    await start(
      route(
        'slow',
        '/slow',
        `
        minimumNumberOfCalls: 5
        timeoutEnabled: true
        timeoutDuration: 150`,
        `
            onFallback:
              steps:
                - setBody:
                    constant: late`,
      ),
    );
    const done = await send('slow', { body: {} });
    expect(done.message.body).to.equal('late');
    expect(done.properties).to.include({ [P.timedOut]: true, [P.fromFallback]: true, [P.shortCircuited]: false });
    await partner.until(() => partner!.abandoned === 1);
    expect(registry().list()[0]!.stats).to.deep.include({ timeouts: 1, failures: 1 });
  });

  it('fails with TimeoutException when a timed-out call has no fallback', async () => {
    partner = await startPartner({ hold: true });
    await start(route('late', '/slow', 'timeoutEnabled: "true"\ntimeoutDuration: "100"'));
    const exchange = new Exchange({ body: {} });
    const error = await sendToDirect(router!.router.services, 'late', exchange).then(
      () => expect.fail('should time out'),
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(TimeoutError);
    expect(exchange.properties[P.timedOut]).to.equal(true);
    await partner.until(() => partner!.abandoned === 1);
  });

  it('names the breaker after the EIP id and shuts breakers down when the router stops', async () => {
    partner = await startPartner();
    await start(`
- route:
    id: by-id
    from:
      uri: direct:by-id
      steps:
        - circuitBreaker:
            id: ledger
            steps:
              - to: direct:ledger-call
- route:
    id: ledger-call
    from:
      uri: direct:ledger-call
      steps:
        - to: "${partner.url}/ledger"
`);
    expect(registry().breakersOf('by-id')).to.deep.equal(['ledger']);
    await send('by-id', { body: {} });
    const breaker = registry().breaker('ledger');
    expect(breaker.isShutdown).to.equal(false);
    await router!.stop();
    expect(breaker.isShutdown).to.equal(true);
    router = undefined;
  });

  it('rejects faultToleranceConfiguration and configuration references with a hint, and warns on options without effect', async () => {
    partner = await startPartner();
    const load = (yaml: string) =>
      startRouter({ 'routes/cb.yaml': yaml }, { http: false }).then(
        (started) => {
          router = started;
          return expect.fail('should not load');
        },
        (error: unknown) => error as RouteLoadError,
      );
    const fault = await load(`
- route:
    id: ft
    from:
      uri: direct:ft
      steps:
        - circuitBreaker:
            faultToleranceConfiguration:
              timeoutEnabled: true
            steps:
              - to: "${partner.url}/x"
`);
    expect(fault).to.be.instanceOf(RouteLoadError);
    const diagnostic = fault.diagnostics.find((d) => d.message.includes('faultToleranceConfiguration'));
    expect(diagnostic?.hint).to.contain('resilience4jConfiguration');
    const reference = await load(`
- route:
    id: ref
    from:
      uri: direct:ref
      steps:
        - circuitBreaker:
            configuration: myConfig
            steps:
              - to: "${partner.url}/x"
`);
    expect(reference.diagnostics.some((d) => d.message.includes('configuration') && d.hint)).to.equal(true);

    await start(route('warned', '/x', 'permittedNumberOfCallsInHalfOpenState: 5\nbulkheadEnabled: true'));
    const warnings = router!.router.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    expect(warnings.some((m) => m.includes('permittedNumberOfCallsInHalfOpenState'))).to.equal(true);
    expect(warnings.some((m) => m.includes('bulkheadEnabled'))).to.equal(true);
  });

  it('maps resilience4jConfiguration onto the breaker settings', async () => {
    partner = await startPartner();
    await start(
      route(
        'mapped',
        '/x',
        `
        failureRateThreshold: 25
        minimumNumberOfCalls: 4
        waitDurationInOpenState: 30
        slidingWindowType: TIME_BASED
        slidingWindowSize: 20
        timeoutEnabled: true
        timeoutDuration: 2500`,
      ),
    );
    const name = registry().breakersOf('mapped')[0]!;
    expect(registry().settings(name)).to.deep.equal({
      errorThresholdPercentage: 25,
      volumeThreshold: 4,
      resetTimeoutMs: 30_000,
      rollingCountTimeoutMs: 20_000,
      rollingCountBuckets: 20,
      timeoutMs: 2500,
      recordExceptions: [],
      ignoreExceptions: [],
    });
  });
});
