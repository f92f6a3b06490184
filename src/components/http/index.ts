import { HTTP_METHODS } from '../../runtime/endpoint-uri.js';
import type { ComponentSpec, Endpoint, Producer } from '../../runtime/component.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { JsonSchema } from '../../runtime/json-schema.js';
import { HttpOperationFailedError, ServicePipesError } from '../../errors/index.js';
import { type BuildContext } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import { callSignalOf } from '../../reliability/call-signal.js';
import { egressPolicy } from '../../security/egress-policy.js';
import { durationOption } from '../../runtime/duration.js';
import { parseDuration } from '../../units/duration.js';
import { acquirePools, releasePools, send, urlParts, type HttpAnswer } from './http-client.js';
import {
  applyResponse,
  decodeBody,
  encodeBody,
  HTTP_AUTHORIZATION_PROPERTY,
  HTTP_HEADER,
  messageContentType,
  requestHeaders,
} from './message-mapping.js';
import { parseRetryAfter, parseStatusRange, STATUS_RANGE_PATTERN } from './status-range.js';

export { HTTP_AUTHORIZATION_PROPERTY, HTTP_HEADER } from './message-mapping.js';

/**
 * Outbound HTTP(S) to partners (Camel's `http` / `https` producers):
 * `https://host:port/path?httpMethod=POST&connectTimeout=5s&partnerParam=x`.
 *
 * - Options this component knows are read; every other query parameter is sent to the partner.
 * - Method: `httpMethod`, else header `CamelHttpMethod`, else POST when there is a body and GET when not.
 * - Target: header `CamelHttpUri` (an absolute http(s) URL) replaces the endpoint URL unless
 *   `bridgeEndpoint=true`; `CamelHttpPath` is appended and `CamelHttpQuery` replaces the query. The values
 *   an HTTP entry leaves on the message (`CamelHttpUri` = `CamelHttpPath` = the inbound path) describe the
 *   inbound request and are ignored, except with `bridgeEndpoint=true` (a proxy route forwards them).
 * - Egress: the endpoint's own origin is the operator's. A call moved to another origin (by `CamelHttpUri`
 *   or a followed redirect), or made for a `toD` whose scheme or host came from the message, must pass the
 *   egress policy (security/egress-policy.ts: no loopback, private, link-local, reserved addresses unless
 *   allow-listed) and connects to the address that was checked.
 * - Request headers: the message headers, minus `Camel*`, connection headers, the caller's credentials
 *   (Authorization, Proxy-Authorization, Cookie, X-API-Key), which are never passed on, and headers an
 *   HTTP caller sent that the route did not set itself (security/header-boundaries.ts); `X-Correlation-Id`
 *   is the exchange's correlation id. The partner's credentials come from `authBearerToken` /
 *   `authUsername` + `authPassword` (use `{{placeholders}}`) and go only to the endpoint's own origin, or
 *   per message from the exchange property `httpAuthorization` (a full Authorization value).
 * - Body: objects as JSON, text as UTF-8, bytes as they are; none for GET and HEAD.
 * - Answer: the body (JSON parsed when the content type says so), `CamelHttpResponseCode`,
 *   `CamelHttpResponseText` and the partner's headers. A status outside `okStatusCodeRange` with
 *   `throwExceptionOnFailure` (default) fails with HttpOperationFailedException (statusCode, responseBody,
 *   Retry-After): 5xx, 408 and 429 are retryable, other 4xx are not.
 * - Time limits (Camel 4 names): `connectTimeout` (no connection → ConnectException: the partner never got
 *   the request) and `responseTimeout` (whole answer → TimeoutException: it may have been processed).
 *   A circuit breaker's time limit cancels the call too: the socket is closed.
 */
export interface HttpOptions {
  httpMethod?: string;
  throwExceptionOnFailure: boolean;
  okStatusCodeRange: string;
  bridgeEndpoint: boolean;
  connectTimeout: number | string;
  responseTimeout?: number | string;
  soTimeout?: number | string;
  followRedirects: boolean;
  contentType?: string;
  skipRequestHeaders: boolean;
  skipResponseHeaders: boolean;
  authMethod?: 'Basic' | 'Bearer';
  authUsername?: string;
  authPassword?: string;
  authBearerToken?: string;
  [partnerParameter: string]: unknown;
}

