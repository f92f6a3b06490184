/**
 * Load as a careful client sends it: numbered messages, each POSTed until the router takes it (202), with
 * the same Idempotency-Key on every try. A 503 is waited out (its Retry-After, capped so the load keeps
 * pressing), a connection error too (the router may be down). Whatever else comes back is recorded as
 * unexpected and fails the scenario.
 */
export interface LoadOptions {
  /** Where to POST (read per request: the router's port does not change across restarts). */
  url: () => string;
  body: (n: number) => unknown;
  /** Idempotency keys are `<keyPrefix>-<n>`. */
  keyPrefix: string;
  senders?: number;
  /** Pause between messages of one sender, ms (0: as fast as the router answers). */
  pauseMs?: number;
  /** Status of success (202 by default). */
  acceptedStatus?: number;
}

export class HttpLoad {
  /** n → when the router accepted it. */
  readonly accepted = new Map<number, number>();
  /** Answers 503 with Retry-After (backpressure, broker down, shutting down). */
  refused = 0;
  /** Requests that got no answer (connection refused or cut). */
  connectionErrors = 0;
  /** 503s without a Retry-After, 5xx other than 503, 4xx: each is a finding. */
  readonly unexpected: string[] = [];
  /** n that were given up because the load stopped before the router took them. */
  readonly abandoned: number[] = [];
  private next = 0;
  private running = false;
  private senders: Promise<void>[] = [];

  constructor(private readonly options: LoadOptions) {}

  start(): this {
    this.running = true;
    this.senders = Array.from({ length: this.options.senders ?? 4 }, () => this.sender());
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.senders);
  }

  get sent(): number {
    return this.next;
  }

  /** The first acceptance at or after `time` (ms epoch), if any. */
  firstAcceptedAfter(time: number): number | undefined {
    let first: number | undefined;
    for (const at of this.accepted.values()) if (at >= time && (first === undefined || at < first)) first = at;
    return first;
  }

  /** Resolves once `count` more messages were accepted (fails after `timeoutMs`). */
  async acceptMore(count: number, what: string, timeoutMs = 60_000): Promise<void> {
    const target = this.accepted.size + count;
    const deadline = Date.now() + timeoutMs;
    while (this.accepted.size < target) {
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${count} accepted messages (${what}); ${this.summary()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  summary(): string {
    return `sent ${this.next}, accepted ${this.accepted.size}, refused ${this.refused}, connection errors ${this.connectionErrors}, unexpected ${this.unexpected.length}`;
  }

  private async sender(): Promise<void> {
    const accepted = this.options.acceptedStatus ?? 202;
    while (this.running) {
      const n = this.next++;
      let done = false;
      while (!done) {
        if (!this.running) {
          this.abandoned.push(n);
          break;
        }
        try {
          const response = await fetch(this.options.url(), {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': `${this.options.keyPrefix}-${n}` },
            body: JSON.stringify(this.options.body(n)),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await response.text();
          if (response.status === accepted) {
            this.accepted.set(n, Date.now());
            done = true;
          } else if (response.status === 503 && Number(response.headers.get('retry-after')) > 0) {
            this.refused++;
            await pause(Math.min(500, Number(response.headers.get('retry-after')) * 1000));
          } else {
            this.unexpected.push(`n=${n}: ${response.status} ${text.slice(0, 200)}`);
            done = true;
          }
        } catch {
          // No answer: the router is down or was cut mid-request. A client tries again with the same key.
          this.connectionErrors++;
          await pause(100);
        }
      }
      if (this.options.pauseMs) await pause(this.options.pauseMs);
    }
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
