import type { OnExceptionDefinition } from '../runtime/definitions.js';
import type { CompiledPredicate } from '../runtime/language.js';
import { didYouMean } from '../runtime/did-you-mean.js';
import {
  KNOWN_CAMEL_EXCEPTIONS,
  exceptionDistance,
  isKnownCamelException,
  toError,
} from '../errors/index.js';
import type { Exchange } from '../runtime/exchange.js';
import type { Processor } from '../runtime/processor.js';
import type { BuildContext } from '../runtime/step.js';
import { locOf, stepList, subExpression } from '../runtime/step-options.js';
import { parseRedeliveryPolicy, type RedeliveryPolicy } from './redelivery-policy.js';

/** One `onException` clause, compiled for one route. */
export interface ExceptionClause {
  /** Declaration order across all route files, the tie-breaker between equally near clauses. */
  index: number;
  exceptions: readonly string[];
  onWhen?: CompiledPredicate;
  handled?: CompiledPredicate;
  continued?: CompiledPredicate;
  retryWhile?: CompiledPredicate;
  /** The clause's own redelivery policy over the error handler's; undefined when the clause sets none. */
  redelivery?: RedeliveryPolicy;
  useOriginalMessage: boolean;
  useOriginalBody: boolean;
  steps: Processor;
  /** For logs: `onException[java.net.ConnectException]`. */
  label: string;
}

/** Bean references the router cannot call; a clause that names one would silently behave differently. */
const UNSUPPORTED_REFS = ['redeliveryPolicyRef', 'onRedeliveryRef', 'onExceptionOccurredRef'] as const;

/** How deep into `cause` chains a clause looks (the error itself first, as doCatch does). */
const MAX_CAUSE_DEPTH = 10;

/**
 * Compiles the top-level onException clauses for one route: predicates, steps and the clause's redelivery
 * policy merged over `basePolicy` (Camel's clause policy inherits the error handler's). Problems are reported
 * at the clause's location; a clause that cannot be compiled is left out.
 */
export function compileClauses(
  definitions: readonly OnExceptionDefinition[],
  basePolicy: Readonly<RedeliveryPolicy>,
  context: BuildContext,
): ExceptionClause[] {
  const clauses: ExceptionClause[] = [];
  definitions.forEach((definition, index) => {
    const { options, loc } = definition;
    const exceptions = Array.isArray(options.exception)
      ? options.exception.filter((e): e is string => typeof e === 'string')
      : [];
    if (exceptions.length === 0) return; // the loader has reported it
    for (const name of exceptions) {
      if (isKnownCamelException(name)) continue;
      context.report({
        severity: 'warning',
        message: `onException: '${name}' is not an exception the router raises; it only matches throwException with exceptionType '${name}'`,
        loc,
        suggestions: didYouMean(name, KNOWN_CAMEL_EXCEPTIONS),
      });
    }
    for (const key of UNSUPPORTED_REFS) {
      if (options[key] === undefined) continue;
      context.report({
        severity: 'error',
        message: `onException.${key} is not supported: the router has no bean of that kind`,
        loc,
        hint:
          key === 'redeliveryPolicyRef'
            ? 'write the policy inline under `redeliveryPolicy:`'
            : 'use the clause steps instead',
      });
    }
    const predicate = (key: string): CompiledPredicate | undefined => {
      const expression = subExpression(options[key]);
      if (options[key] !== undefined && !expression) {
        context.report({
          severity: 'error',
          message: `onException.${key} must be a predicate`,
          loc,
          expected: `${key}: {constant: true}`,
        });
        return undefined;
      }
      return expression ? context.compilePredicate(expression) : undefined;
    };
    if (options.handled !== undefined && options.continued !== undefined) {
      context.report({
        severity: 'error',
        message: 'onException sets both handled and continued; only one of them is allowed (as in Camel)',
        loc,
        hint: 'handled: the route ends after the clause; continued: the route goes on after the failing step',
      });
    }
    const rawPolicy = isRecord(options.redeliveryPolicy) ? options.redeliveryPolicy : undefined;
    let steps: Processor;
    try {
      steps = context.compileSteps(stepList(options.steps, 'onException', loc));
    } catch (error) {
      context.report({ severity: 'error', message: toError(error).message, loc: locOf(options, loc) });
      return;
    }
    clauses.push({
      index,
      exceptions,
      onWhen: predicate('onWhen'),
      handled: predicate('handled'),
      continued: predicate('continued'),
      retryWhile: predicate('retryWhile'),
      redelivery: rawPolicy
        ? parseRedeliveryPolicy(rawPolicy, basePolicy, (problem) => context.report({ ...problem, loc }))
        : undefined,
      useOriginalMessage: options.useOriginalMessage === true || options.useOriginalMessage === 'true',
      useOriginalBody: options.useOriginalBody === true || options.useOriginalBody === 'true',
      steps,
      label: `onException[${exceptions.join(', ')}]`,
    });
  });
  return clauses;
}

/**
 * The clause for `thrown`, as Camel picks it: the nearest exception type by is-a wins, then the first
 * declared; a clause whose onWhen does not hold is passed over. The error itself is tried first, then its
 * causes (our wrappers carry the meaningful type; Java's root cause usually does, hence the order).
 * `exchange.error` is set while onWhen runs, so `${exception.message}` works in it.
 */
export async function matchClause(
  exchange: Exchange,
  thrown: unknown,
  clauses: readonly ExceptionClause[],
): Promise<{ clause: ExceptionClause; error: Error } | undefined> {
  if (clauses.length === 0) return undefined;
  const previous = exchange.error;
  try {
    let candidate: unknown = thrown;
    for (let depth = 0; candidate !== undefined && candidate !== null && depth < MAX_CAUSE_DEPTH; depth++) {
      const error = toError(candidate);
      const ranked = clauses
        .map((clause) => ({ clause, distance: exceptionDistance(error, clause.exceptions) }))
        .filter(
          (entry): entry is { clause: ExceptionClause; distance: number } => entry.distance !== undefined,
        )
        .sort((a, b) => a.distance - b.distance || a.clause.index - b.clause.index);
      for (const { clause } of ranked) {
        if (!clause.onWhen) return { clause, error };
        exchange.error = toError(thrown);
        if (await clause.onWhen(exchange)) return { clause, error };
      }
      candidate = error.cause;
    }
    return undefined;
  } finally {
    exchange.error = previous;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
