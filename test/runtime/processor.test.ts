import { expect } from 'chai';
import { Exchange } from '../../src/runtime/exchange.js';
import { DONE, pipeline, type Processor } from '../../src/runtime/processor.js';

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

  it('runs steps that return DONE back to back and answers DONE itself; after a step that waits, the rest still run in order', async function () {
    const order: string[] = [];
    const sync = (name: string): Processor => () => {
      order.push(name);
      return DONE;
    };
    const waiting: Processor = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push('waited');
    };
    const allSync = pipeline([sync('a'), sync('b'), sync('c')]);
    expect(allSync(new Exchange({}))).to.equal(DONE);
    expect(order).to.deep.equal(['a', 'b', 'c']);
    order.length = 0;
    const mixed = pipeline([sync('a'), waiting, sync('b')])(new Exchange({}));
    expect(mixed).not.to.equal(DONE);
    expect(order).to.deep.equal(['a']);
    await mixed;
    expect(order).to.deep.equal(['a', 'waited', 'b']);
  });
});
