import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FlowDocument, LoadDiagnostic, RouteSet, SourceLocation, StepDefinition } from '../runtime/definitions.js';
import { pointerChild } from '../dsl/json-pointer.js';
import { parseDuration } from '../units/duration.js';
import { ASYNC_ENGINE_DIRECT_NAME } from '../components/direct/index.js';
import type { Producer } from '../runtime/component.js';
import { didYouMean } from '../runtime/did-you-mean.js';
import type { JsonSchema } from '../runtime/json-schema.js';
import { ResourceResolver } from '../runtime/resources.js';
import { buildProducerAt } from '../builder/route-builder.js';
import type { RouterServices } from '../runtime/services.js';
import { flowStepQueueName } from '../transport/topology-names.js';
import type { CallbackPolicy, ChunkPolicy, Flow, FlowStep } from './flow-model.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../reliability/retry-policy.js';
import { loadScriptWork, parseScriptUri, producerWork } from './step-work.js';

export const STEP_DEFAULTS = { concurrency: 4, maxQueueLength: 10_000, timeoutMs: 30_000 } as const;
export const CALLBACK_DEFAULTS = {
  timeoutMs: 10_000,
  retry: { maxAttempts: 8, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 300_000, jitter: 0.2 } satisfies RetryPolicy,
} as const;

/** Environment variable holding the callback signing key of flows that do not name one. */
export const CALLBACK_SECRET_ENV = 'PIPES_CALLBACK_SECRET';

export interface BuiltFlows {
  flows: Map<string, Flow>;
  producers: Producer[];
  diagnostics: LoadDiagnostic[];
}

/**
 * Turns the `- flow:` documents into runnable flows, as strictly as routes are built: every step target
 * resolved (producer endpoints validated, `script:` modules imported), input schemas compiled once,
 * names unique. Problems are collected, each at its own line, never stopping at the first.
 */
export async function buildFlows(routeSet: RouteSet, services: RouterServices, env: NodeJS.ProcessEnv = process.env): Promise<BuiltFlows> {
  const diagnostics: LoadDiagnostic[] = [];
  const producers: Producer[] = [];
  const flows = new Map<string, Flow>();
  const schemas = new InputSchemas();
  const resources = new ResourceResolver([services.config.schemasDir, ...services.config.resources]);

  for (const document of routeSet.flows) {
    const at = (pointer: string): SourceLocation => document.locs?.[pointer] ?? document.loc;
    const raw = document.definition;
    const name = typeof raw.name === 'string' ? raw.name : '';
    if (!name) continue;
    const previous = flows.get(name);
    if (previous) {
      diagnostics.push({
        severity: 'error',
        message: `Duplicate flow name \`${name}\`: also defined at ${where(previous.loc)}`,
        loc: at('/name'),
        hint: 'flow names are unique across all route files; rename one of them',
      });
      continue;
    }
    const flow: Flow = {
      name,
      steps: [],
      callback: callbackPolicy(raw.callback, env),
      loc: document.loc,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    };
    if (raw.input !== undefined) {
      const input = inputSchema(raw.input, document, resources, diagnostics);
      if (input) {
        try {
          flow.inputSchema = input;
          flow.validateInput = schemas.compile(input);
        } catch (error) {
          diagnostics.push({
            severity: 'error',
            message: `The input schema of flow \`${name}\` does not compile: ${(error as Error).message}`,
            loc: at('/input'),
            expected: 'a JSON Schema (draft-07 by default; 2019-09 / 2020-12 when `$schema` says so)',
          });
        }
      }
    }
    const steps = Array.isArray(raw.steps) ? (raw.steps as Record<string, unknown>[]) : [];
    const seen = new Map<string, number>();
    for (const [index, step] of steps.entries()) {
      const pointer = pointerChild('/steps', index);
      const stepName = typeof step.name === 'string' ? step.name : `step-${index + 1}`;
      if (seen.has(stepName)) {
        diagnostics.push({
          severity: 'error',
          message: `Duplicate step name \`${stepName}\` in flow \`${name}\` (also step ${seen.get(stepName)! + 1})`,
          loc: at(pointerChild(pointer, 'name')),
          hint: 'step names name their queues, so they are unique within a flow',
        });
        continue;
      }
      seen.set(stepName, index);
      const built = await buildStep(flow, stepName, index, step, document, at, services, diagnostics);
      if (built) {
        flow.steps.push(built.step);
        if (built.producer) producers.push(built.producer);
      }
    }
    flows.set(name, flow);
  }
  diagnostics.push(...flowNameReferences(routeSet, flows));
  return { flows, producers, diagnostics };
}

