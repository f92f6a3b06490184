/**
 * `direct:callAsyncEngine` from a route (embedded transport; the broker path is in test/e2e): the body is
 * the payload, the correlation id comes back on the exchange, a missing flowName is a clear error.
 */
import { expect } from 'chai';
import { sendToDirect } from '../../src/components/direct/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { waitForRun } from './support.js';

describe('direct:callAsyncEngine', () => {
  let test: TestRouter;

  before(async () => {
    test = await startRouter({
      'routes/hand-off.yaml': `
- flow:
    name: greet
    input: {type: object, required: [name]}
    steps:
      - {name: hello, uri: "script:hello.mjs"}
- route:
    id: start-greeting
    from:
      uri: direct:start-greeting
      steps:
        - setProperty: {name: flowName, constant: greet}
        - setProperty: {name: channel, constant: branch-12}
        - to: direct:callAsyncEngine
- route:
    id: forgot-flow-name
    from:
      uri: direct:forgot-flow-name
      steps:
        - to: direct:callAsyncEngine
`,
      'routes/hello.mjs': 'export default async (payload, context) => ({ greeting: `hello ${payload.name}`, channel: context.properties.channel });',
    });
  });
  after(() => test?.stop());

  it('starts the flow with the body as payload, passes route properties on, and puts the correlation id on the exchange', async () => {
    const exchange = new Exchange({ body: Buffer.from('{"name":"Ada"}') });
    await sendToDirect(test.router.services, 'start-greeting', exchange);
    const correlationId = exchange.properties.asyncCorrelationId as string;
    expect(correlationId).to.be.a('string');
    expect(exchange.body).to.deep.equal({ correlationId, statusUrl: `/async/api/runs/${correlationId}?flowName=greet` });
    expect(exchange.getHeader('CamelHttpResponseCode')).to.equal(202);
    const run = await waitForRun(test.baseUrl, correlationId, ['succeeded']);
    expect(run.output).to.deep.equal({ greeting: 'hello Ada', channel: 'branch-12' });
  });

  it('refuses a payload the flow input schema rejects', async () => {
    const exchange = new Exchange({ body: { nom: 'Ada' } });
    let failure: unknown;
    await sendToDirect(test.router.services, 'start-greeting', exchange).catch((error: unknown) => (failure = error));
    expect(failure).to.include({ code: 'VALIDATION_FAILED', httpStatus: 400 });
  });

  it('fails clearly when the route set no flowName', async () => {
    let failure: Error | undefined;
    await sendToDirect(test.router.services, 'forgot-flow-name', new Exchange({ body: {} })).catch((error: Error) => (failure = error));
    expect(failure?.message).to.include("needs the exchange property 'flowName'");
    expect(failure?.message).to.include('setProperty: {name: flowName, constant: <flow>}');
  });
});
