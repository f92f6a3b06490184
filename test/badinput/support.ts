/**
 * What the bad-input suites share: a router on the example routes (plus an entry with no schema at all),
 * an independent oracle for the payment schema, raw HTTP for requests fetch refuses to send, and the
 * count of generated cases each suite tried.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { startRouter, writeFiles, type TestRouter } from '../helpers/router.js';

/** Small, so that bodies around the limit are cheap to generate. */
export const BODY_LIMIT = 64 * 1024;

/** An entry with no schema and no consumes: every JSON document a caller can send reaches the route. */
const OPEN_ENTRY = `
- route:
    id: badinput-open
    from:
      uri: platform-http:/badinput/open
      parameters: {httpMethodRestrict: POST}
      steps:
        - to: {uri: "spring-rabbitmq:badinput-open?routingKey=open", pattern: InOnly}
        - setBody: {constant: accepted}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
- route:
    id: badinput-open-consumer
    from:
      uri: "spring-rabbitmq:badinput-open?queues=badinput-open-q&routingKey=open"
      steps:
        - to: mock:open-received
`;

/** The example routes (payments, fee quotes, the KYC flow) on the embedded transport, plus the open entry. */
export async function startBadInputRouter(): Promise<TestRouter & { cleanUp(): Promise<void> }> {
  const extra = writeFiles({ 'routes/open.yaml': OPEN_ENTRY });
  const router = await startRouter(
    {},
    {
      routes: ['routes', path.join(extra, 'routes')],
      schemasDir: 'schemas',
      logLevel: 'error',
      bodyLimitBytes: BODY_LIMIT,
    },
  );
  return {
    ...router,
    async cleanUp() {
      await router.stop();
    },
  };
}

/** ajv on schemas/payment.schema.json, compiled here and not by the router: the oracle for "valid". */
export function paymentOracle(): (value: unknown) => boolean {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const money = JSON.parse(readFileSync('schemas/common/money.schema.json', 'utf8')) as Record<string, unknown>;
  ajv.addSchema(money, 'common/money.schema.json');
  const schema = JSON.parse(readFileSync('schemas/payment.schema.json', 'utf8')) as Record<string, unknown>;
  return ajv.compile(schema) as (value: unknown) => boolean;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

export async function send(
  url: string,
  init: {
    method?: string;
    body?: string | Uint8Array | ReadableStream<Uint8Array>;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers,
    body: init.body,
    signal: AbortSignal.timeout(15_000),
    // A stream goes out chunked (no Content-Length); fetch insists on saying so.
    ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A refusal: the status, a JSON body `{error, message}` with the expected code, and no stack or internals. */
export function expectRefusal(answer: Answer, status: number, code: string): void {
  const context = `${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, context).to.equal(status);
  expect(answer.json, context).to.be.an('object');
  expect(answer.json!.error, context).to.equal(code);
  expect(answer.json!.message, context).to.be.a('string').and.not.match(/\bat \S+ \(|node_modules/);
}

/** Writes bytes on a fresh TCP connection and returns everything the router answered before closing. */
export function rawRequest(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The router may close after answering while the rest of the request is still being written.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.end(bytes);
  });
}

/** Status line and JSON body of a raw HTTP answer. */
export function parseRaw(answer: string): { status: number; json: Record<string, unknown> | undefined; head: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
  const split = answer.indexOf('\r\n\r\n');
  const head = split >= 0 ? answer.slice(0, split) : answer;
  const body = split >= 0 ? answer.slice(split + 4) : '';
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status, json, head };
}

/** A valid payment instruction; `n` makes it unique. */
export function validPayment(n: number): Record<string, unknown> {
  return {
    paymentId: `3f2b8a9e-1c4d-4e5f-8a7b-${String(n).padStart(12, '0')}`,
    debtor: { name: 'Acme Ltd', iban: 'GB33BUKB20201555555555' },
    creditor: { name: 'Globex GmbH', iban: 'DE89370400440532013000' },
    instructedAmount: { amount: 12500.5, currency: 'EUR' },
    requestedAt: '2026-11-23T10:15:00Z',
    remittanceInfo: `Invoice ${n}`,
  };
}

/** After a batch of bad input: a good request still gets through and nothing leaked onto Object.prototype. */
export async function expectStillServing(baseUrl: string, n: number): Promise<void> {
  const answer = await send(`${baseUrl}/payments`, {
    body: JSON.stringify(validPayment(n)),
    contentType: 'application/json',
  });
  expect(answer.status, answer.text).to.equal(202);
  expect((await fetch(`${baseUrl}/health/live`)).status).to.equal(200);
  expect(Object.keys(Object.prototype)).to.deep.equal([]);
  expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
}

/** Generated cases per suite, printed once the suite is done (the figure the report quotes). */
export class CaseCount {
  private readonly counts = new Map<string, number>();
  add(what: string, runs: number): number {
    this.counts.set(what, (this.counts.get(what) ?? 0) + runs);
    return runs;
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  print(suite: string): void {
    const parts = [...this.counts].map(([what, runs]) => `${what}: ${runs}`).join(', ');
    process.stdout.write(`      ${suite}: ${this.total()} generated cases (${parts})\n`);
  }
}
