import { PassThrough } from 'node:stream';
import type {
  ExpressionDefinition,
  LoadDiagnostic,
  SourceLocation,
  StepDefinition,
} from '../../src/runtime/definitions.js';
import type { CompiledExpression, CompiledPredicate } from '../../src/runtime/language.js';
import type { Producer } from '../../src/runtime/component.js';
import { Exchange, cloneValue, type ExchangePattern } from '../../src/runtime/exchange.js';
import { pipeline, type Processor } from '../../src/runtime/processor.js';
import { Registry } from '../../src/runtime/registry.js';
import type { RouterServices } from '../../src/runtime/services.js';
import { type BuildContext } from '../../src/runtime/step.js';
import { DefinitionError } from '../../src/errors/index.js';
import { ServicePipesError } from '../../src/errors/index.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { defaultConfig } from '../../src/config.js';
import { steps } from '../../src/eips/index.js';
import { asText } from '../../src/eips/shared/sync-processor.js';
import { StateStore } from '../../src/state/index.js';

/**
 * A BuildContext for EIP tests that does not depend on the real languages, loader or components:
 * - language `js`: the expression text names a function in `functions`;
 * - language `simple`: a tiny template engine (`${body}`, `${header.x}`, `${exchangeProperty.x}`,
 *   `${variable.x}`, `${exception.message}`, `${routeId}`, `${exchangeId}`) for URIs and log messages;
 * - `mock:name` endpoints record what they receive (and can reply); `fail:name` endpoints throw `failures[name]`.
 */
export class FakeContext implements BuildContext {
  readonly routeId = 'test-route';
  readonly file = 'routes/test.yaml';
  readonly services: RouterServices;
  readonly logger: Logger;
  readonly diagnostics: LoadDiagnostic[] = [];
  readonly functions = new Map<string, (exchange: Exchange) => unknown>();
  readonly mocks = new Map<string, MockEndpoint>();
  readonly failures = new Map<string, () => unknown>();
  /** Every URI a static or dynamic producer was resolved for, in order. */
  readonly resolved: string[] = [];
  private readonly logStream = new PassThrough();
  private readonly rawLog: string[] = [];

  constructor() {
    this.logStream.on('data', (chunk: Buffer) => this.rawLog.push(chunk.toString('utf8')));
    this.logger = createLogger({ level: 'silly', stream: this.logStream });
    const registry = new Registry();
    for (const spec of steps) registry.addStep(spec);
    this.services = {
      config: defaultConfig({}),
      logger: this.logger,
      registry,
      transport: () => {
        throw new Error('no transport in EIP tests');
      },
      state: StateStore.create(),
    };
  }

