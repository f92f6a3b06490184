import { expect } from 'chai';
import { ROUTER_BROKER_DEFAULT_POLICY } from '../../src/errorhandling/redelivery-policy.js';
import { delayBounds } from '../../src/reliability/retry-policy.js';
import { DeadLetterHeaders } from '../../src/errorhandling/failure-facts.js';
import { RetryLaterSignal, ThrownError } from '../../src/errors/index.js';
import type { TestRouter } from '../helpers/router.js';
import { mock, rejection, routerWith, run, runConsumed } from './helpers.js';

const post = (router: TestRouter, path: string, body: unknown = { amount: 1 }): Promise<Response> =>
  fetch(`${router.baseUrl}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

describe('error handling: redelivery in process (HTTP, timer, direct)', () => {
  let router: TestRouter | undefined;
  afterEach(async () => {
    await router?.stop();
    router = undefined;
  });

  it('redelivers only the failing step; the synchronous caller waits and gets the result', async () => {
    router = await routerWith(`
      - route:
          id: pay
          errorHandler:
            defaultErrorHandler:
              redeliveryPolicy: {maximumRedeliveries: 3, redeliveryDelay: 0}
          from:
            uri: platform-http:/pay
            steps:
              - to: mock:before
              - to: mock:flaky?failWith=partner%20down&failCount=2
              - setBody: {simple: "done after \${header.CamelRedeliveryCounter} redeliveries"}
    `);
    const answer = await post(router, '/pay');
    expect(answer.status).to.equal(200);
    expect(await answer.text()).to.equal('done after 2 redeliveries');
    expect(mock(router, 'before').received).to.have.length(1);
    const flaky = mock(router, 'flaky').received;
    expect(flaky).to.have.length(3);
    expect(flaky.map((e) => e.getHeader('CamelRedeliveryCounter'))).to.deep.equal([undefined, 1, 2]);
    expect(flaky[2]!.getHeader('CamelRedeliveryMaxCounter')).to.equal(3);
  });

  it('gives up after maximumRedeliveries and answers the error', async () => {
    router = await routerWith(`
      - route:
          id: pay
          errorHandler:
            defaultErrorHandler:
              redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 0}
          from:
            uri: platform-http:/pay
            steps:
              - to: mock:flaky?failWith=partner%20down
    `);
    const answer = await post(router, '/pay');
    expect(answer.status).to.equal(500);
    expect(mock(router, 'flaky').received).to.have.length(3);
  });

  it('the router default for a synchronous caller: no redelivery', async () => {
    router = await routerWith(`
      - route:
          id: pay
          from:
            uri: platform-http:/pay
            steps:
              - to: mock:flaky?failWith=partner%20down&failCount=1
    `);
    expect((await post(router, '/pay')).status).to.equal(500);
    expect(mock(router, 'flaky').received).to.have.length(1);
  });

  it('does not redeliver permanent errors (validation) under a policy, but does retry transient ones', async () => {
    router = await routerWith(
      `
      - errorHandler:
          defaultErrorHandler:
            redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 0}
      - route:
          id: validate
          from:
            uri: direct:validate
            steps: [{to: direct:check}]
      - route:
          id: check
          errorHandler: {noErrorHandler: {}}
          from:
            uri: direct:check
            steps:
              - to: mock:check
              - to: json-validator:order.schema.json
      - route:
          id: connect
          from:
            uri: direct:connect
            steps: [{to: direct:refuse}]
      - route:
          id: refuse
          errorHandler: {noErrorHandler: {}}
          from:
            uri: direct:refuse
            steps:
              - to: mock:refuse
              - throwException: {exceptionType: java.net.ConnectException, message: refused}
      `,
      { 'schemas/order.schema.json': JSON.stringify({ type: 'object', required: ['id'] }) },
    );
    const invalid = await rejection(run(router, 'validate', { body: {} }));
    expect(invalid.name).to.equal('JsonValidationError');
    expect(mock(router, 'check').received).to.have.length(1);
    await rejection(run(router, 'connect'));
    expect(mock(router, 'refuse').received).to.have.length(3);
  });

  it('retryWhile decides instead of the count, and is bounded', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.Exception]
          retryWhile: {simple: "\${exception.message} == 'transient'"}
          redeliveryPolicy: {redeliveryDelay: 0}
          steps: [{to: mock:clause}]
      - route:
          id: transient
          from:
            uri: direct:transient
            steps: [{to: mock:transient?failWith=transient&failCount=4}]
      - route:
          id: final
          from:
            uri: direct:final
            steps: [{to: mock:final?failWith=final&failCount=4}]
      - route:
          id: forever
          from:
            uri: direct:forever
            steps: [{to: mock:forever?failWith=transient}]
    `);
    await run(router, 'transient');
    expect(mock(router, 'transient').received).to.have.length(5);
    await rejection(run(router, 'final'));
    expect(mock(router, 'final').received).to.have.length(1);
    await rejection(run(router, 'forever'));
    expect(mock(router, 'forever').received).to.have.length(101);
    expect(mock(router, 'clause').received).to.have.length(2);
  });

  it('inside doTry the route error handler stands aside: no redelivery, no onException; doCatch decides', async () => {
    router = await routerWith(`
      - errorHandler:
          defaultErrorHandler:
            redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 0}
      - onException:
          exception: [java.lang.Exception]
          handled: {constant: true}
          steps: [{to: mock:clause}]
      - route:
          id: pay
          from:
            uri: direct:pay
            steps:
              - doTry:
                  steps:
                    - to: mock:flaky?failWith=down
                    - to: direct:inner
                  doCatch:
                    - exception: [java.lang.Exception]
                      steps: [{setBody: {simple: "caught \${exception.message}"}}]
              - to: mock:after
      - route:
          id: inner
          from:
            uri: direct:inner
            steps: [{throwException: {exceptionType: java.lang.IllegalStateException, message: inner}}]
    `);
    const exchange = await run(router, 'pay');
    expect(exchange.body).to.equal('caught down');
    expect(mock(router, 'flaky').received).to.have.length(1);
    expect(mock(router, 'clause').received).to.have.length(0);
    expect(mock(router, 'after').received).to.have.length(1);
  });

  it('an error handled by a direct: sub-route is not handled again by the caller', async () => {
    router = await routerWith(`
      - errorHandler:
          defaultErrorHandler:
            redeliveryPolicy: {maximumRedeliveries: 1, redeliveryDelay: 0}
      - onException:
          exception: [java.lang.IllegalStateException]
          steps: [{to: mock:clause}]
      - route:
          id: outer
          from:
            uri: direct:outer
            steps: [{to: direct:inner}]
      - route:
          id: inner
          from:
            uri: direct:inner
            steps:
              - to: mock:inner
              - throwException: {exceptionType: java.lang.IllegalStateException, message: inner}
    `);
    await rejection(run(router, 'outer'));
    expect(mock(router, 'clause').received).to.have.length(1);
    expect(mock(router, 'inner').received).to.have.length(1);
  });
});

