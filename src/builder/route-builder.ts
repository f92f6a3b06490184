import type { ExpressionDefinition, LoadDiagnostic, RouteDefinition, RouteSet, SourceLocation, StepDefinition } from '../runtime/definitions.js';
import type { CompiledExpression, CompiledPredicate } from '../runtime/language.js';
import { toPredicate } from '../languages/convert.js';
import type { Logger } from '../observability/logger.js';
import type { BuiltRoute } from '../runtime/built-route.js';
import type { ComponentSpec, Endpoint, Producer } from '../runtime/component.js';
import { didYouMean } from '../runtime/did-you-mean.js';
import { displayUri, parseEndpointUri } from '../runtime/endpoint-uri.js';
import { ENDPOINT_OPTIONS, type EndpointOptionsValidator } from '../runtime/endpoint-options.js';
import { ServicePipesError, toError } from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';
import { DONE, noop, pipeline, type Processor } from '../runtime/processor.js';
import { ResourceResolver } from '../runtime/resources.js';
import type { RouterServices } from '../runtime/services.js';
import { type BuildContext } from '../runtime/step.js';
import { DefinitionError } from '../errors/index.js';
import { createRouteErrorHandling } from '../errorhandling/index.js';
import { routerMetrics } from '../observability/metrics.js';

export interface BuildResult {
  routes: BuiltRoute[];
  diagnostics: LoadDiagnostic[];
}

/** How many distinct URIs one `toD` keeps producers for; older ones are dropped first. */
const DYNAMIC_PRODUCER_CACHE = 1000;

/**
 * Compiles a loaded RouteSet into processors. Every EIP, expression, endpoint and resource is resolved and
 * compiled here, once; all problems of all routes are collected (never stopping at the first) so
 * `pipes validate` and start-up report everything in one run. Nothing is connected or started.
 */
export function buildRoutes(routeSet: RouteSet, services: RouterServices): BuildResult {
  const diagnostics: LoadDiagnostic[] = [];
  const afterBuild: (() => void)[] = [];
  // Top-level onException clauses and error handlers are compiled once per route; say each problem once.
  const reported = new Set<string>();
  const report = (diagnostic: LoadDiagnostic): void => {
    const { loc } = diagnostic;
    const key = `${diagnostic.severity}|${diagnostic.message}|${loc ? `${loc.file}:${loc.line}:${loc.col}` : ''}`;
    if (reported.has(key)) return;
    reported.add(key);
    diagnostics.push(diagnostic);
  };
  const resources = new ResourceResolver([services.config.schemasDir, ...services.config.resources]);
  const optionsValidator = ENDPOINT_OPTIONS.of(services);
  const routes: BuiltRoute[] = [];

  for (const definition of routeSet.routes) {
    const logger = services.logger.child({ routeId: definition.id });
    const producers: Producer[] = [];
    const stepWrapper: StepWrapper = {};
    const context = createContext(definition, services, logger, {
      report,
      afterBuild: (check) => afterBuild.push(check),
      resources,
      optionsValidator,
      producers,
      stepWrapper,
    });
    const from = resolveEndpoint(definition.from.uri, definition.from.parameters, definition.from.loc, 'consumer', context, services, optionsValidator);
    // Clause and dead-letter steps are compiled before the hook is set: the error handler does not handle itself.
    const errorHandling = createRouteErrorHandling({
      route: definition,
      onExceptions: routeSet.onExceptions,
      errorHandler: routeSet.errorHandler,
      context,
    });
    stepWrapper.wrap = errorHandling.wrapStep;
    const processor = errorHandling.wrapRoute(context.compileSteps(definition.steps));
    stepWrapper.wrap = undefined;
    if (!from) continue;
    from.spec.declareConsumer?.(from.endpoint, context);
    routes.push({ definition, from: from.endpoint, component: from.spec, processor: withRouteId(definition.id, routerMetrics(services).instrumentRoute(definition.id, processor)), producers, logger });
  }
  for (const check of afterBuild) {
    try {
      check();
    } catch (error) {
      report(asDiagnostic(error, undefined));
    }
  }
  return { routes, diagnostics };
}

