/**
 * Paths `a.b[...].c`: their steps (plain, tuple-carrying, sorted), stages and predicates, names, wildcards
 * and descendants.
 *
 * Ported from jsonata 2.2.2 (https://github.com/jsonata-js/jsonata), made synchronous for service-pipes:
 * jsonata's evaluator and higher-order functions are async; here they are plain functions returning values.
 * jsonata is MIT licensed:
 *
 * Copyright (c) 2016 IBM Corporation
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 * associated documentation files (the "Software"), to deal in the Software without restriction, including
 * without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
 * following conditions: The above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software.
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
 * LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
 * EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN
 * AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE
 * OR OTHER DEALINGS IN THE SOFTWARE.
 */
/**
 * © Copyright IBM Corp. 2016, 2017 All Rights Reserved
 *   Project name: JSONata
 *   This project is licensed under the MIT License, see LICENSE
 */

import { compileVariable } from './blocks.js';
import { compile, hasOwn, PLAIN, plainStep } from './compile.js';
import { createFrameFromTuple } from './frame.js';
import { append } from './functions/array.js';
import { boolean } from './functions/boolean.js';
import { lookup } from './functions/object.js';
import { compileGroupExpression } from './group.js';
import { compileSortExpression } from './sort.js';
import type {
  AstNode,
  Environment,
  Evaluator,
  Fields,
  FilterStage,
  GroupSpec,
  Mode,
  NameNode,
  PathNode,
  Sequence,
  Stage,
  Tuple,
} from './types.js';
import { isArrayOfNumbers, isFunction, isNumeric, isSequence, keys as ownKeys } from './values.js';

/** A step of a path: the sequence of its inputs to the sequence of its results. */
type StepRun = (input: Sequence, environment: Environment) => Sequence;

/** A step once the path carries a tuple stream: the tuples so far (or the inputs, at the first) to the next. */
type TupleStepRun = (
  input: Sequence,
  tupleBindings: Sequence<Tuple> | undefined,
  environment: Environment,
) => Sequence<Tuple>;

/** A predicate or `[]`-stage: the items of the input (one, or an array) that pass it. */
type FilterRun = (input: unknown, environment: Environment) => Sequence;

/** How one step of a path runs, decided when compiled (one shape for all kinds: the loop reads one map). */
type StepPlan =
  | { kind: 'cons'; run: Evaluator; tupleStream: boolean; keepsInput: boolean }
  | { kind: 'tuple'; run: TupleStepRun; tupleStream: boolean; keepsInput: boolean }
  | { kind: 'step'; run: StepRun; tupleStream: boolean; keepsInput: boolean };

/** A stage of a tuple step: a filter, or an index `#$i` binding the position. */
type StagePlan =
  | { filter: FilterRun; index?: undefined; value?: undefined }
  | { filter?: undefined; index: boolean; value: string };

/**
 * Path expression: its steps in turn
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @returns {Function} evaluator
 */
