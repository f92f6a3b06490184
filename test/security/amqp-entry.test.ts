import { expect } from 'chai';
import { Exchange } from '../../src/runtime/exchange.js';
import { AuthorizationError } from '../../src/errors/index.js';
import {
  authorizeAmqpEntry,
  createSecurity,
  PRINCIPAL_PROPERTY,
  ROUTER_SECURITY,
} from '../../src/security/index.js';
import { captureLog, rbacFrom } from './helpers.js';
import { StateStore } from '../../src/state/index.js';

const rbacText = (requireUserId: boolean): string => `
roles:
  publisher: [route:orders-in]
  other: [route:refunds-in]
principals:
  - id: orders-app
    roles: [publisher]
  - id: refunds-app
    roles: [other]
amqp:
  requireUserId: ${requireUserId}
`;

describe('security: authorizeAmqpEntry, the AMQP consumer entry check', () => {
  function services(requireUserId: boolean) {
    const log = captureLog();
    const holder = { state: StateStore.create() };
    ROUTER_SECURITY.set(holder, createSecurity(rbacFrom(rbacText(requireUserId), 'rbac.yaml'), log.logger));
    return { services: holder, log };
  }

  it('puts the principal of a known user_id on the exchange and returns it', () => {
    const { services: s } = services(true);
    const exchange = new Exchange({ body: {}, correlationId: 'c-1' });
    const principal = authorizeAmqpEntry(s, 'orders-in', exchange, 'orders-app');
    expect(principal).to.deep.equal({ id: 'orders-app', roles: ['publisher'], via: 'amqp' });
    expect(exchange.properties[PRINCIPAL_PROPERTY]).to.deep.equal(principal);
  });

  for (const [name, userId, reason] of [
    ['no user_id', undefined, 'missing-user-id'],
    ['an unknown user_id', 'mallory', 'unknown-user'],
    ['a user not granted the route', 'refunds-app', 'not-granted'],
  ] as const) {
    it(`refuses ${name} with a non-retryable AuthorizationError (${reason}) and audits it`, () => {
      const { services: s, log } = services(true);
      const exchange = new Exchange({ body: {}, correlationId: 'c-2' });
      let thrown: unknown;
      try {
        authorizeAmqpEntry(s, 'orders-in', exchange, userId);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(AuthorizationError);
      expect((thrown as AuthorizationError).retryable).to.equal(false);
      expect((thrown as AuthorizationError).details).to.include({ reason, permission: 'route:orders-in' });
      expect(exchange.properties[PRINCIPAL_PROPERTY]).to.equal(undefined);
      expect(log.access().map((line) => [line.decision, line.routeId, line.correlationId])).to.deep.equal([
        ['denied', 'orders-in', 'c-2'],
      ]);
    });
  }

  it('refuses nothing when the file does not require user ids', () => {
    const { services: s } = services(false);
    const exchange = new Exchange({ body: {} });
    expect(authorizeAmqpEntry(s, 'orders-in', exchange, undefined)).to.equal(undefined);
    expect(authorizeAmqpEntry(s, 'orders-in', exchange, 'refunds-app')?.id).to.equal('refunds-app');
  });

  it('does nothing when access control is disabled (no Security)', () => {
    const exchange = new Exchange({ body: {} });
    expect(authorizeAmqpEntry({ state: StateStore.create() }, 'orders-in', exchange, 'orders-app')).to.equal(
      undefined,
    );
    expect(exchange.properties).to.not.have.property(PRINCIPAL_PROPERTY);
  });
});