async function buildStep(
  flow: Flow,
  name: string,
  index: number,
  raw: Record<string, unknown>,
  document: FlowDocument,
  at: (pointer: string) => SourceLocation,
  services: RouterServices,
  diagnostics: LoadDiagnostic[],
): Promise<{ step: FlowStep; producer?: Producer } | undefined> {
  const pointer = pointerChild('/steps', index);
  const uriLoc = at(pointerChild(pointer, 'uri'));
  const uri = typeof raw.uri === 'string' ? raw.uri.trim() : '';
  const durationAt = (key: string, value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    try {
      return parseDuration(value);
    } catch (error) {
      diagnostics.push({ severity: 'error', message: (error as Error).message, loc: at(`${pointer}/${key}`) });
      return fallback;
    }
  };
  const retry = retryPolicy(raw.retry, (key, value, fallback) => durationAt(`retry/${key}`, value, fallback), DEFAULT_RETRY_POLICY);
  const base = {
    name,
    index,
    uri,
    concurrency: typeof raw.concurrency === 'number' ? raw.concurrency : STEP_DEFAULTS.concurrency,
    maxQueueLength: typeof raw.maxQueueLength === 'number' ? raw.maxQueueLength : STEP_DEFAULTS.maxQueueLength,
    timeoutMs: durationAt('timeout', raw.timeout, STEP_DEFAULTS.timeoutMs),
    retry,
    queue: flowStepQueueName(flow.name, name),
    loc: at(pointer),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    ...(chunkPolicy(raw.chunk) ? { chunk: chunkPolicy(raw.chunk)! } : {}),
  };
  if (uri.startsWith('script:')) {
    try {
      const work = await loadScriptWork(parseScriptUri(uri, document.loc.file));
      return { step: { ...base, work } };
    } catch (error) {
      diagnostics.push({
        severity: 'error',
        message: `Step \`${name}\` of flow \`${flow.name}\`: ${(error as Error).message}`,
        loc: uriLoc,
        expected: 'script:<module relative to the route file>[#<exported function>], e.g. script:scripts/score.mjs',
      });
      return undefined;
    }
  }
  if (uri === `direct:${ASYNC_ENGINE_DIRECT_NAME}` || uri.startsWith(`direct:${ASYNC_ENGINE_DIRECT_NAME}?`)) {
    diagnostics.push({
      severity: 'error',
      message: `Step \`${name}\` of flow \`${flow.name}\` hands off to the async engine itself`,
      loc: uriLoc,
      hint: 'a step does its work through a route, a mapping, a connector or a script; start another flow from a route instead',
    });
    return undefined;
  }
  const parameters = raw.parameters && typeof raw.parameters === 'object' ? (raw.parameters as Record<string, unknown>) : {};
  const built = buildProducerAt(services, uri, parameters, uriLoc, { id: `flow-${flow.name}-${name}`, file: document.loc.file });
  diagnostics.push(...built.diagnostics);
  if (!built.producer) return undefined;
  return { step: { ...base, work: producerWork(built.producer) }, producer: built.producer };
}

function retryPolicy(
  raw: unknown,
  duration: (key: string, value: unknown, fallback: number) => number,
  defaults: RetryPolicy,
): RetryPolicy {
  const given = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    maxAttempts: typeof given.maxAttempts === 'number' ? given.maxAttempts : defaults.maxAttempts,
    initialDelayMs: duration('initialDelay', given.initialDelay, defaults.initialDelayMs),
    multiplier: typeof given.multiplier === 'number' ? given.multiplier : defaults.multiplier,
    maxDelayMs: duration('maxDelay', given.maxDelay, defaults.maxDelayMs),
    jitter: typeof given.jitter === 'number' ? given.jitter : defaults.jitter,
  };
}

function chunkPolicy(raw: unknown): ChunkPolicy | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const given = raw as Record<string, unknown>;
  if (typeof given.size !== 'number') return undefined;
  return { size: given.size, ...(typeof given.items === 'string' ? { items: given.items } : {}) };
}

