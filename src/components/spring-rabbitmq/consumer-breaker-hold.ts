import { toError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import type { BreakerEvent, BreakerRegistry } from '../../reliability/breakers.js';
import type { Subscription } from '../../transport/transport.js';

/**
 * Pauses a consuming route while a circuit breaker of its is open, so messages wait in their queues
 * instead of being tried against a partner known to be down, and resumes it when the breaker lets a trial
 * through. The router may pause the route too (drain, an operator); a route paused by both resumes only
 * when both let go. Pauses and resumes run one after the other, in the order asked.
 */
export class BreakerHold {
  private heldByBreaker = false;
  private pausedByRouter = false;
  private control: Promise<void> = Promise.resolve();
  private subscriptions: readonly Subscription[] = [];

  constructor(
    private readonly registry: BreakerRegistry,
    /** The breakers of this route that pause it when open (those it calls without onFallback). */
    readonly breakers: ReadonlySet<string>,
    private readonly queues: readonly string[],
    private readonly logger: Logger,
  ) {}

  private readonly onOpen = (event: BreakerEvent): void => {
    if (this.breakers.has(event.name)) void this.holdFor(event.name);
  };

  private readonly onTrial = (event: BreakerEvent): void => {
    if (this.breakers.has(event.name)) void this.releaseFrom(event.name);
  };

  /** Follows the route's subscriptions and its breakers' events; holds at once when a breaker is open. */
  attach(subscriptions: readonly Subscription[]): void {
    this.subscriptions = subscriptions;
    this.registry.on('open', this.onOpen);
    this.registry.on('halfOpen', this.onTrial);
    this.registry.on('close', this.onTrial);
    const open = [...this.breakers].find((name) => this.registry.state(name) === 'open');
    if (open !== undefined) void this.holdFor(open);
  }

  /** Stops following; resolves when a pause or resume under way has finished. */
  async detach(): Promise<void> {
    this.registry.off('open', this.onOpen);
    this.registry.off('halfOpen', this.onTrial);
    this.registry.off('close', this.onTrial);
    await this.control;
    this.subscriptions = [];
  }

  /** Whether the breaker `name` (this route's or another's it called through) is open now. */
  isOpen(name: string): boolean {
    return this.registry.state(name) === 'open';
  }

  holdFor(name: string): Promise<void> {
    return this.inOrder(async () => {
      if (this.heldByBreaker || this.pausedByRouter || this.subscriptions.length === 0 || !this.anyOpen()) return;
      this.heldByBreaker = true;
      this.logger.warn('circuit breaker open: consuming paused, messages wait in their queues', {
        breaker: name,
        queues: this.queues,
        retryAfterMs: this.registry.retryAfterMs(name),
      });
      await Promise.all(this.subscriptions.map((subscription) => subscription.pause()));
    });
  }

  pauseByRouter(): Promise<void> {
    return this.inOrder(async () => {
      this.pausedByRouter = true;
      await Promise.all(this.subscriptions.map((subscription) => subscription.pause()));
    });
  }

  resumeByRouter(): Promise<void> {
    return this.inOrder(async () => {
      this.pausedByRouter = false;
      if (this.heldByBreaker) return;
      await Promise.all(this.subscriptions.map((subscription) => subscription.resume()));
    });
  }

  private releaseFrom(name: string): Promise<void> {
    return this.inOrder(async () => {
      if (!this.heldByBreaker || this.anyOpen()) return;
      this.heldByBreaker = false;
      if (this.pausedByRouter) return;
      this.logger.info('circuit breaker lets calls through again: consuming resumed', { breaker: name, queues: this.queues });
      await Promise.all(this.subscriptions.map((subscription) => subscription.resume()));
    });
  }

  private anyOpen(): boolean {
    return [...this.breakers].some((name) => this.registry.state(name) === 'open');
  }

  private inOrder(work: () => Promise<void>): Promise<void> {
    this.control = this.control.then(work).catch((error: unknown) => {
      this.logger.error('could not pause or resume the consumer', { error: toError(error).message });
    });
    return this.control;
  }
}
