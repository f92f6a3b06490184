import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DoneKeyWindow } from '../../src/reliability/done-key-window.js';

/** The same contract written plainly: a key is in the window when one of the last `capacity` adds added it. */
class ModelWindow {
  private readonly adds: { key: string; expiresAt: number }[] = [];
  constructor(private readonly capacity: number) {}
  has(key: string, now: number): boolean {
    const last = this.adds.findLast((add) => add.key === key);
    return last !== undefined && Math.max(1, last.expiresAt) > now;
  }
  add(key: string, expiresAt: number): void {
    this.adds.push({ key, expiresAt });
    if (this.adds.length > this.capacity) this.adds.shift();
  }
  get size(): number {
    return new Set(this.adds.map((add) => add.key)).size;
  }
}

type Operation = { add: string; expiresAt: number } | { has: string; now: number };

describe('done key window', () => {
  it('answers as a list of the last adds would, through any mix of adds, re-adds, expiries and evictions', () => {
    const key = fc.integer({ min: 0, max: 40 }).map((n) => `amqp:route:${n}`);
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ add: key, expiresAt: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ has: key, now: fc.integer({ min: 0, max: 100 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.array(operation, { maxLength: 400 }),
        (capacity, operations) => {
          const window = new DoneKeyWindow(capacity);
          const model = new ModelWindow(capacity);
          for (const op of operations) {
            if ('add' in op) {
              window.add(DoneKeyWindow.digest(op.add), op.expiresAt);
              model.add(op.add, op.expiresAt);
            } else {
              expect(window.has(DoneKeyWindow.digest(op.has), op.now), `${op.has} at ${op.now}`).to.equal(
                model.has(op.has, op.now),
              );
            }
            expect(window.size).to.equal(model.size);
          }
          // Every key is checked at the end, not only the ones the operations happened to look at.
          for (let n = 0; n <= 40; n++) {
            const name = `amqp:route:${n}`;
            expect(window.has(DoneKeyWindow.digest(name), 0), name).to.equal(model.has(name, 0));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps exactly the newest 100,000 of 250,000 keys', () => {
    const window = new DoneKeyWindow(100_000);
    const far = Date.now() + 60_000;
    for (let i = 0; i < 250_000; i++) window.add(DoneKeyWindow.digest(`amqp:r:${i}`), far);
    expect(window.size).to.equal(100_000);
    const now = Date.now();
    let kept = 0;
    for (let i = 0; i < 250_000; i++)
      if (window.has(DoneKeyWindow.digest(`amqp:r:${i}`), now)) kept += i >= 150_000 ? 1 : 1_000_000;
    expect(kept).to.equal(100_000);
    window.clear();
    expect(window.size).to.equal(0);
    expect(window.has(DoneKeyWindow.digest('amqp:r:249999'), now)).to.equal(false);
  });

  it('tells keys apart by their digest, not by a prefix or their length', () => {
    const window = new DoneKeyWindow(4);
    window.add(DoneKeyWindow.digest('amqp:r:1'), 10);
    for (const other of ['amqp:r:10', 'amqp:r:', 'amqp:r:1 ', 'AMQP:r:1', '']) {
      expect(window.has(DoneKeyWindow.digest(other), 0), other).to.equal(false);
    }
    expect(window.has(DoneKeyWindow.digest('amqp:r:1'), 0)).to.equal(true);
  });

  it('digests a key as the first 128 bits of its SHA-256, whatever characters it has', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (key) => {
        const bytes = createHash('sha256').update(key, 'utf8').digest();
        expect([...DoneKeyWindow.digest(key)]).to.deep.equal([0, 1, 2, 3].map((word) => bytes.readUInt32LE(word * 4)));
      }),
    );
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN])
      expect(() => new DoneKeyWindow(capacity)).to.throw(RangeError);
  });
});
