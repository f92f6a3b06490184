import type { StepSpec, BuildContext } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import type { CompiledPredicate } from '../../runtime/language.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { Processor } from '../../runtime/processor.js';
import type { SourceLocation } from '../../runtime/definitions.js';
import {
  RetryLaterSignal,
  KNOWN_CAMEL_EXCEPTIONS,
  exceptionDistance,
  isKnownCamelException,
  toError,
} from '../../errors/index.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import { nestedIdentity, stepsSchema } from '../shared/schema.js';
import { locOf, objectOption, stepList, subExpression } from '../../runtime/step-options.js';

/** Camel keeps the caught error here too, so later steps can still see what was handled. */
export const EXCEPTION_CAUGHT = 'CamelExceptionCaught';

/** How deep into `cause` chains a doCatch looks, as Camel walks the caused-by hierarchy. */
const MAX_CAUSE_DEPTH = 10;

interface CatchClause {
  index: number;
  exceptions: string[];
  onWhen?: CompiledPredicate;
  steps: Processor;
}

const SNIPPET = `doTry:
  steps:
    - to: direct:charge
  doCatch:
    - exception:
        - org.apache.camel.http.base.HttpOperationFailedException
      steps:
        - setBody:
            expression:
              simple:
                expression: "charge failed: \${exception.message}"
  doFinally:
    steps:
      - log: "charge attempt done"`;

/**
 * Java-style try/catch/finally. A doCatch whose `exception` list matches the error (is-a, nearest clause first,
 * then declaration order) and whose `onWhen` holds handles it: the error does not propagate. doFinally always
 * runs; an error raised in doFinally propagates.
 */
