import { expect } from 'chai';
import { parsePermission, permissionMatches, permissionTarget } from '../../src/security/index.js';

describe('security: permissions', () => {
  const cases: [grant: string, permission: string, matches: boolean][] = [
    ['route:payments-intake', 'route:payments-intake', true],
    ['route:payments-intake', 'route:payments-intake-2', false],
    ['route:payments-*', 'route:payments-intake', true],
    ['route:payments-*', 'route:payments-', true],
    ['route:payments-*', 'route:refunds', false],
    ['route:payments-*', 'flow:payments-intake', false],
    ['route:*', 'route:anything', true],
    ['route:*', 'admin:routes', false],
    ['route:*-in', 'route:orders-in', true],
    ['route:*-in', 'route:orders-out', false],
    ['route:pay.ments', 'route:payXments', false],
    ['admin:*', 'admin:dead-letters', true],
    ['admin:*', 'flow:x', false],
    ['flow:kyc-check', 'flow:kyc-check', true],
    ['*', 'route:x', true],
    ['*', 'admin:metrics', true],
    ['rout:x', 'rout:x', false],
    ['', 'route:x', false],
  ];
  for (const [grant, permission, matches] of cases) {
    it(`${JSON.stringify(grant)} ${matches ? 'covers' : 'does not cover'} ${permission}`, () => {
      expect(permissionMatches(grant, permission)).to.equal(matches);
    });
  }

  it('parses and explains', () => {
    expect(parsePermission('route:a-*')).to.deep.equal({ kind: 'route', name: 'a-*', hasWildcard: true });
    expect(parsePermission('payments'))
      .to.have.property('problem')
      .that.matches(/^'payments' is not a permission/);
    expect(parsePermission('route:has space')).to.have.property('problem');
    expect(permissionTarget('flow:kyc')).to.deep.equal({ kind: 'flow', name: 'kyc' });
    expect(permissionTarget('*')).to.equal(undefined);
  });
});
