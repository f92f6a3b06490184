import { DefinitionError } from '../../errors/index.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { SourceLocation } from '../../runtime/definitions.js';
import { didYouMean } from '../../runtime/did-you-mean.js';

/**
 * How `split` and `multicast` fold their parts back into the original exchange. Camel takes a bean reference
 * (`#bean:name`, `#class:fqcn`, a bean name); the router offers a fixed set of built-ins under Camel's class
 * names, so a real Camel route that uses one of them loads unchanged.
 */
export interface AggregationStrategy {
  readonly name: string;
  /** A fresh fold for one split/multicast run. */
  begin(original: Exchange): Aggregation;
}

export interface Aggregation {
  /** Called once per finished part, in order. */
  add(part: Exchange): void;
  /** Writes the result into the original exchange. */
  complete(original: Exchange): void;
}

/** Properties that describe one part; they never leak into the original exchange. */
const PART_PROPERTIES = new Set([
  'CamelSplitIndex',
  'CamelSplitSize',
  'CamelSplitComplete',
  'CamelMulticastIndex',
  'CamelMulticastComplete',
]);

/** The original keeps its own id and correlation; it takes the part's message, properties and variables. */
export function copyResult(from: Exchange, to: Exchange): void {
  to.message = { body: from.message.body, headers: { ...from.message.headers } };
  for (const [key, value] of Object.entries(from.properties))
    if (!PART_PROPERTIES.has(key)) to.properties[key] = value;
  Object.assign(to.variables, from.variables);
}

const groupedBody: AggregationStrategy = {
  name: 'groupedBody',
  begin() {
    const bodies: unknown[] = [];
    return {
      add: (part) => void bodies.push(part.body),
      complete: (original) => {
        original.body = bodies;
      },
    };
  },
};

const useLatest: AggregationStrategy = {
  name: 'useLatest',
  begin() {
    let latest: Exchange | undefined;
    return {
      add: (part) => void (latest = part),
      complete: (original) => {
        if (latest) copyResult(latest, original);
      },
    };
  },
};

const useOriginal: AggregationStrategy = {
  name: 'useOriginal',
  begin: () => ({ add: () => undefined, complete: () => undefined }),
};

const PACKAGE = 'org.apache.camel.processor.aggregate.';

/** Every spelling that names a built-in: bean name, simple class name, Camel's fully qualified class name. */
const BY_NAME = new Map<string, AggregationStrategy>();
for (const [strategy, className] of [
  [groupedBody, 'GroupedBodyAggregationStrategy'],
  [useLatest, 'UseLatestAggregationStrategy'],
  [useOriginal, 'UseOriginalAggregationStrategy'],
] as const) {
  BY_NAME.set(strategy.name, strategy);
  BY_NAME.set(className, strategy);
  BY_NAME.set(PACKAGE + className, strategy);
}

export const BUILT_IN_STRATEGIES: readonly string[] = [groupedBody.name, useLatest.name, useOriginal.name];

export function defaultStrategy(name: 'useLatest' | 'useOriginal'): AggregationStrategy {
  return name === 'useLatest' ? useLatest : useOriginal;
}

/** Resolves `aggregationStrategy` at load; an unknown reference is a load error, never a surprise per message. */
export function resolveAggregationStrategy(
  reference: string,
  owner: string,
  loc: SourceLocation,
): AggregationStrategy {
  const name = reference.trim().replace(/^#(bean:|class:)?/, '');
  const strategy = BY_NAME.get(name);
  if (strategy) return strategy;
  throw new DefinitionError({
    message: `${owner}.aggregationStrategy '${reference}' is not a built-in aggregation strategy`,
    loc,
    expected: `one of ${BUILT_IN_STRATEGIES.join(', ')} (or Camel's class names, e.g. ${PACKAGE}GroupedBodyAggregationStrategy)`,
    suggestions: didYouMean(name, BY_NAME.keys()),
    hint: 'Custom aggregation beans are not supported; without aggregationStrategy split keeps the original message and multicast keeps the last reply.',
    snippet: `aggregationStrategy: groupedBody`,
  });
}
