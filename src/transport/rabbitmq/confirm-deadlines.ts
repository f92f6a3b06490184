/**
 * Publishes waiting for their broker confirm, each for at most `timeoutMs` from when it was sent. Every
 * publish gets the same time limit, so the order they were sent in is the order their deadlines fall due:
 * one timer, set for the oldest publish still waiting, serves them all. A timer, a deadline promise and a
 * `Promise.race` per publish (what this replaces) were a cost on every message a route publishes.
 */
interface Waiting {
  readonly due: number;
  readonly messageId: string;
  readonly reject: (error: Error) => void;
}

export class ConfirmDeadlines {
  /** In the order sent, so in the order due. */
  private readonly waiting = new Set<Waiting>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    /** The error a publish fails with when its confirm did not come in time. */
    private readonly expired: (messageId: string) => Error,
  ) {}

  /** How many publishes are waiting (for tests). */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Settles as `sent` does, or fails with the `expired` error once `timeoutMs` have passed. What `sent` does
   * after that is ignored (it cannot become an unhandled rejection).
   */
  within(sent: Promise<unknown>, messageId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { due: Date.now() + this.timeoutMs, messageId, reject };
      this.waiting.add(entry);
      this.timer ??= setTimeout(this.sweep, this.timeoutMs);
      sent.then(
        () => {
          if (this.settled(entry)) resolve();
        },
        (error: unknown) => {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- handed on as the client gave it, for the transport to map
          if (this.settled(entry)) reject(error);
        },
      );
    });
  }

  /** Whether `entry` was still waiting (not expired); the timer goes when nothing waits any more. */
  private settled(entry: Waiting): boolean {
    if (!this.waiting.delete(entry)) return false;
    if (this.waiting.size === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return true;
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = Date.now();
    for (const entry of this.waiting) {
      if (entry.due > now) {
        this.timer = setTimeout(this.sweep, entry.due - now);
        return;
      }
      this.waiting.delete(entry);
      entry.reject(this.expired(entry.messageId));
    }
  };
}
