/**
 * Baseline of S1 and S1b: the minimum a performance-minded engineer writes by hand for what the bench route
 * does, on node:http (no framework). POST <path> with a JSON body → ajv validation (400 with the errors) →
 * JSONata mapping → persistent, mandatory publish with a publisher confirm (503 when it is not confirmed) →
 * 202 with the result. It checks what the router checks at the door (method, path, JSON content type, body
 * size, well-formed JSON) and no more.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Connection } from 'rabbitmq-client';
import { serve } from '../lib/ipc.js';
import { REPO_DIR } from '../lib/children.js';
import { isoSecondsWithOffset, paymentWork, type WorkKind } from './payment-work.js';

const port = Number(process.env.PORT);
const exchange = process.env.EXCHANGE!;
const routingKey = process.env.ROUTING_KEY!;
const kind = (process.env.WORK ?? 'payment') as WorkKind;
const entryPath = process.env.ENTRY_PATH ?? '/payments';
const LIMIT = 1024 * 1024;

const work = paymentWork(REPO_DIR, kind);
const connection = new Connection({ url: process.env.RABBITMQ_URL!, connectionName: `bench-baseline-http-${kind}` });
// The client reconnects by itself; without a listener a lost connection would end the process.
connection.on('error', (error: unknown) => process.stderr.write(`AMQP connection: ${String(error)}\n`));
const publisher = connection.createPublisher({ confirm: true, maxAttempts: 3 });

function answer(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function handle(body: Buffer, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    answer(response, 400, { error: 'INVALID_JSON' });
    return;
  }
  if (!work.validate(input)) {
    answer(response, 400, { error: 'VALIDATION_FAILED', errors: work.validate.errors });
    return;
  }
  const exchangeId = randomUUID();
  const result = await work.map(input, {
    headers: request.headers,
    properties: { receivedAt: isoSecondsWithOffset() },
    exchangeId,
    correlationId: exchangeId,
  });
  try {
    await publisher.send(
      { exchange, routingKey, durable: true, mandatory: true, contentType: 'application/json', messageId: exchangeId, correlationId: exchangeId },
      Buffer.from(JSON.stringify(result)),
    );
  } catch {
    answer(response, 503, { error: 'BROKER_UNAVAILABLE' });
    return;
  }
  answer(response, 202, result);
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== entryPath) {
    answer(response, request.url === entryPath ? 405 : 404, { error: 'NOT_FOUND' });
    request.resume();
    return;
  }
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
    answer(response, 415, { error: 'UNSUPPORTED_MEDIA_TYPE' });
    request.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= LIMIT) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > LIMIT) {
      answer(response, 413, { error: 'PAYLOAD_TOO_LARGE' });
      return;
    }
    handle(Buffer.concat(chunks, size), request, response).catch((error: unknown) => answer(response, 500, { error: String(error) }));
  });
});

await connection.onConnect(10_000);
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
serve({});
process.on('SIGTERM', () => {
  void publisher.close().then(() => connection.close()).then(() => process.exit(0));
});