const MAX_REDIRECTS = 5;
/** A partner's error body is kept for the error (and dead letters) up to this many characters. */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;
const DURATION_SCHEMAS: JsonSchema[] = [
  { type: 'integer', minimum: 0 },
  { type: 'string', pattern: '^(?:\\d+|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+)$' },
];

const options: Record<string, JsonSchema> = {
  httpMethod: {
    type: 'string',
    enum: [...HTTP_METHODS],
    description: 'The HTTP method; when absent, header CamelHttpMethod, else POST with a body and GET without.',
  },
  throwExceptionOnFailure: {
    type: 'boolean',
    default: true,
    description:
      'Fail with HttpOperationFailedException when the status is outside okStatusCodeRange; when false, the answer becomes the message whatever its status.',
  },
  okStatusCodeRange: {
    type: 'string',
    default: '200-299',
    pattern: STATUS_RANGE_PATTERN,
    description: 'Statuses that count as success, e.g. 200-204,209,301-304.',
  },
  bridgeEndpoint: {
    type: 'boolean',
    default: false,
    description:
      'Proxy mode: ignore header CamelHttpUri and forward the path and query an HTTP entry received (CamelHttpPath, CamelHttpQuery).',
  },
  connectTimeout: durationOption(10_000, 'How long to wait for a connection; failing is a ConnectException (the partner did not get the request).'),
  responseTimeout: {
    description:
      'How long to wait for the whole answer once the call started; failing is a TimeoutException. 0 = no limit. Default 30000. Milliseconds, or a duration such as 500ms, 1s, 2m.',
    anyOf: DURATION_SCHEMAS,
  },
  soTimeout: {
    description: "Camel 3's name for the answer timeout; read when responseTimeout is not given.",
    anyOf: DURATION_SCHEMAS,
  },
  followRedirects: {
    type: 'boolean',
    default: false,
    description: `Follow 301/302/303/307/308 answers (up to ${MAX_REDIRECTS}); credentials are dropped when the redirect leaves the origin, and a redirect to another origin must pass the egress policy.`,
  },
  contentType: { type: 'string', description: 'Content-Type of the request body; default from the body (JSON, text or bytes).' },
  skipRequestHeaders: { type: 'boolean', default: false, description: 'Send no message headers to the partner.' },
  skipResponseHeaders: { type: 'boolean', default: false, description: "Do not copy the partner's answer headers onto the message." },
  authMethod: { type: 'string', enum: ['Basic', 'Bearer'], description: 'Partner authentication; inferred from the other auth options when absent.' },
  authUsername: { type: 'string', description: 'Basic authentication user for the partner.' },
  authPassword: { type: 'string', description: 'Basic authentication password for the partner (use a {{placeholder}}).' },
  authBearerToken: { type: 'string', description: 'Bearer token for the partner (use a {{placeholder}}).' },
};

const KNOWN_OPTIONS = Object.keys(options);

function httpComponentFor(scheme: 'http' | 'https'): ComponentSpec<HttpOptions> {
  return {
    scheme,
    syntax: `${scheme}:httpUri`,
    pathParameter: 'httpUri',
    pathRequired: true,
    summary: `Calls a partner's HTTP API over ${scheme === 'https' ? 'TLS' : 'plain HTTP'}; the answer becomes the message.`,
    options,
    optionPatterns: {
      '^.+$': {
        type: ['string', 'number', 'boolean'],
        description: 'Any other parameter is sent to the partner in the query string.',
      },
    },
    createProducer: (endpoint, context) => httpProducer(scheme, endpoint, context),
  };
}

export const httpComponent = httpComponentFor('http');
export const httpsComponent = httpComponentFor('https');

