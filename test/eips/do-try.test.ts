import { expect } from 'chai';
import { DefinitionError } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { ConnectError, HttpOperationFailedError, ServicePipesError } from '../../src/errors/index.js';
import { FakeContext, js, step } from './fake-context.js';

const HTTP_FAILED = 'org.apache.camel.http.base.HttpOperationFailedException';

function tryContext(): FakeContext {
  const ctx = new FakeContext();
  ctx.failures.set('http', () => new HttpOperationFailedError('https://partner/x', 503, 'busy'));
  ctx.failures.set('connect', () => new ConnectError('refused'));
  ctx.fn('caughtMessage', (e) => `caught: ${e.error?.message}`);
  return ctx;
}

describe('EIPs: doTry / doCatch / doFinally', () => {
  it('a matching doCatch handles the error; it does not propagate and the route continues', async () => {
    const ctx = tryContext();
    const exchange = await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'fail:http' }), step('to', { uri: 'mock:never' })],
        doCatch: [
          { exception: [HTTP_FAILED], steps: [step('setBody', { expression: js('caughtMessage') })] },
        ],
      }),
      step('to', { uri: 'mock:after' }),
    ]);
    expect(ctx.mock('never').received).to.have.length(0);
    expect(ctx.mock('after').bodies).to.deep.equal([
      'caught: HTTP operation failed invoking https://partner/x with statusCode: 503',
    ]);
    // The error is handled: nothing pending on the exchange afterwards, but Camel's property keeps it.
    expect(exchange.error).to.equal(undefined);
    expect(exchange.properties.CamelExceptionCaught).to.be.instanceOf(HttpOperationFailedError);
  });

  it('${exception.message} works inside the catch (simple)', async () => {
    const ctx = tryContext();
    await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'fail:connect' })],
        doCatch: [
          {
            exception: ['java.lang.Exception'],
            steps: [step('log', { message: 'failed: ${exception.message}' })],
          },
        ],
      }),
    ]);
    expect(ctx.logLines.map((l) => l.message)).to.deep.equal(['failed: refused']);
  });

  it('selects the nearest matching clause, whatever the order', async () => {
    const ctx = tryContext();
    const doTry = step('doTry', {
      steps: [step('to', { uri: 'fail:connect' })],
      doCatch: [
        { exception: ['java.lang.Exception'], steps: [step('to', { uri: 'mock:general' })] },
        { exception: ['java.io.IOException'], steps: [step('to', { uri: 'mock:io' })] },
        {
          exception: ['java.net.ConnectException', HTTP_FAILED],
          steps: [step('to', { uri: 'mock:connect' })],
        },
      ],
    });
    await ctx.run([doTry]);
    expect(ctx.mock('connect').received).to.have.length(1);
    expect(ctx.mock('io').received).to.have.length(0);
    expect(ctx.mock('general').received).to.have.length(0);
  });

  it('equally near clauses: the first declared wins', async () => {
    const ctx = tryContext();
    await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'fail:connect' })],
        doCatch: [
          { exception: ['java.io.IOException'], steps: [step('to', { uri: 'mock:first' })] },
          { exception: ['java.io.IOException'], steps: [step('to', { uri: 'mock:second' })] },
        ],
      }),
    ]);
    expect(ctx.mock('first').received).to.have.length(1);
    expect(ctx.mock('second').received).to.have.length(0);
  });

  it('onWhen decides whether a clause catches; the next candidate is tried', async () => {
    const ctx = tryContext().fn('isTimeout', (e) => e.error?.message.includes('timeout') ?? false);
    await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'fail:connect' })],
        doCatch: [
          {
            exception: ['java.net.ConnectException'],
            onWhen: js('isTimeout'),
            steps: [step('to', { uri: 'mock:timeouts' })],
          },
          { exception: ['java.lang.Exception'], steps: [step('to', { uri: 'mock:others' })] },
        ],
      }),
    ]);
    expect(ctx.mock('timeouts').received).to.have.length(0);
    expect(ctx.mock('others').received).to.have.length(1);
  });

  it('onWhen in wrapper form ({expression: ...}) is accepted', async () => {
    const ctx = tryContext().fn('always', () => true);
    await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'fail:connect' })],
        doCatch: [
          {
            exception: ['java.lang.Exception'],
            onWhen: { expression: js('always') },
            steps: [step('to', { uri: 'mock:c' })],
          },
        ],
      }),
    ]);
    expect(ctx.mock('c').received).to.have.length(1);
  });

  it('an unmatched error propagates after doFinally ran', async () => {
    const ctx = tryContext().fn('pending', (e) => e.error?.message);
    let failure: unknown;
    await ctx
      .run([
        step('doTry', {
          steps: [step('to', { uri: 'fail:connect' })],
          doCatch: [{ exception: [HTTP_FAILED], steps: [step('to', { uri: 'mock:http' })] }],
          doFinally: {
            steps: [
              step('setHeader', { name: 'seen', expression: js('pending') }),
              step('to', { uri: 'mock:finally' }),
            ],
          },
        }),
        step('to', { uri: 'mock:after' }),
      ])
      .catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(ConnectError);
    expect(ctx.mock('http').received).to.have.length(0);
    expect(ctx.mock('finally').received[0]!.headers).to.deep.equal({ seen: 'refused' });
    expect(ctx.mock('after').received).to.have.length(0);
  });

  it('an error raised inside doCatch propagates, after doFinally', async () => {
    const ctx = tryContext();
    let failure: unknown;
    await ctx
      .run([
        step('doTry', {
          steps: [step('to', { uri: 'fail:connect' })],
          doCatch: [
            {
              exception: ['java.lang.Exception'],
              steps: [
                step('throwException', {
                  exceptionType: 'java.lang.IllegalStateException',
                  message: 'rethrown',
                }),
              ],
            },
          ],
          doFinally: { steps: [step('to', { uri: 'mock:finally' })] },
        }),
      ])
      .catch((e: unknown) => (failure = e));
    expect((failure as Error).message).to.equal('rethrown');
    expect(ctx.mock('finally').received).to.have.length(1);
  });

  it('doFinally runs on success too, and an error in doFinally propagates', async () => {
    const ctx = tryContext();
    await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'mock:work' })],
        doFinally: { steps: [step('to', { uri: 'mock:finally' })] },
      }),
    ]);
    expect(ctx.mock('finally').received).to.have.length(1);

    let failure: unknown;
    await ctx
      .run([
        step('doTry', {
          steps: [step('to', { uri: 'mock:work' })],
          doCatch: [{ exception: ['java.lang.Exception'], steps: [step('to', { uri: 'mock:caught' })] }],
          doFinally: { steps: [step('to', { uri: 'fail:http' })] },
        }),
      ])
      .catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(HttpOperationFailedError);
    // doCatch guards the steps, not doFinally.
    expect(ctx.mock('caught').received).to.have.length(0);
  });

  it('doFinally runs even after stop, and the route stays stopped', async () => {
    const ctx = tryContext();
    const exchange = await ctx.run([
      step('doTry', { steps: [step('stop')], doFinally: { steps: [step('to', { uri: 'mock:finally' })] } }),
      step('to', { uri: 'mock:after' }),
    ]);
    expect(ctx.mock('finally').received).to.have.length(1);
    expect(ctx.mock('after').received).to.have.length(0);
    expect(exchange.stopped).to.equal(true);
  });

  it('plain JavaScript errors are java.lang.RuntimeException', async () => {
    const ctx = tryContext().fn('explode', () => {
      throw new TypeError('x is undefined');
    });
    await ctx.run([
      step('doTry', {
        steps: [step('setBody', { expression: js('explode') })],
        doCatch: [
          { exception: ['java.io.IOException'], steps: [step('to', { uri: 'mock:io' })] },
          { exception: ['java.lang.RuntimeException'], steps: [step('to', { uri: 'mock:runtime' })] },
        ],
      }),
    ]);
    expect(ctx.mock('runtime').received).to.have.length(1);
  });

  it('matches a wrapped cause when the error itself matches no clause', async () => {
    const ctx = tryContext();
    ctx.failures.set(
      'wrapped',
      () => new ServicePipesError('WRAPPED', 'outer', { cause: new ConnectError('inner') }),
    );
    const exchange = await ctx.run([
      step('doTry', {
        steps: [step('to', { uri: 'fail:wrapped' })],
        doCatch: [
          {
            exception: ['java.net.ConnectException'],
            steps: [step('log', { message: '${exception.message}' })],
          },
        ],
      }),
    ]);
    expect(ctx.logLines.map((l) => l.message)).to.deep.equal(['inner']);
    expect(exchange.error).to.equal(undefined);
  });

  it('a throwException with a custom type is caught by that name', async () => {
    const ctx = tryContext();
    await ctx.run([
      step('doTry', {
        steps: [
          step('throwException', { exceptionType: 'com.acme.PaymentRejectedException', message: 'no' }),
        ],
        doCatch: [
          { exception: ['java.lang.Exception'], steps: [step('to', { uri: 'mock:general' })] },
          { exception: ['com.acme.PaymentRejectedException'], steps: [step('to', { uri: 'mock:rejected' })] },
        ],
      }),
    ]);
    expect(ctx.mock('rejected').received).to.have.length(1);
    expect(ctx.mock('general').received).to.have.length(0);
  });

  it('warns about unknown exception names, with suggestions', () => {
    const ctx = tryContext();
    ctx.build([
      step('doTry', { steps: [], doCatch: [{ exception: ['java.net.ConectException'], steps: [] }] }),
    ]);
    expect(ctx.diagnostics).to.have.length(1);
    expect(ctx.diagnostics[0]!.severity).to.equal('warning');
    expect(ctx.diagnostics[0]!.suggestions).to.include('java.net.ConnectException');
  });

  it('a doCatch without exception names is a definition error', () => {
    expect(() => tryContext().build([step('doTry', { steps: [], doCatch: [{ steps: [] }] })])).to.throw(
      DefinitionError,
      /at least one exception/,
    );
  });

  it('restores the error an enclosing handler was dealing with', async () => {
    const ctx = tryContext();
    const outer = new Error('outer problem');
    const processor = ctx.build([
      step('doTry', {
        steps: [step('to', { uri: 'fail:connect' })],
        doCatch: [{ exception: ['java.lang.Exception'], steps: [] }],
      }),
    ]);
    const exchange = new Exchange();
    exchange.error = outer;
    await processor(exchange);
    expect(exchange.error).to.equal(outer);
  });
});
