import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Producer } from '../runtime/component.js';
import { setCallSignal } from '../reliability/call-signal.js';
import { Exchange, cloneValue } from '../runtime/exchange.js';
import type { StepContext, StepWork } from './flow-model.js';

/** Exchange properties a step's route can read (never write back: the engine keeps its own copy). */
export const StepProperties = {
  correlationId: 'asyncCorrelationId',
  flowName: 'asyncFlowName',
  step: 'asyncStep',
  attempt: 'asyncAttempt',
  chunk: 'asyncChunk',
} as const;

/**
 * Work done by a producer (`direct:` route, `jsonata:`, `https:` connector): the payload is the body of a
 * fresh exchange carrying the run's correlation id; the body afterwards is the step's output.
 */
export function producerWork(producer: Producer): StepWork {
  return async (payload, context) => {
    const exchange = new Exchange({
      correlationId: context.correlationId,
      body: cloneValue(payload),
      pattern: 'InOut',
      properties: {
        ...context.properties,
        [StepProperties.correlationId]: context.correlationId,
        [StepProperties.flowName]: context.flowName,
        [StepProperties.step]: context.step,
        [StepProperties.attempt]: context.attempt,
        ...(context.chunk ? { [StepProperties.chunk]: context.chunk } : {}),
      },
    });
    // The step's timeout cancels what the producer does (the http producer closes its call's socket).
    if (context.signal) setCallSignal(exchange, context.signal);
    await producer.process(exchange);
    return jsonOutput(exchange.body);
  };
}

/** A `script:` target: `path/to/module.mjs` (default export) or `path/to/module.mjs#name` (named export). */
export interface ScriptTarget {
  file: string;
  exportName?: string;
}

export function parseScriptUri(uri: string, routeFile: string): ScriptTarget {
  const spec = uri.slice('script:'.length);
  const hash = spec.lastIndexOf('#');
  const relative = hash >= 0 ? spec.slice(0, hash) : spec;
  const exportName = hash >= 0 ? spec.slice(hash + 1) : undefined;
  return { file: path.resolve(path.dirname(routeFile), relative), ...(exportName ? { exportName } : {}) };
}

/**
 * Loads a user module and returns its step function. Throws an Error whose message says what is wrong
 * (missing file, failing import, no function exported); the flow builder turns it into a load error.
 */
export async function loadScriptWork(target: ScriptTarget): Promise<StepWork> {
  if (!existsSync(target.file)) throw new Error(`Script module ${target.file} does not exist`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(target.file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Script module ${target.file} does not load: ${(error as Error).message}`);
  }
  const name = target.exportName ?? 'default';
  let candidate = module[name];
  if (candidate === undefined && target.exportName === undefined) {
    const functions = Object.entries(module).filter(([, value]) => typeof value === 'function');
    if (functions.length === 1) candidate = functions[0]![1];
  }
  if (typeof candidate !== 'function') {
    const exported = Object.keys(module).filter((key) => typeof module[key] === 'function');
    throw new Error(
      `Script module ${target.file} has no ${target.exportName ? `function exported as '${target.exportName}'` : 'default export function'}` +
        (exported.length ? ` (it exports: ${exported.join(', ')}; name one with script:<file>#<name>)` : ''),
    );
  }
  const fn = candidate as (payload: unknown, context: StepContext) => unknown;
  // The context (with its abort signal) is frozen: a script cannot change what the engine reads back.
  return async (payload, context) => jsonOutput(await fn(cloneValue(payload), Object.freeze({ ...context, properties: { ...context.properties } })));
}

/** Step outputs travel as JSON: bytes and text that hold JSON become values, `undefined` becomes null. */
export function jsonOutput(value: unknown): unknown {
  if (value === undefined) return null;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return value;
      }
    }
  }
  return value;
}
