import type { StepSpec } from '../../runtime/step.js';
import { DefinitionError } from '../../errors/index.js';
import type { CompiledPredicate } from '../../runtime/language.js';
import type { Processor } from '../../runtime/processor.js';
import { Exchange } from '../../runtime/exchange.js';
import { nestedIdentity, stepsSchema } from '../shared/schema.js';
import { booleanOption, isExpressionDefinition, locOf, objectOption, stepList } from '../../runtime/step-options.js';

interface Branch {
  matches: CompiledPredicate;
  steps: Processor;
}

const WHEN_SNIPPET = `choice:
  when:
    - expression:
        simple:
          expression: "\${header.amount} > 1000"
      steps:
        - to: direct:review
  otherwise:
    steps:
      - to: direct:book`;

/** Content-based router: the first `when` whose predicate is true runs, else `otherwise`. */
export const choiceStep: StepSpec = {
  keyword: 'choice',
  summary: 'Routes the message to the first branch whose predicate is true, else to otherwise.',
  schema: {
    type: 'object',
    description:
      'Content-based router: the first `when` whose predicate holds runs its steps; otherwise runs when none does.',
    properties: {
      when: {
        type: 'array',
        description: 'Branches, tried in order.',
        items: {
          type: 'object',
          'x-expression': 'required',
          description: 'A predicate and the steps to run when it holds.',
          properties: { ...nestedIdentity, steps: stepsSchema },
          additionalProperties: false,
        },
      },
      otherwise: {
        type: 'object',
        description: 'Steps to run when no `when` matched.',
        properties: { ...nestedIdentity, steps: stepsSchema },
        additionalProperties: false,
      },
      precondition: {
        type: 'boolean',
        default: false,
        description:
          'Evaluate the predicates once (they must not depend on the message, e.g. property placeholders) and keep only the branch that matched.',
      },
    },
    additionalProperties: false,
  },
  create(definition, context) {
    const whenValue = definition.options.when ?? [];
    if (!Array.isArray(whenValue)) {
      throw new DefinitionError({
        message: 'choice.when must be a list of branches',
        loc: definition.loc,
        expected: 'when: [ {expression: ..., steps: [...]} ]',
        snippet: WHEN_SNIPPET,
      });
    }
    const branches: Branch[] = whenValue.map((item: unknown, index) => {
      const when = objectOption(item, `choice.when[${index}]`, definition.loc) ?? {};
      const loc = locOf(when, definition.loc);
      if (!isExpressionDefinition(when.expression)) {
        // Camel loads a predicate-less `when` and fails at run time; a branch that can never be chosen is a mistake.
        throw new DefinitionError({
          message: `choice.when[${index}] has no predicate`,
          loc,
          expected: 'a language key (simple, jsonpath, ...) or an expression: block beside steps',
          snippet: WHEN_SNIPPET,
        });
      }
      return {
        matches: context.compilePredicate(when.expression),
        steps: context.compileSteps(stepList(when.steps, `choice.when[${index}]`, loc)),
      };
    });
    const otherwiseValue = objectOption(definition.options.otherwise, 'choice.otherwise', definition.loc);
    const otherwise = otherwiseValue
      ? context.compileSteps(
          stepList(otherwiseValue.steps, 'choice.otherwise', locOf(otherwiseValue, definition.loc)),
        )
      : undefined;
    if (branches.length === 0 && !otherwise) {
      context.report({
        severity: 'warning',
        message: 'choice has neither when nor otherwise branches and does nothing',
        loc: definition.loc,
        snippet: WHEN_SNIPPET,
      });
    }

    const select = async (exchange: Exchange): Promise<Processor | undefined> => {
      for (const branch of branches) if (await branch.matches(exchange)) return branch.steps;
      return otherwise;
    };

    if (booleanOption(definition, 'precondition', false)) {
      // Selected once, on the first message, against an empty exchange: the predicates cannot see the message.
      let selected: Promise<Processor | undefined> | undefined;
      return async (exchange) => {
        selected ??= select(new Exchange({ routeId: exchange.routeId }));
        const steps = await selected;
        if (steps) await steps(exchange);
      };
    }
    return async (exchange) => {
      const steps = await select(exchange);
      if (steps) await steps(exchange);
    };
  },
};
