/**
 * Baseline of S2: a bare consume → publish pump, no processing at all, the broker's limit on this machine.
 * Same queue kind, concurrency, prefetch, persistent messages and pipelined publisher confirms as the
 * router's route; a message is acked only after its onward publish was confirmed.
 */
import { Connection } from 'rabbitmq-client';
import { serve } from '../lib/ipc.js';
// rabbitmq-client JSON.parse's JSON bodies on arrival; a bare pump forwards the bytes, as the router does.
import { coalesceWrites, keepRawBodies } from '../../src/transport/rabbitmq/client-internals.js';

const queue = process.env.QUEUE!;
const exchange = process.env.EXCHANGE!;
const routingKey = process.env.ROUTING_KEY!;
const concurrency = Number(process.env.CONCURRENCY);

const connection = new Connection({ url: process.env.RABBITMQ_URL!, connectionName: 'bench-baseline-pump' });
// The client reconnects by itself; without a listener a lost connection would end the process.
connection.on('error', (error: unknown) => process.stderr.write(`AMQP connection: ${String(error)}\n`));
keepRawBodies(connection);
// The bench's reference run (COALESCE_WRITES=1): the same pump with the router's one-write-per-turn.
if (process.env.COALESCE_WRITES === '1') coalesceWrites(connection);
const publisher = connection.createPublisher({ confirm: true, maxAttempts: 3 });
const consumer = connection.createConsumer(
  { queue, queueOptions: { passive: true }, qos: { prefetchCount: 2 * concurrency }, concurrency, requeue: false },
  async (message) => {
    await publisher.send(
      {
        exchange,
        routingKey,
        durable: true,
        mandatory: true,
        contentType: message.contentType,
        messageId: message.messageId,
        correlationId: message.correlationId,
        headers: message.headers,
      },
      message.body as Buffer,
    );
  },
);

// A consumer error (the connection was closed under it) is followed by a recovery, not the end.
consumer.on('error', (error: unknown) => process.stderr.write(`AMQP consumer: ${String(error)}\n`));

await connection.onConnect(10_000);
serve({});
process.on('SIGTERM', () => {
  void consumer.close().then(() => publisher.close()).then(() => connection.close()).then(() => process.exit(0));
});
