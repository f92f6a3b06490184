import { expect } from 'chai';
import type { TestRouter } from '../helpers/router.js';
import { mock, routerWith, run } from './helpers.js';

/** The error handler and the spring-rabbitmq consumer together, on the embedded memory transport. */
describe('error handling: a consumed message retried through the delay queue', () => {
  let router: TestRouter | undefined;
  afterEach(async () => {
    await router?.stop();
    router = undefined;
  });

  it('fails once, is parked by the broker (no sleeping consumer), then succeeds with the attempt counted', async () => {
    router = await routerWith(`
      - route:
          id: consume-payments
          errorHandler:
            defaultErrorHandler:
              redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 20}
          from:
            uri: spring-rabbitmq:payments-eh?queues=payments-eh-in&routingKey=pay
            steps:
              - to: mock:flaky?failWith=partner%20down&failCount=1
      - route:
          id: send
          from:
            uri: direct:send
            steps:
              - to: spring-rabbitmq:payments-eh?routingKey=pay
    `);
    await run(router, 'send', { body: { id: 'p-1' } });
    const received = await mock(router, 'flaky').waitFor(2, 10_000);
    expect(received.map((e) => e.getHeader('CamelRedeliveryCounter'))).to.deep.equal([0, 1]);
    expect(received.map((e) => e.message.body)).to.deep.equal([{ id: 'p-1' }, { id: 'p-1' }]);
    // The route handed the wait to the broker instead of redelivering in process.
    const handedOver = router.log.lines.filter((line) =>
      String(line.message).startsWith('attempt 1 failed, the broker redelivers in 20 ms'),
    );
    expect(handedOver).to.have.length(1);
  });
});
