/**
 * Where a scenario counts what came out: the test's own queue on the router's output exchange, the
 * route's dead-letter queue, or a partner (partner.ts). Each arrival is recorded by its message number.
 */
import { Connection, type AsyncMessage, type Consumer } from 'rabbitmq-client';
import { brokerUrl } from '../../helpers/broker.js';

export interface Arrival {
  n: number;
  at: number;
  /** Message id (AMQP) or Idempotency-Key (partner): what a receiver deduplicates on. */
  key?: string;
  /** For dead letters: `x-pipes-error-class` and `x-pipes-error-message`. */
  reason?: string;
  message?: string;
}

/** Arrivals by number: deliveries, unique ones, duplicates. */
export class Tally {
  readonly arrivals: Arrival[] = [];

  add(arrival: Arrival): void {
    this.arrivals.push(arrival);
  }

  unique(): Set<number> {
    return new Set(this.arrivals.map((a) => a.n));
  }

  get duplicates(): number {
    return this.arrivals.length - this.unique().size;
  }

  firstAfter(time: number): number | undefined {
    let first: number | undefined;
    for (const { at } of this.arrivals) if (at >= time && (first === undefined || at < first)) first = at;
    return first;
  }

  /** Duplicates whose key differs from the first arrival's: those no idempotent receiver could absorb. */
  unabsorbable(): number[] {
    const keys = new Map<number, string | undefined>();
    const bad: number[] = [];
    for (const { n, key } of this.arrivals) {
      if (!keys.has(n)) keys.set(n, key);
      else if (keys.get(n) !== key) bad.push(n);
    }
    return bad;
  }
}

export function amqpConnection(name: string): Connection {
  const connection = new Connection({ url: brokerUrl(), connectionName: name, retryLow: 200, retryHigh: 1000 });
  // The faults close this connection too; it reconnects by itself, and an unheard 'error' would crash the run.
  connection.on('error', () => undefined);
  return connection;
}

function numberOf(message: AsyncMessage): number {
  const raw: unknown = message.body;
  const body = (Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
  const n = body.n ?? (body.payload as Record<string, unknown> | undefined)?.n;
  if (typeof n !== 'number') throw new Error(`a message without a number arrived: ${JSON.stringify(body).slice(0, 200)}`);
  return n;
}

/** Collects every message of one queue (the test's own, or a dead-letter queue) into a tally. */
export class QueueCounter {
  readonly tally = new Tally();
  readonly malformed: string[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly connection: Connection,
    readonly queue: string,
  ) {}

  /** Declares the test's own quorum queue bound to `exchange` (declared as the route declares it). */
  static async bound(connection: Connection, exchange: string, routingKey: string, queue: string): Promise<QueueCounter> {
    await connection.exchangeDeclare({ exchange, type: 'direct', durable: true });
    await connection.queueDeclare({ queue, durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await connection.queueBind({ exchange, queue, routingKey });
    return new QueueCounter(connection, queue);
  }

  start(): this {
    this.consumer = this.connection.createConsumer(
      { queue: this.queue, queueOptions: { passive: true }, qos: { prefetchCount: 100 }, concurrency: 1 },
      (message) => {
        try {
          const headers = message.headers ?? {};
          const n = numberOf(message);
          // Our own consumer's connection was closed before it acked: the broker hands us the same message
          // again (redelivered). That is not a duplicate the router made.
          if (message.redelivered && this.tally.arrivals.some((a) => a.n === n && a.key === message.messageId)) return;
          this.tally.add({
            n,
            at: Date.now(),
            key: message.messageId,
            reason: headers['x-pipes-error-class'] === undefined ? undefined : String(headers['x-pipes-error-class']),
            message: headers['x-pipes-error-message'] === undefined ? undefined : String(headers['x-pipes-error-message']),
          });
        } catch (error) {
          this.malformed.push((error as Error).message);
        }
      },
    );
    // Broker faults close this consumer's channel too; it comes back by itself.
    this.consumer.on('error', () => undefined);
    return this;
  }

  async close(): Promise<void> {
    await this.consumer?.close();
  }
}

/** Messages waiting in each queue (ready ones; unacked ones are in the hands of a consumer). */
export async function depths(connection: Connection, queues: string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const queue of queues) {
    try {
      result[queue] = (await connection.queueDeclare({ queue, passive: true })).messageCount;
    } catch {
      result[queue] = 0;
    }
  }
  return result;
}
