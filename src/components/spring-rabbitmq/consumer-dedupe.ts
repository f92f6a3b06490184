import { hash } from 'node:crypto';
import { toError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import { DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, type IdempotencyStore } from '../../reliability/idempotency-store.js';
import type { DeliveredMessage } from '../../transport/transport.js';

/** How long a message waits before it is looked at again when its message-id is being processed elsewhere. */
const BUSY_RECHECK_MS = 2000;
/** How long a message waits when the idempotency store cannot be reached. */
const STORE_DOWN_RECHECK_MS = 5000;

/**
 * A message-id this consumer holds while its route runs: completed once the work is done and confirmed,
 * released when it failed. A class rather than two closures: one is made for every consumed message.
 */
export class HeldClaim {
  readonly kind = 'claimed';

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string,
    private readonly token: string,
    private readonly messageId: string,
    private readonly logger: Logger,
  ) {}

  complete(): Promise<void> {
    return this.store.complete(this.key, this.token, DEFAULT_RETENTION_MS).catch((error: unknown) => {
      // The work is done and confirmed; only a later duplicate could slip through.
      this.logger.warn('could not record the message as processed', { messageId: this.messageId, error: toError(error).message });
    });
  }

  release(): Promise<void> {
    return this.store.release(this.key, this.token).catch(() => undefined);
  }
}

/** What the duplicate check says of one message. */
export type Claim =
  | HeldClaim
  | { kind: 'duplicate' }
  | { kind: 'conflict' }
  | { kind: 'busy'; delayMs: number };

/**
 * The first stage of a consuming route: has this route already processed this message-id? The store
 * remembers successes only, so a retried or redriven message runs until it succeeds once. Undefined when
 * the route does not deduplicate (no store) or the message has no id.
 */
export async function claimMessage(
  store: IdempotencyStore | undefined,
  routeId: string,
  message: DeliveredMessage,
  logger: Logger,
): Promise<Claim | undefined> {
  if (!store || !message.messageId) return undefined;
  const key = `amqp:${routeId}:${message.messageId}`;
  try {
    const fingerprint = bodyFingerprint(message.body);
    const claim = await store.claim(key, fingerprint, DEFAULT_LEASE_MS);
    if (!claim.claimed) {
      if (claim.record.state !== 'done') return { kind: 'busy', delayMs: BUSY_RECHECK_MS };
      // The same id with another body is another message under a reused id: skipping it as a duplicate
      // would drop it silently. (Records written before fingerprints existed carry none: a duplicate.)
      const known = claim.record.fingerprint;
      return known !== '' && known !== fingerprint ? { kind: 'conflict' } : { kind: 'duplicate' };
    }
    return new HeldClaim(store, key, claim.token, message.messageId, logger);
  } catch (error) {
    logger.warn('idempotency store unavailable; the message is looked at again later', {
      messageId: message.messageId,
      error: toError(error).message,
    });
    return { kind: 'busy', delayMs: STORE_DOWN_RECHECK_MS };
  }
}

/** What a message-id was used for: 64 bits of the body's SHA-256, enough to tell another body from a redelivery. */
function bodyFingerprint(body: Buffer): string {
  return hash('sha256', body).slice(0, 16);
}