export function compilePath(expr: PathNode, mode: Mode): Evaluator {
  const steps = expr.steps;
  const relative = (steps[0] as AstNode).type !== 'variable';
  const simple = compileSimplePath(expr, mode);
  // per step: how it is evaluated (jsonata decides the same from the step's flags, on every evaluation)
  const plan: StepPlan[] = [];
  let tupleSeen = false;
  for (let ii = 0; ii < steps.length; ii++) {
    const step = steps[ii] as AstNode;
    if (step.tuple) {
      tupleSeen = true;
    }
    const keepsInput = typeof step.focus !== 'undefined';
    if (ii === 0 && step.consarray) {
      plan.push({ kind: 'cons', run: compile(step, mode), tupleStream: tupleSeen, keepsInput: keepsInput });
    } else if (tupleSeen) {
      plan.push({
        kind: 'tuple',
        run: compileTupleStep(step, mode),
        tupleStream: tupleSeen,
        keepsInput: keepsInput,
      });
    } else {
      plan.push({
        kind: 'step',
        run: compileStep(step, mode, ii === steps.length - 1),
        tupleStream: tupleSeen,
        keepsInput: keepsInput,
      });
    }
  }
  const keepTuples = expr.tuple;
  const keepSingletonArray = expr.keepSingletonArray;
  const group = hasOwn.call(expr, 'group') ? compileGroupExpression(expr.group as GroupSpec, mode) : null;

  return function (input, environment) {
    if (simple !== null) {
      const answer = simple(input, environment);
      if (answer !== NOT_SIMPLE) {
        return answer;
      }
    }
    let inputSequence: Sequence;
    // if the first step is a variable reference ($...), including root reference ($$),
    //   then the path is absolute rather than relative
    if (Array.isArray(input) && relative) {
      inputSequence = input;
    } else {
      // if input is not an array, make it so
      inputSequence = environment.base.createSequence(input);
    }

    let resultSequence: Sequence | undefined;
    let isTupleStream = false;
    let tupleBindings: Sequence<Tuple> | undefined = undefined;

    for (let ii = 0; ii < plan.length; ii++) {
      const stepPlan = plan[ii] as StepPlan;
      isTupleStream = stepPlan.tupleStream;
      if (stepPlan.kind === 'cons') {
        // the array constructor heading the path: an array (or, with predicates, what they picked)
        resultSequence = stepPlan.run(inputSequence, environment) as Sequence;
      } else if (stepPlan.kind === 'tuple') {
        tupleBindings = stepPlan.run(inputSequence, tupleBindings, environment);
      } else {
        resultSequence = stepPlan.run(inputSequence, environment);
      }

      if (!isTupleStream && (typeof resultSequence === 'undefined' || resultSequence.length === 0)) {
        break;
      }

      if (!stepPlan.keepsInput) {
        // (undefined only once the steps carry tuples, and those read the tuples)
        inputSequence = resultSequence as Sequence;
      }
    }

    if (isTupleStream) {
      // (the last step carried the tuples: it gave a tuple stream)
      const tuples = tupleBindings as Sequence<Tuple>;
      if (keepTuples) {
        // tuple stream is carrying ancestry information - keep this
        resultSequence = tuples;
      } else {
        resultSequence = environment.base.createSequence();
        for (let ii = 0; ii < tuples.length; ii++) {
          resultSequence.push((tuples[ii] as Tuple)['@']);
        }
      }
    }

    if (keepSingletonArray) {
      // if the array is explicitly constructed in the expression and marked to promote singleton sequences to array
      if (Array.isArray(resultSequence) && resultSequence.cons && !resultSequence.sequence) {
        resultSequence = environment.base.createSequence(resultSequence);
      }
      // (a step always gives a sequence)
      (resultSequence as Sequence).keepSingleton = true;
    }

    if (group !== null) {
      return group(isTupleStream ? tupleBindings : resultSequence, environment);
    }

    return resultSequence;
  };
}

const NOT_SIMPLE = Symbol('not a simple path');

/*
 * `a.b.c`, `$.a.b`, `$var.a.b`: field names after an optional variable, nothing else on any step. On an
 * object (not an array) each lookup that gives a value that is neither an array nor undefined leaves a
 * sequence of one, which jsonata unwraps at the end: the result is that value. Anything else (an array on
 * the way, a missing field: empty sequences, flattening) answers NOT_SIMPLE and the general path runs
 * from the start; a lookup has no effects, so starting over is exact.
 */
function compileSimplePath(expr: PathNode, mode: Mode): Evaluator | null {
  if (mode !== PLAIN || expr.keepSingletonArray || expr.tuple || hasOwn.call(expr, 'group')) {
    return null;
  }
  const steps = expr.steps;
  let start = 0;
  let first: Evaluator | null = null;
  const head = steps[0] as AstNode;
  if (head.type === 'variable') {
    if (!plainStep(head) || steps.length < 2) {
      return null;
    }
    first = compileVariable(head);
    start = 1;
  }
  const names: string[] = [];
  for (let ii = start; ii < steps.length; ii++) {
    const step = steps[ii] as AstNode;
    if (step.type !== 'name' || !plainStep(step)) {
      return null;
    }
    names.push(step.value);
  }
  if (names.length === 0) {
    return null;
  }
  return function (input, environment) {
    let value = first === null ? input : first(input, environment);
    for (let ii = 0; ii < names.length; ii++) {
      if (Array.isArray(value)) {
        return NOT_SIMPLE;
      }
      // nothing to look up in: an empty sequence, which jsonata gives as undefined
      if (
        value === null ||
        typeof value !== 'object' ||
        isFunction(value) ||
        !hasOwn.call(value, names[ii] as string)
      ) {
        return undefined;
      }
      value = (value as Fields)[names[ii] as string];
    }
    if (Array.isArray(value)) {
      // an array at the last step is the path's value itself, unless it is a sequence
      return isSequence(value) ? NOT_SIMPLE : value;
    }
    return value;
  };
}

/**
 * A step within a path
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @param {boolean} lastStep - flag the last step in a path
 * @returns {Function} (inputSequence, environment) => result sequence
 */
