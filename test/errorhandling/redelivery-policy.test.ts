import { expect } from 'chai';
import { CAMEL_DEFAULT_POLICY, MAX_REDELIVERIES, ROUTER_BROKER_DEFAULT_POLICY, parseDelayPattern, parseRedeliveryPolicy, type PolicyProblem, type RedeliveryPolicy } from '../../src/errorhandling/redelivery-policy.js';
import { baseDelayFor, delayBounds, delayFor, honourRetryAfter } from '../../src/reliability/retry-policy.js';

function parse(
  raw: Record<string, unknown>,
  base: Readonly<RedeliveryPolicy> = CAMEL_DEFAULT_POLICY,
): { policy: RedeliveryPolicy; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const policy = parseRedeliveryPolicy(raw, base, (p) => problems.push(p));
  return { policy, problems };
}

describe('error handling: redelivery policy', () => {
  it('has Camel defaults: no redelivery, 1 s, ×2, at most 60 s, jitter 15 %', () => {
    expect(CAMEL_DEFAULT_POLICY).to.include({
      maximumRedeliveries: 0,
      redeliveryDelay: 1000,
      backOffMultiplier: 2,
      maximumRedeliveryDelay: 60_000,
      useExponentialBackOff: false,
      useCollisionAvoidance: false,
      collisionAvoidanceFactor: 0.15,
    });
    expect(ROUTER_BROKER_DEFAULT_POLICY).to.include({
      maximumRedeliveries: 5,
      redeliveryDelay: 1000,
      useExponentialBackOff: true,
      backOffMultiplier: 2,
      maximumRedeliveryDelay: 60_000,
      useCollisionAvoidance: true,
    });
  });

  it('reads Camel spellings: delays as strings, flags as strings or booleans', () => {
    const { policy, problems } = parse({
      maximumRedeliveries: 3,
      redeliveryDelay: '250',
      maximumRedeliveryDelay: '4000',
      useExponentialBackOff: 'true',
      backOffMultiplier: '3',
      useCollisionAvoidance: true,
      collisionAvoidanceFactor: 0.5,
      retryAttemptedLogLevel: 'warn',
    });
    expect(problems).to.deep.equal([]);
    expect(policy).to.include({
      maximumRedeliveries: 3,
      redeliveryDelay: 250,
      maximumRedeliveryDelay: 4000,
      useExponentialBackOff: true,
      backOffMultiplier: 3,
      useCollisionAvoidance: true,
      collisionAvoidanceFactor: 0.5,
      retryAttemptedLogLevel: 'WARN',
    });
  });

  it('bounds "forever" (-1) and huge counts to the router maximum, with a warning', () => {
    for (const value of [-1, 5000]) {
      const { policy, problems } = parse({ maximumRedeliveries: value });
      expect(policy.maximumRedeliveries).to.equal(MAX_REDELIVERIES);
      expect(problems).to.have.length(1);
      expect(problems[0]!.severity).to.equal('warning');
      expect(problems[0]!.message).to.contain(`bounded to ${MAX_REDELIVERIES}`);
    }
  });

  it('reports wrong values and keeps the base value instead of guessing', () => {
    const { policy, problems } = parse({
      redeliveryDelay: 'soon',
      maximumRedeliveries: -2,
      backOffMultiplier: 0.5,
      useExponentialBackOff: 'yes',
    });
    expect(problems.map((p) => p.severity)).to.deep.equal(['error', 'error', 'error', 'error']);
    expect(problems.map((p) => p.message).join('\n'))
      .to.contain('redeliveryPolicy.redeliveryDelay')
      .and.contain('maximumRedeliveries');
    expect(policy.redeliveryDelay).to.equal(1000);
    expect(policy.maximumRedeliveries).to.equal(0);
    expect(policy.backOffMultiplier).to.equal(2);
    expect(policy.useExponentialBackOff).to.equal(false);
  });

  it('disableRedelivery wins over maximumRedeliveries', () => {
    expect(parse({ maximumRedeliveries: 4, disableRedelivery: true }).policy.maximumRedeliveries).to.equal(0);
  });

  it('fixed delay: every redelivery waits redeliveryDelay', () => {
    const { policy } = parse({ maximumRedeliveries: 3, redeliveryDelay: '500' });
    expect([1, 2, 3].map((n) => delayFor(policy, n))).to.deep.equal([500, 500, 500]);
  });

  it('exponential back-off multiplies from the first redelivery and stops at maximumRedeliveryDelay', () => {
    const { policy } = parse({
      redeliveryDelay: '1000',
      useExponentialBackOff: true,
      backOffMultiplier: 2,
      maximumRedeliveryDelay: '10000',
    });
    expect([1, 2, 3, 4, 5, 6].map((n) => baseDelayFor(policy, n))).to.deep.equal([
      1000, 2000, 4000, 8000, 10000, 10000,
    ]);
    // A very late redelivery cannot overflow past the cap.
    expect(baseDelayFor(policy, 5000)).to.equal(10000);
  });

  it('collision avoidance stays within ±factor of the back-off step and under the cap', () => {
    const policy = { ...ROUTER_BROKER_DEFAULT_POLICY };
    expect(delayBounds(policy, 1)).to.deep.equal({ min: 850, max: 1150 });
    expect(delayBounds(policy, 3)).to.deep.equal({ min: 3400, max: 4600 });
    expect(delayBounds(policy, 10)).to.deep.equal({ min: 51000, max: 60000 });
    expect(delayFor(policy, 1, () => 0)).to.equal(850);
    expect(delayFor(policy, 1, () => 0.5)).to.equal(1000);
    expect(delayFor(policy, 1, () => 0.999999)).to.equal(1150);
    expect(delayFor(policy, 10, () => 0.999999)).to.equal(60000);
    for (let i = 0; i < 200; i++) {
      const n = 1 + (i % 8);
      const { min, max } = delayBounds(policy, n);
      expect(delayFor(policy, n)).to.be.within(min, max);
    }
  });

  it('delayPattern: from redelivery N on, wait D (0 before the first entry)', () => {
    expect(parseDelayPattern('10:5000; 5:1000')).to.deep.equal([
      [5, 1000],
      [10, 5000],
    ]);
    expect(parseDelayPattern('5-1000')).to.equal(undefined);
    const { policy, problems } = parse({ delayPattern: '5:1000;10:5000', useExponentialBackOff: true });
    expect(problems).to.deep.equal([]);
    expect([1, 4, 5, 9, 10, 50].map((n) => delayFor(policy, n))).to.deep.equal([
      0, 0, 1000, 1000, 5000, 5000,
    ]);
    expect(parse({ delayPattern: 'soon' }).problems[0]!.message).to.contain('delayPattern');
  });

  it('Retry-After raises the delay, never lowers it, and is bounded', () => {
    expect(honourRetryAfter(1000, undefined, 60_000)).to.equal(1000);
    expect(honourRetryAfter(1000, 500, 60_000)).to.equal(1000);
    expect(honourRetryAfter(1000, 30_000, 60_000)).to.equal(30_000);
    expect(honourRetryAfter(1000, 3_600_000, 60_000)).to.equal(60_000);
  });
});
