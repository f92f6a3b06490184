import { expect } from 'chai';
import { ThrownError } from '../../src/errors/index.js';
import type { TestRouter } from '../helpers/router.js';
import { loadErrors, mock, rejection, routerWith, run } from './helpers.js';

describe('error handling: onException', () => {
  let router: TestRouter | undefined;
  afterEach(async () => {
    await router?.stop();
    router = undefined;
  });

  it('picks the nearest exception type by is-a, whatever the declaration order', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.Exception]
          handled: {constant: true}
          steps: [{setBody: {constant: general}}]
      - onException:
          exception: [java.io.IOException]
          handled: {constant: true}
          steps: [{setBody: {constant: io}}]
      - onException:
          exception: [java.net.SocketException, java.lang.IllegalStateException]
          handled: {constant: true}
          steps: [{setBody: {constant: socket-or-state}}]
      - route:
          id: connect
          from:
            uri: direct:connect
            steps: [{throwException: {exceptionType: java.net.ConnectException, message: refused}}]
      - route:
          id: timeout
          from:
            uri: direct:timeout
            steps: [{throwException: {exceptionType: java.net.SocketTimeoutException, message: slow}}]
      - route:
          id: state
          from:
            uri: direct:state
            steps: [{throwException: {exceptionType: java.lang.IllegalStateException, message: odd}}]
      - route:
          id: custom
          from:
            uri: direct:custom
            steps: [{throwException: {exceptionType: com.acme.PaymentRejectedException, message: no}}]
    `);
    // ConnectException is-a SocketException (distance 1) is-a IOException (2) is-a Exception (3).
    expect((await run(router, 'connect')).body).to.equal('socket-or-state');
    expect((await run(router, 'timeout')).body).to.equal('io');
    expect((await run(router, 'state')).body).to.equal('socket-or-state');
    expect((await run(router, 'custom')).body).to.equal('general');
  });

  it('matches the real validation error of json-validator (ValidationException is nearer than Exception)', async () => {
    router = await routerWith(
      `
      - onException:
          exception: [java.lang.Exception]
          handled: {constant: true}
          steps: [{setBody: {constant: general}}]
      - onException:
          exception: [org.apache.camel.ValidationException]
          handled: {constant: true}
          steps:
            - setBody: {simple: "invalid: \${exception.message}"}
      - route:
          id: validate
          from:
            uri: direct:validate
            steps: [{to: json-validator:order.schema.json}]
      `,
      { 'schemas/order.schema.json': JSON.stringify({ type: 'object', required: ['id'] }) },
    );
    const exchange = await run(router, 'validate', { body: { amount: 1 } });
    expect(exchange.body)
      .to.be.a('string')
      .and.match(/^invalid: /);
    expect(exchange.properties.CamelExceptionCaught).to.have.property(
      'camelName',
      'org.apache.camel.component.jsonvalidator.JsonValidationException',
    );
  });

  it('handled: the clause steps run, the rest of the route is skipped and the caller sees success', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalStateException]
          handled: {constant: true}
          steps:
            - setBody: {simple: "handled: \${exception.message} in \${exchangeProperty.CamelFailureRouteId}"}
            - to: mock:clause
      - route:
          id: pay
          from:
            uri: direct:pay
            steps:
              - to: mock:before
              - throwException: {exceptionType: java.lang.IllegalStateException, message: boom}
              - to: mock:after
    `);
    const exchange = await run(router, 'pay');
    expect(exchange.body).to.equal('handled: boom in pay');
    expect(exchange.error).to.equal(undefined);
    expect(exchange.properties.CamelExceptionCaught).to.be.instanceOf(ThrownError);
    expect(mock(router, 'before').received).to.have.length(1);
    expect(mock(router, 'clause').received).to.have.length(1);
    expect(mock(router, 'after').received).to.have.length(0);
  });

  it('continued: the clause steps run and the route goes on after the failing step', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalStateException]
          continued: {constant: true}
          steps:
            - setHeader: {name: warning, simple: "\${exception.message}"}
      - route:
          id: pay
          from:
            uri: direct:pay
            steps:
              - choice:
                  when:
                    - simple: "\${body} == 'in'"
                      steps:
                        - throwException: {exceptionType: java.lang.IllegalStateException, message: nested}
              - setBody: {simple: "after \${header.warning}"}
              - to: mock:after
              - throwException: {exceptionType: java.lang.IllegalStateException, message: last}
              - to: mock:end
    `);
    const exchange = await run(router, 'pay');
    expect(mock(router, 'after').bodies).to.deep.equal(['after nested']);
    expect(mock(router, 'end').received).to.have.length(1);
    expect(exchange.getHeader('warning')).to.equal('last');
    expect(exchange.error).to.equal(undefined);
    // The second failure records its own place, not the first one's.
    expect(exchange.properties.CamelFailureStep).to.equal(undefined);
  });

  it('neither handled nor continued: the clause steps run and the error still reaches the caller', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalStateException]
          steps: [{to: mock:clause}]
      - route:
          id: pay
          from:
            uri: direct:pay
            steps:
              - throwException: {exceptionType: java.lang.IllegalStateException, message: boom}
              - to: mock:after
    `);
    const error = await rejection(run(router, 'pay'));
    expect(error).to.be.instanceOf(ThrownError);
    expect(error.message).to.equal('boom');
    expect(mock(router, 'clause').received).to.have.length(1);
    expect(mock(router, 'after').received).to.have.length(0);
  });

  it('handled over HTTP: the caller gets the clause body and status', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalStateException]
          handled: {constant: true}
          steps:
            - setHeader: {name: CamelHttpResponseCode, constant: 409}
            - setBody: {simple: "{\\"rejected\\": \\"\${exception.message}\\"}"}
            - setHeader: {name: Content-Type, constant: application/json}
      - route:
          id: pay
          from:
            uri: platform-http:/pay
            steps:
              - throwException: {exceptionType: java.lang.IllegalStateException, message: duplicate}
      - route:
          id: bad
          from:
            uri: platform-http:/bad
            steps:
              - throwException: {exceptionType: java.lang.IllegalArgumentException, message: amount missing}
    `);
    const answer = await fetch(`${router.baseUrl}/pay`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).to.equal(409);
    expect(await answer.json()).to.deep.equal({ rejected: 'duplicate' });
    // No clause for it: the error maps to its own status (no redelivery for a synchronous caller).
    const bad = await fetch(`${router.baseUrl}/bad`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).to.equal(400);
  });

  it('onWhen: a clause applies only when its predicate holds; the next nearest is tried', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalStateException]
          onWhen: {simple: "\${exception.message} contains 'limit'"}
          handled: {constant: true}
          steps: [{setBody: {constant: limit}}]
      - onException:
          exception: [java.lang.Exception]
          handled: {constant: true}
          steps: [{setBody: {constant: other}}]
      - route:
          id: pay
          from:
            uri: direct:pay
            steps:
              - throwException: {exceptionType: java.lang.IllegalStateException, message: "\${body}"}
    `);
    expect((await run(router, 'pay', { body: 'over the limit' })).body).to.equal('limit');
    expect((await run(router, 'pay', { body: 'duplicate' })).body).to.equal('other');
  });

  it('useOriginalMessage / useOriginalBody: the clause sees the message as it entered the route', async () => {
    router = await routerWith(`
      - onException:
          exception: [java.lang.IllegalStateException]
          useOriginalMessage: true
          handled: {constant: true}
          steps: [{to: mock:original}]
      - onException:
          exception: [java.lang.IllegalArgumentException]
          useOriginalBody: true
          handled: {constant: true}
          steps: [{to: mock:body}]
      - route:
          id: state
          from:
            uri: direct:state
            steps:
              - setBody: {constant: changed}
              - setHeader: {name: step, constant: changed}
              - to: direct:inner-state
      - route:
          id: inner-state
          from:
            uri: direct:inner-state
            steps:
              - setBody: {constant: changed-again}
              - throwException: {exceptionType: java.lang.IllegalStateException, message: boom}
      - route:
          id: argument
          from:
            uri: direct:argument
            steps:
              - setBody: {constant: changed}
              - setHeader: {name: step, constant: changed}
              - throwException: {exceptionType: java.lang.IllegalArgumentException, message: boom}
    `);
    // Through a direct: sub-route, the original is still the message the first route took in.
    await run(router, 'state', { body: { amount: 5 }, headers: { source: 'bank' } });
    const [original] = mock(router, 'original').received;
    expect(original!.message.body).to.deep.equal({ amount: 5 });
    expect(original!.message.headers).to.include({ source: 'bank' });
    expect(original!.message.headers).not.to.have.property('step');
    expect(original!.error?.message).to.equal('boom');

    await run(router, 'argument', { body: { amount: 7 }, headers: { source: 'bank' } });
    const [body] = mock(router, 'body').received;
    expect(body!.message.body).to.deep.equal({ amount: 7 });
    expect(body!.message.headers).to.include({ source: 'bank', step: 'changed' });
  });
});

