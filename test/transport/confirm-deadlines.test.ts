import { expect } from 'chai';
import { ConfirmDeadlines } from '../../src/transport/rabbitmq/confirm-deadlines.js';

/** A confirm the test settles by hand. */
function confirm(): { sent: Promise<void>; ack(): void; nack(error: Error): void } {
  let ack!: () => void;
  let nack!: (error: Error) => void;
  const sent = new Promise<void>((resolve, reject) => {
    ack = resolve;
    nack = reject;
  });
  return { sent, ack, nack };
}

const outcome = (settling: Promise<void>): Promise<string> =>
  settling.then(
    () => 'confirmed',
    (error: Error) => error.message,
  );

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('confirm deadlines', () => {
  const expired = (messageId: string): Error => new Error(`timeout ${messageId}`);

  it('settles each publish as its confirm does, in any order', async () => {
    const deadlines = new ConfirmDeadlines(5000, expired);
    const first = confirm();
    const second = confirm();
    const a = outcome(deadlines.within(first.sent, 'a'));
    const b = outcome(deadlines.within(second.sent, 'b'));
    second.nack(new Error('nack b'));
    first.ack();
    expect(await Promise.all([a, b])).to.deep.equal(['confirmed', 'nack b']);
    expect(deadlines.size).to.equal(0);
  });

  it('fails a publish whose confirm does not come in time, and ignores the confirm when it comes late', async () => {
    const deadlines = new ConfirmDeadlines(40, expired);
    const late = confirm();
    const started = Date.now();
    expect(await outcome(deadlines.within(late.sent, 'late'))).to.equal('timeout late');
    expect(Date.now() - started).to.be.at.least(39);
    late.nack(new Error('too late'));
    await sleep(5);
    expect(deadlines.size).to.equal(0);
  });

  it('gives each publish its own deadline, counted from when it was sent', async () => {
    const deadlines = new ConfirmDeadlines(60, expired);
    const results: string[] = [];
    const early = confirm();
    const settled = [outcome(deadlines.within(early.sent, 'early')).then((r) => results.push(`early: ${r}`))];
    await sleep(30);
    const kept = confirm();
    const later = confirm();
    settled.push(outcome(deadlines.within(kept.sent, 'kept')).then((r) => results.push(`kept: ${r}`)));
    settled.push(outcome(deadlines.within(later.sent, 'later')).then((r) => results.push(`later: ${r}`)));
    // 45 ms after the first was sent: the first has expired at 60, the two later ones (due at ~90) not yet.
    await sleep(45);
    expect(results).to.deep.equal(['early: timeout early']);
    kept.ack();
    await Promise.all(settled);
    expect(results).to.deep.equal(['early: timeout early', 'kept: confirmed', 'later: timeout later']);
    expect(deadlines.size).to.equal(0);
  });

  it('holds no timer once nothing waits, so an idle process can exit', async () => {
    const deadlines = new ConfirmDeadlines(60_000, expired);
    const one = confirm();
    const settling = deadlines.within(one.sent, 'one');
    const timer = (deadlines as unknown as { timer?: NodeJS.Timeout }).timer;
    expect(timer?.hasRef()).to.equal(true);
    one.ack();
    await settling;
    expect((deadlines as unknown as { timer?: NodeJS.Timeout }).timer).to.equal(undefined);
  });
});
