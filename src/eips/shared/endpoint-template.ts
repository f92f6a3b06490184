import type { SourceLocation } from '../../runtime/definitions.js';
import { tokenizeTemplate } from '../../languages/simple/tokenizer.js';
import { ServicePipesError } from '../../errors/index.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { BuildContext } from '../../runtime/step.js';
import { asText } from './sync-processor.js';

/**
 * The URI of a `toD` (or a dynamic `wireTap`): a simple template whose values come from the message. Each
 * value is encoded for the part of the URI it lands in, decided from the template's literal text once:
 *
 * - path, query and fragment: percent-encoded (`/ ? # & = % ( ) ! * '` too), so a value can neither add a
 *   path segment, start the query, set an endpoint option (`x?httpMethod=DELETE`) nor end one (`RAW(`);
 *   a path that ends up with a `.` or `..` segment (in any spelling WHATWG URLs read as one, `%2e%2e`)
 *   is refused, so nothing climbs out of the operator's path;
 * - scheme: a bare scheme name only; host and port: host-name characters only (no `@`, `/`, `%`). Both
 *   mean the message picks where the call goes, so the producers made for it apply the egress policy.
 *
 * A value that cannot be placed is refused (400 BAD_ENDPOINT_VALUE) before any producer is resolved.
 */
export type UriPart = 'scheme' | 'authority' | 'path' | 'query' | 'fragment';

export interface EndpointTemplate {
  compute(exchange: Exchange): Promise<string>;
  /** A value lands in the scheme or the host: the target is the message's choice. */
  messageSteered: boolean;
  /** Where each value lands, in order (for tests and docs). */
  parts: readonly UriPart[];
}

type Piece = { kind: 'text'; text: string } | { kind: 'value'; part: UriPart; evaluate: (exchange: Exchange) => unknown };

const SCHEME_VALUE = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const AUTHORITY_VALUE = /^[A-Za-z0-9._~\-:[\]]+$/;
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

export function compileEndpointTemplate(template: string, context: BuildContext, loc: SourceLocation): EndpointTemplate {
  const pieces: Piece[] = [];
  const parts: UriPart[] = [];
  let state = new UriScanner();
  for (const token of tokenizeTemplate(template)) {
    if (token.kind === 'text') {
      pieces.push({ kind: 'text', text: token.text });
      state = state.after(token.text);
      continue;
    }
    const evaluate = context.compileExpression({ language: 'simple', expression: template.slice(token.index, token.end), options: {}, loc });
    const part = state.part();
    parts.push(part);
    pieces.push({ kind: 'value', part, evaluate });
    state = state.afterValue();
    // A scheme value holds no ':' and a host value no '/', '?' or '#': the literal text alone moves the scanner.
  }
  const hasPathValue = parts.includes('path');
  return {
    messageSteered: parts.includes('scheme') || parts.includes('authority'),
    parts,
    async compute(exchange) {
      let uri = '';
      for (const piece of pieces) {
        if (piece.kind === 'text') uri += piece.text;
        else uri += placed(piece.part, asText(await piece.evaluate(exchange)), template);
      }
      if (hasPathValue) refuseDotSegments(uri, template);
      return uri;
    },
  };
}

/** A lone UTF-16 surrogate (no UTF-8 form, so encodeURIComponent would throw on it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Percent-encodes everything but unreserved characters (RFC 3986 §2.3); a lone surrogate becomes U+FFFD. */
export function encodeUriValue(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function placed(part: UriPart, value: string, template: string): string {
  if (part === 'scheme') {
    if (value === '' || SCHEME_VALUE.test(value)) return value;
    throw refused(template, 'scheme', 'a scheme name (letters, digits, + . -)');
  }
  if (part === 'authority') {
    if (value === '' || AUTHORITY_VALUE.test(value)) return value;
    throw refused(template, 'host', 'a host name or address (letters, digits, . - : [ ])');
  }
  return encodeUriValue(value);
}

function refuseDotSegments(uri: string, template: string): void {
  const colon = uri.indexOf(':');
  let rest = colon < 0 ? uri : uri.slice(colon + 1);
  const end = rest.search(/[?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
  if (rest.split('/').some((segment) => DOT_SEGMENT.test(segment))) {
    throw refused(template, 'path', 'a path segment other than . or ..');
  }
}

function refused(template: string, part: string, expected: string): ServicePipesError {
  return new ServicePipesError(
    'BAD_ENDPOINT_VALUE',
    `A value for the ${part} of the endpoint '${template.split('?')[0]}' was refused: it must be ${expected}`,
    { httpStatus: 400, retryable: false },
  );
}

/**
 * Follows a URI's literal text part by part: `scheme:` then `//authority`, path, `?query`, `#fragment`.
 * For http(s) the host starts right after `scheme:` whether or not `//` follows (the component accepts
 * `http:host/path`), and a scheme that is itself a value is treated the same way.
 */
class UriScanner {
  constructor(
    private readonly current: UriPart | 'afterScheme' | 'afterSchemeSlash' = 'scheme',
    private readonly scheme = '',
    private readonly schemeIsValue = false,
  ) {}

  private get hostFollowsScheme(): boolean {
    return this.schemeIsValue || /^https?$/i.test(this.scheme);
  }

  part(): UriPart {
    if (this.current === 'afterScheme' || this.current === 'afterSchemeSlash') return this.hostFollowsScheme ? 'authority' : 'path';
    return this.current;
  }

  /** The scanner once a value was placed (a value in the scheme makes the scheme the message's choice). */
  afterValue(): UriScanner {
    return this.current === 'scheme' ? new UriScanner('scheme', this.scheme, true) : this;
  }

  after(text: string): UriScanner {
    let state = this.current;
    let scheme = this.scheme;
    for (const char of text) {
      switch (state) {
        case 'scheme':
          if (char === ':') state = 'afterScheme';
          else scheme += char;
          break;
        case 'afterScheme':
        case 'afterSchemeSlash': {
          const host = this.schemeIsValue || /^https?$/i.test(scheme);
          if (char === '/' && state === 'afterScheme') state = 'afterSchemeSlash';
          else if (char === '/') state = 'authority';
          else if (char === '?') state = 'query';
          else if (char === '#') state = 'fragment';
          else state = host ? 'authority' : 'path';
          break;
        }
        case 'authority':
          if (char === '/') state = 'path';
          else if (char === '?') state = 'query';
          else if (char === '#') state = 'fragment';
          break;
        case 'path':
          if (char === '?') state = 'query';
          else if (char === '#') state = 'fragment';
          break;
        case 'query':
          if (char === '#') state = 'fragment';
          break;
        case 'fragment':
          break;
      }
    }
    return new UriScanner(state, scheme, this.schemeIsValue);
  }
}
