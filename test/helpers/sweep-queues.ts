/**
 * Deletes the queues an aborted test or bench run left on the broker: `e2e.*` (every RabbitMQ test names its
 * queues so, with a random part) and `bench.*`. Tests delete what they create when they finish; a run killed
 * half-way cannot, and a broker collecting hundreds of quorum queues starts slowly or not at all. CI runs
 * this before the tests: `npx tsx test/helpers/sweep-queues.ts`.
 */
import { execFileSync } from 'node:child_process';
import { Connection } from 'rabbitmq-client';
import { brokerUrl } from './broker.js';

const LEFTOVER = /^(e2e|bench)\./;

let names: string[];
try {
  names = execFileSync('rabbitmqctl', ['-q', 'list_queues', 'name'], { encoding: 'utf8', timeout: 60_000 })
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => LEFTOVER.test(name));
} catch (error) {
  process.stdout.write(`sweep: could not list queues (${(error as Error).message.split('\n')[0]}); nothing deleted\n`);
  process.exit(0);
}
if (names.length > 0) {
  const connection = new Connection({ url: brokerUrl(), connectionName: 'queue sweep' });
  for (const queue of names) await connection.queueDelete({ queue }).catch(() => undefined);
  await connection.close();
}
process.stdout.write(`sweep: ${names.length} leftover test queue(s) deleted\n`);
