/**
 * Swagger UI in a real browser (Debian's chromium, headless, driven by playwright-core): the page loads the
 * async engine's document and the routes' document, shows the flows' operations and input schemas,
 * authorizes with an API key through the Authorize dialog, and "Try it out" → Execute on the start
 * operation answers 202. curl of the HTML looked fine while the browser fetched `[object Object]`; only a
 * browser running the page's scripts sees that.
 *
 * Without a browser the test skips with a loud line, except under CI or REQUIRE_RABBITMQ=1, where it fails
 * (.ci/run installs chromium with apt).
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { flowEngine } from '../../src/asyncengine/index.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { deleteQueues, flowQueueNames, uniqueFlow } from '../asyncengine/support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = 'swagger-ui-test-key-2c8e4a6f0b1d3957';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('Swagger UI in headless chromium (e2e)', function () {
  this.timeout(60_000);
  const flow = uniqueFlow('swagger');
  let test: TestRouter;
  let browser: Browser;
  let page: Page;
  let queues: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const message = `no browser at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
      if (process.env.CI || process.env.REQUIRE_RABBITMQ === '1') throw new Error(`The Swagger UI browser test needs chromium: ${message}`);
      console.warn(`\n!!!!! SKIPPING THE SWAGGER UI BROWSER TEST: ${message} !!!!!\n`);
      this.skip();
    }
    await requireBrokerOrSkip(this);
    test = await startRouter(
      {
        'routes/flows.yaml': `
- flow:
    name: ${flow}
    description: Greets a customer
    input:
      type: object
      additionalProperties: false
      required: [customerId]
      properties:
        customerId: {type: string, pattern: "^C[0-9]{4,}$"}
        nickname: {type: string}
    steps:
      - {name: greet, uri: "script:scripts/echo.mjs"}
`,
        'routes/scripts/echo.mjs': 'export default async function echo(payload) { return payload; }',
        'routes/fees.yaml': `
- rest:
    path: /api
    tag: fees
    get:
      - path: /fees/{currency}
        routeId: fees-rest
        description: Quote the fee for a currency
        to: direct:fees
- route:
    id: fees
    from:
      uri: direct:fees
      steps:
        - setBody:
            constant: quoted
`,
      },
      {
        rabbitmqUrl: brokerUrl(),
        rbac: `
version: 1
roles:
  starter: ['flow:${flow}', route:fees-rest]
principals:
  - id: swagger-user
    roles: [starter]
    apiKeySha256: ${sha256(KEY)}
`,
      },
    );
    queues = flowQueueNames(flowEngine(test.router.services)!.topology());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await test?.stop();
    await deleteQueues(queues);
  });

  it('loads both documents, authorizes with an API key and starts a run to a 202', async () => {
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().includes('/async/api/')) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${test.baseUrl}/async/specifications/swagger-ui/index.html`);

    // The async engine's document: the flows' operations and the flow's input schema.
    const start = page.locator('#operations-runs-startRun');
    await start.waitFor({ timeout: 10_000 });
    expect(await page.locator('.info .title').first().textContent()).to.contain('service-pipes async engine');
    expect(await page.locator('.opblock-summary-path').allTextContents()).to.include.members([
      '/async/api/start',
      '/async/api/runs',
      '/async/api/runs/{correlationId}',
    ]);
    // OpenAPI 3.1: Swagger UI renders the schemas with its JSON Schema 2020-12 components.
    const model = page.locator('section.models article[data-json-schema-level="0"]', { hasText: `Input of flow ${flow}` });
    await model.locator('button.json-schema-2020-12-accordion').first().click();
    await model.getByText('customerId').first().waitFor({ timeout: 5000 });
    expect(await model.textContent()).to.contain('nickname');

    // Authorize with the API key.
    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.waitFor();
    expect(await dialog.textContent()).to.contain('x-api-key');
    expect(await dialog.textContent()).not.to.contain('bearer');
    await dialog.locator('input').first().fill(KEY);
    await dialog.locator('button.modal-btn.auth.authorize').click();
    await dialog.locator('button.btn-done').click();

    // Try it out → Execute on the start operation.
    await start.locator('.opblock-summary').first().click();
    await start.locator('button.try-out__btn').click();
    await start.locator('tr[data-param-name="flowName"] select').selectOption(flow);
    await start.locator('textarea.body-param__text').fill(JSON.stringify({ customerId: 'C12345', nickname: 'Ada' }));
    const sent = page.waitForRequest((request) => request.url().includes('/async/api/start'));
    await start.locator('button.execute').click();
    const request = await sent;
    expect(request.headers()['x-api-key']).to.equal(KEY);
    const status = start.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).to.equal('202');
    expect(await start.locator('.live-responses-table tbody .response-col_description').first().textContent()).to.contain('statusUrl');

    // The routes' document, from the top bar: the rest verb and its path parameter.
    await page.locator('.topbar select').selectOption({ label: 'Routes (platform-http, rest)' });
    const fees = page.locator('#operations-fees-fees-rest');
    await fees.waitFor({ timeout: 10_000 });
    expect(await fees.locator('.opblock-summary-path').textContent()).to.equal('/api/fees/{currency}');
    await fees.locator('.opblock-summary').first().click();
    await fees.locator('tr[data-param-name="currency"]').waitFor();
    expect(failed, failed.join('\n')).to.deep.equal([]);
  });
});
