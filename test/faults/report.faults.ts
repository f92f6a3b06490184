/**
 * Root hooks of the fault suite: the broker must be there (these tests are about it), and the table of
 * every scenario that ran is printed and written at the end, passed or failed.
 */
import { requireBrokerOrSkip } from '../helpers/broker.js';
import { awaitBroker, memoryAlarmRaised } from './harness/broker-faults.js';
import { writeResults } from './harness/results.js';

before(async function () {
  // The broker is shared: another suite may be restarting it right now. Give it a moment first.
  await awaitBroker(30_000).catch(() => undefined);
  await requireBrokerOrSkip(this);
});

after(async function () {
  writeResults();
  // Leave the broker as we found it: up, and without an alarm.
  await awaitBroker();
  if (await memoryAlarmRaised()) throw new Error('the memory alarm is still raised after the fault suite');
});
