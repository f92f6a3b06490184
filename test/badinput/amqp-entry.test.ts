/**
 * Bad messages at the AMQP door, generated (fast-check) and published on the real broker straight into a
 * route's queue: bodies that are not JSON (with and without a JSON content type), not UTF-8, nested too
 * deep, not a payment, empty, several megabytes; messages with no properties at all. Every message ends
 * exactly once either downstream (a valid payment) or on the route's dead-letter queue with the reason;
 * none is lost, none loops, and the good ones keep flowing.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import type { AsyncMessage, Connection, Publisher } from 'rabbitmq-client';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, eventually, uniqueName, Watcher } from '../e2e/rabbitmq-support.js';
import { MAX_JSON_DEPTH } from '../../src/components/shared/json-body.js';
import { CaseCount, paymentOracle, validPayment } from './support.js';

const RUNS = Number(process.env.BADINPUT_RUNS || 60);
const OVERSIZED = 3;

type Outcome = 'delivered' | 'invalid-payload' | 'validation';
/** The Camel exception names a dead letter's `x-pipes-error-class` carries for each reason. */
const REASON: Record<Exclude<Outcome, 'delivered'>, string> = {
  'invalid-payload': 'org.apache.camel.InvalidPayloadException',
  validation: 'org.apache.camel.component.jsonvalidator.JsonValidationException',
};

interface Case {
  id: number;
  body: Buffer;
  contentType?: string;
  /** false: published with no properties at all (no headers, id, type, correlation). */
  properties: boolean;
  expected: Outcome;
}

const JSON_TYPES = ['application/json', 'application/vnd.payments+json', 'application/json; charset=utf-8'];
const isJsonType = (type: string | undefined): boolean =>
  type !== undefined && /^application\/(?:[\w.+-]+\+)?json$/i.test(type.split(';')[0]!.trim());

function utf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function nestsDeeper(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === ']' || c === '}') depth--;
  }
  return false;
}