export const doTryStep: StepSpec = {
  keyword: 'doTry',
  summary: 'Runs steps and handles their errors with doCatch clauses; doFinally always runs.',
  schema: {
    type: 'object',
    description:
      'Runs the steps; an error is handled by the nearest matching doCatch, and doFinally always runs.',
    properties: {
      steps: stepsSchema,
      doCatch: {
        type: 'array',
        description:
          'Catch clauses. The clause naming the nearest exception type wins; ties go to the first declared.',
        items: {
          type: 'object',
          description: 'Handles errors that are one of `exception` (and satisfy onWhen).',
          properties: {
            ...nestedIdentity,
            exception: {
              type: 'array',
              items: { type: 'string' },
              minItems: 1,
              description:
                'Exception class names, matched by is-a (e.g. java.lang.Exception catches everything).',
            },
            onWhen: {
              'x-sub-expression': true,
              description: 'Only catch when this predicate holds; `${exception.message}` is available.',
            },
            steps: stepsSchema,
          },
          required: ['exception'],
          additionalProperties: false,
        },
      },
      doFinally: {
        type: 'object',
        description: 'Steps that always run, after the steps and any doCatch.',
        properties: { ...nestedIdentity, steps: stepsSchema },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  create(definition, context) {
    const trySteps = context.compileSteps(stepList(definition.options.steps, 'doTry', definition.loc));
    const catchValue = definition.options.doCatch ?? [];
    if (!Array.isArray(catchValue)) {
      throw new DefinitionError({
        message: 'doTry.doCatch must be a list of catch clauses',
        loc: definition.loc,
        expected: 'doCatch: [ {exception: [...], steps: [...]} ]',
        snippet: SNIPPET,
      });
    }
    const clauses = catchValue.map((item: unknown, index) =>
      compileCatch(item, index, definition.loc, context),
    );
    const finallyValue = objectOption(definition.options.doFinally, 'doTry.doFinally', definition.loc);
    const finallySteps = finallyValue
      ? context.compileSteps(
          stepList(finallyValue.steps, 'doTry.doFinally', locOf(finallyValue, definition.loc)),
        )
      : undefined;
    if (clauses.length === 0 && !finallySteps) {
      context.report({
        severity: 'warning',
        message: 'doTry has neither doCatch nor doFinally, so it changes nothing',
        loc: definition.loc,
        snippet: SNIPPET,
      });
    }

    return async (exchange) => {
      let pending: { error: unknown } | undefined;
      try {
        await trySteps(exchange);
      } catch (thrown) {
        // A broker-held retry requested by a sub-route is not an error of this block: no doCatch may swallow it.
        pending = thrown instanceof RetryLaterSignal ? { error: thrown } : await handle(exchange, thrown, clauses);
      }
      if (finallySteps) await runFinally(exchange, finallySteps, pending);
      if (pending) throw pending.error;
    };
  },
};

function compileCatch(
  item: unknown,
  index: number,
  stepLoc: SourceLocation,
  context: BuildContext,
): CatchClause {
  const owner = `doTry.doCatch[${index}]`;
  const clause = objectOption(item, owner, stepLoc) ?? {};
  const loc = locOf(clause, stepLoc);
  const exceptions = clause.exception;
  if (
    !Array.isArray(exceptions) ||
    exceptions.length === 0 ||
    !exceptions.every((e) => typeof e === 'string')
  ) {
    throw new DefinitionError({
      message: `${owner} needs at least one exception class name to catch`,
      loc,
      expected: 'exception: [java.lang.Exception, ...]',
      snippet: SNIPPET,
    });
  }
  for (const name of exceptions) {
    if (isKnownCamelException(name)) continue;
    context.report({
      severity: 'warning',
      message: `${owner}: '${name}' is not an exception the router raises; it only catches throwException with exceptionType '${name}'`,
      loc,
      suggestions: didYouMean(name, KNOWN_CAMEL_EXCEPTIONS),
    });
  }
  let onWhen: CompiledPredicate | undefined;
  if (clause.onWhen !== undefined && clause.onWhen !== null) {
    const expression = subExpression(clause.onWhen);
    if (!expression) {
      throw new DefinitionError({
        message: `${owner}.onWhen must be a predicate`,
        loc,
        expected: 'onWhen: {simple: "${exception.message} contains \'timeout\'"}',
      });
    }
    onWhen = context.compilePredicate(expression);
  }
  return {
    index,
    exceptions: exceptions,
    onWhen,
    steps: context.compileSteps(stepList(clause.steps, owner, loc)),
  };
}

/** Runs the matching clause, if any. Returns the error still pending (unhandled, or raised by the clause). */
async function handle(
  exchange: Exchange,
  thrown: unknown,
  clauses: readonly CatchClause[],
): Promise<{ error: unknown } | undefined> {
  const previous = exchange.error;
  try {
    const match = await findClause(exchange, thrown, clauses);
    if (!match) return { error: thrown };
    exchange.error = match.error;
    exchange.properties[EXCEPTION_CAUGHT] = match.error;
    await match.clause.steps(exchange);
    return undefined;
  } catch (raised) {
    return { error: raised };
  } finally {
    exchange.error = previous;
  }
}

/** The error itself first, then its causes; at each level the nearest clause wins, then the first declared. */
async function findClause(
  exchange: Exchange,
  thrown: unknown,
  clauses: readonly CatchClause[],
): Promise<{ clause: CatchClause; error: Error } | undefined> {
  let candidate: unknown = thrown;
  for (let depth = 0; candidate !== undefined && candidate !== null && depth < MAX_CAUSE_DEPTH; depth++) {
    const error = toError(candidate);
    const ranked = clauses
      .map((clause) => ({ clause, distance: exceptionDistance(error, clause.exceptions) }))
      .filter((entry): entry is { clause: CatchClause; distance: number } => entry.distance !== undefined)
      .sort((a, b) => a.distance - b.distance || a.clause.index - b.clause.index);
    for (const { clause } of ranked) {
      if (!clause.onWhen) return { clause, error };
      exchange.error = error; // onWhen reads ${exception.*}
      if (await clause.onWhen(exchange)) return { clause, error };
    }
    candidate = error.cause;
  }
  return undefined;
}

/** doFinally runs even after `stop` and sees the pending error as `${exception}`; its own error propagates. */
async function runFinally(
  exchange: Exchange,
  steps: Processor,
  pending: { error: unknown } | undefined,
): Promise<void> {
  const stopped = exchange.stopped;
  const previous = exchange.error;
  exchange.stopped = false;
  if (pending) exchange.error = toError(pending.error);
  try {
    await steps(exchange);
  } finally {
    exchange.error = previous;
    exchange.stopped = stopped || exchange.stopped;
  }
}
