import type { ValidateFunction } from 'ajv';
import type { SourceLocation } from '../runtime/definitions.js';
import type { JsonSchema } from '../runtime/json-schema.js';
import type { RetryPolicy } from '../reliability/retry-policy.js';

/** What a step's work receives besides the payload. The engine owns these; step code only reads them. */
export interface StepContext {
  correlationId: string;
  flowName: string;
  step: string;
  /** 1 = the first attempt of this message. */
  attempt: number;
  /** Additional properties given at start (route exchange properties, API `properties`). */
  properties: Record<string, unknown>;
  /** Set when the step processes one chunk of a split payload. */
  chunk?: { index: number; count: number; offset: number };
  /**
   * Aborted when the step's timeout passes: the work should stop (the http producer closes its call's
   * socket, a script can pass it to fetch). The attempt has failed by then whatever the work does.
   */
  signal?: AbortSignal;
}

/** Does a step's work: resolves with the output payload, rejects with an error (classified for retry). */
export type StepWork = (payload: unknown, context: StepContext) => Promise<unknown>;

export interface ChunkPolicy {
  size: number;
  /** Field of an object payload holding the array; undefined = the payload is the array. */
  items?: string;
}

export interface FlowStep {
  name: string;
  description?: string;
  index: number;
  uri: string;
  work: StepWork;
  concurrency: number;
  maxQueueLength: number;
  timeoutMs: number;
  retry: RetryPolicy;
  chunk?: ChunkPolicy;
  /** The step's work queue. */
  queue: string;
  loc: SourceLocation;
}

export interface CallbackPolicy {
  /** HMAC-SHA256 key; undefined = runs of this flow cannot ask for a callback. */
  secret?: string;
  timeoutMs: number;
  retry: RetryPolicy;
}

export interface Flow {
  name: string;
  description?: string;
  /** The input schema as written (inline or read from its file), for the OpenAPI document. */
  inputSchema?: JsonSchema;
  validateInput?: ValidateFunction;
  steps: FlowStep[];
  callback: CallbackPolicy;
  loc: SourceLocation;
}

/** Counts of a chunked step, and of a run whose last chunked step reported them. */
export interface ChunkCounts {
  attempted: number;
  succeeded: number;
  skipped: number;
  failed: number;
}

/** What happened to a step's message, as flow metrics and observers count it. */
export type FlowStepEventKind =
  'submitted' | 'started' | 'succeeded' | 'failed' | 'retried' | 'dead_lettered';
