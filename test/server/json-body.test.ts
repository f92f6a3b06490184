/** Finding 11 of issue 16: a polluting key is refused however the JSON text spells it. */
import { expect } from 'chai';
import fc from 'fast-check';
import { hasPollutingKey, parseJsonBody } from '../../src/components/shared/json-body.js';
import { HttpRequestError } from '../../src/errors/index.js';

/** The key with each character written literally or as a \uXXXX escape (either case of hex digits). */
const spelling = (key: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      ...[...key].map((c) =>
        fc.constantFrom(
          c,
          `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
          `\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`,
        ),
      ),
    )
    .map((parts) => parts.join(''));

const refusedCode = (text: string): string | undefined => {
  try {
    parseJsonBody(Buffer.from(text, 'utf8'));
    return undefined;
  } catch (error) {
    return error instanceof HttpRequestError ? error.code : 'other';
  }
};

describe('server: JSON body polluting keys (issue 16 #11)', () => {
  it('refuses {"\\u005f_proto__": ...} like the literal spelling', () => {
    expect(refusedCode('{"__proto__": {"polluted": 1}}')).to.equal('FORBIDDEN_JSON_KEY');
    expect(refusedCode('{"\\u005f_proto__": {"polluted": 1}}')).to.equal('FORBIDDEN_JSON_KEY');
    expect(refusedCode('{"a": [{"constru\\u0063tor": {"prototype": {"x": 1}}}]}')).to.equal(
      'FORBIDDEN_JSON_KEY',
    );
  });

  it('refuses every escape spelling of __proto__ and constructor.prototype, nested anywhere', () => {
    fc.assert(
      fc.property(
        spelling('__proto__'),
        spelling('constructor'),
        spelling('prototype'),
        fc.nat(5),
        (proto, ctor, prototype, depth) => {
          const wrap = (inner: string): string => '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
          expect(refusedCode(wrap(`{"${proto}": {"polluted": 1}}`))).to.equal('FORBIDDEN_JSON_KEY');
          expect(refusedCode(wrap(`{"${ctor}": {"${prototype}": {"polluted": 1}}}`))).to.equal(
            'FORBIDDEN_JSON_KEY',
          );
        },
      ),
      { numRuns: 300 },
    );
    expect(refusedCode('{"proto": 1, "constructor": "text"}')).to.equal(undefined);
  });

  it('looks at the text first only where that cannot miss: the verdict equals a walk over every document', () => {
    const key = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', '__pro\\/to__', 'a', 'caf\\u00e9'),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(1, 'text', null, true),
        fc.array(tie('node'), { maxLength: 3 }),
        fc
          .array(fc.tuple(key, tie('node')), { maxLength: 3 })
          .map(
            (pairs) =>
              `{${pairs.map(([k, v]) => `"${k}":${typeof v === 'string' && v.startsWith('{') ? v : JSON.stringify(v)}`).join(',')}}`,
          ),
      ),
    })).node;
    let pollutedSeen = 0;
    fc.assert(
      fc.property(value, (document) => {
        const text =
          typeof document === 'string' && document.startsWith('{') ? document : JSON.stringify(document);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return;
        }
        const polluted = hasPollutingKey(parsed);
        if (polluted) pollutedSeen++;
        expect(refusedCode(text) === 'FORBIDDEN_JSON_KEY', text).to.equal(polluted);
      }),
      { numRuns: 2000, seed: 5 },
    );
    // The documents include polluted ones, so the comparison can fail.
    expect(pollutedSeen).to.be.greaterThan(20);
  });
});
