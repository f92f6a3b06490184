import type { ExpressionDefinition, LoadDiagnostic, RouteDefinition, SourceLocation, StepDefinition } from './definitions.js';
import type { CompiledExpression, CompiledPredicate } from './language.js';
import type { JsonSchema } from './json-schema.js';
import type { Processor } from './processor.js';
import type { Producer } from './component.js';
import type { RouterServices } from './services.js';
import type { Logger } from '../observability/logger.js';

/**
 * Everything an EIP needs while it is being built (at load, once per route). Errors found here are
 * collected with their location and reported together; nothing is compiled per message.
 */
export interface BuildContext {
  readonly routeId: string;
  /** The route file being built (resources resolve against its folder first). */
  readonly file: string;
  /**
   * The route being built, when there is one (not for standalone producers): lets a component look at the
   * route's `from` and at the step that names it (e.g. warn about Camel's InOut trap in HTTP routes).
   */
  readonly route?: RouteDefinition;
  readonly services: RouterServices;
  readonly logger: Logger;
  compileExpression(definition: ExpressionDefinition): CompiledExpression;
  compilePredicate(definition: ExpressionDefinition): CompiledPredicate;
  /** Builds a pipeline of child steps (an empty or missing list is a no-op). */
  compileSteps(steps: readonly StepDefinition[] | undefined): Processor;
  /** Resolves a static endpoint URI to a producer; scheme and options are validated now. */
  producer(uri: string, parameters: Record<string, unknown> | undefined, loc: SourceLocation): Producer;
  /**
   * For `toD` / `wireTap` with `dynamicUri`: resolves a URI computed per message (cached). `messageSteered`:
   * message data chose the scheme or host, so the producers it makes apply the egress policy.
   */
  dynamicProducer(loc: SourceLocation, options?: { messageSteered?: boolean }): (uri: string) => Promise<Producer>;
  /**
   * Set on the context of producers made for a URI whose scheme or host came from message data: where they
   * connect must pass the egress policy (security/egress-policy.ts).
   */
  readonly messageSteered?: boolean;
  /** Resolves a resource URI (`schemas/x.json`, `classpath:x`, `file:/abs`) against the resource roots. */
  resolveResource(uri: string, loc: SourceLocation): string;
  readResource(uri: string, loc: SourceLocation): string;
  /** Records a load error or warning (does not throw). */
  report(diagnostic: LoadDiagnostic): void;
  /** A check to run once every route is built (cross-route checks such as `direct:` with no consumer). */
  afterBuild(check: () => void): void;
  /**
   * Something an EIP owns that must start and stop with the route's producers (a circuit breaker's
   * timers). Optional: contexts made by tools and tests may not offer it.
   */
  addLifecycle?(lifecycle: { start?(): Promise<void>; stop?(): Promise<void> }): void;
}


/**
 * An EIP, declared by its YAML keyword. The schema is the object form; annotations the DSL understands:
 * - `'x-shorthand': 'uri'` on the step schema: the string form `to: "x"` means `{uri: "x"}`;
 * - `'x-expression': 'required' | 'optional'` on any object schema: the object is expression-aware
 *   (a language key or an `expression:` wrapper); the loader adds the language keys and normalises the
 *   expression to `expression: ExpressionDefinition`;
 * - `'x-sub-expression': true` on a property: its value is a language-key map (`handled: {constant: true}`),
 *   normalised to an ExpressionDefinition at that key;
 * - `{ $ref: '#/$defs/steps' }`: a list of steps, normalised to StepDefinition[].
 * `id`, `description`, `note`, `disabled` are added to every step schema by the loader.
 */
export interface StepSpec {
  keyword: string;
  summary: string;
  schema: JsonSchema;
  create(definition: StepDefinition, context: BuildContext): Processor;
}
