import type { ExchangePattern } from '../../runtime/exchange.js';
import type { StepDefinition } from '../../runtime/definitions.js';
import { DONE, type Processor } from '../../runtime/processor.js';
import { DefinitionError, toError } from '../../errors/index.js';

/** `parameters:` of to / toD / wireTap as a plain map (undefined when absent). */
export function parametersOf(definition: StepDefinition): Record<string, unknown> | undefined {
  const value = definition.options.parameters;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new DefinitionError({
    message: `${definition.keyword}.parameters must be a map of endpoint options`,
    loc: definition.loc,
    expected: 'parameters: {name: value, ...}',
  });
}

export function patternOf(definition: StepDefinition): ExchangePattern | undefined {
  const value = definition.options.pattern;
  if (value === undefined || value === null) return undefined;
  if (value === 'InOnly' || value === 'InOut') return value;
  throw new DefinitionError({
    message: `${definition.keyword}.pattern must be InOnly or InOut, got ${JSON.stringify(value)}`,
    loc: definition.loc,
    expected: 'InOnly | InOut',
    snippet: `${definition.keyword}:\n  uri: ${typeof definition.options.uri === 'string' ? definition.options.uri : '...'}\n  pattern: InOnly`,
  });
}

/** Runs `send` with the exchange switched to `pattern` for this call only, as Camel's `to(pattern, uri)` does. */
export function withPattern(pattern: ExchangePattern | undefined, send: Processor): Processor {
  if (!pattern) return send;
  // One derived promise rather than an async wrapper awaiting the send (this runs for every message).
  return (exchange) => {
    const previous = exchange.pattern;
    exchange.pattern = pattern;
    let running: Promise<void>;
    try {
      running = send(exchange);
    } catch (error) {
      exchange.pattern = previous;
      return Promise.reject(toError(error));
    }
    if (running === DONE) {
      exchange.pattern = previous;
      return DONE;
    }
    return running.then(
      () => {
        exchange.pattern = previous;
      },
      (error: unknown) => {
        exchange.pattern = previous;
        throw error;
      },
    );
  };
}

/**
 * Appends static `parameters` to a URI computed per message, so a dynamic producer sees one URI string.
 * Values are URL-encoded; the component's option parser decodes them.
 */
export function appendParameters(uri: string, parameters: Record<string, unknown> | undefined): string {
  if (!parameters) return uri;
  const query = Object.entries(parameters)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(
      ([key, value]) =>
        `${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value as string))}`,
    )
    .join('&');
  if (!query) return uri;
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}