/** While a route's own steps are compiled: the route's error handling around each step. */
interface StepWrapper {
  wrap?: (step: StepDefinition, processor: Processor) => Processor;
}

interface BuildShared {
  report(diagnostic: LoadDiagnostic): void;
  afterBuild(check: () => void): void;
  resources: ResourceResolver;
  optionsValidator: EndpointOptionsValidator;
  producers: Producer[];
  stepWrapper?: StepWrapper;
}

function createContext(route: RouteDefinition, services: RouterServices, logger: Logger, shared: BuildShared): BuildContext {
  const file = route.loc.file;
  const registry = services.registry;
  const context: BuildContext = {
    routeId: route.id,
    file,
    route,
    services,
    logger,
    report: (diagnostic) => shared.report(diagnostic),
    afterBuild: (check) => shared.afterBuild(check),
    addLifecycle(lifecycle) {
      shared.producers.push({ process: noop, start: () => lifecycle.start?.() ?? Promise.resolve(), stop: () => lifecycle.stop?.() ?? Promise.resolve() });
    },

    compileExpression(definition: ExpressionDefinition): CompiledExpression {
      const language = registry.languages.get(definition.language);
      if (!language) {
        shared.report(unknownName('language', definition.language, [...registry.languages.keys()], definition.loc));
        return () => undefined;
      }
      try {
        return language.compile(definition, { readResource: (uri) => context.readResource(uri, definition.loc) });
      } catch (error) {
        shared.report(expressionDiagnostic(error, definition));
        return () => undefined;
      }
    },

    compilePredicate(definition: ExpressionDefinition): CompiledPredicate {
      const language = registry.languages.get(definition.language);
      if (language?.compilePredicate) {
        try {
          return language.compilePredicate(definition, { readResource: (uri) => context.readResource(uri, definition.loc) });
        } catch (error) {
          shared.report(expressionDiagnostic(error, definition));
          return () => Promise.resolve(false);
        }
      }
      const expression = context.compileExpression(definition);
      return async (exchange) => toPredicate(await expression(exchange));
    },

    compileSteps(steps: readonly StepDefinition[] | undefined): Processor {
      if (!steps || steps.length === 0) return noop;
      const processors: Processor[] = [];
      for (const step of steps) {
        if (step.disabled) continue;
        const spec = registry.steps.get(step.keyword);
        if (!spec) {
          shared.report(unknownName('EIP', step.keyword, [...registry.steps.keys()], step.loc));
          continue;
        }
        try {
          const located = withFailureLocation(step, spec.create(step, context));
          const wrap = shared.stepWrapper?.wrap;
          processors.push(wrap ? wrap(step, located) : located);
        } catch (error) {
          shared.report(asDiagnostic(error, step.loc));
        }
      }
      return pipeline(processors);
    },

    producer(uri: string, parameters: Record<string, unknown> | undefined, loc: SourceLocation): Producer {
      const resolved = resolveEndpoint(uri, parameters ?? {}, loc, 'producer', context, services, shared.optionsValidator);
      if (!resolved) return failingProducer(uri);
      try {
        const producer = resolved.spec.createProducer!(resolved.endpoint, context);
        shared.producers.push(producer);
        return producer;
      } catch (error) {
        shared.report(asDiagnostic(error, loc));
        return failingProducer(uri);
      }
    },

    dynamicProducer(loc: SourceLocation, options: { messageSteered?: boolean } = {}): (uri: string) => Promise<Producer> {
      const cache = new Map<string, Producer>();
      return async (uri: string) => {
        const cached = cache.get(uri);
        if (cached) return cached;
        const problems: LoadDiagnostic[] = [];
        const runtimeContext: BuildContext = {
          ...context,
          report: (d) => problems.push(d),
          afterBuild: () => {},
          ...(options.messageSteered ? { messageSteered: true } : {}),
        };
        const resolved = resolveEndpoint(uri, {}, loc, 'producer', runtimeContext, services, shared.optionsValidator);
        const firstError = problems.find((p) => p.severity === 'error');
        if (!resolved || firstError) {
          throw new ServicePipesError('BAD_ENDPOINT', firstError?.message ?? `Cannot resolve endpoint ${uri}`, { httpStatus: 500 });
        }
        const producer = resolved.spec.createProducer!(resolved.endpoint, runtimeContext);
        await producer.start?.();
        if (cache.size >= DYNAMIC_PRODUCER_CACHE) {
          const [oldestUri, oldest] = cache.entries().next().value as [string, Producer];
          cache.delete(oldestUri);
          void oldest.stop?.();
        }
        cache.set(uri, producer);
        return producer;
      };
    },

    resolveResource(uri: string, loc: SourceLocation): string {
      const found = shared.resources.resolve(uri, file);
      if (found) return found;
      throw new DefinitionError({
        message: `Resource '${uri}' not found`,
        loc,
        expected: 'a file in one of: ' + shared.resources.searchPath(file).join(', '),
        hint: 'Resource names resolve against the route file folder, schemas/, and each --resources folder.',
      });
    },

    readResource(uri: string, loc: SourceLocation): string {
      return shared.resources.read(context.resolveResource(uri, loc));
    },
  };
  return context;
}

