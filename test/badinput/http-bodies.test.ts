/**
 * Bad request bodies, generated (fast-check), at every HTTP door: the payments entry (schema +
 * consumes: application/json), an entry with no schema at all, and the async API start. Each case gets
 * one documented answer (docs/guarantees.md, "Bad input"), never a 500, and the router keeps serving.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { mockEndpoint } from '../../src/components/mock/index.js';
import { MAX_JSON_DEPTH } from '../../src/components/shared/json-body.js';
import {
  BODY_LIMIT,
  CaseCount,
  expectRefusal,
  expectStillServing,
  paymentOracle,
  send,
  startBadInputRouter,
  validPayment,
  type Answer,
} from './support.js';

const RUNS = Number(process.env.BADINPUT_RUNS || 60);
const JSON_TYPE = 'application/json';

describe('bad input: HTTP bodies (generated)', function () {
  this.timeout(60_000);
  let router: Awaited<ReturnType<typeof startBadInputRouter>>;
  let url: (path: string) => string;
  const isValidPayment = paymentOracle();
  const cases = new CaseCount();
  let goodRequests = 0;
  /** 202s of the open entry: each must arrive at its consumer, and nothing refused may. */
  let openAccepted = 0;

  before(async () => {
    router = await startBadInputRouter();
    url = (path) => `${router.baseUrl}${path}`;
  });
  after(async () => {
    cases.print('bad input: HTTP bodies');
    await router?.cleanUp();
  });
  afterEach(async () => {
    await expectStillServing(router.baseUrl, 900_000 + goodRequests++);
  });

  /**
   * Documented for every JSON entry: a `__proto__` key, or a `constructor` object with a `prototype`, anywhere
   * in the document is refused before any schema. (Generated JSON values do contain them now and then.)
   */
  function pollutes(value: unknown): boolean {
    if (!value || typeof value !== 'object') return false;
    const own = (key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);
    if (own('__proto__')) return true;
    const ctor = own('constructor') ? (value as Record<string, unknown>).constructor : undefined;
    if (ctor && typeof ctor === 'object' && 'prototype' in ctor) return true;
    return Object.values(value).some(pollutes);
  }

  /** An open entry takes any JSON document, except the ones no entry takes. */
  function expectOpenAnswer(answer: Answer, document: unknown): void {
    if (pollutes(document)) expectRefusal(answer, 400, 'FORBIDDEN_JSON_KEY');
    else expect(answer.status, answer.text).to.equal(202);
  }

  /** The payments entry's answer to a JSON document: 202 exactly when the independent oracle says valid. */
  function expectPaymentAnswer(answer: Answer, document: unknown): void {
    if (pollutes(document)) {
      expectRefusal(answer, 400, 'FORBIDDEN_JSON_KEY');
    } else if (isValidPayment(document)) {
      expect(answer.status, answer.text).to.equal(202);
      expect(answer.json?.status).to.equal('accepted');
    } else {
      expectRefusal(answer, 400, 'VALIDATION_FAILED');
      expect(answer.json!.errors).to.be.an('array').that.is.not.empty;
    }
  }

  const postPayment = (body: string | Uint8Array, contentType = JSON_TYPE): Promise<Answer> =>
    send(url('/payments'), { body, contentType });
  const postOpen = async (body: string | Uint8Array, contentType = JSON_TYPE): Promise<Answer> => {
    const answer = await send(url('/badinput/open'), { body, contentType });
    if (answer.status === 202) openAccepted++;
    return answer;
  };
  const postStart = (body: string | Uint8Array, contentType = JSON_TYPE): Promise<Answer> =>
    send(url('/async/api/start?flowName=kyc-check'), { body, contentType });

  /** Payments with each field drawn from valid and invalid values, so both answers are exercised. */
  const paymentLike = fc.record(
    {
      paymentId: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      debtor: fc.oneof(
        fc.constant({ name: 'Acme Ltd', iban: 'GB33BUKB20201555555555' }),
        fc.record({ name: fc.string({ maxLength: 80 }), iban: fc.string() }, { requiredKeys: [] }),
      ),
      creditor: fc.oneof(
        fc.constant({ name: 'Globex GmbH', iban: 'DE89370400440532013000' }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      instructedAmount: fc.oneof(
        fc.record({
          amount: fc.double({ min: 0.01, max: 1e9, noNaN: true }),
          currency: fc.constantFrom('EUR', 'GBP', 'USD', 'XX', 'eur'),
        }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      requestedAt: fc.oneof(fc.constant('2026-11-23T10:15:00Z'), fc.string()),
      remittanceInfo: fc.string({ maxLength: 200 }),
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['paymentId', 'debtor', 'creditor', 'instructedAmount', 'requestedAt'] },
  );

  it(`answers ${RUNS} arbitrary JSON documents and ${RUNS} payment-like ones as an independent schema check says`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), paymentLike), async (document) => {
        expectPaymentAnswer(await postPayment(JSON.stringify(document)), document);
        expectOpenAnswer(await postOpen(JSON.stringify(document)), document);
      }),
      { numRuns: cases.add('documents', 2 * RUNS) },
    );
  });

  it(`refuses ${RUNS} truncated or corrupted JSON texts with 400 MALFORMED_JSON (or judges what still parses)`, async () => {
    const corrupted = fc
      .tuple(
        fc.oneof(paymentLike, fc.jsonValue()).map((value) => JSON.stringify(value)),
        fc.nat(),
        fc.constantFrom('truncate', 'insert', 'replace'),
        fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', 'x', ' ', '\u0000', '\u2028', 'NaN'),
      )
      .map(([text, at, how, char]) => {
        const cut = text.length > 1 ? 1 + (at % (text.length - 1)) : 0;
        if (how === 'truncate') return text.slice(0, cut);
        if (how === 'insert') return text.slice(0, cut) + char + text.slice(cut);
        return text.slice(0, cut) + char + text.slice(cut + 1);
      });
    await fc.assert(
      fc.asyncProperty(corrupted, async (text) => {
        let parsed: { value: unknown } | undefined;
        try {
          parsed = { value: JSON.parse(text) };
        } catch {
          parsed = undefined;
        }
        const payment = await postPayment(text);
        const start = await postStart(text);
        const open = await postOpen(text);
        if (!parsed) {
          expectRefusal(payment, 400, 'MALFORMED_JSON');
          expectRefusal(start, 400, 'MALFORMED_JSON');
          expectRefusal(open, 400, 'MALFORMED_JSON');
        } else {
          expectPaymentAnswer(payment, parsed.value);
          expect([202, 400], start.text).to.include(start.status);
          expectOpenAnswer(open, parsed.value);
        }
      }),
      { numRuns: cases.add('corrupted JSON', RUNS) },
    );
  });

  it(`answers ${RUNS} wrong content types with 415 where JSON is required`, async () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9.+-]{0,15}$/);
    const contentType = fc.oneof(
      fc.constantFrom(
        'text/plain',
        'text/json',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'application/problem+json',
        'application/jsonx',
        'application/json-patch',
        '*/*',
        'json',
      ),
      fc.tuple(token, token).map(([type, subtype]) => `${type}/${subtype}`),
    );
    await fc.assert(
      fc.asyncProperty(contentType, paymentLike, async (type, document) => {
        const body = JSON.stringify(document);
        const media = type.split(';')[0]!.trim().toLowerCase();
        const payment = await postPayment(body, type);
        if (media === JSON_TYPE) expectPaymentAnswer(payment, document);
        else expectRefusal(payment, 415, 'UNSUPPORTED_MEDIA_TYPE');
        const start = await postStart(body, type);
        if (media === JSON_TYPE || /^[a-z0-9.-]+\/[a-z0-9.-]+\+json$/.test(media)) {
          expect([202, 400], start.text).to.include(start.status);
        } else expectRefusal(start, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }),
      { numRuns: cases.add('content types', RUNS) },
    );
  });

  it(`refuses ${Math.ceil(RUNS / 3)} bodies above the limit with 413, and judges those just under it`, async () => {
    const size = fc.integer({ min: BODY_LIMIT - 512, max: BODY_LIMIT * 4 });
    await fc.assert(
      fc.asyncProperty(size, fc.boolean(), async (bytes, chunked) => {
        // A JSON document of exactly `bytes` bytes: {"pad":"xxx..."}.
        const text = `{"pad":"${'x'.repeat(Math.max(0, bytes - 10))}"}`;
        const body = (): string | ReadableStream<Uint8Array> => (chunked ? streamOf(text) : text);
        const payment = await send(url('/payments'), { body: body(), contentType: JSON_TYPE });
        const start = await send(url('/async/api/start?flowName=kyc-check'), { body: body(), contentType: JSON_TYPE });
        if (Buffer.byteLength(text) > BODY_LIMIT) {
          expectRefusal(payment, 413, 'PAYLOAD_TOO_LARGE');
          expectRefusal(start, 413, 'PAYLOAD_TOO_LARGE');
        } else {
          expectRefusal(payment, 400, 'VALIDATION_FAILED');
          expectRefusal(start, 400, 'VALIDATION_FAILED');
        }
      }),
      { numRuns: cases.add('huge bodies', Math.ceil(RUNS / 3)) },
    );
  });

  it(`refuses ${RUNS} documents nested deeper than ${MAX_JSON_DEPTH} with 400 JSON_TOO_DEEP`, async () => {
    const nested = fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('array', 'object', 'mixed'))
      .map(([depth, shape]) => {
        let open = '';
        let close = '';
        for (let level = 0; level < depth; level++) {
          const array = shape === 'array' || (shape === 'mixed' && level % 2 === 0);
          open += array ? '[' : '{"a":';
          close = (array ? ']' : '}') + close;
        }
        return { depth, text: `${open}1${close}` };
      })
      .filter(({ text }) => Buffer.byteLength(text) <= BODY_LIMIT);
    await fc.assert(
      fc.asyncProperty(nested, async ({ depth, text }) => {
        const answers = [await postPayment(text), await postOpen(text), await postStart(text)];
        if (depth > MAX_JSON_DEPTH) for (const answer of answers) expectRefusal(answer, 400, 'JSON_TOO_DEEP');
        else {
          expectRefusal(answers[0]!, 400, 'VALIDATION_FAILED');
          expect(answers[1]!.status, answers[1]!.text).to.equal(202);
          expectRefusal(answers[2]!, 400, 'VALIDATION_FAILED');
        }
      }),
      { numRuns: cases.add('deep nesting', RUNS) },
    );
  });

  it(`refuses ${RUNS} documents carrying __proto__ or constructor.prototype anywhere with 400 FORBIDDEN_JSON_KEY`, async () => {
    // A tree with one marker key somewhere, renamed in the text: JSON.stringify itself never writes __proto__.
    const polluted = fc
      .tuple(
        fc.oneof(paymentLike, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }))),
        fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 4 }),
        fc.constantFrom('__proto__', 'constructor'),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([base, path, key, payload]) => {
        const injected = key === '__proto__' ? { polluted: payload ?? 1 } : { prototype: { polluted: payload ?? 1 } };
        const root: Record<string, unknown> = { ...(base as Record<string, unknown>) };
        let node = root;
        for (const step of path) {
          const next: Record<string, unknown> = {};
          node[`k${step}`] = next;
          node = next;
        }
        node.__MARKER__ = injected;
        return JSON.stringify(root).replace('"__MARKER__"', JSON.stringify(key));
      });
    await fc.assert(
      fc.asyncProperty(polluted, async (text) => {
        expectRefusal(await postPayment(text), 400, 'FORBIDDEN_JSON_KEY');
        expectRefusal(await postOpen(text), 400, 'FORBIDDEN_JSON_KEY');
        expectRefusal(await postStart(text), 400, 'FORBIDDEN_JSON_KEY');
      }),
      { numRuns: cases.add('prototype pollution', RUNS) },
    );
  });

  it(`refuses ${RUNS} bodies with bytes that are not UTF-8 with 400 MALFORMED_JSON`, async () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const isUtf8 = (bytes: Uint8Array): boolean => {
      try {
        decoder.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Invalid sequences: lone continuation bytes, truncated multi-byte starts, overlongs, surrogates, 0xFE/0xFF.
    const badBytes = fc
      .oneof(
        fc.uint8Array({ minLength: 1, maxLength: 6 }),
        fc.constantFrom([0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xfe, 0xff], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]).map((b) => Uint8Array.from(b)),
      )
      .filter((bytes) => !isUtf8(bytes));
    const body = fc.tuple(fc.nat(1000), badBytes).map(([n, bytes]) => {
      // Inside a string value of an otherwise valid payment: a lenient decoder would let it through altered.
      const text = JSON.stringify(validPayment(n));
      const at = text.indexOf('Invoice ') + 'Invoice '.length;
      return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]);
    });
    await fc.assert(
      fc.asyncProperty(body, async (bytes) => {
        expectRefusal(await postPayment(bytes), 400, 'MALFORMED_JSON');
        expectRefusal(await postOpen(bytes), 400, 'MALFORMED_JSON');
        expectRefusal(await postStart(bytes), 400, 'MALFORMED_JSON');
      }),
      { numRuns: cases.add('non-UTF-8', RUNS) },
    );
  });

  it('delivered every body the open entry accepted, and nothing it refused', async () => {
    const received = mockEndpoint(router.router.services, 'open-received');
    await received.waitFor(openAccepted, 10_000);
    expect(received.received.length).to.equal(openAccepted);
  });
});

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 16 * 1024) controller.enqueue(bytes.subarray(at, at + 16 * 1024));
      controller.close();
    },
  });
}
