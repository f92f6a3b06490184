import { expect } from 'chai';
import fc from 'fast-check';
import { pathProblem } from '../../src/server/request-path.js';

describe('server: one reading of the request path', () => {
  it('refuses every spelling two readers could resolve differently', () => {
    const refused: [string, RegExp][] = [
      ['/admin/dead-letters/x\\..\\..\\..\\metrics', /backslash/],
      ['/admin/x%5c..%5cmetrics', /encoded backslash/],
      ['/admin/x%5C..', /encoded backslash/],
      ['/admin/../metrics', /dot segment/],
      ['/admin/./dead-letters', /dot segment/],
      ['/admin/%2e%2e/metrics', /dot segment/],
      ['/admin/.%2E/metrics', /dot segment/],
      ['/admin/%2e/metrics', /dot segment/],
      ['/admin/%252e%252e/metrics', /double-encoded/],
      ['/admin/x%252fmetrics', /double-encoded/],
      ['/admin/x%255c', /double-encoded/],
      ['/admin/x%2500', /double-encoded/],
      ['//admin/dead-letters', /empty segment/],
      ['/admin//dead-letters', /empty segment/],
      ['/payments%00', /control character/],
      ['/payments%0d%0aSet-Cookie:x', /control character/],
      ['/payments\t', /control character/],
      ['/payments/%E0%A4%A', /percent-encoding/],
      ['/payments/%ff', /percent-encoding/],
      ['http://127.0.0.1/metrics', /origin form/],
      ['*', /origin form/],
    ];
    for (const [target, problem] of refused) expect(pathProblem(target), target).to.match(problem);
  });

  it('accepts ordinary paths, trailing slashes, encoded slashes inside a segment and queries with anything', () => {
    for (const target of [
      '/',
      '/payments',
      '/payments/',
      '/payments/PAY%2F42?expand=refunds',
      '/payments/caf%C3%A9',
      '/reports?x=../..&y=%2e%2e\\',
      '/files/report.v2.json',
      '/a/...',
      '/a/..b',
    ]) {
      expect(pathProblem(target), target).to.equal(undefined);
    }
  });

  it('a path it accepts reads the same to a WHATWG URL (the guard) and as raw text (express)', () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._~%\\-]{1,8}$/),
      fc.constantFrom('.', '..', '%2e', '%2E%2e', '%5c', '%2f', '%252e', '%00', 'metrics', ''),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const target = `/${segments.join('/')}`;
        if (pathProblem(target) !== undefined) return;
        const resolved = new URL(`http://router.invalid${target}`).pathname;
        expect(decodeURIComponent(resolved), target).to.equal(decodeURIComponent(target));
        expect(resolved.split('/').length, target).to.equal(target.split('/').length);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('the shortcut for plain paths answers as the reading segment by segment does', () => {
    // The per-segment reading, as written before plain paths got a shortcut: split, decode, check each.
    const bySegments = (path: string): 'empty' | 'dot' | undefined => {
      const segments = path.slice(1).split('/');
      for (let index = 0; index < segments.length; index++) {
        const decoded = decodeURIComponent(segments[index]!);
        if (decoded === '' && index < segments.length - 1) return 'empty';
        if (decoded === '.' || decoded === '..') return 'dot';
      }
      return undefined;
    };
    const kind = (problem: string | undefined): 'empty' | 'dot' | undefined =>
      problem === undefined
        ? undefined
        : /empty segment/.test(problem)
          ? 'empty'
          : /dot segment/.test(problem)
            ? 'dot'
            : undefined;
    const segment = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:@]{0,6}$/),
      fc.constantFrom('', '.', '..', '...', '.a', 'a.', 'payments'),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), (segments, query) => {
        const path = `/${segments.join('/')}`;
        expect(kind(pathProblem(query ? `${path}?a=../..` : path)), path).to.equal(bySegments(path));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
