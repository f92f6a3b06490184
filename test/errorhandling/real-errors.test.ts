import { expect } from 'chai';
import type { OnExceptionDefinition, RouteDefinition } from '../../src/runtime/definitions.js';
import { createRouteErrorHandling } from '../../src/errorhandling/error-handler.js';
import { matchClause, type ExceptionClause } from '../../src/errorhandling/exception-clauses.js';
import {
  ConnectError,
  DeliveryProperties,
  HttpOperationFailedError,
  JsonValidationError,
  RetryLaterSignal,
  TimeoutError,
  TransportError,
  UnrecoverableError,
} from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { noop } from '../../src/runtime/processor.js';
import { FakeContext, js, step } from '../eips/fake-context.js';

const HTTP_FAILED = 'org.apache.camel.http.base.HttpOperationFailedException';
const loc = { file: 'routes/test.yaml', line: 1, col: 1, path: '[0]' };

function clause(index: number, exceptions: string[], extra: Partial<ExceptionClause> = {}): ExceptionClause {
  return {
    index,
    exceptions,
    useOriginalMessage: false,
    useOriginalBody: false,
    steps: noop,
    label: exceptions.join(','),
    ...extra,
  };
}

function route(): RouteDefinition {
  return {
    id: 'partner',
    generatedId: false,
    autoStartup: true,
    from: { uri: 'direct:partner', parameters: {}, loc },
    steps: [],
    extra: {},
    notation: 'canonical',
    loc,
  };
}

function onException(options: Record<string, unknown>): OnExceptionDefinition {
  return { options, loc };
}

/** The route `to: fail:partner` under the given clauses and handler, run as a broker consumer would run it. */
function consumedRoute(
  ctx: FakeContext,
  clauses: OnExceptionDefinition[],
  errorHandler?: Record<string, unknown>,
) {
  const handling = createRouteErrorHandling({
    route: route(),
    onExceptions: clauses,
    errorHandler,
    context: ctx,
  });
  const processor = handling.wrapRoute(ctx.compileSteps([step('to', { uri: 'fail:partner' })]));
  return (failedAttempts: number) =>
    processor(
      new Exchange({
        routeId: 'partner',
        headers: { [DeliveryProperties.redeliveryCounter]: failedAttempts },
        properties: { [DeliveryProperties.heldByBroker]: true },
      }),
    ).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
}

describe("error handling: the router's real error classes", () => {
  it('selects the nearest clause by is-a for each error class, ties to the first declared', async () => {
    const clauses = [
      clause(0, ['java.lang.Exception']),
      clause(1, ['java.io.IOException']),
      clause(2, [HTTP_FAILED]),
      clause(3, ['org.apache.camel.ValidationException']),
      clause(4, ['java.net.ConnectException']),
      clause(5, ['java.net.ConnectException']),
    ];
    const pick = async (error: unknown) => (await matchClause(new Exchange(), error, clauses))?.clause.index;
    expect(await pick(new ConnectError('refused'))).to.equal(4);
    expect(await pick(new HttpOperationFailedError('https://p', 503, ''))).to.equal(2);
    expect(await pick(new JsonValidationError('bad', []))).to.equal(3);
    expect(await pick(new TimeoutError('slow'))).to.equal(0);
    expect(await pick(new TypeError('bug'))).to.equal(0);
    expect(await pick(new TransportError('DOWN', 'down'))).to.equal(0);
  });

  it('looks into the cause chain when the error itself matches no clause', async () => {
    const clauses = [clause(0, ['java.net.ConnectException'])];
    const wrapped = new Error('delivery failed', { cause: new ConnectError('refused') });
    const match = await matchClause(new Exchange(), wrapped, clauses);
    expect(match?.clause.index).to.equal(0);
    expect(match?.error).to.be.instanceOf(ConnectError);
    expect(await matchClause(new Exchange(), new Error('plain'), clauses)).to.equal(undefined);
  });

  it('passes over a clause whose onWhen does not hold; onWhen reads the error', async () => {
    const clauses = [
      clause(0, [HTTP_FAILED], {
        onWhen: async (e) => (e.error as HttpOperationFailedError).statusCode === 429,
      }),
      clause(1, ['java.lang.Exception']),
    ];
    const exchange = new Exchange();
    expect(
      (await matchClause(exchange, new HttpOperationFailedError('https://p', 429, ''), clauses))?.clause
        .index,
    ).to.equal(0);
    expect(
      (await matchClause(exchange, new HttpOperationFailedError('https://p', 503, ''), clauses))?.clause
        .index,
    ).to.equal(1);
    expect(exchange.error).to.equal(undefined);
  });

  it('a 429 with Retry-After waits at least as long as the partner asked', async () => {
    const ctx = new FakeContext();
    ctx.failures.set('partner', () => new HttpOperationFailedError('https://p', 429, 'slow down', 30_000));
    const signal = (await consumedRoute(ctx, [])(0)) as RetryLaterSignal;
    expect(signal).to.be.instanceOf(RetryLaterSignal);
    expect(signal.delayMs).to.equal(30_000);
    expect(signal.attempt).to.equal(1);
  });

  it('router default: 503 and broker unavailability are retried; 404, validation and bugs go to the dead letters', async () => {
    const outcomes: Record<string, string> = {};
    const cases: Record<string, () => Error> = {
      '503': () => new HttpOperationFailedError('https://p', 503, ''),
      broker: () => new TransportError('BROKER_UNAVAILABLE', 'down'),
      '404': () => new HttpOperationFailedError('https://p', 404, ''),
      validation: () => new JsonValidationError('bad', []),
      bug: () => new TypeError('x is undefined'),
    };
    for (const [name, make] of Object.entries(cases)) {
      const ctx = new FakeContext();
      ctx.failures.set('partner', make);
      const error = await consumedRoute(ctx, [])(0);
      outcomes[name] = error?.constructor.name ?? 'completed';
    }
    expect(outcomes).to.deep.equal({
      '503': 'RetryLaterSignal',
      broker: 'RetryLaterSignal',
      '404': 'HttpOperationFailedError',
      validation: 'JsonValidationError',
      bug: 'TypeError',
    });
  });

  it('an unrecoverable error is never retried, even when a clause asks for redelivery', async () => {
    const ctx = new FakeContext();
    ctx.failures.set('partner', () => new UnrecoverableError('account closed'));
    ctx.fn('yes', () => true);
    const run = consumedRoute(ctx, [
      onException({
        exception: ['java.lang.Exception'],
        redeliveryPolicy: { maximumRedeliveries: 5 },
        retryWhile: js('yes'),
      }),
    ]);
    const error = await run(0);
    expect(error).to.be.instanceOf(UnrecoverableError);
  });

  it('noErrorHandler: no retry and no clause, the error goes straight on', async () => {
    const ctx = new FakeContext();
    ctx.failures.set('partner', () => new ConnectError('refused'));
    const run = consumedRoute(
      ctx,
      [
        onException({
          exception: ['java.lang.Exception'],
          handled: js('yes'),
          steps: [step('to', { uri: 'mock:clause' })],
        }),
      ],
      {
        noErrorHandler: {},
      },
    );
    ctx.fn('yes', () => true);
    expect(await run(0)).to.be.instanceOf(ConnectError);
    expect(ctx.mock('clause').received).to.have.length(0);
  });
});
