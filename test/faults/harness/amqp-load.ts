/**
 * Load as a careful AMQP publisher sends it: numbered messages to the router's entry exchange, persistent,
 * mandatory, each published until the broker confirms it, with the same message-id on every try (so a
 * copy a lost confirm made the publisher send again is recognisable). The connection knows every node of
 * the cluster and fails over by itself.
 */
import { Connection, type Publisher } from 'rabbitmq-client';
import { pause } from './load.js';

export interface AmqpLoadOptions {
  /** The nodes, `amqp://...` each; the first is tried first. */
  urls: string[];
  exchange: string;
  routingKey: string;
  /** Message-ids are `<keyPrefix>-<n>`. */
  keyPrefix: string;
  /** Numbers start here, far from the HTTP load's. */
  firstNumber: number;
  senders?: number;
  /** Longest a publish waits for its confirm before it is sent again. */
  confirmTimeoutMs?: number;
}

export class AmqpLoad {
  /** n → when the broker confirmed it. */
  readonly accepted = new Map<number, number>();
  /** Publishes that failed (no confirm, nack, connection lost) and were sent again. */
  failedAttempts = 0;
  readonly errors = new Map<string, number>();
  private readonly connection: Connection;
  private readonly publisher: Publisher;
  private next: number;
  private readonly returned = new Set<string>();
  /** Numbers given up after the load stopped without a confirm (never counted as accepted). */
  readonly abandoned: number[] = [];
  private running = false;
  private senders: Promise<void>[] = [];

  constructor(private readonly options: AmqpLoadOptions) {
    this.next = options.firstNumber;
    const [first] = options.urls;
    this.connection = new Connection({
      url: first!,
      hosts: options.urls.map((url) => new URL(url).host),
      connectionName: `faults amqp load ${options.keyPrefix}`,
      retryLow: 200,
      retryHigh: 1000,
      acquireTimeout: 2000,
    });
    this.connection.on('error', () => undefined);
    // One attempt per send: the retry (same message-id) is this class's, so every failure is counted.
    this.publisher = this.connection.createPublisher({ confirm: true, maxAttempts: 1 });
    // A mandatory message no queue took comes back before its confirm: it was not accepted.
    this.publisher.on('basic.return', (returned: { messageId?: string }) => {
      if (returned.messageId) this.returned.add(returned.messageId);
    });
  }

  get firstNumber(): number {
    return this.options.firstNumber;
  }

  get sent(): number {
    return this.next;
  }

  start(): this {
    this.running = true;
    this.senders = Array.from({ length: this.options.senders ?? 2 }, () => this.sender());
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.senders);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.publisher.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  summary(): string {
    return `amqp sent ${this.next - this.options.firstNumber}, confirmed ${this.accepted.size}, failed attempts ${this.failedAttempts} ${JSON.stringify(Object.fromEntries(this.errors))}`;
  }

  private async sender(): Promise<void> {
    while (this.running) {
      const n = this.next++;
      const messageId = `${this.options.keyPrefix}-${n}`;
      for (let attempt = 1; ; attempt++) {
        // A message once sent is published until confirmed, even when the load is stopping: it may have
        // reached a queue already, and a count must know whether it was accepted.
        try {
          await withTimeout(
            this.publisher.send(
              {
                exchange: this.options.exchange,
                routingKey: this.options.routingKey,
                messageId,
                durable: true,
                mandatory: true,
                contentType: 'application/json',
              },
              Buffer.from(JSON.stringify({ n })),
            ),
            this.options.confirmTimeoutMs ?? 10_000,
          );
          if (this.returned.delete(messageId)) throw Object.assign(new Error('returned unroutable'), { code: 'UNROUTABLE' });
          this.accepted.set(n, Date.now());
          break;
        } catch (error) {
          if (!this.running && attempt >= 30) {
            this.abandoned.push(n);
            break;
          }
          this.failedAttempts++;
          const code = (error as { code?: string }).code ?? (error as Error).message.slice(0, 40);
          this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
          await pause(200);
        }
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('no confirm in time'), { code: 'CONFIRM_TIMEOUT' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
