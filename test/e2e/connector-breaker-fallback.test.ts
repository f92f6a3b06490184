/**
 * An open circuit breaker on a consuming route, with and without `onFallback`, against real HTTP partners
 * that fail and then recover:
 * - with onFallback (Camel's behaviour): every message that arrives while the breaker is open runs the
 *   fallback at once (short-circuited, from the fallback, not successful); none waits in the queue and the
 *   consumer never pauses;
 * - without onFallback (the router's guarantee for partners that must get every message): the consumer
 *   pauses, the messages wait in the queue, and every one reaches the partner once it is back.
 */
import { expect } from 'chai';
import type { Connection } from 'rabbitmq-client';
import type { BreakerInfo } from '../../src/reliability/breakers.js';
import { startPartner, type Partner } from '../components/http-partner.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { eventually, uniqueName } from './rabbitmq-support.js';
import { connectorQueues, connectorRoute, deleteQueues, depth, logLines, publishPayment, testClient } from './connector-support.js';

const LEVELS = 10;
const PAUSED = 'circuit breaker open: consuming paused, messages wait in their queues';

interface FallbackCall {
  id: string;
  shortCircuited: boolean;
  fromFallback: boolean;
  successful: boolean;
}

describe('connector: an open circuit breaker with and without onFallback', function () {
  this.timeout(90_000);
  let connection: Connection;
  let test: TestRouter;
  let fallbackPartner: Partner;
  let guardedPartner: Partner;
  let heldPartner: Partner;
  const fallbackExchange = uniqueName('fb-ex');
  const fallbackQueue = uniqueName('fb');
  const heldExchange = uniqueName('held-ex');
  const heldQueue = uniqueName('held');
  const stamp = Date.now();

  const breaker = async (name: string): Promise<BreakerInfo> => {
    const answer = (await (await fetch(`${test.baseUrl}/admin/breakers`)).json()) as { breakers: BreakerInfo[] };
    return answer.breakers.find((b) => b.name === name)!;
  };
  const fallbackCalls = (): FallbackCall[] => fallbackPartner.requests.map((r) => JSON.parse(r.body) as FallbackCall);

  before(async function () {
    await requireBrokerOrSkip(this);
    connection = testClient('connector breaker fallback test');
    guardedPartner = await startPartner({ status: 500, body: 'down' });
    heldPartner = await startPartner({ status: 500, body: 'down' });
    fallbackPartner = await startPartner({ status: 200, body: { ok: true } });
    // The fallback route's breaker stays open for the whole test once it opened (no trial in between), so
    // every message published after it opened meets an open breaker.
    const withFallback = `
- route:
    id: fallback-delivery
    from:
      uri: spring-rabbitmq:${fallbackExchange}
      parameters: {queues: ${fallbackQueue}, routingKey: payment.accepted, exchangeType: topic}
      steps:
        - circuitBreaker:
            id: fallback-partner
            resilience4jConfiguration:
              failureRateThreshold: 50
              minimumNumberOfCalls: 2
              slidingWindowSize: 10
              waitDurationInOpenState: 300
            steps:
              - to: {uri: "${guardedPartner.url}/payments"}
            onFallback:
              steps:
                - setBody:
                    simple: '{"id":"\${header.CamelSpringRabbitmqMessageId}","shortCircuited":\${exchangeProperty.CamelCircuitBreakerResponseShortCircuited},"fromFallback":\${exchangeProperty.CamelCircuitBreakerResponseFromFallback},"successful":\${exchangeProperty.CamelCircuitBreakerSuccessfulExecution}}'
                - setHeader: {name: Content-Type, constant: application/json}
                - to: {uri: "${fallbackPartner.url}/fallback"}
`;
    const withoutFallback = connectorRoute({
      routeId: 'held-delivery',
      exchange: heldExchange,
      queue: heldQueue,
      partnerUrl: `${heldPartner.url}/payments`,
      maximumRedeliveries: LEVELS,
      redeliveryDelayMs: 200,
      minimumNumberOfCalls: 3,
      waitDurationInOpenState: 1,
    });
    test = await startRouter({ 'routes/fallback.yaml': withFallback, 'routes/held.yaml': withoutFallback }, { rabbitmqUrl: brokerUrl() });
  });

  after(async () => {
    await test?.stop();
    for (const partner of [guardedPartner, heldPartner, fallbackPartner]) await partner?.close().catch(() => undefined);
    if (connection) {
      await deleteQueues(connection, connectorQueues(fallbackQueue, LEVELS), fallbackExchange);
      await deleteQueues(connection, connectorQueues(heldQueue, LEVELS), heldExchange);
      await connection.close();
    }
  });

  it('with onFallback: every message while the breaker is open goes through the fallback at once, none waits', async () => {
    // Two failed calls open the breaker; each of them is answered by the fallback too.
    const opening = [`fb-open-${stamp}-0`, `fb-open-${stamp}-1`];
    for (const id of opening) await publishPayment(connection, fallbackExchange, id);
    await eventually(() => fallbackPartner.requests.length === 2, 'the fallback answered both failed calls');
    await eventually(async () => (await breaker('fallback-partner')).state === 'open', 'the breaker opened');
    expect(guardedPartner.requests).to.have.length(2);

    const whileOpen = Array.from({ length: 10 }, (_, i) => `fb-while-open-${stamp}-${i}`);
    for (const id of whileOpen) await publishPayment(connection, fallbackExchange, id);
    await eventually(
      () => fallbackPartner.requests.length === 12,
      () => `the fallback called for every message while open (${fallbackPartner.requests.length - 2} of 10)`,
    );

    const calls = fallbackCalls().filter((call) => whileOpen.includes(call.id));
    expect(calls.map((call) => call.id).sort()).to.deep.equal([...whileOpen].sort());
    for (const call of calls) expect(call).to.deep.include({ shortCircuited: true, fromFallback: true, successful: false });
    // The partner behind the open breaker was not called again, and nothing waits in RabbitMQ.
    expect(guardedPartner.requests).to.have.length(2);
    expect((await breaker('fallback-partner')).state).to.equal('open');
    const info = await depth(connection, fallbackQueue);
    expect(info).to.deep.equal({ messageCount: 0, consumerCount: 1 });
    expect(logLines(test.log, PAUSED).filter((line) => line.routeId === 'fallback-delivery')).to.have.length(0);
    expect((await depth(connection, `${fallbackQueue}.dlq`)).messageCount).to.equal(0);
  });

  it('without onFallback: the consumer holds while the breaker is open and every message reaches the partner after recovery', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `held-${stamp}-${i}`);
    for (const id of ids) await publishPayment(connection, heldExchange, id);
    await eventually(() => logLines(test.log, PAUSED).some((line) => line.routeId === 'held-delivery'), 'the consumer paused');
    await eventually(async () => {
      const info = await depth(connection, heldQueue);
      return (await breaker('held-delivery-partner')).state === 'open' && info.consumerCount === 0 && info.messageCount > 0;
    }, 'the queue holds messages and has no consumer while the breaker is open');

    heldPartner.reply({ status: 200, body: { ok: true } });
    const failedBefore = heldPartner.requests.length;
    await eventually(
      () => ids.every((id) => logLines(test.log, `delivered ${id}`).length === 1),
      'every message delivered once the partner is back',
      60_000,
    );
    // Every message reached the partner after it recovered (each answered 200 from then on).
    const afterRecovery = heldPartner.requests.slice(failedBefore).map((r) => r.headers['idempotency-key']);
    expect([...new Set(afterRecovery)].sort()).to.deep.equal([...ids].sort());
    for (const name of connectorQueues(heldQueue, LEVELS)) expect((await depth(connection, name)).messageCount, name).to.equal(0);
    expect(logLines(test.log, 'message dead-lettered')).to.have.length(0);
    expect(fallbackCalls().some((call) => ids.includes(call.id))).to.equal(false);
  });
});
