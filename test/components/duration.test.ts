import { expect } from 'chai';
import { parseDuration } from '../../src/units/duration.js';

describe('component durations', () => {
  it('reads milliseconds and Camel duration text', () => {
    expect(parseDuration(1500)).to.equal(1500);
    expect(parseDuration('1500')).to.equal(1500);
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('1s')).to.equal(1000);
    expect(parseDuration('2m')).to.equal(120_000);
    expect(parseDuration('1h')).to.equal(3_600_000);
    expect(parseDuration('1m30s')).to.equal(90_000);
    expect(parseDuration('1.5s')).to.equal(1500);
  });

  it('rejects anything else', () => {
    for (const bad of ['soon', '1 s', '-5', '', 's', '5d', -1, null]) {
      expect(() => parseDuration(bad), String(bad)).to.throw(/not a duration/);
    }
  });
});