describe('error handling: dead-letter channel', () => {
  let router: TestRouter | undefined;
  afterEach(async () => {
    await router?.stop();
    router = undefined;
  });

  it('after the redeliveries, sends the message with the failure facts and marks the error handled', async () => {
    router = await routerWith(`
      - errorHandler:
          deadLetterChannel:
            deadLetterUri: mock:dead
            redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 0}
      - route:
          id: pay
          from:
            uri: platform-http:/pay
            steps:
              - setBody: {constant: transformed}
              - to: {id: charge, uri: mock:partner?failWith=partner%20down}
    `);
    const answer = await post(router, '/pay', { amount: 3 });
    expect(answer.status).to.equal(200);
    expect(await answer.text()).to.equal('transformed');
    expect(mock(router, 'partner').received).to.have.length(3);
    const [dead] = mock(router, 'dead').received;
    expect(dead!.message.body).to.equal('transformed');
    expect(dead!.message.headers).to.include({
      [DeadLetterHeaders.exceptionCaught]: 'java.lang.RuntimeException: partner down',
      [DeadLetterHeaders.exceptionClass]: 'java.lang.RuntimeException',
      [DeadLetterHeaders.exceptionMessage]: 'partner down',
      [DeadLetterHeaders.failureRouteId]: 'pay',
      [DeadLetterHeaders.failureStep]: 'charge',
      [DeadLetterHeaders.attempts]: 3,
      CamelRedeliveryCounter: 2,
      CamelRedeliveryMaxCounter: 2,
    });
    expect(Date.parse(dead!.message.headers[DeadLetterHeaders.failureTime] as string)).to.be.a('number').and
      .not.NaN;
    expect(dead!.error?.message).to.equal('partner down');
  });

  it('useOriginalMessage: the dead letter is the message as it came in', async () => {
    router = await routerWith(`
      - route:
          id: pay
          errorHandler:
            deadLetterChannel:
              deadLetterUri: mock:dead
              useOriginalMessage: true
          from:
            uri: direct:pay
            steps:
              - setBody: {constant: transformed}
              - throwException: {exceptionType: java.lang.IllegalArgumentException, message: bad amount}
    `);
    const exchange = await run(router, 'pay', { body: { amount: -1 } });
    expect(exchange.error).to.equal(undefined);
    const [dead] = mock(router, 'dead').received;
    expect(dead!.message.body).to.deep.equal({ amount: -1 });
    expect(dead!.message.headers).to.include({
      CamelExceptionMessage: 'bad amount',
      CamelDeliveryAttempts: 1,
    });
  });

  it('a matching onException clause takes over from the dead letter (handled by default under a DLC)', async () => {
    router = await routerWith(`
      - errorHandler:
          deadLetterChannel: {deadLetterUri: mock:dead}
      - onException:
          exception: [java.lang.IllegalStateException]
          steps: [{setBody: {constant: from-clause}}]
      - route:
          id: pay
          from:
            uri: direct:pay
            steps: [{throwException: {exceptionType: java.lang.IllegalStateException, message: x}}]
    `);
    expect((await run(router, 'pay')).body).to.equal('from-clause');
    expect(mock(router, 'dead').received).to.have.length(0);
  });

  it('a dead letter that cannot be written leaves the original error to the caller', async () => {
    router = await routerWith(`
      - route:
          id: pay
          errorHandler:
            deadLetterChannel: {deadLetterUri: "mock:dead?failWith=dlq%20unavailable"}
          from:
            uri: direct:pay
            steps: [{throwException: {exceptionType: java.lang.IllegalStateException, message: original}}]
    `);
    const error = await rejection(run(router, 'pay'));
    expect(error.message).to.equal('original');
    expect(mock(router, 'dead').received).to.have.length(1);
  });
});

