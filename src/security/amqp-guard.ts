import { AuthorizationError } from '../errors/index.js';
import type { Authenticator, Principal } from './authenticate.js';
import type { Authorizer } from './authorize.js';
import type { RbacFile } from './rbac-file.js';

export type AmqpRefusal = 'missing-user-id' | 'unknown-user' | 'not-granted';

export type AmqpDecision = { allowed: true; principal?: Principal } | { allowed: false; reason: AmqpRefusal };

/**
 * Access control for AMQP entry routes. RabbitMQ refuses a message whose `user_id` property differs
 * from the publishing connection's user, so a present `user_id` names the publisher reliably; this maps
 * it to the principal with that id in the RBAC file. With `amqp.requireUserId: true`, a message without
 * `user_id`, from an unknown user or from a user not granted the route, is refused: the consumer must
 * dead-letter it with the reason (never ack it away). Otherwise nothing is refused and a known
 * `user_id` only attaches its principal.
 */
export class AmqpGuard {
  constructor(
    private readonly rbac: RbacFile,
    private readonly authenticator: Authenticator,
    private readonly authorizer: Authorizer,
  ) {}

  get requireUserId(): boolean {
    return this.rbac.amqp.requireUserId;
  }

  /**
   * Why a message the router publishes itself (as broker user `user`, undefined when it has none) would be
   * refused by a route guarded with `permission`; undefined when it would be let in. Checked at load, not
   * audited.
   */
  refusalOfOwnUser(user: string | undefined, permission: string): AmqpRefusal | undefined {
    if (!this.requireUserId) return undefined;
    if (!user) return 'missing-user-id';
    const principal = this.authenticator.principalById(user);
    if (!principal) return 'unknown-user';
    return this.authorizer.isGranted(principal, permission) ? undefined : 'not-granted';
  }

  /** Decides (and audits, when enforcing) whether the message may enter the route. */
  checkAmqpUser(
    userId: string | undefined,
    permission: string,
    context: { correlationId?: string } = {},
  ): AmqpDecision {
    const id = userId?.trim() || undefined;
    const principal = id ? this.authenticator.principalById(id) : undefined;
    if (!this.requireUserId) return { allowed: true, principal };
    if (!id) {
      this.authorizer.refuse(permission, 'missing-user-id', context);
      return { allowed: false, reason: 'missing-user-id' };
    }
    if (!principal) {
      this.authorizer.refuse(permission, 'unknown-user', context);
      return { allowed: false, reason: 'unknown-user' };
    }
    const decision = this.authorizer.check(principal, permission, context);
    return decision.allowed ? { allowed: true, principal } : { allowed: false, reason: 'not-granted' };
  }

  /**
   * The same, as the consumer's one-liner: returns the principal (if any) or throws a non-retryable
   * AuthorizationError whose `details.reason` says why, for the dead-letter provenance.
   */
  authorize(
    userId: string | undefined,
    permission: string,
    context: { correlationId?: string } = {},
  ): Principal | undefined {
    const decision = this.checkAmqpUser(userId, permission, context);
    if (decision.allowed) return decision.principal;
    throw new AuthorizationError(`Message refused by access control: ${decision.reason}`, {
      retryable: false,
      details: { reason: decision.reason, permission, userId: userId ?? null },
    });
  }
}
