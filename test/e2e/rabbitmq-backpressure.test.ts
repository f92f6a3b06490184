/**
 * Backpressure at the HTTP door: a full queue (reject-publish) turns into 503 with Retry-After, and what
 * was accepted before is all still there. The blocked broker (memory alarm) blocks every publisher on the
 * broker, so it is in test/faults/backpressure.faults.ts (`npm run test:faults`).
 */
import { expect } from 'chai';
import { requireBrokerOrSkip } from '../helpers/broker.js';
import { BOUNDED_INTAKE_PATH, startBoundedIntake, type BoundedIntake } from '../helpers/bounded-intake.js';
import { jsonBody, postJson, Watcher } from './rabbitmq-support.js';

describe('e2e: backpressure', function () {
  this.timeout(60_000);
  let intake: BoundedIntake | undefined;

  before(async function () {
    await requireBrokerOrSkip(this);
    intake = await startBoundedIntake('bp', 'e2e backpressure');
  });

  after(async function () {
    await intake?.stop();
  });

  it('a full queue answers 503 with Retry-After, and every accepted message is still in the queue', async function () {
    const { router, amqp, queue } = intake!;
    const accepted: number[] = [];
    const refused: { status: number; retryAfter: string | null }[] = [];
    for (let n = 0; n < 8; n++) {
      const answer = await postJson(`${router.baseUrl}${BOUNDED_INTAKE_PATH}`, { n });
      if (answer.status === 202) accepted.push(n);
      else refused.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') });
    }
    // RabbitMQ's quorum queues take one message past the limit before refusing.
    expect(accepted.length).to.be.within(3, 4);
    expect(refused).to.have.length(8 - accepted.length);
    for (const answer of refused) {
      expect(answer.status).to.equal(503);
      expect(Number(answer.retryAfter)).to.be.greaterThan(0);
    }
    const watcher = new Watcher(amqp, queue).start();
    try {
      await watcher.until((received) => received.length >= accepted.length, 'the accepted messages');
      expect(watcher.received.map((message) => Number(jsonBody(message).n))).to.deep.equal(accepted);
    } finally {
      await watcher.close();
    }
  });
});