describe('bad input: AMQP messages (generated, real broker)', function () {
  this.timeout(120_000);
  const names = { entry: uniqueName('bad-in'), out: uniqueName('bad-out'), queue: uniqueName('bad-work') };
  const isValidPayment = paymentOracle();
  const counts = new CaseCount();
  let router: TestRouter | undefined;
  let amqp: Connection;
  let publisher: Publisher;
  let delivered: Watcher;
  let deadLetters: Watcher;

  /** What the route will do with a body under a content type: the oracle, written from the documented rules. */
  function expectedOutcome(body: Buffer, contentType: string | undefined): Outcome {
    const text = utf8(body);
    if (isJsonType(contentType)) {
      if (body.length === 0) return 'validation';
      if (text === undefined || nestsDeeper(text)) return 'invalid-payload';
      try {
        return isValidPayment(JSON.parse(text)) ? 'delivered' : 'validation';
      } catch {
        return 'invalid-payload';
      }
    }
    // A text/* body reaches the route as a string, decoded as UTF-8 (invalid bytes become U+FFFD).
    const asText = contentType?.startsWith('text/') ? body.toString('utf8') : text;
    if (body.length === 0 || asText === undefined) return 'validation';
    try {
      return isValidPayment(JSON.parse(asText)) ? 'delivered' : 'validation';
    } catch {
      return 'validation';
    }
  }

  before(async function () {
    await requireBrokerOrSkip(this);
    router = await startRouter(
      {
        'routes/amqp.yaml': `
- route:
    id: badinput-amqp
    from:
      uri: "spring-rabbitmq:${names.entry}?queues=${names.queue}&routingKey=in&concurrentConsumers=4"
      steps:
        - to: {uri: "json-validator:payment.schema.json"}
        - to: {uri: "spring-rabbitmq:${names.out}?routingKey=out"}
`,
      },
      { rabbitmqUrl: brokerUrl(), schemasDir: 'schemas', logLevel: 'error' },
    );
    amqp = amqpClient('bad input AMQP');
    delivered = await Watcher.on(amqp, { exchange: names.out, exchangeType: 'direct', routingKey: 'out' });
    deadLetters = new Watcher(amqp, `${names.queue}.dlq`);
    delivered.start();
    deadLetters.start();
    publisher = amqp.createPublisher({ confirm: true, maxAttempts: 3 });
  });

  after(async function () {
    counts.print('bad input: AMQP messages');
    if (!router) return;
    await router.stop();
    await publisher.close();
    await delivered.delete();
    await deadLetters.close();
    for (const queue of [names.queue, `${names.queue}.dlq`, ...[1, 2, 3, 4, 5].map((n) => `${names.queue}.retry.${n}`)])
      await amqp.queueDelete({ queue }).catch(() => undefined);
    for (const exchange of [names.entry, names.out]) await amqp.exchangeDelete({ exchange }).catch(() => undefined);
    await amqp.close();
  });

  it(`routes ${RUNS} generated messages and ${OVERSIZED} oversized ones each to exactly one documented end`, async () => {
    const badUtf8 = fc.constantFrom([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xe2, 0x82]).map((b) => Buffer.from(b));
    // Each body is made for its case id, so valid payments carry the id downstream.
    type MakeBody = (id: number) => Buffer;
    const paymentText = (id: number): string => JSON.stringify(validPayment(id));
    const body: fc.Arbitrary<MakeBody> = fc.oneof(
      fc.constant<MakeBody>((id) => Buffer.from(paymentText(id))),
      fc.jsonValue().map<MakeBody>((value) => () => Buffer.from(JSON.stringify(value) ?? '')),
      fc.uint8Array({ maxLength: 200 }).map<MakeBody>((bytes) => () => Buffer.from(bytes)),
      fc.string({ maxLength: 100 }).map<MakeBody>((text) => () => Buffer.from(text)),
      fc.nat().map<MakeBody>((cut) => (id) => {
        const text = paymentText(id);
        return Buffer.from(text.slice(0, 1 + (cut % (text.length - 1))));
      }),
      badUtf8.map<MakeBody>((bad) => (id) => {
        const text = paymentText(id);
        const at = text.indexOf('Invoice ') + 8;
        return Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
      }),
      fc.integer({ min: MAX_JSON_DEPTH - 5, max: 5000 }).map<MakeBody>((depth) => () => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
      fc.constant<MakeBody>(() => Buffer.alloc(0)),
    );
    const contentType = fc.option(
      fc.constantFrom(...JSON_TYPES, 'text/plain', 'application/octet-stream', 'application/xml', 'x/garbage'),
      { nil: undefined },
    );
    const generated = fc.sample(fc.tuple(body, contentType, fc.boolean()), { numRuns: counts.add('messages', RUNS) });
    const cases: Case[] = generated.map(([make, type, properties], id) => {
      const bytes = make(id);
      const withType = properties ? type : undefined;
      return { id, body: bytes, contentType: withType, properties, expected: expectedOutcome(bytes, withType) };
    });
    // Oversized: several megabytes each, far past the HTTP door's limit; the schema refuses them.
    counts.add('oversized', OVERSIZED);
    for (let i = 0; i < OVERSIZED; i++) {
      const id = RUNS + i;
      const huge = { ...validPayment(id), remittanceInfo: 'x'.repeat((4 + i * 2) * 1024 * 1024) };
      const bytes = Buffer.from(JSON.stringify(huge));
      cases.push({ id, body: bytes, contentType: 'application/json', properties: true, expected: expectedOutcome(bytes, 'application/json') });
    }
    expect(cases.some((c) => c.expected === 'delivered')).to.equal(true);
    expect(cases.some((c) => c.expected !== 'delivered')).to.equal(true);

    for (const c of cases) {
      const envelope = c.properties
        ? { exchange: '', routingKey: names.queue, contentType: c.contentType, messageId: `case-${c.id}`, headers: { 'x-case': c.id }, durable: true }
        : { exchange: '', routingKey: names.queue };
      await publisher.send(envelope, c.body);
    }

    const endOf = new Map<number, { outcome: Outcome | 'dead-letter'; reason?: string; message: string }[]>();
    const byBody = new Map<string, number[]>();
    for (const c of cases) if (!c.properties) byBody.set(hash(c.body), [...(byBody.get(hash(c.body)) ?? []), c.id]);
    const record = (id: number | undefined, end: { outcome: Outcome | 'dead-letter'; reason?: string; message: string }): void => {
      if (id === undefined) throw new Error(`a message nobody sent arrived: ${end.message}`);
      endOf.set(id, [...(endOf.get(id) ?? []), end]);
    };
    const caseOf = (message: AsyncMessage): number | undefined => {
      const tagged = message.headers?.['x-case'];
      if (tagged !== undefined) return Number(tagged);
      const ids = byBody.get(hash(bodyOf(message)));
      return ids?.shift();
    };
    await eventually(
      () => delivered.received.length + deadLetters.received.length >= cases.length,
      `${cases.length} messages to reach an end (delivered ${delivered.received.length}, dead letters ${deadLetters.received.length})`,
      90_000,
    );
    // A little longer, so a message that went to both ends (or twice) would show.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const message of delivered.received) {
      const paymentId = String((JSON.parse(bodyOf(message).toString('utf8')) as { paymentId: string }).paymentId);
      record(Number(paymentId.slice(-12)), { outcome: 'delivered', message: paymentId });
    }
    for (const message of deadLetters.received) {
      const headers = message.headers ?? {};
      record(caseOf(message), {
        outcome: 'dead-letter',
        reason: String(headers['x-pipes-error-class']),
        message: String(headers['x-pipes-error-message']),
      });
    }
    for (const c of cases) {
      const ends = endOf.get(c.id) ?? [];
      const what = `case ${c.id} (${c.contentType ?? 'no content type'}, ${c.properties ? 'with' : 'without'} properties, ${c.body.length} bytes: ${c.body.subarray(0, 60).toString('latin1')})`;
      expect(ends, `${what} must end exactly once`).to.have.length(1);
      const end = ends[0]!;
      if (c.expected === 'delivered') expect(end.outcome, `${what}: ${end.message}`).to.equal('delivered');
      else {
        expect(end.outcome, what).to.equal('dead-letter');
        expect(end.reason, `${what}: ${end.message}`).to.equal(REASON[c.expected]);
        expect(end.message, what).to.be.a('string').and.not.equal('');
      }
    }
    const lost = cases.filter((c) => !endOf.has(c.id));
    expect(lost).to.deep.equal([]);
  });
});

function bodyOf(message: AsyncMessage): Buffer {
  const body: unknown = message.body;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body ?? null));
}

function hash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
