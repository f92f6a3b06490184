import type { SourceLocation } from './definitions.js';
import type { JsonSchema } from './json-schema.js';
import type { Processor } from './processor.js';
import type { BuildContext } from './step.js';
import type { RouterServices } from './services.js';
import type { Logger } from '../observability/logger.js';

/** A resolved endpoint: scheme, path part and validated options (URI query + `parameters`, defaults applied). */
export interface Endpoint<O = Record<string, unknown>> {
  scheme: string;
  /** The part after `scheme:` and before `?` (or the path parameter given by name in `parameters`). */
  path: string;
  options: O;
  /** A canonical string for logs and metrics, with secrets left out: `scheme:path?k=v`. */
  uri: string;
  loc: SourceLocation;
}

/** Sends exchanges somewhere (the `to` side). `process` must resolve only when the work is done/confirmed. */
export interface Producer {
  process: Processor;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** What a consumer hands each exchange to: the route, with its error handling in place. */
export interface RouteHandle {
  routeId: string;
  /** Runs the route on the exchange. Rejects when the route failed and nothing handled the error. */
  process: Processor;
  logger: Logger;
}

/** Takes messages in (the `from` side). */
export interface Consumer {
  start(): Promise<void>;
  /** Stops taking new messages and waits for in-flight ones (bounded by the router's drain timeout). */
  stop(): Promise<void>;
  /** What a broker consumer holds now, for the metrics and the admin API. */
  stats?(): ConsumerStats;
  /** Temporarily stop taking messages (an open circuit breaker); messages wait where they are. */
  pause?(): Promise<void>;
  resume?(): Promise<void>;
}

export interface ConsumerStats {
  queues: readonly string[];
  /** Handlers run at once. */
  concurrency: number;
  /** Unacknowledged messages the broker may hand this consumer. */
  prefetch: number;
  /** Messages being handled now. */
  inFlight: number;
  /** Messages delivered and waiting for a free handler. */
  buffered: number;
  paused: boolean;
}

export interface ConsumerContext {
  services: RouterServices;
  route: RouteHandle;
}

/**
 * A component: one URI scheme. Declared once; the DSL schema, `pipes validate`, the loader and the
 * runtime all read this declaration. Adding a scheme means adding a folder under src/components/.
 */
export interface ComponentSpec<O = Record<string, unknown>> {
  scheme: string;
  /** Other schemes that resolve to this component, each with the warning printed at load (e.g. `rabbitmq`). */
  aliases?: { scheme: string; warning?: string; mapOptions?: (options: Record<string, unknown>) => Record<string, unknown> }[];
  /** Camel's syntax line, e.g. `direct:name`. */
  syntax: string;
  /** Name of the path parameter (`name` in `direct:name`), so `uri: direct` + `parameters: {name: x}` works. */
  pathParameter: string;
  /** Whether the path part must be given. */
  pathRequired: boolean;
  summary: string;
  /** JSON Schema `properties` of the endpoint options. Validated at load with type coercion and defaults. */
  options: Record<string, JsonSchema>;
  /** Option names matching these patterns are accepted as free-form (e.g. `^arg\\.queue\\.`). */
  optionPatterns?: Record<string, JsonSchema>;
  createProducer?(endpoint: Endpoint<O>, context: BuildContext): Producer;
  createConsumer?(endpoint: Endpoint<O>, context: ConsumerContext): Consumer;
  /**
   * Called at build time for every route whose `from` uses this component, before anything starts, so
   * cross-route checks (a second consumer for one `direct:` name, a `to: direct:x` with no consumer) are
   * load errors rather than run-time surprises.
   */
  declareConsumer?(endpoint: Endpoint<O>, context: BuildContext): void;
  /**
   * `http`: routes consuming from this component are entered over HTTP (platform-http, rest), so access
   * control requires an RBAC file for them and a `to` of theirs answers the caller. Declared here so a new
   * HTTP-like component is its folder plus one line in the catalog, not an edit of lists elsewhere.
   * `amqp`: routes consuming from this component take broker messages, which `amqp.requireUserId` guards
   * by their `user_id` (spring-rabbitmq).
   */
  entry?: 'http' | 'amqp';
}

/** Whether a route entered through `scheme` is entered over HTTP (see {@link ComponentSpec.entry}). */
export function isHttpEntryScheme(
  registry: { component(scheme: string): { spec: ComponentSpec } | undefined },
  scheme: string,
): boolean {
  return registry.component(scheme)?.spec.entry === 'http';
}

/** Whether a route entered through `scheme` takes broker messages (see {@link ComponentSpec.entry}). */
export function isAmqpEntryScheme(
  registry: { component(scheme: string): { spec: ComponentSpec } | undefined },
  scheme: string,
): boolean {
  return registry.component(scheme)?.spec.entry === 'amqp';
}