function compileStep(expr: AstNode, mode: Mode, lastStep: boolean): StepRun {
  if (expr.type === 'sort') {
    const sort = compileSortExpression(expr, mode);
    const sortStages = expr.stages ? compileStages(expr.stages, mode) : null;
    return function (input, environment) {
      let result = sort(input, environment);
      if (sortStages !== null) {
        result = sortStages(result, environment);
      }
      return result;
    };
  }
  const run = compile(expr, mode);
  let stages: FilterRun[] | null = null;
  if (expr.stages) {
    stages = expr.stages.map(function (stage) {
      // (a step not carrying tuples has no index stage: `#$i` makes it a tuple step)
      return compileFilter((stage as FilterStage).expr, mode);
    });
  }
  return function (input, environment) {
    const result = environment.base.createSequence();

    for (let ii = 0; ii < input.length; ii++) {
      let res = run(input[ii], environment);
      if (stages !== null) {
        for (let ss = 0; ss < stages.length; ss++) {
          res = (stages[ss] as FilterRun)(res, environment);
        }
      }
      if (typeof res !== 'undefined') {
        result.push(res);
      }
    }

    let resultSequence = environment.base.createSequence();
    if (lastStep && result.length === 1 && Array.isArray(result[0]) && !isSequence(result[0])) {
      resultSequence = result[0];
    } else {
      // flatten the sequence
      for (let rr = 0; rr < result.length; rr++) {
        const item = result[rr];
        if (!Array.isArray(item) || (item as Sequence).cons) {
          // it's not an array - just push into the result sequence
          resultSequence.push(item);
        } else {
          // item is a sequence - flatten it into the parent sequence
          for (let vv = 0; vv < item.length; vv++) {
            resultSequence.push(item[vv]);
          }
        }
      }
    }

    return resultSequence;
  };
}

function compileStages(stages: Stage[], mode: Mode): (input: Sequence, environment: Environment) => Sequence {
  const plan = stages.map(function (stage): StagePlan {
    return stage.type === 'filter'
      ? { filter: compileFilter(stage.expr, mode) }
      : { index: stage.type === 'index', value: stage.value };
  });
  return function (input, environment) {
    let result = input;
    for (let ss = 0; ss < plan.length; ss++) {
      const stage = plan[ss] as StagePlan;
      if (stage.filter) {
        result = stage.filter(result, environment);
      } else if (stage.index) {
        for (let ee = 0; ee < result.length; ee++) {
          const tuple = result[ee] as Tuple;
          tuple[stage.value] = ee;
        }
      }
    }
    return result;
  };
}

/**
 * A step within a path that carries a tuple stream
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @returns {Function} (input, tupleBindings, environment) => tuple stream
 */
function compileTupleStep(expr: AstNode, mode: Mode): TupleStepRun {
  const stages = expr.stages ? compileStages(expr.stages, mode) : null;
  if (expr.type === 'sort') {
    const sort = compileSortExpression(expr, mode);
    return function (input, tupleBindings, environment) {
      let result: Sequence<Tuple>;
      if (tupleBindings) {
        result = sort(tupleBindings, environment) as Sequence<Tuple>;
      } else {
        const sorted = sort(input, environment);
        result = environment.base.createSequence() as Sequence<Tuple>;
        result.tupleStream = true;
        for (let ss = 0; ss < sorted.length; ss++) {
          const tuple: Tuple = { '@': sorted[ss] };
          // (a sort step without an index variable sets the key "undefined", as jsonata does)
          tuple[expr.index as string] = ss;
          result.push(tuple);
        }
      }
      if (stages !== null) {
        result = stages(result, environment) as Sequence<Tuple>;
      }
      return result;
    };
  }

  const run = compile(expr, mode);
  return function (input, tupleBindings, environment) {
    let result = environment.base.createSequence() as Sequence<Tuple>;
    result.tupleStream = true;
    if (tupleBindings === undefined) {
      tupleBindings = input.map((item) => {
        return { '@': item };
      });
    }

    for (let ee = 0; ee < tupleBindings.length; ee++) {
      const binding = tupleBindings[ee] as Tuple;
      const stepEnv = createFrameFromTuple(environment, binding);
      const res = run(binding['@'], stepEnv);
      // res is the binding sequence for the output tuple stream
      if (typeof res !== 'undefined') {
        const values: Sequence = Array.isArray(res) ? res : [res];
        for (let bb = 0; bb < values.length; bb++) {
          const tuple = Object.create(null) as Tuple;
          Object.assign(tuple, binding);
          if (values.tupleStream) {
            Object.assign(tuple, values[bb]);
          } else {
            if (expr.focus) {
              tuple[expr.focus] = values[bb];
              tuple['@'] = binding['@'];
            } else {
              tuple['@'] = values[bb];
            }
            if (expr.index) {
              tuple[expr.index] = bb;
            }
            if (expr.ancestor) {
              tuple[expr.ancestor.label] = binding['@'];
            }
          }
          result.push(tuple);
        }
      }
    }

    if (stages !== null) {
      result = stages(result, environment) as Sequence<Tuple>;
    }

    return result;
  };
}

/**
 * Filter predicate applied to input data
 * @param {Object} predicate - filter expression
 * @param {number} mode - compilation mode
 * @returns {Function} (input, environment) => results
 */