describe('error handling: onException at load', () => {
  it('rejects handled together with continued, refErrorHandler and a dead-letter URI that does not resolve', async () => {
    const diagnostics = await loadErrors(`
      - errorHandler:
          deadLetterChannel:
            deadLetterUri: mok:dead
      - onException:
          exception: [java.lang.Exception]
          handled: {constant: true}
          continued: {constant: true}
      - route:
          id: a
          from: {uri: direct:a, steps: [{to: mock:a}]}
      - route:
          id: b
          errorHandler: {refErrorHandler: myHandler}
          from: {uri: direct:b, steps: [{to: mock:b}]}
    `);
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(errors).to.include(
      'onException sets both handled and continued; only one of them is allowed (as in Camel)',
    );
    expect(errors).to.include("Unknown component 'mok'");
    expect(errors).to.include(
      'route b errorHandler: refErrorHandler is not supported; the router has no error-handler beans',
    );
    // The top-level clause is compiled for both routes but reported once.
    expect(errors.filter((m) => m.startsWith('onException sets both'))).to.have.length(1);
  });

  it('warns about exception names the router never raises, with a suggestion, and about unbounded redelivery', async () => {
    const { startRouter } = await import('../helpers/router.js');
    const { yaml } = await import('./helpers.js');
    const router = await startRouter({
      'routes/test.yaml': yaml(`
        - onException:
            exception: [java.net.ConnectExeption]
            redeliveryPolicy: {maximumRedeliveries: -1}
            steps: [{to: mock:x}]
        - route:
            id: a
            from: {uri: direct:a, steps: [{to: mock:a}]}
      `),
    });
    try {
      const warnings = router.router.diagnostics.filter((d) => d.severity === 'warning');
      const unknown = warnings.find((d) => d.message.includes("'java.net.ConnectExeption'"));
      expect(unknown?.suggestions).to.deep.equal(['java.net.ConnectException']);
      expect(warnings.map((d) => d.message)).to.include(
        'redeliveryPolicy.maximumRedeliveries -1 (forever) is bounded to 100 by the router',
      );
    } finally {
      await router.stop();
    }
  });
});
