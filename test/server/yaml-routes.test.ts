import { expect } from 'chai';
import { RouteLoadError } from '../../src/errors/index.js';
import { startRouter } from '../helpers/router.js';

const route = `
- route:
    id: payments-in
    from:
      uri: platform-http:/payments
      parameters: {httpMethodRestrict: POST, consumes: application/json}
      steps:
        - to: {uri: json-validator:order.schema.json}
        - to: direct:to-ledger
- route:
    id: to-ledger
    from:
      uri: direct:to-ledger
      steps:
        - to: {uri: jsonata:to-ledger.jsonata}
        - to: log:ledger
`;

const files = {
  'routes/payments.yaml': route,
  'schemas/order.schema.json': JSON.stringify({
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', format: 'uuid' } },
  }),
  'routes/to-ledger.jsonata': '{"ledgerRef": id}',
};

describe('components in YAML routes run by the router', () => {
  it('serves platform-http → json-validator → direct → jsonata', async () => {
    const router = await startRouter(files);
    try {
      const post = (body: unknown): Promise<Response> =>
        fetch(`${router.baseUrl}/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ok = await post({ id: '3f2c9a4e-8b1d-4c7e-9f0a-1b2c3d4e5f60' });
      expect(ok.status).to.equal(200);
      expect(await ok.json()).to.deep.equal({ ledgerRef: '3f2c9a4e-8b1d-4c7e-9f0a-1b2c3d4e5f60' });
      const bad = await post({ id: 'x' });
      expect(bad.status).to.equal(400);
      expect(
        ((await bad.json()) as { errors: { instancePath: string }[] }).errors.map((e) => e.instancePath),
      ).to.deep.equal(['/id']);
    } finally {
      await router.stop();
    }
  });

  it('refuses to load a route calling a direct endpoint nobody consumes', async () => {
    const broken = {
      ...files,
      'routes/payments.yaml': route.replace('- to: direct:to-ledger', '- to: direct:to-ledgr'),
    };
    const error = await startRouter(broken).then(
      async (router) => {
        await router.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RouteLoadError);
    const messages = (error as RouteLoadError).diagnostics.map((d) => d.message);
    expect(messages).to.include('No route consumes direct:to-ledgr');
    expect(
      (error as RouteLoadError).diagnostics.find((d) => d.message.includes('to-ledgr'))?.suggestions,
    ).to.deep.equal(['direct:to-ledger']);
  });
});
