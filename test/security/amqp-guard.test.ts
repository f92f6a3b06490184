import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Connection } from 'rabbitmq-client';
import { AuthorizationError } from '../../src/errors/index.js';
import { createSecurity, type Security } from '../../src/security/index.js';
import { captureLog, rbacFrom, type CapturedLog } from './helpers.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const rbacText = (requireUserId: boolean): string => `
roles:
  order-publisher: [route:orders-in]
principals:
  - id: guest
    roles: [order-publisher]
  - id: billing
    roles: []
amqp:
  requireUserId: ${requireUserId}
`;

describe('security: AMQP entry guard', () => {
  let log: CapturedLog;
  let security: Security;

  beforeEach(() => {
    log = captureLog();
    security = createSecurity(rbacFrom(rbacText(true), 'rbac.yaml'), log.logger);
  });

  it('maps user_id to the principal with that id and checks the route permission', () => {
    expect(security.amqp.checkAmqpUser('guest', 'route:orders-in', { correlationId: 'c-1' })).to.deep.equal({
      allowed: true,
      principal: { id: 'guest', roles: ['order-publisher'], via: 'amqp' },
    });
    expect(security.amqp.checkAmqpUser('billing', 'route:orders-in')).to.deep.equal({
      allowed: false,
      reason: 'not-granted',
    });
    expect(security.amqp.checkAmqpUser('mallory', 'route:orders-in')).to.deep.equal({
      allowed: false,
      reason: 'unknown-user',
    });
    expect(security.amqp.checkAmqpUser(undefined, 'route:orders-in')).to.deep.equal({
      allowed: false,
      reason: 'missing-user-id',
    });
    expect(
      log.access().map((line) => [line.principal, line.decision, line.reason, line.routeId]),
    ).to.deep.equal([
      ['guest', 'allowed', 'granted', 'orders-in'],
      ['billing', 'denied', 'not-granted', 'orders-in'],
      [null, 'denied', 'unknown-user', 'orders-in'],
      [null, 'denied', 'missing-user-id', 'orders-in'],
    ]);
    expect(log.access()[0]).to.include({ correlationId: 'c-1', via: 'amqp' });
  });

  it('throws a non-retryable AuthorizationError with the reason, for the dead-letter provenance', () => {
    let thrown: unknown;
    try {
      security.amqp.authorize('billing', 'route:orders-in');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(AuthorizationError);
    const error = thrown as AuthorizationError;
    expect(error.retryable).to.equal(false);
    expect(error.httpStatus).to.equal(403);
    expect(error.camelName).to.equal('org.apache.camel.CamelAuthorizationException');
    expect(error.details).to.deep.equal({
      reason: 'not-granted',
      permission: 'route:orders-in',
      userId: 'billing',
    });
  });

  it('without requireUserId lets every message in and attaches a known principal', () => {
    const open = createSecurity(rbacFrom(rbacText(false), 'rbac.yaml'), log.logger);
    expect(open.amqp.checkAmqpUser(undefined, 'route:orders-in')).to.deep.equal({
      allowed: true,
      principal: undefined,
    });
    expect(open.amqp.checkAmqpUser('billing', 'route:orders-in')).to.deep.equal({
      allowed: true,
      principal: { id: 'billing', roles: [], via: 'amqp' },
    });
    expect(open.amqp.authorize('mallory', 'route:orders-in')).to.equal(undefined);
  });

  describe('with the real broker', function () {
    let connection: Connection | undefined;
    const queue = `test-security-${randomUUID()}`;

    before(async function () {
      connection = new Connection({ url: RABBITMQ_URL, retryLow: 50, connectionTimeout: 2000 });
      connection.on('error', () => {});
      try {
        await connection.onConnect(3000);
      } catch (error) {
        await connection.close();
        connection = undefined;
        if (process.env.REQUIRE_RABBITMQ === '1') throw error;
        console.warn(`!!! RabbitMQ not reachable at ${RABBITMQ_URL}: AMQP user_id tests SKIPPED`);
        this.skip();
      }
      await connection.queueDeclare({ queue, exclusive: true });
    });
    after(async () => {
      await connection?.close();
    });

    it('the broker refuses a user_id that is not the connection user, so a delivered user_id can be trusted', async () => {
      const publisher = connection!.createPublisher({ confirm: true, maxAttempts: 1 });
      try {
        let refused: unknown;
        try {
          await publisher.send({ routingKey: queue, userId: 'billing', durable: true }, { order: 1 });
        } catch (error) {
          refused = error;
        }
        expect(String((refused as { code?: string } | undefined)?.code ?? refused)).to.match(
          /PRECONDITION_FAILED/,
        );

        await publisher.send({ routingKey: queue, userId: 'guest', durable: true }, { order: 2 });
        const message = await connection!.basicGet({ queue, noAck: true });
        expect(message?.userId).to.equal('guest');
        expect(security.amqp.authorize(message?.userId, 'route:orders-in')).to.deep.equal({
          id: 'guest',
          roles: ['order-publisher'],
          via: 'amqp',
        });
        expect(await connection!.basicGet({ queue, noAck: true })).to.equal(undefined);
      } finally {
        await publisher.close();
      }
    });
  });
});