export function compileFilter(predicate: AstNode, mode: Mode): FilterRun {
  if (predicate.type === 'number') {
    const fixedIndex = Math.floor(predicate.value); // round it down
    return function (input, environment) {
      let results = environment.base.createSequence();
      if (input && (input as Sequence).tupleStream) {
        results.tupleStream = true;
      }
      const items: Sequence = Array.isArray(input) ? input : environment.base.createSequence(input);
      let index = fixedIndex;
      if (index < 0) {
        // count in from end of array
        index = items.length + index;
      }
      const item = items[index];
      if (typeof item !== 'undefined') {
        if (Array.isArray(item)) {
          results = item;
        } else {
          results.push(item);
        }
      }
      return results;
    };
  }
  const test = compile(predicate, mode);
  return function (input, environment) {
    const results = environment.base.createSequence();
    if (input && (input as Sequence).tupleStream) {
      results.tupleStream = true;
    }
    const items: Sequence = Array.isArray(input) ? input : environment.base.createSequence(input);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      let context = item;
      let env = environment;
      if (items.tupleStream) {
        context = (item as Tuple)['@'];
        env = createFrameFromTuple(environment, item as Tuple);
      }
      let res = test(context, env);
      if (isNumeric(res)) {
        res = [res];
      }
      if (isArrayOfNumbers(res)) {
        for (let rr = 0; rr < res.length; rr++) {
          // round it down
          let ii = Math.floor(res[rr] as number);
          if (ii < 0) {
            // count in from end of array
            ii = items.length + ii;
          }
          if (ii === index) {
            results.push(item);
          }
        }
      } else if (boolean(res)) {
        // truthy
        results.push(item);
      }
    }
    return results;
  };
}

/**
 * Name step: the field of the input (each item's, flattened, for an array)
 * @param {Object} expr - JSONata expression
 * @returns {Function} evaluator
 */
export function compileName(expr: NameNode): Evaluator {
  const name = expr.value;
  return function (input, environment) {
    if (Array.isArray(input)) {
      return lookup.call(environment.base.focus, input, name);
    }
    if (input !== null && typeof input === 'object' && hasOwn.call(input, name) && !isFunction(input)) {
      return (input as Fields)[name];
    }
    return undefined;
  };
}

/**
 * Evaluate wildcard against input data
 * @param {Object} input - Input data to evaluate against
 * @param {Object} environment - Environment
 * @returns {*} Evaluated input data
 */
export function evaluateWildcard(input: unknown, environment: Environment): unknown {
  const focus = environment.base.focus;
  let results = focus.createSequence();
  if (Array.isArray(input) && (input as Sequence).outerWrapper && input.length > 0) {
    input = input[0];
  }
  if (input !== null && typeof input === 'object' && !isFunction(input)) {
    ownKeys(input).forEach(function (key) {
      let value = (input as Fields)[key];
      if (Array.isArray(value)) {
        value = flatten(value);
        // (an array and an array: their concatenation)
        results = append.call(focus, results, value) as Sequence;
      } else {
        results.push(value);
      }
    });
  }

  return results;
}

/**
 * Evaluate descendants against input data
 * @param {Object} input - Input data to evaluate against
 * @param {Object} environment - Environment
 * @returns {*} Evaluated input data
 */
export function evaluateDescendants(input: unknown, environment: Environment): unknown {
  let result: unknown;
  const resultSequence = environment.base.createSequence();
  if (typeof input !== 'undefined') {
    // traverse all descendants of this object/array
    recurseDescendants(input, resultSequence);
    if (resultSequence.length === 1) {
      result = resultSequence[0];
    } else {
      result = resultSequence;
    }
  }
  return result;
}

/**
 * Returns a flattened array
 * @param {Array} arg - the array to be flatten
 * @param {Array} flattened - carries the flattened array - if not defined, will initialize to []
 * @returns {Array} - the flattened array
 */
function flatten(arg: unknown, flattened?: unknown[]): unknown[] {
  if (typeof flattened === 'undefined') {
    flattened = [];
  }
  if (Array.isArray(arg)) {
    Array.prototype.forEach.call(arg, function (item: unknown) {
      flatten(item, flattened);
    });
  } else {
    flattened.push(arg);
  }
  return flattened;
}

/**
 * Recurse through descendants
 * @param {Object} input - Input data
 * @param {Object} results - Results
 */
function recurseDescendants(input: unknown, results: Sequence): void {
  // this is the equivalent of //* in XPath
  if (!Array.isArray(input)) {
    results.push(input);
  }
  if (Array.isArray(input)) {
    Array.prototype.forEach.call(input, function (member: unknown) {
      recurseDescendants(member, results);
    });
  } else if (input !== null && typeof input === 'object' && !isFunction(input)) {
    ownKeys(input).forEach(function (key) {
      recurseDescendants((input as Fields)[key], results);
    });
  }
}