function resolveEndpoint(
  uri: string,
  parameters: Record<string, unknown>,
  loc: SourceLocation,
  role: 'producer' | 'consumer',
  context: BuildContext,
  services: RouterServices,
  validator: EndpointOptionsValidator,
): { spec: ComponentSpec; endpoint: Endpoint } | undefined {
  const parsed = parseEndpointUri(uri);
  const found = services.registry.component(parsed.scheme);
  if (!found) {
    context.report(unknownName('component', parsed.scheme, services.registry.schemes(), loc));
    return undefined;
  }
  const { spec, alias } = found;
  if (alias?.warning) context.report({ severity: 'warning', message: alias.warning, loc });
  const usable = role === 'producer' ? spec.createProducer !== undefined : spec.createConsumer !== undefined;
  if (!usable) {
    context.report({
      severity: 'error',
      message: `Component '${parsed.scheme}' cannot be used as a ${role === 'producer' ? 'producer (in `to`)' : 'consumer (in `from`)'}`,
      loc,
    });
    return undefined;
  }
  let merged: Record<string, unknown> = { ...parsed.query, ...parameters };
  let path = parsed.path;
  if (!path && merged[spec.pathParameter] !== undefined) {
    path = String(merged[spec.pathParameter]);
  }
  delete merged[spec.pathParameter];
  if (alias?.mapOptions) merged = alias.mapOptions(merged);
  if (spec.pathRequired && !path) {
    context.report({
      severity: 'error',
      message: `Endpoint '${uri}' needs its ${spec.pathParameter}`,
      loc,
      expected: spec.syntax,
      snippet: `uri: ${spec.syntax}`,
    });
    return undefined;
  }
  const { options, problems } = validator.validate(spec, parsed.scheme, merged);
  for (const problem of problems) context.report({ severity: 'error', loc, ...problem });
  if (problems.length > 0) return undefined;
  return { spec, endpoint: { scheme: spec.scheme, path, options, uri: displayUri(parsed.scheme, path, options), loc } };
}

function withRouteId(routeId: string, processor: Processor): Processor {
  // Hands the processor's own promise back: no async wrapper (a promise and a microtask turn) per message.
  return (exchange) => {
    exchange.routeId ??= routeId;
    return processor(exchange);
  };
}

/**
 * Remembers where an error happened (Camel's CamelFailureRouteId / CamelFailureEndpoint), for logs and
 * dead-letter provenance. Only the failure path pays for it.
 */
function withFailureLocation(step: StepDefinition, processor: Processor): Processor {
  const where = step.id ?? `${step.keyword}@${step.loc.path}`;
  const located = (exchange: Exchange, error: unknown): never => {
    exchange.properties.CamelFailureRouteId ??= exchange.routeId;
    exchange.properties.CamelFailureStep ??= where;
    throw error;
  };
  // One derived promise per step and message rather than an async wrapper awaiting the step (two promises
  // and an extra microtask turn); a step that throws before returning its promise is located too.
  return (exchange: Exchange) => {
    let running: Promise<void>;
    try {
      running = processor(exchange);
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/require-await -- a processor reports failure by rejecting, never by throwing
      return (async () => located(exchange, error))();
    }
    // A step done when it returned has nothing to locate, and its promise passes on as it is.
    if (running === DONE) return DONE;
    return running.catch((thrown: unknown) => located(exchange, thrown));
  };
}