  /** Parsed log lines written so far. */
  get logLines(): Record<string, unknown>[] {
    return this.rawLog
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  fn(name: string, implementation: (exchange: Exchange) => unknown): this {
    this.functions.set(name, implementation);
    return this;
  }

  mock(name: string): MockEndpoint {
    let mock = this.mocks.get(name);
    if (!mock) {
      mock = new MockEndpoint(name);
      this.mocks.set(name, mock);
    }
    return mock;
  }

  /** Builds a pipeline from step definitions, as the route builder would. */
  build(definitions: StepDefinition[]): Processor {
    return this.compileSteps(definitions);
  }

  /** Builds the steps and runs one exchange through them. */
  async run(
    definitions: StepDefinition[],
    init: ConstructorParameters<typeof Exchange>[0] = {},
  ): Promise<Exchange> {
    const exchange = new Exchange({ routeId: this.routeId, ...init });
    await this.build(definitions)(exchange);
    return exchange;
  }

  compileExpression(definition: ExpressionDefinition): CompiledExpression {
    if (definition.language === 'js') {
      const implementation = this.functions.get(definition.expression);
      if (!implementation) throw new Error(`test function '${definition.expression}' is not registered`);
      return implementation;
    }
    if (definition.language === 'simple') return simpleTemplate(definition.expression);
    throw new Error(`fake context has no language '${definition.language}'`);
  }

  compilePredicate(definition: ExpressionDefinition): CompiledPredicate {
    const expression = this.compileExpression(definition);
    return async (exchange) => Boolean(await expression(exchange));
  }

  compileSteps(definitions: readonly StepDefinition[] | undefined): Processor {
    const processors: Processor[] = [];
    for (const definition of definitions ?? []) {
      if (definition.disabled) continue;
      const spec = this.services.registry.steps.get(definition.keyword);
      if (!spec) throw new Error(`no EIP '${definition.keyword}'`);
      processors.push(spec.create(definition, this));
    }
    return pipeline(processors);
  }

  producer(uri: string, parameters: Record<string, unknown> | undefined, loc: SourceLocation): Producer {
    this.resolved.push(uri);
    const [scheme, rest = ''] = splitOnce(uri, ':');
    const name = splitOnce(rest, '?')[0];
    if (scheme === 'mock') return this.mock(name).producer(parameters);
    if (scheme === 'fail') {
      return {
        process: async () => {
          const make = this.failures.get(name);
          throw make ? make() : new Error(`fail:${name}`);
        },
      };
    }
    throw new DefinitionError({ message: `unknown component '${scheme}'`, loc });
  }

  dynamicProducer(loc: SourceLocation): (uri: string) => Promise<Producer> {
    const cache = new Map<string, Producer>();
    return async (uri) => {
      let producer = cache.get(uri);
      if (!producer) {
        try {
          producer = this.producer(uri, undefined, loc);
        } catch (error) {
          throw new ServicePipesError('BAD_ENDPOINT', (error as Error).message);
        }
        cache.set(uri, producer);
      }
      return producer;
    };
  }

  resolveResource(uri: string): string {
    throw new Error(`no resources in EIP tests (${uri})`);
  }

  readResource(uri: string): string {
    throw new Error(`no resources in EIP tests (${uri})`);
  }

  report(diagnostic: LoadDiagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  afterBuild(): void {}
}

/** What a mock endpoint saw, copied at the moment it arrived. */
export interface Received {
  exchangeId: string;
  correlationId: string;
  body: unknown;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  pattern: ExchangePattern;
  parameters?: Record<string, unknown>;
}

export class MockEndpoint {
  readonly received: Received[] = [];
  /** Runs after recording; may set a reply on the exchange or throw. */
  reply?: (exchange: Exchange) => unknown;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly name: string) {}

  producer(parameters?: Record<string, unknown>): Producer {
    return {
      process: async (exchange) => {
        this.received.push({
          exchangeId: exchange.exchangeId,
          correlationId: exchange.correlationId,
          body: cloneValue(exchange.body),
          headers: cloneValue(exchange.message.headers),
          properties: { ...exchange.properties },
          pattern: exchange.pattern,
          parameters,
        });
        this.waiters = this.waiters.filter((waiter) => {
          if (this.received.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
        if (this.reply) await this.reply(exchange);
      },
    };
  }

  get bodies(): unknown[] {
    return this.received.map((r) => r.body);
  }

  /** Resolves once `count` exchanges have arrived (for fire-and-forget sends). */
  async waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return;
    await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
  }
}

export const testLoc: SourceLocation = {
  file: 'routes/test.yaml',
  line: 1,
  col: 1,
  path: '[0].route.from.steps[0]',
};

export function step(
  keyword: string,
  options: Record<string, unknown> = {},
  extra: Partial<StepDefinition> = {},
): StepDefinition {
  return { keyword, options, loc: testLoc, ...extra };
}

/** An expression naming a test function registered with `FakeContext.fn`. */
export function js(name: string): ExpressionDefinition {
  return { language: 'js', expression: name, options: {}, loc: testLoc };
}

/** Waits until every callback queued so far (setImmediate, promise jobs) has run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

function simpleTemplate(template: string): CompiledExpression {
  const resolve = (path: string, exchange: Exchange): unknown => {
    if (path === 'body') return exchange.body;
    if (path === 'routeId') return exchange.routeId;
    if (path === 'exchangeId') return exchange.exchangeId;
    if (path === 'exception.message') return exchange.error?.message;
    const [kind, name = ''] = splitOnce(path, '.');
    if (kind === 'header') return exchange.getHeader(name);
    if (kind === 'exchangeProperty') return exchange.properties[name];
    if (kind === 'variable') return exchange.variables[name];
    throw new Error(`fake simple cannot evaluate \${${path}}`);
  };
  const whole = /^\$\{([^}]+)\}$/.exec(template);
  if (whole) return (exchange) => resolve(whole[1]!, exchange);
  return (exchange) =>
    template.replace(/\$\{([^}]+)\}/g, (_, path: string) => asText(resolve(path, exchange)));
}
