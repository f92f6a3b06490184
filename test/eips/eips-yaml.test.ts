import { expect } from 'chai';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { sendToDirect } from '../../src/components/direct/direct-registry.js';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { drainWireTaps } from '../../src/eips/index.js';
import { RouteLoadError } from '../../src/errors/index.js';

/** EIPs built from real route files through the real loader, languages, components and route builder. */
describe('EIPs from YAML routes', () => {
  let router: TestRouter | undefined;
  afterEach(async () => {
    if (router) await drainWireTaps(router.router.services);
    await router?.stop();
    router = undefined;
  });

  async function start(yaml: string): Promise<TestRouter> {
    router = await startRouter({ 'routes/eips.yaml': yaml }, { http: false });
    return router;
  }

  async function send(name: string, init: ConstructorParameters<typeof Exchange>[0]): Promise<Exchange> {
    return sendToDirect(router!.router.services, name, new Exchange(init));
  }

  const mock = (name: string) => mockEndpoint(router!.router.services, name);

  it('choice, filter, setHeader and stop in canonical and compact notation', async () => {
    await start(`
- route:
    id: payments
    from:
      uri: direct:payments
      steps:
        - setProperty:
            name: kind
            expression:
              simple:
                expression: "\${header.kind}"
        - choice:
            when:
              - expression:
                  simple:
                    expression: "\${body[amount]} > 1000"
                steps:
                  - setHeader:
                      name: lane
                      constant: review
                  - to: mock:review
              - simple: "\${exchangeProperty.kind} == 'refund'"
                steps:
                  - to: mock:refunds
                  - stop: {}
            otherwise:
              steps:
                - to:
                    uri: mock:book
        - filter:
            simple: "\${header.lane} == 'review'"
            statusPropertyName: reviewed
            steps:
              - log:
                  message: "review needed for \${body[amount]}"
                  loggingLevel: WARN
        - to: mock:after
`);
    const big = await send('payments', { body: { amount: 5000 } });
    await send('payments', { body: { amount: 10 } });
    await send('payments', { body: { amount: 10 }, headers: { kind: 'refund' } });
    expect(mock('review').bodies).to.deep.equal([{ amount: 5000 }]);
    expect(mock('book').bodies).to.deep.equal([{ amount: 10 }]);
    expect(mock('refunds').received).to.have.length(1);
    expect(mock('after').received).to.have.length(2); // the refund stopped inside the choice
    expect(big.getHeader('lane')).to.equal('review');
    expect(big.properties.reviewed).to.equal(true);
    const warning = router!.log.lines.find((l) => l.message === 'review needed for 5000');
    expect(warning).to.include({
      level: 'warn',
      routeId: 'payments',
      exchangeId: big.exchangeId,
      logName: 'payments',
    });
  });

  it('split with tokenize and jsonpath, aggregation, and the split properties', async () => {
    await start(`
- route:
    id: splitter
    from:
      uri: direct:csv
      steps:
        - split:
            tokenize: ","
            steps:
              - setHeader:
                  name: part
                  simple: "\${exchangeProperty.CamelSplitIndex}/\${exchangeProperty.CamelSplitSize}/\${exchangeProperty.CamelSplitComplete}"
              - to: mock:part
        - to: mock:afterCsv
- route:
    id: lines
    from:
      uri: direct:lines
      steps:
        - split:
            expression:
              jsonpath:
                expression: "$.lines[*]"
            aggregationStrategy: groupedBody
            steps:
              - setBody:
                  simple: "line \${body[sku]}"
        - to: mock:grouped
`);
    await send('csv', { body: 'a,b,c' });
    expect(mock('part').bodies).to.deep.equal(['a', 'b', 'c']);
    expect(mock('part').received.map((e) => e.getHeader('part'))).to.deep.equal([
      '0/3/false',
      '1/3/false',
      '2/3/true',
    ]);
    expect(mock('afterCsv').bodies).to.deep.equal(['a,b,c']);

    await send('lines', { body: { lines: [{ sku: 'x' }, { sku: 'y' }] } });
    expect(mock('grouped').bodies).to.deep.equal([['line x', 'line y']]);
  });

  it('doTry / doCatch / doFinally with throwException and onWhen', async () => {
    await start(`
- route:
    id: tries
    from:
      uri: direct:try
      steps:
        - doTry:
            steps:
              - throwException:
                  exceptionType: java.lang.IllegalArgumentException
                  message: "bad amount \${header.amount}"
              - to: mock:never
            doCatch:
              - exception:
                  - java.lang.Exception
                steps:
                  - setBody:
                      simple: "general: \${exception.message}"
              - exception:
                  - java.lang.IllegalArgumentException
                onWhen:
                  simple: "\${exception.message} contains 'amount'"
                steps:
                  - setBody:
                      simple: "caught: \${exception.message}"
            doFinally:
              steps:
                - setHeader:
                    name: finally
                    constant: done
        - to: mock:afterTry
`);
    const exchange = await send('try', { headers: { amount: -5 } });
    expect(mock('never').received).to.have.length(0);
    expect(mock('afterTry').bodies).to.deep.equal(['caught: bad amount -5']);
    expect(exchange.getHeader('finally')).to.equal('done');
  });

  it('multicast, wireTap, toD with pattern, removeHeaders and convertBodyTo', async () => {
    await start(`
- route:
    id: fanout
    from:
      uri: direct:fanout
      steps:
        - removeHeaders:
            pattern: "X-Internal-*"
        - convertBodyTo: java.util.Map
        - wireTap:
            uri: "mock:tap-\${header.region}"
        - multicast:
            steps:
              - to: mock:ledger
              - toD:
                  uri: "mock:\${header.region}"
                  pattern: InOnly
        - convertBodyTo:
            type: java.lang.String
        - to: mock:afterFanout
`);
    const exchange = await send('fanout', {
      body: '{"amount":1}',
      headers: { region: 'eu', 'x-internal-token': 'secret', keep: 'yes' },
      pattern: 'InOut',
    });
    expect(mock('ledger').bodies).to.deep.equal([{ amount: 1 }]);
    expect(mock('eu').received[0]!.pattern).to.equal('InOnly');
    expect(mock('afterFanout').bodies).to.deep.equal(['{"amount":1}']);
    expect(mock('afterFanout').received[0]!.message.headers).to.deep.equal({ region: 'eu', keep: 'yes' });
    expect(exchange.pattern).to.equal('InOut');
    const [tapped] = await mock('tap-eu').waitFor(1);
    expect(tapped!.pattern).to.equal('InOnly');
    expect(tapped!.body).to.deep.equal({ amount: 1 });
  });

  async function loadErrors(yaml: string): Promise<string> {
    let failure: unknown;
    await start(yaml).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(RouteLoadError);
    return (failure as RouteLoadError).diagnostics.map((d) => d.message).join('\n');
  }

  it('load error: a when without a predicate', async () => {
    const messages = await loadErrors(`
- route:
    id: broken
    from:
      uri: direct:broken
      steps:
        - choice:
            when:
              - steps:
                  - to: mock:x
`);
    expect(messages).to.match(/when\[0\]/);
  });

  it('load error: an unknown aggregation strategy, with the step location', async () => {
    let failure: unknown;
    await start(`
- route:
    id: broken
    from:
      uri: direct:broken
      steps:
        - split:
            simple: "\${body}"
            aggregationStrategy: groupedBodies
            steps:
              - to: mock:y
`).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(RouteLoadError);
    const diagnostic = (failure as RouteLoadError).diagnostics.find((d) =>
      d.message.includes("'groupedBodies'"),
    );
    expect(diagnostic).to.not.equal(undefined);
    expect(diagnostic!.suggestions).to.include('groupedBody');
    expect(diagnostic!.loc?.line).to.equal(7);
  });
});
