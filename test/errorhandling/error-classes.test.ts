import { expect } from 'chai';
import { classifyError, retryAfterMs } from '../../src/reliability/retry-policy.js';
import {
  AuthorizationError,
  CircuitOpenError,
  ConnectError,
  ExpressionError,
  HttpOperationFailedError,
  InvalidPayloadError,
  JsonValidationError,
  ServicePipesError,
  ThrownError,
  TimeoutError,
  TransportError,
  UnrecoverableError,
} from '../../src/errors/index.js';

describe('error handling: error classes', () => {
  it('transient failures are retryable: network, timeout, 5xx, 408, 429, broker, open circuit', () => {
    const retryable = [
      new ConnectError('refused'),
      new TimeoutError('slow'),
      new HttpOperationFailedError('https://p/x', 503, ''),
      new HttpOperationFailedError('https://p/x', 500, ''),
      new HttpOperationFailedError('https://p/x', 408, ''),
      new HttpOperationFailedError('https://p/x', 429, ''),
      new TransportError('BROKER_UNAVAILABLE', 'down'),
      new CircuitOpenError('open'),
    ];
    expect(retryable.map(classifyError)).to.deep.equal(retryable.map(() => 'retryable'));
  });

  it('data and caller problems are permanent: validation, other 4xx, authorisation, bad payload, unrecoverable', () => {
    const permanent = [
      new JsonValidationError('invalid', []),
      new HttpOperationFailedError('https://p/x', 400, ''),
      new HttpOperationFailedError('https://p/x', 404, ''),
      new HttpOperationFailedError('https://p/x', 422, ''),
      new AuthorizationError(),
      new InvalidPayloadError('not json'),
      new UnrecoverableError('give up', { retryable: true }),
    ];
    expect(permanent.map(classifyError)).to.deep.equal(permanent.map(() => 'permanent'));
  });

  it('throwException types are classed by their Camel name, is-a', () => {
    expect(classifyError(new ThrownError('java.net.ConnectException', 'x'))).to.equal('retryable');
    expect(classifyError(new ThrownError('java.net.SocketTimeoutException', 'x'))).to.equal('retryable');
    expect(classifyError(new ThrownError('org.apache.camel.ValidationException', 'x'))).to.equal('permanent');
    expect(classifyError(new ThrownError('java.lang.IllegalArgumentException', 'x'))).to.equal('permanent');
    expect(classifyError(new ThrownError('java.lang.IllegalStateException', 'x'))).to.equal('unknown');
  });

  it('other errors are unknown; a wrapper is classed by the first router error in its cause chain', () => {
    expect(classifyError(new TypeError('bug'))).to.equal('unknown');
    expect(classifyError(new ExpressionError('bad'))).to.equal('unknown');
    expect(classifyError(new ServicePipesError('X', 'x'))).to.equal('unknown');
    expect(classifyError(new Error('wrapped', { cause: new ConnectError('refused') }))).to.equal('retryable');
    expect(classifyError(new Error('wrapped', { cause: new JsonValidationError('bad', []) }))).to.equal(
      'permanent',
    );
  });

  it('reads Retry-After from partner answers and broker back-pressure', () => {
    expect(retryAfterMs(new HttpOperationFailedError('https://p/x', 429, '', 30_000))).to.equal(30_000);
    expect(retryAfterMs(new HttpOperationFailedError('https://p/x', 503, ''))).to.equal(undefined);
    expect(retryAfterMs(new TransportError('QUEUE_FULL', 'full', { retryAfterSeconds: 5 }))).to.equal(5000);
    expect(retryAfterMs(new ConnectError('refused'))).to.equal(undefined);
  });
});
