/**
 * The async engine against the real broker: the KYC example through the API and through its route,
 * retries held by the broker, dead letters with provenance and their redrive, idempotent starts,
 * backpressure (503 + Retry-After), signed callbacks, and the generated OpenAPI document + Swagger UI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Validator } from '@seriousme/openapi-schema-validator';
import { flowEngine } from '../../src/asyncengine/index.js';
import { verifySignature } from '../../src/asyncengine/callbacks.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { deleteQueues, flowQueueNames, startPartner, startRun, uniqueFlow, waitForRun, type Partner } from '../asyncengine/support.js';

const SECRET = 'test-callback-secret-0123456789';

const SCRIPTS = {
  'routes/scripts/echo.mjs': `
export default async function echo(payload, context) {
  // Tries to tamper with the id: the engine must not care.
  return { ...payload, seenBy: [...(payload.seenBy ?? []), context.step], seenIds: [...(payload.seenIds ?? []), context.correlationId], correlationId: 'tampered' };
}`,
  'routes/scripts/flaky.mjs': `
const calls = new Map();
export default async function flaky(payload, context) {
  const n = (calls.get(context.correlationId) ?? 0) + 1;
  calls.set(context.correlationId, n);
  if (n <= payload.failTimes) throw Object.assign(new Error('partner hiccup ' + n), { retryable: true });
  return { ...payload, succeededOnAttempt: context.attempt };
}`,
  'routes/scripts/frozen.mjs': `
import { existsSync } from 'node:fs';
export async function check(payload) {
  if (!existsSync(payload.unfreezeFile)) throw new Error('account frozen');
  return { ...payload, checked: true };
}`,
  'routes/scripts/gate.mjs': `
export default async function gate(payload) {
  await globalThis.__asyncEngineTestGate;
  return payload;
}`,
};

describe('async engine on RabbitMQ (e2e)', function () {
  this.timeout(60_000);
  const kyc = uniqueFlow('kyc');
  const flaky = uniqueFlow('flaky');
  const fragile = uniqueFlow('fragile');
  const partnerFlow = uniqueFlow('partner');
  const gated = uniqueFlow('gated');
  const calling = uniqueFlow('callback');
  let partner: Partner;
  let test: TestRouter;
  let queues: string[] = [];
  let releaseGate: () => void = () => undefined;

  before(async function () {
    await requireBrokerOrSkip(this);
    partner = await startPartner();
    partner.answer = ({ path: at, index }) => {
      if (at.startsWith('/down')) return { status: 503, body: { error: 'maintenance' } };
      if (at.startsWith('/reject')) return { status: 400, body: { error: 'bad request' } };
      if (at.startsWith('/callback-flaky')) return index === partner.requests.findIndex((r) => r.path.startsWith('/callback-flaky')) ? { status: 500 } : { status: 204 };
      return { status: 200, body: { received: true } };
    };
    (globalThis as Record<string, unknown>).__asyncEngineTestGate = new Promise<void>((resolve) => (releaseGate = resolve));
    const example = readFileSync('routes/kyc-check.yaml', 'utf8').replace('name: kyc-check', `name: ${kyc}`).replace('constant: kyc-check', `constant: ${kyc}`);
    const fast = 'retry: {maxAttempts: 4, initialDelay: 50ms, multiplier: 2, maxDelay: 200ms, jitter: 0}';
    const flows = `
- flow:
    name: ${flaky}
    steps:
      - {name: prepare, uri: "script:scripts/echo.mjs"}
      - {name: call-partner, uri: "script:scripts/flaky.mjs", ${fast}}
      - {name: finish, uri: "script:scripts/echo.mjs"}
- flow:
    name: ${fragile}
    steps:
      - {name: check, uri: "script:scripts/frozen.mjs#check", ${fast}}
      - {name: finish, uri: "script:scripts/echo.mjs"}
- flow:
    name: ${partnerFlow}
    steps:
      - name: deliver
        uri: "${partner.url}/down"
        parameters: {httpMethod: POST}
        retry: {maxAttempts: 3, initialDelay: 50ms, jitter: 0}
      - name: reject
        uri: "${partner.url}/reject"
        parameters: {httpMethod: POST}
- flow:
    name: ${gated}
    steps:
      - {name: wait, uri: "script:scripts/gate.mjs", concurrency: 1, maxQueueLength: 1}
- flow:
    name: ${calling}
    callback:
      secret: ${SECRET}
      retry: {maxAttempts: 3, initialDelay: 50ms, jitter: 0}
    steps:
      - {name: only, uri: "script:scripts/echo.mjs"}
`;
    test = await startRouter(
      {
        'routes/kyc-check.yaml': example,
        'routes/mappings/kyc-score.jsonata': readFileSync('routes/mappings/kyc-score.jsonata', 'utf8'),
        'routes/test-flows.yaml': flows,
        ...SCRIPTS,
      },
      // The callback receiver is a local server: allowed past the egress policy as an operator would allow it.
      { rabbitmqUrl: brokerUrl(), egressAllow: ['127.0.0.1'], properties: { KYC_PARTNER_URL: `${partner.url}/kyc-results` } },
    );
    queues = flowQueueNames(flowEngine(test.router.services)!.topology());
  });

  after(async () => {
    releaseGate();
    await test?.stop();
    await deleteQueues(queues);
    await partner?.close();
  });

  it('runs the KYC example started through the API: every step once, in order, partner notified', async () => {
    const started = await startRun(test.baseUrl, kyc, { customerId: 'C1002', country: 'DE', declaredIncome: 250000 });
    expect(started.status).to.equal(202);
    const correlationId = started.body.correlationId as string;
    expect(started.body.statusUrl).to.equal(`/async/api/runs/${correlationId}?flowName=${kyc}`);
    const run = await waitForRun(test.baseUrl, correlationId, ['succeeded']);
    expect(run.history.map((h) => `${h.step}:${h.outcome}`)).to.deep.equal(['fetch-customer:succeeded', 'score:succeeded', 'notify-partner:succeeded']);
    expect(run.output).to.deep.equal({ received: true });
    const notified = partner.requests.filter((r) => r.path === '/kyc-results').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(notified).to.deep.include({ customerId: 'C1002', name: 'Grace Hopper', country: 'DE', riskScore: 60, decision: 'refer' });
  });

  it('runs the KYC example started by the back-office route through direct:callAsyncEngine', async () => {
    const response = await fetch(`${test.baseUrl}/kyc-checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'C1003', country: 'FR' }),
    });
    expect(response.status).to.equal(202);
    const body = (await response.json()) as { correlationId: string; statusUrl: string };
    const run = await waitForRun(test.baseUrl, body.correlationId, ['succeeded']);
    expect(run.flowName).to.equal(kyc);
    expect(run.history.map((h) => h.step)).to.deep.equal(['fetch-customer', 'score', 'notify-partner']);
    const notified = partner.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(notified).to.deep.include({ customerId: 'C1003', name: 'Alan Turing', country: 'FR', riskScore: 20, decision: 'approve' });
  });

  it('answers 400 with every schema error and enqueues nothing; 404 for an unknown flow', async () => {
    const before = partner.requests.length;
    const bad = await startRun(test.baseUrl, kyc, { customerId: 'X1', extra: true });
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.equal('VALIDATION_FAILED');
    expect((bad.body.errors as { instancePath: string; keyword: string }[]).map((e) => `${e.instancePath} ${e.keyword}`).sort()).to.deep.equal([
      ' additionalProperties',
      ' required',
      '/customerId pattern',
    ]);
    const runs = (await (await fetch(`${test.baseUrl}/async/api/runs?flowName=${kyc}`)).json()) as { runs: unknown[] };
    const unknown = await startRun(test.baseUrl, 'no-such-flow', {});
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error).to.equal('FLOW_NOT_FOUND');
    const after = (await (await fetch(`${test.baseUrl}/async/api/runs?flowName=${kyc}`)).json()) as { runs: unknown[] };
    expect(after.runs.length).to.equal(runs.runs.length);
    expect(partner.requests.length).to.equal(before);
  });

  it('keeps the correlation id whatever a step returns', async () => {
    const started = await startRun(test.baseUrl, flaky, { failTimes: 0 });
    const correlationId = started.body.correlationId as string;
    const run = await waitForRun(test.baseUrl, correlationId, ['succeeded']);
    const output = run.output as { seenIds: string[]; correlationId: string; seenBy: string[] };
    expect(output.seenBy).to.deep.equal(['prepare', 'finish']);
    expect(output.seenIds).to.deep.equal([correlationId, correlationId]);
    expect(run.correlationId).to.equal(correlationId);
  });

  it('retries a transiently failing step through the broker until the run succeeds', async () => {
    const started = await startRun(test.baseUrl, flaky, { failTimes: 2 });
    const run = await waitForRun(test.baseUrl, started.body.correlationId as string, ['succeeded']);
    expect(run.history.map((h) => `${h.step}#${h.attempt}:${h.outcome}`)).to.deep.equal([
      'prepare#1:succeeded',
      'call-partner#1:retrying',
      'call-partner#2:retrying',
      'call-partner#3:succeeded',
      'finish#1:succeeded',
    ]);
    expect(run.history[1]!.error).to.include({ message: 'partner hiccup 1' });
    expect((run.output as { succeededOnAttempt: number }).succeededOnAttempt).to.equal(3);
  });

  it('dead-letters a run whose step fails for good, with provenance; after the fix a redrive completes it, and a second redrive does nothing', async () => {
    const unfreezeFile = path.join(test.dir, `unfrozen-${Date.now()}`);
    const started = await startRun(test.baseUrl, fragile, { account: 'A-1', unfreezeFile });
    const correlationId = started.body.correlationId as string;
    const parked = await waitForRun(test.baseUrl, correlationId, ['dead-lettered']);
    expect(parked.history.map((h) => `${h.step}#${h.attempt}:${h.outcome}`)).to.deep.equal(['check#1:dead-lettered']);
    expect(parked.error).to.include({ step: 'check', message: 'account frozen' });

    const listed = (await (await fetch(`${test.baseUrl}/async/api/flows/${fragile}/dead-letters`)).json()) as {
      deadLetters: Record<string, unknown>[];
      queues: { step: string; messages: number }[];
    };
    expect(listed.deadLetters).to.have.length(1);
    expect(listed.deadLetters[0]).to.include({ correlationId, flowName: fragile, step: 'check', attempts: 1, errorMessage: 'account frozen', redrivable: true });
    expect(listed.queues.find((q) => q.step === 'check')!.messages).to.equal(1);

    const dry = (await (await postRedrive(fragile, { dryRun: true })).json()) as { matched: { correlationId: string }[]; redriven: unknown[] };
    expect(dry.matched.map((m) => m.correlationId)).to.deep.equal([correlationId]);
    expect(dry.redriven).to.deep.equal([]);

    writeFileSync(unfreezeFile, 'fixed');
    const report = (await (await postRedrive(fragile, {})).json()) as { redriven: { correlationId: string; step: string }[] };
    expect(report.redriven).to.deep.equal([{ correlationId, step: 'check' }]);
    const done = await waitForRun(test.baseUrl, correlationId, ['succeeded']);
    expect(done.redrives).to.equal(1);
    expect(done.history.map((h) => `${h.step}#${h.attempt}:${h.outcome}`)).to.deep.equal(['check#1:dead-lettered', 'check#1:succeeded', 'finish#1:succeeded']);

    const again = (await (await postRedrive(fragile, {})).json()) as { redriven: unknown[] };
    expect(again.redriven).to.deep.equal([]);
    const after = (await (await fetch(`${test.baseUrl}/async/api/flows/${fragile}/dead-letters`)).json()) as { deadLetters: unknown[]; queues: { messages: number }[] };
    expect(after.deadLetters).to.deep.equal([]);
    expect(after.queues.every((q) => q.messages === 0)).to.equal(true);
  });

  it('classifies partner errors: 5xx is retried up to maxAttempts, then dead-lettered with the HTTP status', async () => {
    const started = await startRun(test.baseUrl, partnerFlow, { invoice: 7 });
    const run = await waitForRun(test.baseUrl, started.body.correlationId as string, ['dead-lettered']);
    expect(run.history.map((h) => `${h.step}#${h.attempt}:${h.outcome}`)).to.deep.equal([
      'deliver#1:retrying',
      'deliver#2:retrying',
      'deliver#3:dead-lettered',
    ]);
    expect(run.error).to.include({ step: 'deliver', code: 'HTTP_OPERATION_FAILED', httpStatus: 503 });
    const listed = (await (await fetch(`${test.baseUrl}/async/api/flows/${partnerFlow}/dead-letters`)).json()) as { deadLetters: Record<string, unknown>[] };
    expect(listed.deadLetters[0]).to.include({ attempts: 3, httpStatus: 503, errorClass: 'org.apache.camel.http.base.HttpOperationFailedException' });
  });

  it('makes starts idempotent: same key and payload → same run; same key, other payload → 409', async () => {
    const key = `key-${Date.now()}`;
    const first = await startRun(test.baseUrl, flaky, { failTimes: 0, n: 1 }, { 'Idempotency-Key': key });
    const second = await startRun(test.baseUrl, flaky, { n: 1, failTimes: 0 }, { 'Idempotency-Key': key });
    expect(first.status).to.equal(202);
    expect(second.status).to.equal(202);
    expect(second.body.correlationId).to.equal(first.body.correlationId);
    expect(second.headers.get('idempotent-replayed')).to.equal('true');
    const conflict = await startRun(test.baseUrl, flaky, { failTimes: 0, n: 2 }, { 'Idempotency-Key': key });
    expect(conflict.status).to.equal(409);
    expect(conflict.body.error).to.equal('IDEMPOTENCY_CONFLICT');
    await waitForRun(test.baseUrl, first.body.correlationId as string, ['succeeded']);
  });

  it('answers 503 with Retry-After when the first step queue is full, and loses none of the runs it accepted', async () => {
    const accepted: string[] = [];
    let refused: { status: number; body: Record<string, unknown>; headers: Headers } | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const started = await startRun(test.baseUrl, gated, { i });
      if (started.status === 202) accepted.push(started.body.correlationId as string);
      else refused = started;
    }
    expect(refused, 'a start was refused').to.not.equal(undefined);
    expect(refused!.status).to.equal(503);
    expect(Number(refused!.headers.get('retry-after'))).to.be.greaterThan(0);
    releaseGate();
    for (const correlationId of accepted) await waitForRun(test.baseUrl, correlationId, ['succeeded']);
    const failed = (await (await fetch(`${test.baseUrl}/async/api/runs?flowName=${gated}&state=failed`)).json()) as { runs: { error: { code: string } }[] };
    expect(failed.runs).to.have.length(1);
    expect(failed.runs[0]!.error.code).to.equal('QUEUE_FULL');
  });

  it('calls back once per run end with an HMAC-signed body, retrying a 5xx answer', async () => {
    const callbackUrl = `${partner.url}/callback-flaky`;
    const started = await startRun(test.baseUrl, calling, { hello: 'world' }, {}, `&callbackUrl=${encodeURIComponent(callbackUrl)}`);
    const correlationId = started.body.correlationId as string;
    const run = await waitForRun(test.baseUrl, correlationId, ['succeeded'], { until: (r) => r.callback?.state === 'delivered' });
    expect(run.callback).to.include({ state: 'delivered', attempts: 2 });
    const calls = partner.requests.filter((r) => r.path === '/callback-flaky');
    expect(calls).to.have.length(2);
    for (const call of calls) {
      expect(verifySignature(SECRET, call.body, call.headers['x-pipes-signature'] as string)).to.equal(true);
      expect(verifySignature('another-secret-000000', call.body, call.headers['x-pipes-signature'] as string)).to.equal(false);
    }
    const body = JSON.parse(calls[1]!.body) as Record<string, unknown>;
    expect(body).to.include({ event: 'run.succeeded', correlationId, flowName: calling, state: 'succeeded' });
  });

  it('publishes an OpenAPI document of the loaded flows that passes a validator, and serves Swagger UI', async () => {
    const response = await fetch(`${test.baseUrl}/async/specifications/openapi.json`);
    expect(response.status).to.equal(200);
    const document = (await response.json()) as Record<string, unknown> & { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(document.components.schemas[`FlowInput.${kyc}`]!.properties).to.have.keys('customerId', 'country', 'declaredIncome');

    const page = await fetch(`${test.baseUrl}/async/specifications/swagger-ui/index.html`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('swagger-ui-bundle.js');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-init.js']) {
      const loaded = await fetch(`${test.baseUrl}/async/specifications/swagger-ui/${asset}`);
      expect(loaded.status, asset).to.equal(200);
      const text = await loaded.text();
      if (asset === 'swagger-ui-init.js') expect(text).to.include('/async/specifications/openapi.json');
      else expect(text.length).to.be.greaterThan(1000);
    }
  });

  function postRedrive(flowName: string, body: Record<string, unknown>): Promise<Response> {
    return fetch(`${test.baseUrl}/async/api/flows/${flowName}/dead-letters/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
});