describe('error handling: messages held by a broker', () => {
  let router: TestRouter | undefined;
  afterEach(async () => {
    await router?.stop();
    router = undefined;
  });

  const consumed = `
      - route:
          id: consumed
          from:
            uri: direct:consumed
            steps:
              - to: mock:seen
              - throwException: {exceptionType: "java.net.ConnectException", message: refused}
      - route:
          id: invalid
          from:
            uri: direct:invalid
            steps:
              - to: mock:invalid
              - throwException: {exceptionType: java.lang.IllegalArgumentException, message: bad}
  `;

  it('router default: a transient error leaves as RetryLaterSignal with back-off and jitter, never sleeping', async () => {
    router = await routerWith(consumed);
    for (const failed of [0, 1, 2, 3, 4]) {
      const signal = await rejection(runConsumed(router, 'consumed', failed));
      expect(signal).to.be.instanceOf(RetryLaterSignal);
      const retry = signal as RetryLaterSignal;
      expect(retry.attempt).to.equal(failed + 1);
      const { min, max } = delayBounds(ROUTER_BROKER_DEFAULT_POLICY, failed + 1);
      expect(retry.delayMs).to.be.within(min, max);
      expect(retry.cause).to.be.instanceOf(ThrownError);
    }
    // The sixth delivery has used up the five redeliveries: the error itself goes to the consumer (dead letter).
    const last = await rejection(runConsumed(router, 'consumed', 5));
    expect(last).to.be.instanceOf(ThrownError);
    expect(last.message).to.equal('refused');
    expect(mock(router, 'seen').received).to.have.length(6);
  });

  it('router default: a permanent error is not retried', async () => {
    router = await routerWith(consumed);
    const error = await rejection(runConsumed(router, 'invalid', 0));
    expect(error).to.be.instanceOf(ThrownError);
    expect(error.message).to.equal('bad');
  });

  it('a dead-letter channel policy: retries through the broker, then writes the dead letter', async () => {
    router = await routerWith(`
      - errorHandler:
          deadLetterChannel:
            deadLetterUri: mock:dead
            redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 250, useExponentialBackOff: true}
      ${consumed}
    `);
    const first = (await rejection(runConsumed(router, 'consumed', 0))) as RetryLaterSignal;
    expect([first.constructor.name, first.attempt, first.delayMs]).to.deep.equal([
      'RetryLaterSignal',
      1,
      250,
    ]);
    const second = (await rejection(runConsumed(router, 'consumed', 1))) as RetryLaterSignal;
    expect([second.attempt, second.delayMs]).to.deep.equal([2, 500]);
    expect(mock(router, 'dead').received).to.have.length(0);
    const exchange = await runConsumed(router, 'consumed', 2, { id: 'p-1' });
    expect(exchange.error).to.equal(undefined);
    const [dead] = mock(router, 'dead').received;
    expect(dead!.message.body).to.deep.equal({ id: 'p-1' });
    expect(dead!.message.headers).to.include({
      CamelDeliveryAttempts: 3,
      CamelRedeliveryCounter: 2,
      CamelExceptionClass: 'java.net.ConnectException',
    });
    // A permanent error under the same policy goes to the dead letter at once.
    await runConsumed(router, 'invalid', 0);
    expect(mock(router, 'dead').received).to.have.length(2);
  });

  it('an onException clause with its own policy: broker retries, then the clause runs', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalArgumentException]
          redeliveryPolicy: {maximumRedeliveries: 1, redeliveryDelay: 100}
          handled: {constant: true}
          steps:
            - setBody: {simple: "rejected after \${header.CamelRedeliveryCounter} redelivery: \${exception.message}"}
      ${consumed}
    `);
    // The clause asked for redelivery of this very error, so even a permanent-looking one is retried.
    const signal = (await rejection(runConsumed(router, 'invalid', 0))) as RetryLaterSignal;
    expect([signal.attempt, signal.delayMs]).to.deep.equal([1, 100]);
    const exchange = await runConsumed(router, 'invalid', 1);
    expect(exchange.body).to.equal('rejected after 1 redelivery: bad');
  });

  it('continued in broker mode: after the broker retries, the route goes on after the failing step', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.net.ConnectException]
          redeliveryPolicy: {maximumRedeliveries: 1, redeliveryDelay: 0}
          continued: {constant: true}
      - route:
          id: consumed
          from:
            uri: direct:consumed
            steps:
              - throwException: {exceptionType: java.net.ConnectException, message: refused}
              - to: mock:after
    `);
    const signal = await rejection(runConsumed(router, 'consumed', 0));
    expect(signal).to.be.instanceOf(RetryLaterSignal);
    expect(mock(router, 'after').received).to.have.length(0);
    await runConsumed(router, 'consumed', 1);
    expect(mock(router, 'after').received).to.have.length(1);
  });

  it('a retry from a direct: sub-route passes through the caller, but a doCatch around it sees the real error', async () => {
    router = await routerWith(`
      - route:
          id: outer
          from:
            uri: direct:outer
            steps:
              - to: direct:inner
              - to: mock:after
      - route:
          id: guarded
          from:
            uri: direct:guarded
            steps:
              - doTry:
                  steps: [{to: direct:inner}]
                  doCatch:
                    - exception: [java.net.ConnectException]
                      steps: [{setBody: {simple: "caught \${exception.message}"}}]
      - route:
          id: inner
          from:
            uri: direct:inner
            steps: [{throwException: {exceptionType: java.net.ConnectException, message: refused}}]
    `);
    const signal = (await rejection(runConsumed(router, 'outer', 0))) as RetryLaterSignal;
    expect(signal).to.be.instanceOf(RetryLaterSignal);
    expect(signal.attempt).to.equal(1);
    expect(mock(router, 'after').received).to.have.length(0);
    expect((await runConsumed(router, 'guarded', 0)).body).to.equal('caught refused');
  });
});
