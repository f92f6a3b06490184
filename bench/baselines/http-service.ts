/**
 * Baseline of S1: the smallest honest hand-written service doing what the bench route does. POST /payments
 * → JSON body → ajv validation (400 with the errors) → JSONata mapping → persistent, mandatory publish with
 * a publisher confirm (503 when it is not confirmed) → 202 with the posting.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { Connection } from 'rabbitmq-client';
import { serve } from '../lib/ipc.js';
import { REPO_DIR } from '../lib/children.js';
import { isoSecondsWithOffset, paymentWork } from './payment-work.js';

const port = Number(process.env.PORT);
const exchange = process.env.EXCHANGE!;
const routingKey = process.env.ROUTING_KEY!;

const work = paymentWork(REPO_DIR);
const connection = new Connection({ url: process.env.RABBITMQ_URL!, connectionName: 'bench-baseline-http' });
// The client reconnects by itself; without a listener a lost connection would end the process.
connection.on('error', (error: unknown) => process.stderr.write(`AMQP connection: ${String(error)}\n`));
const publisher = connection.createPublisher({ confirm: true, maxAttempts: 3 });

const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/payments', async (request, response) => {
  const payment: unknown = request.body;
  if (!work.validate(payment)) {
    response.status(400).json({ error: 'VALIDATION_FAILED', errors: work.validate.errors });
    return;
  }
  const exchangeId = randomUUID();
  const posting = await work.map(payment, {
    headers: request.headers,
    properties: { receivedAt: isoSecondsWithOffset() },
    exchangeId,
    correlationId: exchangeId,
  });
  try {
    await publisher.send(
      { exchange, routingKey, durable: true, mandatory: true, contentType: 'application/json', messageId: exchangeId, correlationId: exchangeId },
      Buffer.from(JSON.stringify(posting)),
    );
  } catch {
    response.status(503).json({ error: 'BROKER_UNAVAILABLE' });
    return;
  }
  response.status(202).json(posting);
});

await connection.onConnect(10_000);
await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', () => resolve()));
serve({});
process.on('SIGTERM', () => {
  void publisher.close().then(() => connection.close()).then(() => process.exit(0));
});
