import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { components } from '../../src/components/index.js';
import { defaultConfig, type RouterConfig } from '../../src/config.js';
import type { LoadDiagnostic, SourceLocation } from '../../src/runtime/definitions.js';
import { createLogger } from '../../src/observability/logger.js';
import type {
  ComponentSpec,
  Consumer,
  Endpoint,
  Producer,
  RouteHandle,
} from '../../src/runtime/component.js';
import { displayUri, parseEndpointUri } from '../../src/runtime/endpoint-uri.js';
import { EndpointOptionsValidator } from '../../src/runtime/endpoint-options.js';
import { pipeline, type Processor } from '../../src/runtime/processor.js';
import { Registry } from '../../src/runtime/registry.js';
import { ResourceResolver } from '../../src/runtime/resources.js';
import type { RouterServices } from '../../src/runtime/services.js';
import { type BuildContext } from '../../src/runtime/step.js';
import { DefinitionError } from '../../src/errors/index.js';
import { StateStore } from '../../src/state/index.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/components');
/** The route file the test context pretends to build: resources resolve against its folder first. */
export const ROUTE_FILE = path.join(FIXTURES, 'routes.yaml');

export function loc(pathText = 'test'): SourceLocation {
  return { file: ROUTE_FILE, line: 1, col: 1, path: pathText };
}

/** The JSON log lines written so far. */
export interface LogCapture {
  lines(): Record<string, unknown>[];
}

/**
 * A minimal BuildContext for component tests: real option validation (the builder's), real resource
 * resolution over test/fixtures/components (+ schemas/), real services; expressions and steps are not
 * available (component tests do not need them).
 */
export class TestBuild {
  readonly services: RouterServices;
  readonly diagnostics: LoadDiagnostic[] = [];
  readonly log: LogCapture;
  readonly context: BuildContext;
  private readonly checks: (() => void)[] = [];
  private readonly validator = new EndpointOptionsValidator();

  constructor(
    config: Partial<RouterConfig> = {},
    readonly routeId = 'test-route',
  ) {
    const stream = new PassThrough();
    const raw: string[] = [];
    stream.on('data', (chunk: Buffer) => raw.push(chunk.toString('utf8')));
    this.log = {
      lines: () =>
        raw
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>),
    };
    const registry = new Registry();
    for (const spec of components) registry.addComponent(spec);
    this.services = {
      config: { ...defaultConfig({}), schemasDir: path.join(FIXTURES, 'schemas'), ...config },
      logger: createLogger({ level: 'debug', stream }),
      registry,
      transport: () => {
        throw new Error('component tests use no transport');
      },
      state: StateStore.create(),
    };
    const resolver = new ResourceResolver(
      [this.services.config.schemasDir, ...this.services.config.resources],
      FIXTURES,
    );
    const unsupported = (what: string) => () => {
      throw new Error(`${what} is not available in component tests`);
    };
    this.context = {
      routeId,
      file: ROUTE_FILE,
      services: this.services,
      logger: this.services.logger.child({ routeId }),
      compileExpression: unsupported('compileExpression'),
      compilePredicate: unsupported('compilePredicate'),
      compileSteps: unsupported('compileSteps'),
      producer: (uri, parameters) => this.producer(uri, parameters),
      dynamicProducer: unsupported('dynamicProducer'),
      resolveResource: (uri, where) => {
        const found = resolver.resolve(uri, ROUTE_FILE);
        if (!found) throw new DefinitionError({ message: `Resource '${uri}' not found`, loc: where });
        return found;
      },
      readResource: (uri, where) => resolver.read(this.context.resolveResource(uri, where)),
      report: (diagnostic) => this.diagnostics.push(diagnostic),
      afterBuild: (check) => this.checks.push(check),
    };
  }

  /** Parses and validates an endpoint URI exactly as the route builder does; throws on invalid options. */
  endpoint<O = Record<string, unknown>>(
    uri: string,
    parameters: Record<string, unknown> = {},
  ): { spec: ComponentSpec<O>; endpoint: Endpoint<O> } {
    const parsed = parseEndpointUri(uri);
    const found = this.services.registry.component(parsed.scheme);
    if (!found) throw new Error(`unknown scheme ${parsed.scheme}`);
    const { spec } = found;
    const merged: Record<string, unknown> = { ...parsed.query, ...parameters };
    const endpointPath = parsed.path || String((merged[spec.pathParameter] as string | undefined) ?? '');
    delete merged[spec.pathParameter];
    const { options, problems } = this.validator.validate(spec, parsed.scheme, merged);
    if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
    return {
      spec: spec as unknown as ComponentSpec<O>,
      endpoint: {
        scheme: spec.scheme,
        path: endpointPath,
        options: options as O,
        uri: displayUri(parsed.scheme, endpointPath, options),
        loc: loc(uri),
      },
    };
  }

  producer(uri: string, parameters: Record<string, unknown> = {}): Producer {
    const { spec, endpoint } = this.endpoint(uri, parameters);
    return spec.createProducer!(endpoint, this.context);
  }

  /** What the builder does for a `from:` at load: its declareConsumer hook. */
  declareConsumer(uri: string, parameters: Record<string, unknown> = {}): void {
    const { spec, endpoint } = this.endpoint(uri, parameters);
    spec.declareConsumer?.(endpoint, this.context);
  }

  consumer(uri: string, route: RouteHandle, parameters: Record<string, unknown> = {}): Consumer {
    const { spec, endpoint } = this.endpoint(uri, parameters);
    return spec.createConsumer!(endpoint, { services: this.services, route });
  }

  /** Runs the after-build checks, as the builder does once every route is built; returns the diagnostics. */
  finish(): LoadDiagnostic[] {
    for (const check of this.checks.splice(0)) check();
    return this.diagnostics;
  }

  /** A route handle running the given processors (producers' `process`) in order. */
  route(routeId: string, ...processors: Processor[]): RouteHandle {
    return { routeId, process: pipeline(processors), logger: this.services.logger.child({ routeId }) };
  }
}
