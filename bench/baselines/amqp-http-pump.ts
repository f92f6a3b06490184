/**
 * Baseline of S3: bare consume → HTTP POST to the partner, acked after a 2xx. Same queue kind, concurrency
 * and prefetch as the router's connector route, and the same client the router's http component uses
 * (node:http with a keep-alive agent).
 */
import http from 'node:http';
import { Connection } from 'rabbitmq-client';
import { serve } from '../lib/ipc.js';
// rabbitmq-client JSON.parse's JSON bodies on arrival; a bare pump forwards the bytes, as the router does.
import { coalesceWrites, keepRawBodies } from '../../src/transport/rabbitmq/client-internals.js';

const queue = process.env.QUEUE!;
const partner = new URL(process.env.PARTNER_URL!);
const concurrency = Number(process.env.CONCURRENCY);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(body: Buffer, headers: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': body.length };
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' || typeof value === 'number') outgoing[name] = value;
    const request = http.request(partner, { method: 'POST', agent, headers: outgoing }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

const connection = new Connection({ url: process.env.RABBITMQ_URL!, connectionName: 'bench-baseline-http-pump' });
// The client reconnects by itself; without a listener a lost connection would end the process.
connection.on('error', (error: unknown) => process.stderr.write(`AMQP connection: ${String(error)}\n`));
keepRawBodies(connection);
// The bench's reference run (COALESCE_WRITES=1): the same pump with the router's one-write-per-turn.
if (process.env.COALESCE_WRITES === '1') coalesceWrites(connection);
const consumer = connection.createConsumer(
  { queue, queueOptions: { passive: true }, qos: { prefetchCount: 2 * concurrency }, concurrency, requeue: false },
  async (message) => {
    const status = await post(message.body as Buffer, message.headers ?? {});
    if (status < 200 || status >= 300) throw new Error(`partner answered ${status}`);
  },
);

// A consumer error (the connection was closed under it) is followed by a recovery, not the end.
consumer.on('error', (error: unknown) => process.stderr.write(`AMQP consumer: ${String(error)}\n`));

await connection.onConnect(10_000);
serve({});
process.on('SIGTERM', () => {
  void consumer.close().then(() => connection.close()).then(() => process.exit(0));
});
