/**
 * The Idempotency-Key rules at the HTTP door that the end-to-end test does not reach: a failed first
 * answer releases the key, safe methods ignore it, bad keys are refused.
 */
import { expect } from 'chai';
import { startRouter, type TestRouter } from '../helpers/router.js';

// Answers with the status the caller asks for in X-Answer, and the exchange id of the run that answered.
const ROUTE = `
- route:
    id: echo-status
    from:
      uri: platform-http:/echo
      steps:
        - setHeader:
            name: CamelHttpResponseCode
            simple: "\${header.X-Answer}"
        - setBody:
            simple: '{"exchangeId": "\${exchangeId}"}'
        - setHeader:
            name: Content-Type
            constant: application/json
`;

describe('Idempotency-Key on HTTP entries', () => {
  let test: TestRouter;

  before(async () => {
    test = await startRouter({ 'routes/echo.yaml': ROUTE });
  });

  after(async () => {
    await test?.stop();
  });

  const call = async (
    method: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown>; replayed: boolean }> => {
    const response = await fetch(`${test.baseUrl}/echo`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  };

  it('does not keep an answer that asks for a retry (503): the retry runs the route again, and is kept', async () => {
    const key = `k-${Date.now()}`;
    const failed = await call('POST', { 'Idempotency-Key': key, 'X-Answer': '503' }, { n: 1 });
    expect(failed.status).to.equal(503);
    const retried = await call('POST', { 'Idempotency-Key': key, 'X-Answer': '201' }, { n: 1 });
    expect(retried.status).to.equal(201);
    expect(retried.replayed).to.equal(false);
    // The retry ran the route again as the same message: its identity comes from (entry, caller, key).
    expect(retried.body.exchangeId).to.equal(failed.body.exchangeId);
    const replayed = await call('POST', { 'Idempotency-Key': key, 'X-Answer': '200' }, { n: 1 });
    expect(replayed).to.deep.equal({ status: 201, body: retried.body, replayed: true });
  });

  it('keeps a 4xx answer: the same request gets the same refusal', async () => {
    const key = `k4-${Date.now()}`;
    const first = await call('POST', { 'Idempotency-Key': key, 'X-Answer': '422' }, { n: 2 });
    const second = await call('POST', { 'Idempotency-Key': key, 'X-Answer': '200' }, { n: 2 });
    expect(second).to.deep.equal({ status: 422, body: first.body, replayed: true });
  });

  it('ignores the key on GET', async () => {
    const key = `kg-${Date.now()}`;
    const a = await call('GET', { 'Idempotency-Key': key, 'X-Answer': '200' });
    const b = await call('GET', { 'Idempotency-Key': key, 'X-Answer': '200' });
    expect(a.replayed || b.replayed).to.equal(false);
    expect(a.body.exchangeId).to.not.equal(b.body.exchangeId);
  });

  it('refuses an empty or overlong key (400)', async () => {
    const long = await call('POST', { 'Idempotency-Key': 'x'.repeat(201), 'X-Answer': '200' }, {});
    expect(long.status).to.equal(400);
    expect(long.body.error).to.equal('BAD_IDEMPOTENCY_KEY');
  });
});