function callbackPolicy(raw: unknown, env: NodeJS.ProcessEnv): CallbackPolicy {
  const given = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const secret = typeof given.secret === 'string' && given.secret ? given.secret : env[CALLBACK_SECRET_ENV] || undefined;
  const duration = (_key: string, value: unknown, fallback: number): number => {
    try {
      return value === undefined ? fallback : parseDuration(value);
    } catch {
      return fallback;
    }
  };
  return {
    ...(secret ? { secret } : {}),
    timeoutMs: duration('timeout', given.timeout, CALLBACK_DEFAULTS.timeoutMs),
    retry: retryPolicy(given.retry, duration, CALLBACK_DEFAULTS.retry),
  };
}

function inputSchema(
  raw: unknown,
  document: FlowDocument,
  resources: ResourceResolver,
  diagnostics: LoadDiagnostic[],
): JsonSchema | undefined {
  if (raw && typeof raw === 'object') return raw as JsonSchema;
  if (typeof raw !== 'string') return undefined;
  const loc = document.locs?.['/input'] ?? document.loc;
  const file = resources.resolve(raw, document.loc.file);
  if (!file) {
    diagnostics.push({
      severity: 'error',
      message: `Input schema '${raw}' not found`,
      loc,
      expected: 'a file in one of: ' + resources.searchPath(document.loc.file).join(', '),
    });
    return undefined;
  }
  try {
    return JSON.parse(resources.read(file)) as JsonSchema;
  } catch (error) {
    diagnostics.push({ severity: 'error', message: `Input schema ${file} is not JSON: ${(error as Error).message}`, loc });
    return undefined;
  }
}

/** One Ajv per JSON Schema dialect (ajv cannot mix 2020-12 with draft-07 in one instance). */
class InputSchemas {
  private readonly instances = new Map<string, Ajv | Ajv2019 | Ajv2020>();

  compile(schema: JsonSchema): ValidateFunction {
    const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
    const dialect = declared.includes('2020-12') ? '2020-12' : declared.includes('2019-09') ? '2019-09' : 'draft-07';
    let ajv = this.instances.get(dialect);
    if (!ajv) {
      const options = { allErrors: true, strict: false };
      ajv = dialect === '2020-12' ? new Ajv2020(options) : dialect === '2019-09' ? new Ajv2019(options) : new Ajv(options);
      addFormatsModule.default(ajv);
      this.instances.set(dialect, ajv);
    }
    // A schema without `$id` may be compiled for several flows; ajv caches by content, so that is free.
    return ajv.compile(schema);
  }
}

/**
 * `setProperty: {name: flowName, constant: x}` in a route names a flow at load time: x must exist, as a
 * `to: direct:x` must have a consumer.
 */
function flowNameReferences(routeSet: RouteSet, flows: Map<string, Flow>): LoadDiagnostic[] {
  const out: LoadDiagnostic[] = [];
  const visit = (steps: readonly StepDefinition[]): void => {
    for (const step of steps) {
      const expression = step.options.expression as { language?: string; expression?: string } | undefined;
      if (
        step.keyword === 'setProperty' &&
        step.options.name === 'flowName' &&
        expression?.language === 'constant' &&
        typeof expression.expression === 'string' &&
        !flows.has(expression.expression)
      ) {
        out.push({
          severity: 'error',
          message: `No flow named \`${expression.expression}\` (set as flowName for direct:${ASYNC_ENGINE_DIRECT_NAME})`,
          loc: step.loc,
          suggestions: didYouMean(expression.expression, [...flows.keys()]),
          expected: `one of the loaded flows: ${[...flows.keys()].sort().join(', ') || '(none)'}`,
        });
      }
      for (const value of Object.values(step.options)) visitNested(value);
    }
  };
  const visitNested = (value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.every(isStep)) visit(value);
      else value.forEach(visitNested);
    } else if (value && typeof value === 'object' && !isStep(value)) {
      for (const child of Object.values(value)) visitNested(child);
    }
  };
  for (const route of routeSet.routes) visit(route.steps);
  return out;
}

function isStep(value: unknown): value is StepDefinition {
  return !!value && typeof value === 'object' && typeof (value as StepDefinition).keyword === 'string' && 'options' in value && 'loc' in value;
}

function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}
