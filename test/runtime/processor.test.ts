import { expect } from 'chai';
import { Exchange } from '../../src/runtime/exchange.js';
import { pipeline, type Processor } from '../../src/runtime/processor.js';

describe('pipeline', function () {
  it('turns a step that throws before returning its promise into a rejection, one step or several', async function () {
    const throwing = ((): Promise<void> => {
      throw new Error('thrown at once');
    }) as Processor;
    for (const steps of [[throwing], [throwing, async () => {}]]) {
      let result: Promise<void> | undefined;
      expect(() => (result = pipeline(steps)(new Exchange({})))).not.to.throw();
      const error = await result!.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(Error).with.property('message', 'thrown at once');
    }
  });

  it('runs no step of a stopped exchange', async function () {
    let ran = 0;
    const exchange = new Exchange({});
    exchange.stopped = true;
    await pipeline([async () => void ran++])(exchange);
    expect(ran).to.equal(0);
  });
});