function httpProducer(scheme: 'http' | 'https', endpoint: Endpoint<HttpOptions>, context: BuildContext): Producer {
  const opts = endpoint.options;
  const base = baseUrl(scheme, endpoint);
  for (const [name, value] of Object.entries(opts)) {
    if (KNOWN_OPTIONS.includes(name)) continue;
    const suggestions = didYouMean(name, KNOWN_OPTIONS);
    if (suggestions.length > 0) {
      context.report({
        severity: 'warning',
        message: `'${name}' is not an option of the ${scheme} component, so it is sent to the partner as a query parameter`,
        loc: endpoint.loc,
        suggestions,
      });
    }
    base.searchParams.append(name, String(value));
  }
  const okStatus = parseStatusRange(opts.okStatusCodeRange);
  const connectTimeoutMs = parseDuration(opts.connectTimeout);
  const responseTimeoutMs = parseDuration(opts.responseTimeout ?? opts.soTimeout ?? DEFAULT_RESPONSE_TIMEOUT_MS);
  const authorization = partnerAuthorization(opts, endpoint);
  const { services } = context;
  const egress = egressPolicy(services);
  const messageSteered = context.messageSteered === true;
  // URL#origin is worked out on every read: the endpoint's once, a message's only when it moved the target.
  const baseOrigin = base.origin;
  const originOf = (url: URL): string => (url === base ? baseOrigin : url.origin);

  return {
    start() {
      acquirePools(services);
      return Promise.resolve();
    },
    stop() {
      releasePools(services);
      return Promise.resolve();
    },
    async process(exchange) {
      let url = targetUrl(base, exchange, opts.bridgeEndpoint);
      let method = methodOf(exchange, opts.httpMethod);
      const encoded = method === 'GET' || method === 'HEAD' ? undefined : encodeBody(exchange.message, opts.contentType ?? messageContentType(exchange));
      const headers = opts.skipRequestHeaders ? {} : requestHeaders(exchange);
      if (encoded) headers['content-type'] = encoded.contentType;
      const perMessage = exchange.properties[HTTP_AUTHORIZATION_PROPERTY];
      // The endpoint's credentials belong to the endpoint's origin: a target moved elsewhere by CamelHttpUri
      // gets none of them. (A per-message credential is the route's own choice, made for this call.)
      const configured = originOf(url) === baseOrigin ? authorization : undefined;
      const credential = typeof perMessage === 'string' && perMessage ? perMessage : configured;
      if (credential) headers.authorization = credential;
      const signal = callSignalOf(exchange);

      let answer: HttpAnswer;
      let body = encoded?.content;
      const first = url;
      for (let redirects = 0; ; redirects++) {
        // The endpoint's own origin is the operator's; any other origin (chosen by message data, a
        // CamelHttpUri set by the route, or a partner's redirect) must pass the egress policy first.
        const steered = messageSteered || originOf(url) !== baseOrigin;
        const pinned = steered ? await egress.target(url, redirects > 0 ? 'redirect' : messageSteered ? 'toD' : 'CamelHttpUri') : undefined;
        answer = await send(services, {
          url,
          method,
          headers,
          body,
          connectTimeoutMs,
          responseTimeoutMs,
          signal,
          displayUrl: displayUrl(url),
          ...(pinned ? { connectTo: { address: pinned.address, family: pinned.family } } : {}),
        });
        const location = answer.headers.location;
        if (!opts.followRedirects || !isRedirect(answer.status) || !location || redirects >= MAX_REDIRECTS) break;
        url = new URL(location, url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') break;
        if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        if (originOf(url) !== originOf(first)) delete headers.authorization;
      }

      const contentType = headerValue(answer.headers['content-type']);
      if (!okStatus(answer.status) && opts.throwExceptionOnFailure) {
        throw new HttpOperationFailedError(
          displayUrl(url),
          answer.status,
          answer.body.toString('utf8').slice(0, MAX_ERROR_BODY_CHARS),
          parseRetryAfter(answer.headers['retry-after']),
        );
      }
      applyResponse(
        exchange,
        { status: answer.status, statusText: answer.statusText, headers: answer.headers, body: decodeBody(answer.body, contentType) },
        { skipResponseHeaders: opts.skipResponseHeaders },
      );
    },
  };
}

function baseUrl(scheme: string, endpoint: Endpoint<HttpOptions>): URL {
  const path = endpoint.path.trim();
  const text = /^https?:\/\//i.test(path) ? path : `${scheme}://${path.replace(/^\/\//, '')}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DefinitionError({
      message: `'${scheme}:${path.replace(/\/\/[^/@]*@/, '//')}' is not a valid URL`,
      loc: endpoint.loc,
      expected: `${scheme}://host[:port]/path`,
      snippet: `to:\n  uri: ${scheme}://partner.example.com/api/payments`,
    });
  }
  if (url.username || url.password) {
    throw new DefinitionError({
      message: `Credentials in an ${scheme} URI would be logged and sent in clear: use the authUsername and authPassword options`,
      loc: endpoint.loc,
      snippet: `to:\n  uri: ${scheme}://${url.host}${url.pathname}\n  parameters:\n    authUsername: "{{partner.user}}"\n    authPassword: "{{partner.password}}"`,
    });
  }
  return url;
}

