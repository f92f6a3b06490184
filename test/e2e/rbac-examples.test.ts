/**
 * The shipped rbac.yaml on the example routes, the way `npm start` runs them: no RBAC_FILE, so the router
 * takes rbac.yaml from the working directory, and the documented local-only demo keys.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { Router } from '../../src/runtime/router.js';
import { startExampleRouter } from '../helpers/example-router.js';
import { ROOT } from '../helpers/project-root.js';
import type { CapturedLog } from '../helpers/router.js';
import { payment } from './rabbitmq-support.js';
import { httpPort } from '../../src/server/http-server-module.js';

const DEMO_KEYS = {
  payments: 'demo-payments-key-local-only',
  reports: 'demo-reports-key-local-only',
  operator: 'demo-operator-key-local-only',
};
const KEY_VARIABLES = ['DEMO_API_KEY', 'DEMO_REPORTS_API_KEY', 'DEMO_OPS_API_KEY'];

describe('e2e: the example routes behind the shipped rbac.yaml', function () {
  this.timeout(30_000);
  let router: Router;
  let log: CapturedLog;
  const cwd = process.cwd();
  const savedEnv: Record<string, string | undefined> = {};
  const url = (suffix: string): string => `http://127.0.0.1:${httpPort(router.services)}${suffix}`;

  before(async () => {
    // The demo defaults apply only while the key variables are unset.
    for (const name of KEY_VARIABLES) {
      savedEnv[name] = process.env[name];
      delete process.env[name];
    }
    process.chdir(ROOT);
    ({ router, log } = await startExampleRouter());
  });

  after(async () => {
    await router?.stop();
    process.chdir(cwd);
    for (const name of KEY_VARIABLES) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });

  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(url('/payments'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payment()),
    });

  it('loads rbac.yaml from the working directory and warns about each demo key in use', () => {
    const warnings = router.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    for (const variable of KEY_VARIABLES) {
      expect(warnings.some((w) => w.startsWith(`${variable} is not set`))).to.equal(true);
    }
    const enforced = log.lines.find((line) => line.event === 'security-enabled');
    expect(enforced?.rbacFile).to.equal(path.join(ROOT, 'rbac.yaml'));
  });

  it("accepts the README's payment with the demo key, and refuses it without one or with another role", async () => {
    const accepted = await post({ 'x-api-key': DEMO_KEYS.payments });
    expect(accepted.status).to.equal(202);
    expect((await post({})).status).to.equal(401);
    expect((await post({ 'x-api-key': DEMO_KEYS.reports })).status).to.equal(403);
    expect((await post({ 'x-api-key': DEMO_KEYS.operator })).status).to.equal(403);
  });

  it("serves the README's fee quote to both demo channels", async () => {
    for (const key of [DEMO_KEYS.payments, DEMO_KEYS.reports]) {
      const answer = await fetch(url('/api/fees/EUR?amount=120'), { headers: { 'x-api-key': key } });
      expect(answer.status).to.equal(200);
      expect(await answer.json()).to.deep.equal({ currency: 'EUR', amount: 120, tier: 'standard', fee: 0.5 });
    }
    expect((await fetch(url('/api/fees/EUR?amount=120'))).status).to.equal(401);
  });

  it('keeps the probes open', async () => {
    expect((await fetch(url('/health/live'))).status).to.equal(200);
  });
});