function failingProducer(uri: string): Producer {
  return {
    process: () => Promise.reject(new ServicePipesError('BAD_ENDPOINT', `Endpoint ${uri} failed to load`)),
  };
}

function unknownName(kind: string, name: string, known: string[], loc: SourceLocation): LoadDiagnostic {
  return {
    severity: 'error',
    message: `Unknown ${kind} '${name}'`,
    loc,
    suggestions: didYouMean(name, known),
    expected: `one of the supported ${kind === 'EIP' ? 'EIPs' : `${kind}s`}: ${[...known].sort().join(', ')}`,
  };
}

function expressionDiagnostic(error: unknown, definition: ExpressionDefinition): LoadDiagnostic {
  if (error instanceof DefinitionError) return { ...error.diagnostic, loc: error.diagnostic.loc ?? definition.loc };
  return {
    severity: 'error',
    message: `Invalid ${definition.language} expression ${JSON.stringify(definition.expression)}: ${toError(error).message}`,
    loc: definition.loc,
  };
}

function asDiagnostic(error: unknown, loc: SourceLocation | undefined): LoadDiagnostic {
  if (error instanceof DefinitionError) return { ...error.diagnostic, loc: error.diagnostic.loc ?? loc };
  return { severity: 'error', message: toError(error).message, loc };
}

/**
 * A producer for a URI outside any route (the CLI's `pipes send`, admin redrive): validated like a route's,
 * with problems thrown as one DefinitionError.
 */
export function createStandaloneProducer(services: RouterServices, uri: string, parameters: Record<string, unknown> = {}): Producer {
  const diagnostics: LoadDiagnostic[] = [];
  const loc: SourceLocation = { file: '<command line>', line: 1, col: 1, path: uri };
  const route: RouteDefinition = {
    id: 'pipes-send',
    generatedId: true,
    autoStartup: false,
    from: { uri: 'direct:pipes-send', parameters: {}, loc },
    steps: [],
    extra: {},
    notation: 'canonical',
    loc,
  };
  const context = createContext(route, services, services.logger, {
    report: (d) => diagnostics.push(d),
    afterBuild: () => {},
    resources: new ResourceResolver([services.config.schemasDir, ...services.config.resources]),
    optionsValidator: ENDPOINT_OPTIONS.of(services),
    producers: [],
  });
  const producer = context.producer(uri, parameters, loc);
  const error = diagnostics.find((d) => d.severity === 'error');
  if (error) throw new DefinitionError(error);
  return producer;
}

/**
 * A producer for an endpoint written outside any route (an async-flow step's `uri`), validated like a
 * route's `to` and reported at the given location. Cross-route checks (a `direct:` name nobody consumes)
 * run at once, so call this after the routes are built. `producer` is undefined when it has errors.
 */
export function buildProducerAt(
  services: RouterServices,
  uri: string,
  parameters: Record<string, unknown>,
  loc: SourceLocation,
  owner: { id: string; file: string },
): { producer?: Producer; diagnostics: LoadDiagnostic[] } {
  const diagnostics: LoadDiagnostic[] = [];
  const checks: (() => void)[] = [];
  const route: RouteDefinition = {
    id: owner.id,
    generatedId: false,
    autoStartup: false,
    from: { uri: `direct:${owner.id}`, parameters: {}, loc: { ...loc, file: owner.file } },
    steps: [],
    extra: {},
    notation: 'canonical',
    loc: { ...loc, file: owner.file },
  };
  const context = createContext(route, services, services.logger.child({ routeId: owner.id }), {
    report: (d) => diagnostics.push(d),
    afterBuild: (check) => checks.push(check),
    resources: new ResourceResolver([services.config.schemasDir, ...services.config.resources]),
    optionsValidator: ENDPOINT_OPTIONS.of(services),
    producers: [],
  });
  const producer = context.producer(uri, parameters, loc);
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      diagnostics.push(asDiagnostic(error, loc));
    }
  }
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { producer, diagnostics };
}