/**
 * The URL for this message. An HTTP entry leaves `CamelHttpUri` = `CamelHttpPath` = its own (relative) path
 * on the message; those describe the inbound call, so they only count for a bridge (proxy) endpoint.
 */
function targetUrl(base: URL, exchange: Exchange, bridge: boolean): URL {
  const uri = exchange.getHeader(HTTP_HEADER.uri);
  const path = exchange.getHeader(HTTP_HEADER.path);
  const query = exchange.getHeader(HTTP_HEADER.query);
  const fromEntry = typeof uri === 'string' && uri.startsWith('/') && uri === path;
  let url = base;
  if (!bridge && typeof uri === 'string' && /^https?:\/\//i.test(uri)) {
    try {
      url = new URL(uri);
    } catch {
      throw new ServicePipesError('BAD_HTTP_URI', `Header ${HTTP_HEADER.uri} is not a valid URL`, { httpStatus: 500 });
    }
  }
  if (fromEntry && !bridge) return url;
  if (typeof path === 'string' && path !== '') {
    url = new URL(url);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
  }
  if (typeof query === 'string') {
    url = new URL(url);
    url.search = query;
  }
  return url;
}

function methodOf(exchange: Exchange, option: string | undefined): string {
  if (option) return option;
  const header = exchange.getHeader(HTTP_HEADER.method);
  if (typeof header === 'string' && header) {
    const method = header.toUpperCase();
    if (!(HTTP_METHODS as readonly string[]).includes(method)) {
      throw new ServicePipesError('BAD_HTTP_METHOD', `Header ${HTTP_HEADER.method} names an unknown method '${header.slice(0, 20)}'`, {
        httpStatus: 500,
      });
    }
    return method;
  }
  return exchange.message.body === null || exchange.message.body === undefined ? 'GET' : 'POST';
}

function partnerAuthorization(opts: HttpOptions, endpoint: Endpoint<HttpOptions>): string | undefined {
  const method = opts.authMethod ?? (opts.authBearerToken ? 'Bearer' : opts.authUsername ? 'Basic' : undefined);
  if (method === 'Bearer') {
    if (!opts.authBearerToken) throw new DefinitionError({ message: 'authMethod=Bearer needs authBearerToken', loc: endpoint.loc });
    return `Bearer ${opts.authBearerToken}`;
  }
  if (method === 'Basic') {
    if (!opts.authUsername) throw new DefinitionError({ message: 'authMethod=Basic needs authUsername (and authPassword)', loc: endpoint.loc });
    return `Basic ${Buffer.from(`${opts.authUsername}:${opts.authPassword ?? ''}`).toString('base64')}`;
  }
  return undefined;
}

/** Origin and path only: query strings and credentials never reach logs, errors or dead letters. */
export function displayUrl(url: URL): string {
  return urlParts(url).display;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
