import { randomUUID } from 'node:crypto';
import { UnreadJsonMessage } from './unread-json-body.js';

/** Camel's message exchange pattern: InOnly is fire-and-forget, InOut expects a reply. */
export type ExchangePattern = 'InOnly' | 'InOut';

export interface Message {
  /** JSON-like value: object, array, string, number, boolean, null, or a Buffer for raw bytes. */
  body: unknown;
  /** Camel headers. Lookups through {@link Exchange.getHeader} are case-insensitive, as in Camel. */
  headers: Record<string, unknown>;
}

/**
 * One message exchange travelling through a route (Camel's Exchange; not a RabbitMQ exchange).
 * `properties` are route-local and never sent anywhere; headers travel with the message.
 */
export class Exchange {
  readonly exchangeId: string;
  correlationId: string;
  message: Message;
  properties: Record<string, unknown>;
  variables: Record<string, unknown>;
  pattern: ExchangePattern;
  /** The error currently being handled (set by error handlers / doCatch, read by `${exception.*}`). */
  error?: Error;
  /** Set by the `stop` EIP: the rest of the route is skipped and the exchange completes successfully. */
  stopped = false;
  /** Route that created this exchange (for logs and `${routeId}`). */
  routeId?: string;
  /** Where the exchange came from, e.g. `platform-http:/payments`. */
  fromEndpoint?: string;
  readonly createdAt: number;
  /**
   * Lower-case names of the headers an HTTP entry took from its caller's request that the route has not
   * set since. Routes read them like any header, but they describe the caller's request, not the message:
   * producers do not send them on (to the broker or a partner) unless the route sets them itself.
   */
  callerHeaders: Set<string> | undefined;
  /**
   * The message's identity from its first hop on: the AMQP message-id it was consumed with (or the id the
   * router gave it), or the id an HTTP entry derived from the caller's Idempotency-Key. What the route
   * publishes carries it as message-id (parts of a split or multicast with their index appended), so a
   * redelivered message is recognised as the same one at every later hop. Copies keep it.
   */
  messageId: string | undefined;

  constructor(init: Partial<Pick<Exchange, 'correlationId' | 'properties' | 'variables' | 'pattern' | 'routeId' | 'fromEndpoint'>> & {
    body?: unknown;
    headers?: Record<string, unknown>;
    exchangeId?: string;
  } = {}) {
    this.exchangeId = init.exchangeId ?? randomUUID();
    this.correlationId = init.correlationId ?? this.exchangeId;
    // Copied only when given: an exchange per consumed message would otherwise spread three empty objects.
    this.message = { body: init.body ?? null, headers: init.headers ? { ...init.headers } : {} };
    this.properties = init.properties ? { ...init.properties } : {};
    this.variables = init.variables ? { ...init.variables } : {};
    this.pattern = init.pattern ?? 'InOnly';
    this.routeId = init.routeId;
    this.fromEndpoint = init.fromEndpoint;
    this.createdAt = Date.now();
    this.callerHeaders = undefined;
    this.messageId = undefined;
  }

  get body(): unknown {
    return this.message.body;
  }
  set body(value: unknown) {
    this.message.body = value;
  }

  /** Case-insensitive header lookup: exact name first, then any case variant. */
  getHeader(name: string): unknown {
    const headers = this.message.headers;
    if (Object.prototype.hasOwnProperty.call(headers, name)) return headers[name];
    const lower = name.toLowerCase();
    // Only names of the same length are case variants (as with Java's equalsIgnoreCase): most keys are
    // skipped without lower-casing them.
    // for-in, not Object.keys: a lookup that misses (most do) allocates no array of names per call.
    for (const key in headers)
      if (key.length === name.length && key.toLowerCase() === lower && Object.prototype.hasOwnProperty.call(headers, key)) return headers[key];
    return undefined;
  }

  /** Sets a header, replacing any case variant so one logical header never appears twice. */
  setHeader(name: string, value: unknown): void {
    this.removeHeader(name);
    this.message.headers[name] = value;
  }

  /** Whether header `name` is still the one an HTTP caller sent (see {@link callerHeaders}). */
  isCallerHeader(name: string): boolean {
    const caller = this.callerHeaders;
    return caller !== undefined && caller.size > 0 && caller.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    const headers = this.message.headers;
    const lower = name.toLowerCase();
    // Set or removed by the route: from now on it is the route's header, not the caller's.
    this.callerHeaders?.delete(lower);
    // Deleting the key being visited is safe in for-in; names not visited yet are still visited.
    for (const key in headers)
      if (key.length === name.length && key.toLowerCase() === lower && Object.prototype.hasOwnProperty.call(headers, key)) delete headers[key];
  }

  /**
   * A copy for split parts, multicast branches and wire taps: its own id, the same correlation id,
   * and copies of body, headers, properties and variables so one branch cannot change another.
   * `shareBody`: the copy holds the same body value instead of a deep copy (the caller knows no step
   * changes it in place). A consumed JSON body no step has read stays unread in the copy either way.
   */
  copy(options: { body?: unknown; keepId?: boolean; shareBody?: boolean } = {}): Exchange {
    const copy = new Exchange({
      exchangeId: options.keepId ? this.exchangeId : undefined,
      correlationId: this.correlationId,
      pattern: this.pattern,
      routeId: this.routeId,
      fromEndpoint: this.fromEndpoint,
    });
    // Assigned rather than passed in: the constructor would copy each of them once more.
    const source = this.message;
    const headers = cloneHeaders(source.headers);
    if ('body' in options) copy.message = { body: options.body ?? null, headers };
    // Reading the body to copy it would parse it: the copy gets the same unread bytes instead.
    else if (source instanceof UnreadJsonMessage && source.unreadBytes !== undefined) copy.message = source.withHeaders(headers);
    else copy.message = { body: (options.shareBody ? source.body : cloneValue(source.body)) ?? null, headers };
    copy.properties = { ...this.properties };
    copy.variables = { ...this.variables };
    copy.error = this.error;
    if (this.callerHeaders) copy.callerHeaders = new Set(this.callerHeaders);
    copy.messageId = this.messageId;
    return copy;
  }
}

/** Header values are mostly strings and numbers: only object values need a deep copy. */
function cloneHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    copy[key] = value !== null && typeof value === 'object' ? cloneValue(value) : value;
  }
  return copy;
}

/** Deep copy of a JSON-like value; Buffers are copied, anything structuredClone cannot handle is shared. */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
