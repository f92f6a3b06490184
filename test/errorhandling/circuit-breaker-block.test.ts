/**
 * Inside a circuitBreaker block the route's error handler stands aside (as Camel does without
 * inheritErrorHandler): the breaker sees every failed call, and the redelivery repeats the breaker call.
 */
import { expect } from 'chai';
import { startStubPartner, type StubPartner } from '../../examples/stub-partner.js';
import type { BreakerInfo } from '../../src/reliability/breakers.js';
import { startRouter, type TestRouter } from '../helpers/router.js';

describe('error handling around a circuitBreaker block', () => {
  let partner: StubPartner;
  let test: TestRouter;

  before(async () => {
    partner = await startStubPartner({ then: 503 });
    test = await startRouter({
      'routes/block.yaml': `
- route:
    id: guarded-call
    errorHandler:
      defaultErrorHandler:
        redeliveryPolicy:
          maximumRedeliveries: 2
          redeliveryDelay: 10
    from:
      uri: platform-http:/call
      steps:
        - circuitBreaker:
            id: block-partner
            resilience4jConfiguration:
              minimumNumberOfCalls: 100
            steps:
              - to:
                  uri: ${partner.url}/x
`,
    });
  });

  after(async () => {
    await test?.stop();
    await partner?.close();
  });

  it('redelivers the whole breaker call, so each partner call is one breaker call', async () => {
    const answer = await fetch(`${test.baseUrl}/call`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(answer.status).to.equal(502);
    expect(partner.calls).to.have.length(3);
    const { breakers } = (await (await fetch(`${test.baseUrl}/admin/breakers`)).json()) as { breakers: BreakerInfo[] };
    const breaker = breakers.find((b) => b.name === 'block-partner')!;
    // Redelivered inside the block, the breaker would have seen one call (and one failure) for three partner calls.
    expect(breaker.stats).to.include({ calls: 3, failures: 3 });
  });
});
