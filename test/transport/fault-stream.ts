/**
 * What the transport's fault tests share (npm test's own-connection faults in test/transport/ and the
 * broker-wide faults in test/faults/): an admin transport with each test's work queue, a numbered
 * publishing stream, a delivery counter, and the check that every confirmed message arrived while every
 * refusal was a typed one.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TransportError } from '../../src/errors/index.js';
import {
  RabbitMqTransport,
  type RabbitMqTransportOptions,
} from '../../src/transport/rabbitmq/rabbitmq-transport.js';
import type { Transport } from '../../src/transport/transport.js';
import { brokerUrl } from '../helpers/broker.js';
import { eventually, quietLogger } from '../conformance/transport.suite.js';

const logger = quietLogger();

export function faultTransport(
  connectionName: string,
  overrides: Partial<RabbitMqTransportOptions> = {},
): RabbitMqTransport {
  return new RabbitMqTransport({
    url: brokerUrl(),
    logger,
    connectionName,
    retryLowMs: 100,
    retryHighMs: 1000,
    acquireTimeoutMs: 1000,
    publishTimeoutMs: 3000,
    ...overrides,
  });
}

/**
 * The tests' own admin connection, apart from the transports under fault: it declares a fresh work queue
 * per test and deletes every queue it was told of when closed, so no run leaves queues on the broker.
 */
export class WorkQueues {
  readonly admin = faultTransport(`service-pipes faults admin ${randomUUID()}`);
  private readonly names: string[] = [];

  async ready(what = 'admin transport ready'): Promise<void> {
    await eventually(() => this.admin.isReady(), what);
  }

  /** A fresh queue, declared by the admin connection. */
  async declare(): Promise<string> {
    const name = this.remember(`test-${randomUUID()}.faults`);
    await this.admin.declare({ queues: [{ name }] });
    return name;
  }

  /** A queue the test declares itself, for close() to delete too. */
  remember(name: string): string {
    this.names.push(name);
    return name;
  }

  async close(): Promise<void> {
    for (const name of this.names) await this.admin.deleteQueue(name).catch(() => undefined);
    await this.admin.close();
  }
}

/** Publishes `m-0`, `m-1`, ... from a few concurrent callers until stopped; keeps what was confirmed. */
export class NumberedStream {
  readonly accepted = new Set<string>();
  readonly failures = new Map<string, number>();
  private sequence = 0;
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly queue: string,
  ) {}

  start(concurrency = 8): void {
    this.workers = Array.from({ length: concurrency }, () => this.work());
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const id = `m-${this.sequence++}`;
      try {
        await this.transport.publish({
          exchange: '',
          routingKey: this.queue,
          body: Buffer.from(id),
          messageId: id,
        });
        this.accepted.add(id);
      } catch (error) {
        const code = error instanceof TransportError ? error.code : `untyped: ${String(error)}`;
        this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
        // The caller's side of backpressure: back off instead of spinning on a refusing broker.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async acceptedAtLeast(count: number, what: string): Promise<void> {
    await eventually(() => this.accepted.size >= count, `${count} confirmed publishes (${what})`, 40_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }
}

/** Counts deliveries per message id (acks everything). */
export async function countDeliveries(transport: Transport, queue: string): Promise<Map<string, number>> {
  const deliveries = new Map<string, number>();
  await transport.consume({ queue, concurrency: 8, prefetch: 32 }, async (message) => {
    const id = message.messageId ?? '?';
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    return 'ack';
  });
  return deliveries;
}

export async function expectEveryConfirmedDelivered(
  stream: NumberedStream,
  deliveries: Map<string, number>,
  label: string,
): Promise<void> {
  await eventually(
    () => [...stream.accepted].every((id) => deliveries.has(id)),
    'every confirmed message delivered',
    40_000,
  ).catch(() => undefined);
  const missing = [...stream.accepted].filter((id) => !deliveries.has(id));
  const duplicates = [...deliveries.values()].filter((count) => count > 1).length;
  const unconfirmedButDelivered = [...deliveries.keys()].filter((id) => !stream.accepted.has(id)).length;
  console.log(
    `      [${label}] confirmed ${stream.accepted.size}, refused ${JSON.stringify(Object.fromEntries(stream.failures))}, ` +
      `delivered ${deliveries.size} distinct, ${duplicates} duplicated, ${unconfirmedButDelivered} delivered though refused, missing ${missing.length}`,
  );
  expect(missing, 'confirmed but never delivered').to.deep.equal([]);
  for (const code of stream.failures.keys()) {
    expect(['NOT_CONNECTED', 'PUBLISH_TIMEOUT', 'QUEUE_FULL', 'PUBLISH_REJECTED']).to.include(code);
  }
}
