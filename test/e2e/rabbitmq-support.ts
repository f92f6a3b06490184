/**
 * What the RabbitMQ end-to-end tests share: the test's own AMQP client (plain rabbitmq-client, not the
 * router), a queue that watches an exchange, and HTTP calls into the router.
 */
import { randomUUID } from 'node:crypto';
import { Connection, type AsyncMessage, type Consumer } from 'rabbitmq-client';
import { brokerUrl } from '../helpers/broker.js';
import { deadLetterQueueName, retryQueueName } from '../../src/transport/topology-names.js';

export function amqpClient(name = 'e2e test client'): Connection {
  return new Connection({ url: brokerUrl(), connectionName: name, retryLow: 200, retryHigh: 1000 });
}

export function uniqueName(prefix: string): string {
  return `e2e.${prefix}.${randomUUID().slice(0, 8)}`;
}

/**
 * Every queue a router consumer declares for `queue`: the queue, its dead letters and its retry levels
 * (one per attempt, up to ten). Tests delete them all, or each run would leave its retry queues behind
 * and a broker collecting hundreds of quorum queues starts slowly or not at all.
 */
export function consumerQueues(queue: string): string[] {
  return [queue, deadLetterQueueName(queue), ...Array.from({ length: 10 }, (_, index) => retryQueueName(queue, index + 1))];
}

/** Body of a message as the test sees it (rabbitmq-client parses JSON bodies itself). */
export function jsonBody(message: AsyncMessage): Record<string, unknown> {
  const body: unknown = message.body;
  if (Buffer.isBuffer(body)) return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (typeof body === 'string') return JSON.parse(body) as Record<string, unknown>;
  return body as Record<string, unknown>;
}

/**
 * A durable queue of the test's own, bound to `exchange` (declared here as the route declares it), that
 * collects every message it receives.
 */
export class Watcher {
  readonly received: AsyncMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly connection: Connection,
    readonly queue: string,
  ) {}

  static async on(
    connection: Connection,
    binding: { exchange: string; exchangeType?: string; routingKey: string },
    queue = uniqueName('watch'),
  ): Promise<Watcher> {
    await connection.exchangeDeclare({
      exchange: binding.exchange,
      type: binding.exchangeType ?? 'topic',
      durable: true,
    });
    await connection.queueDeclare({ queue, durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await connection.queueBind({ exchange: binding.exchange, queue, routingKey: binding.routingKey });
    return new Watcher(connection, queue);
  }

  start(): this {
    this.consumer = this.connection.createConsumer(
      { queue: this.queue, queueOptions: { passive: true }, qos: { prefetchCount: 50 }, concurrency: 1 },
      (message) => {
        this.received.push(message);
      },
    );
    return this;
  }

  async until(
    condition: (received: AsyncMessage[]) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<void> {
    await eventually(() => condition(this.received), what, timeoutMs);
  }

  async close(): Promise<void> {
    await this.consumer?.close();
  }

  async delete(): Promise<void> {
    await this.close();
    await this.connection.queueDelete({ queue: this.queue }).catch(() => undefined);
  }
}

export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A valid payment instruction (schemas/payment.schema.json). */
export function payment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    paymentId: randomUUID(),
    debtor: { name: 'Acme Treasury', iban: 'DE89370400440532013000' },
    creditor: { name: 'Globex Supplies', iban: 'FR1420041010050500013M02606' },
    instructedAmount: { amount: 1250.5, currency: 'EUR' },
    requestedAt: '2026-11-20T10:15:00Z',
    remittanceInfo: 'Invoice 2026-118',
    ...overrides,
  };
}
