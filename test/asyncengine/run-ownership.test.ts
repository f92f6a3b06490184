/**
 * Async runs belong to the principal that started them (embedded transport, RBAC enforced): the same
 * Idempotency-Key from two principals is two runs, with no 409 and no other's correlation id; listing and
 * reading runs shows a caller its own runs only, unless it holds admin:runs.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { startRun, waitForRun } from './support.js';

const KEYS = { alice: 'alice-key-0123456789abcdef0123456789', bob: 'bob-key-0123456789abcdef0123456789ab', ops: 'ops-key-0123456789abcdef0123456789abc' };
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const as = (who: keyof typeof KEYS): Record<string, string> => ({ 'x-api-key': KEYS[who] });

describe('async engine: runs have an owner', function () {
  this.timeout(20_000);
  let test: TestRouter;

  before(async () => {
    test = await startRouter(
      {
        'routes/flows.yaml': `
- flow:
    name: owned
    steps:
      - {name: echo, uri: "script:echo.mjs"}
- flow:
    name: fragile
    steps:
      - {name: check, uri: "script:fail.mjs", retry: {maxAttempts: 1}}
`,
        'routes/start-route.yaml': `
- route:
    id: start-owned
    from:
      uri: platform-http:/start-owned
      parameters: {httpMethodRestrict: POST}
      steps:
        - setProperty: {name: flowName, constant: owned}
        - to: direct:callAsyncEngine
`,
        'routes/echo.mjs': 'export default async (payload) => payload;',
        'routes/fail.mjs': 'export default async () => { throw new Error("account frozen"); };',
      },
      {
        rbac: `
roles:
  starter: [flow:owned, flow:fragile, route:start-owned]
  runs-admin: [flow:owned, flow:fragile, admin:runs]
principals:
  - {id: alice, roles: [starter], apiKeySha256: ${sha256(KEYS.alice)}}
  - {id: bob, roles: [starter], apiKeySha256: ${sha256(KEYS.bob)}}
  - {id: ops, roles: [runs-admin], apiKeySha256: ${sha256(KEYS.ops)}}
`,
      },
    );
  });
  after(() => test?.stop());

  it('scopes an Idempotency-Key to its principal: two principals, one key, two runs, no 409, no leak', async () => {
    const key = { 'idempotency-key': 'order-42' };
    const first = await startRun(test.baseUrl, 'owned', { by: 'alice' }, { ...as('alice'), ...key });
    expect(first.status).to.equal(202);
    // Another principal, same key, another payload: a run of its own, not a conflict.
    const other = await startRun(test.baseUrl, 'owned', { by: 'bob' }, { ...as('bob'), ...key });
    expect(other.status, JSON.stringify(other.body)).to.equal(202);
    expect(other.headers.get('idempotent-replayed')).to.equal(null);
    expect(other.body.correlationId).to.not.equal(first.body.correlationId);
    expect(JSON.stringify(other.body)).to.not.include(first.body.correlationId);
    // Each principal's replay finds its own run.
    const replay = await startRun(test.baseUrl, 'owned', { by: 'alice' }, { ...as('alice'), ...key });
    expect(replay.status).to.equal(202);
    expect(replay.body.correlationId).to.equal(first.body.correlationId);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
    // A conflict is told only about the caller's own run.
    const conflict = await startRun(test.baseUrl, 'owned', { by: 'bob', changed: true }, { ...as('bob'), ...key });
    expect(conflict.status).to.equal(409);
    expect(JSON.stringify(conflict.body)).to.not.include(first.body.correlationId);
  });

  it('lists and reads only the caller’s own runs, unless it holds admin:runs', async () => {
    const mine = await startRun(test.baseUrl, 'owned', { n: 'a' }, as('alice'));
    const theirs = await startRun(test.baseUrl, 'owned', { n: 'b' }, as('bob'));
    const aliceRun = mine.body.correlationId as string;
    const bobRun = theirs.body.correlationId as string;
    await waitForRun(test.baseUrl, aliceRun, ['succeeded'], { headers: as('alice'), query: '?flowName=owned' });

    const listed = async (who: keyof typeof KEYS): Promise<{ correlationId: string; owner?: string }[]> => {
      const response = await fetch(`${test.baseUrl}/async/api/runs?flowName=owned`, { headers: as(who) });
      expect(response.status).to.equal(200);
      return ((await response.json()) as { runs: { correlationId: string; owner?: string }[] }).runs;
    };
    const alices = await listed('alice');
    expect(alices.map((r) => r.correlationId)).to.include(aliceRun).and.not.include(bobRun);
    expect(alices.every((r) => r.owner === 'alice')).to.equal(true);
    const all = await listed('ops');
    expect(all.map((r) => r.correlationId)).to.include.members([aliceRun, bobRun]);

    const read = (who: keyof typeof KEYS, id: string) => fetch(`${test.baseUrl}/async/api/runs/${id}?flowName=owned`, { headers: as(who) });
    expect((await read('alice', aliceRun)).status).to.equal(200);
    const foreign = await read('alice', bobRun);
    expect(foreign.status).to.equal(404);
    expect(await foreign.text()).to.not.include('"output"');
    expect((await read('ops', bobRun)).status).to.equal(200);
    // Without naming the flow, reading a run needs admin:runs at all.
    expect((await fetch(`${test.baseUrl}/async/api/runs/${aliceRun}`, { headers: as('alice') })).status).to.equal(403);
  });

  it('lists and redrives only the caller’s own dead letters, unless it holds admin:runs', async () => {
    const mine = (await startRun(test.baseUrl, 'fragile', { n: 1 }, as('alice'))).body.correlationId as string;
    const theirs = (await startRun(test.baseUrl, 'fragile', { n: 2 }, as('bob'))).body.correlationId as string;
    await waitForRun(test.baseUrl, mine, ['dead-lettered'], { headers: as('alice'), query: '?flowName=fragile' });
    await waitForRun(test.baseUrl, theirs, ['dead-lettered'], { headers: as('bob'), query: '?flowName=fragile' });

    const deadLetters = async (who: keyof typeof KEYS): Promise<string[]> => {
      const response = await fetch(`${test.baseUrl}/async/api/flows/fragile/dead-letters`, { headers: as(who) });
      expect(response.status).to.equal(200);
      return ((await response.json()) as { deadLetters: { correlationId: string }[] }).deadLetters.map((r) => r.correlationId);
    };
    expect(await deadLetters('alice')).to.deep.equal([mine]);
    expect(await deadLetters('ops')).to.include.members([mine, theirs]);

    const redrive = await fetch(`${test.baseUrl}/async/api/flows/fragile/dead-letters/redrive`, {
      method: 'POST',
      headers: { ...as('alice'), 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(redrive.status).to.equal(200);
    const report = (await redrive.json()) as { redriven: { correlationId: string }[]; skipped: { correlationId: string }[] };
    expect(report.redriven.map((r) => r.correlationId)).to.deep.equal([mine]);
    expect(JSON.stringify(report)).to.not.include(theirs);
    // Bob's run was not touched: still parked, its dead letter still listed.
    await waitForRun(test.baseUrl, mine, ['dead-lettered'], { headers: as('alice'), query: '?flowName=fragile', until: (r) => r.redrives === 1 });
    const bobs = await fetch(`${test.baseUrl}/async/api/runs/${theirs}?flowName=fragile`, { headers: as('bob') });
    expect(((await bobs.json()))).to.include({ redrives: 0, state: 'dead-lettered' });
    expect(await deadLetters('bob')).to.deep.equal([theirs]);
  });

  it('a run started through a route belongs to the route’s caller, with its key scoped the same way', async () => {
    const start = async (who: keyof typeof KEYS): Promise<{ status: number; correlationId: string }> => {
      const response = await fetch(`${test.baseUrl}/start-owned`, {
        method: 'POST',
        headers: { ...as(who), 'content-type': 'application/json', 'idempotency-key': 'route-key-1' },
        body: JSON.stringify({ via: 'route' }),
      });
      return { status: response.status, correlationId: ((await response.json()) as { correlationId: string }).correlationId };
    };
    const alices = await start('alice');
    const bobs = await start('bob');
    expect([alices.status, bobs.status]).to.deep.equal([202, 202]);
    expect(bobs.correlationId).to.not.equal(alices.correlationId);
    expect((await start('alice')).correlationId).to.equal(alices.correlationId);
    const run = await waitForRun(test.baseUrl, alices.correlationId, ['succeeded'], { headers: as('alice'), query: '?flowName=owned' });
    expect((run as unknown as { owner: string }).owner).to.equal('alice');
    expect((await fetch(`${test.baseUrl}/async/api/runs/${alices.correlationId}?flowName=owned`, { headers: as('bob') })).status).to.equal(404);
  });
});
