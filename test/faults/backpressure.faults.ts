/**
 * Backpressure at the HTTP door when the broker blocks publishers (memory alarm): 503 with Retry-After while
 * it lasts, 202 again once it clears, and what was accepted before is all still there. The alarm blocks every
 * publisher on the broker, so this runs in `npm run test:faults` only; the watermark is always put back.
 */
import { expect } from 'chai';
import { rabbitmqctl, requireBrokerOrSkip } from '../helpers/broker.js';
import { BOUNDED_INTAKE_PATH, startBoundedIntake, type BoundedIntake } from '../helpers/bounded-intake.js';
import { eventually, jsonBody, postJson, Watcher } from '../e2e/rabbitmq-support.js';
import { awaitBroker } from './harness/broker-faults.js';

describe('faults: backpressure while the broker blocks publishers', function () {
  this.timeout(60_000);
  let intake: BoundedIntake | undefined;

  before(async function () {
    await requireBrokerOrSkip(this);
    await awaitBroker();
    intake = await startBoundedIntake('bp-alarm', 'faults backpressure');
  });

  after(async function () {
    await intake?.stop();
  });

  it('a blocked broker (memory alarm) answers 503 with Retry-After, and accepts again once it clears', async function () {
    const { router, amqp, queue } = intake!;
    await amqp.queuePurge({ queue });
    const before = await postJson(`${router.baseUrl}${BOUNDED_INTAKE_PATH}`, { n: 'before' });
    expect(before.status).to.equal(202);
    const watermark =
      (await rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim() || '0.4';
    let blocked: Awaited<ReturnType<typeof postJson>> | undefined;
    try {
      await rabbitmqctl('set_vm_memory_high_watermark', '0.0000001');
      blocked = await postJson(`${router.baseUrl}${BOUNDED_INTAKE_PATH}`, { n: 'blocked' });
    } finally {
      await rabbitmqctl('set_vm_memory_high_watermark', /^\d+(\.\d+)?$/.test(watermark) ? watermark : '0.4');
    }
    expect(blocked.status).to.equal(503);
    expect(Number(blocked.headers.get('retry-after'))).to.be.greaterThan(0);
    await eventually(
      async () => (await postJson(`${router.baseUrl}${BOUNDED_INTAKE_PATH}`, { n: 'after' })).status === 202,
      'accepting again',
      30_000,
    );
    const watcher = new Watcher(amqp, queue).start();
    try {
      await watcher.until(
        (received) => received.some((message) => jsonBody(message).n === 'after'),
        'the message accepted after the alarm',
      );
      const values = watcher.received.map((message) => jsonBody(message).n);
      expect(values[0]).to.equal('before');
      // A publish refused for want of a confirm may still have reached the broker (503 "may or may not have
      // been taken"): callers retry with the same Idempotency-Key and the duplicate is recognisable. Never lost.
      expect(values.filter((value) => value === 'blocked').length).to.be.at.most(1);
      expect(values[values.length - 1]).to.equal('after');
    } finally {
      await watcher.close();
    }
  });
});
