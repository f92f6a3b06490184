/**
 * The AMQP load generator and sink, in a process of its own: declares and removes the bench's queues,
 * pre-loads a queue, publishes at a fixed rate, and consumes the sink queue a scenario publishes to,
 * taking each message's latency from the send time it carries in a header.
 */
import { randomUUID } from 'node:crypto';
import { Connection, type Consumer } from 'rabbitmq-client';
import { emitEvent, serve } from '../lib/ipc.js';
import { keepRawBodies } from '../../src/transport/rabbitmq/client-internals.js';
import { PAYMENT_TEXT, SENT_AT_HEADER } from '../lib/payload.js';
import { LatencyRecorder, nowMs, type LatencySummary } from '../lib/stats.js';
import { Arrivals, type ArrivalReport } from './arrivals.js';

const connection = new Connection({ url: process.env.RABBITMQ_URL!, connectionName: 'bench-load' });
// The client reconnects by itself; without a listener a lost connection would end the process.
connection.on('error', (error: unknown) => process.stderr.write(`AMQP connection: ${String(error)}\n`));
// The sink only counts; parsing every body would make the load generator the bottleneck.
keepRawBodies(connection);
const publisher = connection.createPublisher({ confirm: true, maxAttempts: 3 });
const body = Buffer.from(PAYMENT_TEXT);

/** Confirms awaited at once; enough to keep the broker busy without an unbounded pile of promises. */
const PUBLISH_WINDOW = 1000;

async function publishOne(queue: string): Promise<void> {
  await publisher.send(
    {
      routingKey: queue,
      durable: true,
      mandatory: true,
      contentType: 'application/json',
      messageId: randomUUID(),
      headers: { [SENT_AT_HEADER]: nowMs() },
    },
    body,
  );
}

/** Publishes `count` messages, `PUBLISH_WINDOW` confirms in flight at most. */
async function preload(queue: string, count: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await publishOne(queue);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUBLISH_WINDOW, count) }, lane));
}

const arrivals = new Arrivals();
let sink: Consumer | undefined;

/**
 * Calls `send` at `rate` per second for `durationMs`, the sends' confirms pipelined (at most 20,000 in
 * flight); `send` gets the time its message was due. Resolves once every send settled.
 */
async function atRate(
  rate: number,
  durationMs: number,
  send: (dueAt: number) => Promise<unknown>,
): Promise<{ sent: number; failed: number }> {
  const started = nowMs();
  let sent = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    const elapsed = nowMs() - started;
    if (elapsed >= durationMs) break;
    const due = Math.floor((rate * elapsed) / 1000) - sent;
    for (let i = 0; i < due && inFlight.size < 20_000; i += 1) {
      sent += 1;
      const publish = send(started + (sent * 1000) / rate).then(
        () => undefined,
        () => {
          failed += 1;
        },
      );
      inFlight.add(publish);
      void publish.finally(() => inFlight.delete(publish));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  return { sent, failed };
}

/** Publishes to `queue` at `rate` messages/s for `durationMs`; resolves with how many were sent. */
function publishAtRate(queue: string, rate: number, durationMs: number): Promise<{ sent: number; failed: number }> {
  return atRate(rate, durationMs, () => publishOne(queue));
}

/**
 * The broker's own latency floor: the same persistent, mandatory, confirmed publish of the payment to
 * `exchange`/`routingKey` at `rate` per second for `durationMs`, each timed from when it was due to its
 * confirm (not from when the loop got to it: no coordinated omission). What a router in front of this
 * broker cannot beat at that rate.
 */
async function confirmLatency(
  exchange: string,
  routingKey: string,
  rate: number,
  durationMs: number,
): Promise<{ sent: number; failed: number; latency: LatencySummary | undefined }> {
  const recorder = new LatencyRecorder();
  const counts = await atRate(rate, durationMs, async (dueAt) => {
    await publisher.send(
      { exchange, routingKey, durable: true, mandatory: true, contentType: 'application/json', messageId: randomUUID() },
      body,
    );
    recorder.record(nowMs() - dueAt);
  });
  return { ...counts, latency: recorder.summary() };
}

/**
 * Pushes `total` messages through a scenario while never more than `window` are on their way, reporting
 * every `every` arrivals (the soak: memory is sampled by the bench process meanwhile).
 */
async function soak(queue: string, total: number, window: number, every: number): Promise<ArrivalReport> {
  arrivals.reset();
  let sent = 0;
  let nextReport = every;
  const lanes = Array.from({ length: 50 }, async () => {
    while (sent < total) {
      if (sent - arrivals.count >= window) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      sent += 1;
      await publishOne(queue);
    }
  });
  const progress = setInterval(() => {
    while (arrivals.count >= nextReport) {
      emitEvent({ soakArrived: nextReport });
      nextReport += every;
    }
  }, 100);
  await Promise.all(lanes);
  const report = await arrivals.wait(total, 120_000);
  clearInterval(progress);
  while (arrivals.count >= nextReport) {
    emitEvent({ soakArrived: nextReport });
    nextReport += every;
  }
  return report;
}

interface QueueSpec {
  name: string;
  arguments?: Record<string, unknown>;
}

await connection.onConnect(10_000);
serve({
  async setup(args) {
    for (const exchange of (args.exchanges as { name: string; type: string }[] | undefined) ?? [])
      await connection.exchangeDeclare({ exchange: exchange.name, type: exchange.type, durable: true });
    for (const queue of (args.queues as QueueSpec[] | undefined) ?? [])
      await connection.queueDeclare({ queue: queue.name, durable: true, arguments: queue.arguments });
    for (const binding of (args.bindings as { exchange: string; queue: string; routingKey: string }[] | undefined) ?? [])
      await connection.queueBind(binding);
  },
  async cleanup(args) {
    for (const queue of (args.queues as string[] | undefined) ?? []) await connection.queueDelete({ queue }).catch(() => undefined);
    for (const exchange of (args.exchanges as string[] | undefined) ?? [])
      await connection.exchangeDelete({ exchange }).catch(() => undefined);
  },
  async purge(args) {
    await connection.queuePurge({ queue: String(args.queue) });
  },
  async depth(args) {
    const { messageCount } = await connection.queueDeclare({ queue: String(args.queue), passive: true });
    return messageCount;
  },
  preload: (args) => preload(String(args.queue), Number(args.count)),
  publishAtRate: (args) => publishAtRate(String(args.queue), Number(args.rate), Number(args.durationMs)),
  confirmLatency: (args) =>
    confirmLatency(String(args.exchange), String(args.routingKey), Number(args.rate), Number(args.durationMs)),
  sink(args) {
    sink ??= connection.createConsumer(
      { queue: String(args.queue), queueOptions: { passive: true }, qos: { prefetchCount: 1000 }, concurrency: 1000 },
      (message) => {
        arrivals.add(message.headers?.[SENT_AT_HEADER]);
      },
    );
    sink.on('error', (error: unknown) => process.stderr.write(`AMQP sink: ${String(error)}\n`));
  },
  reset: (args) => arrivals.reset(Number(args.warmup ?? 0)),
  arrivals: (args) => arrivals.wait(Number(args.count ?? 0), Number(args.timeoutMs ?? 0)),
  soak: (args) => soak(String(args.queue), Number(args.total), Number(args.window), Number(args.every)),
  async close() {
    await sink?.close();
    sink = undefined;
  },
});
