/**
 * The evaluator.
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

/**
 * @module JSONata
 * @description JSON query and transformation language
 */

import { formatInteger } from './datetime/integer-picture.js';
import { parseInteger } from './datetime/parse.js';
import { fromMillis, toMillis } from './datetime/millis.js';
const datetime = { formatInteger, parseInteger, toMillis, fromMillis };
import * as fn_aggregation from './functions/aggregation.js';
import * as fn_array from './functions/array.js';
import * as fn_boolean from './functions/boolean.js';
import * as fn_encoding from './functions/encoding.js';
import * as fn_format_number from './functions/format-number.js';
import * as fn_higher_order from './functions/higher-order.js';
import * as fn_numeric from './functions/numeric.js';
import * as fn_object from './functions/object.js';
import * as fn_string from './functions/string.js';
const fn = { ...fn_aggregation, ...fn_array, ...fn_boolean, ...fn_encoding, ...fn_format_number, ...fn_higher_order, ...fn_numeric, ...fn_object, ...fn_string };
import * as utils from './values.js';
import jsonataLibrary from 'jsonata';

// jsonata's own parser gives the AST (the same tree jsonata evaluates); `recover` keeps its errors on the tree.
function parser(expr, recover) {
    var parsed = jsonataLibrary(expr, { recover: recover });
    var ast = parsed.ast();
    var errors = parsed.errors();
    if (typeof errors !== 'undefined') {
        ast.errors = errors;
    }
    return ast;
}
import parseSignature from './signature.js';

/**
 * jsonata
 * @function
 * @param {Object} expr - JSONata expression
 * @returns {{evaluate: evaluate, assign: assign}} Evaluated expression
 */
var jsonata = (function() {
    'use strict';

    var isNumeric = utils.isNumeric;
    var isArrayOfStrings = utils.isArrayOfStrings;
    var isArrayOfNumbers = utils.isArrayOfNumbers;
    var isSequence = utils.isSequence;
    var isFunction = utils.isFunction;
    var isLambda = utils.isLambda;
    var isIterable = utils.isIterable;
    var isPromise = utils.isPromise;
    var getFunctionArity = utils.getFunctionArity;
    var isDeepEqual = utils.isDeepEqual;

    // A function bound by the caller answered with a promise: the synchronous evaluator cannot wait for it.
    function asyncResult() {
        return {
            code: 'SP001',
            message: 'A function returned a promise; the synchronous JSONata evaluator does not await',
            stack: (new Error()).stack
        };
    }

    // Start of Evaluator code


    /*
     * The evaluator, compiled. jsonata walks the AST on every evaluation (evaluate(expr, input, environment)
     * switches on expr.type per node); here every node is turned once into a closure
     * `(input, environment) => result` that holds its children's closures, with the operator, the step kinds
     * and the node's flags decided at compile time. Each closure does what jsonata's evaluate does for its
     * node, in the same order, so results and errors are jsonata's.
     *
     * Two compilations exist per node: a plain one, and an instrumented one that also does what jsonata does
     * on every node for its guard rails and hooks (the depth count and timeout of the `stack` and `timeout`
     * options, the `__evaluate_entry` / `__evaluate_exit` callbacks, `isParallelCall`). An evaluation uses the
     * instrumented one only when one of those is set, so a plain evaluation pays for none of them.
     */
    var PLAIN = 0;
    var INSTRUMENTED = 1;
    var ENTRY = Symbol.for('jsonata.__evaluate_entry');
    var EXIT = Symbol.for('jsonata.__evaluate_exit');
    var FRAME_PUSH = Symbol.for('jsonata.__createFrame_push');
    var compiledNodes = [new WeakMap(), new WeakMap()];
    var hasOwn = Object.prototype.hasOwnProperty;

    /**
     * Evaluate expression against input data (the compiled closure of the node, compiled on first use)
     * @param {Object} expr - JSONata expression
     * @param {Object} input - Input data to evaluate against
     * @param {Object} environment - Environment
     * @returns {*} Evaluated input data
     */
    function evaluate(expr, input, environment) {
        return compile(expr, environment.base.mode)(input, environment);
    }

    /**
     * The closure evaluating a node (memoised per node and mode).
     * @param {Object} expr - JSONata expression
     * @param {number} mode - PLAIN or INSTRUMENTED
     * @returns {Function} (input, environment) => result
     */
    function compile(expr, mode) {
        var memo = compiledNodes[mode];
        var run = memo.get(expr);
        if (run === undefined) {
            run = compileNode(expr, mode);
            memo.set(expr, run);
        }
        return run;
    }

    // jsonata's evaluate(): the node's own evaluation, then its predicates and group, then the sequence rules
    function compileNode(expr, mode) {
        var body = compileBody(expr, mode);
        var predicates = null;
        if (hasOwn.call(expr, 'predicate')) {
            predicates = expr.predicate.map(function (predicate) {
                return compileFilter(predicate.expr, mode);
            });
        }
        var group = null;
        if (expr.type !== 'path' && hasOwn.call(expr, 'group')) {
            group = compileGroupExpression(expr.group, mode);
        }
        var keepArray = expr.keepArray;

        if (mode === INSTRUMENTED) {
            return function (input, environment) {
                var result;
                environment.base.depth++;
                environment.base.guardrails();
                var entryCallback = environment.lookup(ENTRY);
                if (entryCallback) {
                    entryCallback(expr, input, environment);
                }
                result = body(input, environment);
                if (predicates !== null) {
                    for (var ii = 0; ii < predicates.length; ii++) {
                        result = predicates[ii](result, environment);
                    }
                }
                if (group !== null) {
                    result = group(result, environment);
                }
                var exitCallback = environment.lookup(EXIT);
                if (exitCallback) {
                    exitCallback(expr, input, environment, result);
                }
                result = normalise(result, keepArray);
                environment.base.depth--;
                return result;
            };
        }

        // literals: nothing to normalise
        if ((expr.type === 'string' || expr.type === 'number' || expr.type === 'value') && predicates === null && group === null) {
            return body;
        }
        if (predicates === null && group === null) {
            return function (input, environment) {
                var result = body(input, environment);
                if (result && result.sequence === true && !result.tupleStream && Array.isArray(result)) {
                    return normalise(result, keepArray);
                }
                return result;
            };
        }
        return function (input, environment) {
            var result = body(input, environment);
            if (predicates !== null) {
                for (var ii = 0; ii < predicates.length; ii++) {
                    result = predicates[ii](result, environment);
                }
            }
            if (group !== null) {
                result = group(result, environment);
            }
            return normalise(result, keepArray);
        };
    }

    // a sequence of none is undefined, a sequence of one its item (unless kept as an array)
    function normalise(result, keepArray) {
        if (result && isSequence(result) && !result.tupleStream) {
            if (keepArray) {
                result.keepSingleton = true;
            }
            if (result.length === 0) {
                result = undefined;
            } else if (result.length === 1) {
                result = result.keepSingleton ? result : result[0];
            }
        }
        return result;
    }

    function compileBody(expr, mode) {
        switch (expr.type) {
            case 'path':
                return compilePath(expr, mode);
            case 'binary':
                return compileBinary(expr, mode);
            case 'unary':
                return compileUnary(expr, mode);
            case 'name':
                return compileName(expr);
            case 'string':
            case 'number':
            case 'value':
                return compileLiteral(expr);
            case 'wildcard':
                return evaluateWildcard;
            case 'descendant':
                return evaluateDescendants;
            case 'parent':
                var label = expr.slot.label;
                return function (input, environment) {
                    return environment.lookup(label);
                };
            case 'condition':
                return compileCondition(expr, mode);
            case 'block':
                return compileBlock(expr, mode);
            case 'bind':
                return compileBind(expr, mode);
            case 'regex':
                return function (input, environment) {
                    return evaluateRegex(expr, input, environment);
                };
            case 'function':
                var call = compileFunction(expr, mode);
                return function (input, environment) {
                    return call(input, environment, undefined);
                };
            case 'variable':
                return compileVariable(expr);
            case 'lambda':
                return compileLambda(expr, mode);
            case 'partial':
                return compilePartialApplication(expr, mode);
            case 'apply':
                return compileApplyExpression(expr, mode);
            case 'transform':
                return compileTransformExpression(expr, mode);
            default:
                return function () {
                    return undefined;
                };
        }
    }

    /**
     * Path expression: its steps in turn
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} evaluator
     */
    function compilePath(expr, mode) {
        var steps = expr.steps;
        var relative = steps[0].type !== 'variable';
        var simple = compileSimplePath(expr, mode);
        // per step: how it is evaluated (jsonata decides the same from the step's flags, on every evaluation)
        var plan = [];
        var tupleSeen = false;
        for (var ii = 0; ii < steps.length; ii++) {
            var step = steps[ii];
            if (step.tuple) {
                tupleSeen = true;
            }
            var kind;
            var run;
            if (ii === 0 && step.consarray) {
                kind = 'cons';
                run = compile(step, mode);
            } else if (tupleSeen) {
                kind = 'tuple';
                run = compileTupleStep(step, mode);
            } else {
                kind = 'step';
                run = compileStep(step, mode, ii === steps.length - 1);
            }
            plan.push({ kind: kind, run: run, tupleStream: tupleSeen, keepsInput: typeof step.focus !== 'undefined' });
        }
        var keepTuples = expr.tuple;
        var keepSingletonArray = expr.keepSingletonArray;
        var group = hasOwn.call(expr, 'group') ? compileGroupExpression(expr.group, mode) : null;

        return function (input, environment) {
            if (simple !== null) {
                var answer = simple(input, environment);
                if (answer !== NOT_SIMPLE) {
                    return answer;
                }
            }
            var inputSequence;
            // if the first step is a variable reference ($...), including root reference ($$),
            //   then the path is absolute rather than relative
            if (Array.isArray(input) && relative) {
                inputSequence = input;
            } else {
                // if input is not an array, make it so
                inputSequence = environment.base.createSequence(input);
            }

            var resultSequence;
            var isTupleStream = false;
            var tupleBindings = undefined;

            for (var ii = 0; ii < plan.length; ii++) {
                var stepPlan = plan[ii];
                isTupleStream = stepPlan.tupleStream;
                if (stepPlan.kind === 'cons') {
                    resultSequence = stepPlan.run(inputSequence, environment);
                } else if (stepPlan.kind === 'tuple') {
                    tupleBindings = stepPlan.run(inputSequence, tupleBindings, environment);
                } else {
                    resultSequence = stepPlan.run(inputSequence, environment);
                }

                if (!isTupleStream && (typeof resultSequence === 'undefined' || resultSequence.length === 0)) {
                    break;
                }

                if (!stepPlan.keepsInput) {
                    inputSequence = resultSequence;
                }
            }

            if (isTupleStream) {
                if (keepTuples) {
                    // tuple stream is carrying ancestry information - keep this
                    resultSequence = tupleBindings;
                } else {
                    resultSequence = environment.base.createSequence();
                    for (ii = 0; ii < tupleBindings.length; ii++) {
                        resultSequence.push(tupleBindings[ii]['@']);
                    }
                }
            }

            if (keepSingletonArray) {
                // if the array is explicitly constructed in the expression and marked to promote singleton sequences to array
                if (Array.isArray(resultSequence) && resultSequence.cons && !resultSequence.sequence) {
                    resultSequence = environment.base.createSequence(resultSequence);
                }
                resultSequence.keepSingleton = true;
            }

            if (group !== null) {
                resultSequence = group(isTupleStream ? tupleBindings : resultSequence, environment);
            }

            return resultSequence;
        };
    }

    var NOT_SIMPLE = Symbol('not a simple path');

    /*
     * `a.b.c`, `$.a.b`, `$var.a.b`: field names after an optional variable, nothing else on any step. On an
     * object (not an array) each lookup that gives a value that is neither an array nor undefined leaves a
     * sequence of one, which jsonata unwraps at the end: the result is that value. Anything else (an array on
     * the way, a missing field: empty sequences, flattening) answers NOT_SIMPLE and the general path runs
     * from the start; a lookup has no effects, so starting over is exact.
     */
    function compileSimplePath(expr, mode) {
        if (mode !== PLAIN || expr.keepSingletonArray || expr.tuple || hasOwn.call(expr, 'group')) {
            return null;
        }
        var steps = expr.steps;
        var start = 0;
        var first = null;
        if (steps[0].type === 'variable') {
            if (!plainStep(steps[0]) || steps.length < 2) {
                return null;
            }
            first = compileVariable(steps[0]);
            start = 1;
        }
        var names = [];
        for (var ii = start; ii < steps.length; ii++) {
            if (steps[ii].type !== 'name' || !plainStep(steps[ii])) {
                return null;
            }
            names.push(steps[ii].value);
        }
        if (names.length === 0) {
            return null;
        }
        return function (input, environment) {
            var value = first === null ? input : first(input, environment);
            for (var ii = 0; ii < names.length; ii++) {
                if (Array.isArray(value)) {
                    return NOT_SIMPLE;
                }
                // nothing to look up in: an empty sequence, which jsonata gives as undefined
                if (value === null || typeof value !== 'object' || isFunction(value) || !hasOwn.call(value, names[ii])) {
                    return undefined;
                }
                value = value[names[ii]];
            }
            if (Array.isArray(value)) {
                // an array at the last step is the path's value itself, unless it is a sequence
                return isSequence(value) ? NOT_SIMPLE : value;
            }
            return value;
        };
    }

    // a step with nothing on it but its name: no predicate, stage, group, focus, index, tuple, keep-array
    function plainStep(step) {
        // own keys only: the parser's nodes inherit its token fields (id, lbp, nud)
        var keys = Object.keys(step);
        for (var ii = 0; ii < keys.length; ii++) {
            var key = keys[ii];
            if (key !== 'type' && key !== 'value' && key !== 'position') {
                return false;
            }
        }
        return true;
    }

    function createFrameFromTuple(environment, tuple) {
        var frame = createFrame(environment);
        for(const prop of utils.keys(tuple)) {
            frame.bind(prop, tuple[prop]);
        }
        return frame;
    }

    /**
     * A step within a path
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @param {boolean} lastStep - flag the last step in a path
     * @returns {Function} (inputSequence, environment) => result sequence
     */
    function compileStep(expr, mode, lastStep) {
        if(expr.type === 'sort') {
            var sort = compileSortExpression(expr, mode);
            var sortStages = expr.stages ? compileStages(expr.stages, mode) : null;
            return function (input, environment) {
                var result = sort(input, environment);
                if (sortStages !== null) {
                    result = sortStages(result, environment);
                }
                return result;
            };
        }
        var run = compile(expr, mode);
        var stages = null;
        if (expr.stages) {
            stages = expr.stages.map(function (stage) {
                return compileFilter(stage.expr, mode);
            });
        }
        return function (input, environment) {
            var result = environment.base.createSequence();

            for(var ii = 0; ii < input.length; ii++) {
                var res = run(input[ii], environment);
                if(stages !== null) {
                    for(var ss = 0; ss < stages.length; ss++) {
                        res = stages[ss](res, environment);
                    }
                }
                if(typeof res !== 'undefined') {
                    result.push(res);
                }
            }

            var resultSequence = environment.base.createSequence();
            if(lastStep && result.length === 1 && Array.isArray(result[0]) && !isSequence(result[0])) {
                resultSequence = result[0];
            } else {
                // flatten the sequence
                for (var rr = 0; rr < result.length; rr++) {
                    var item = result[rr];
                    if (!Array.isArray(item) || item.cons) {
                        // it's not an array - just push into the result sequence
                        resultSequence.push(item);
                    } else {
                        // item is a sequence - flatten it into the parent sequence
                        for (var vv = 0; vv < item.length; vv++) {
                            resultSequence.push(item[vv]);
                        }
                    }
                }
            }

            return resultSequence;
        };
    }

    function compileStages(stages, mode) {
        var plan = stages.map(function (stage) {
            return stage.type === 'filter' ? { filter: compileFilter(stage.expr, mode) } : { index: stage.type === 'index', value: stage.value };
        });
        return function (input, environment) {
            var result = input;
            for(var ss = 0; ss < plan.length; ss++) {
                var stage = plan[ss];
                if (stage.filter) {
                    result = stage.filter(result, environment);
                } else if (stage.index) {
                    for(var ee = 0; ee < result.length; ee++) {
                        var tuple = result[ee];
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
    function compileTupleStep(expr, mode) {
        var stages = expr.stages ? compileStages(expr.stages, mode) : null;
        if(expr.type === 'sort') {
            var sort = compileSortExpression(expr, mode);
            return function (input, tupleBindings, environment) {
                var result;
                if(tupleBindings) {
                    result = sort(tupleBindings, environment);
                } else {
                    var sorted = sort(input, environment);
                    result = environment.base.createSequence();
                    result.tupleStream = true;
                    for(var ss = 0; ss < sorted.length; ss++) {
                        var tuple = {'@': sorted[ss]};
                        tuple[expr.index] = ss;
                        result.push(tuple);
                    }
                }
                if(stages !== null) {
                    result = stages(result, environment);
                }
                return result;
            };
        }

        var run = compile(expr, mode);
        return function (input, tupleBindings, environment) {
            var result = environment.base.createSequence();
            result.tupleStream = true;
            var stepEnv = environment;
            if(tupleBindings === undefined) {
                tupleBindings = input.map(item => { return {'@': item} });
            }

            for(var ee = 0; ee < tupleBindings.length; ee++) {
                stepEnv = createFrameFromTuple(environment, tupleBindings[ee]);
                var res = run(tupleBindings[ee]['@'], stepEnv);
                // res is the binding sequence for the output tuple stream
                if(typeof res !== 'undefined') {
                    if (!Array.isArray(res)) {
                        res = [res];
                    }
                    for (var bb = 0; bb < res.length; bb++) {
                        var tuple = Object.create(null);
                        Object.assign(tuple, tupleBindings[ee]);
                        if(res.tupleStream) {
                            Object.assign(tuple, res[bb]);
                        } else {
                            if (expr.focus) {
                                tuple[expr.focus] = res[bb];
                                tuple['@'] = tupleBindings[ee]['@'];
                            } else {
                                tuple['@'] = res[bb];
                            }
                            if (expr.index) {
                                tuple[expr.index] = bb;
                            }
                            if (expr.ancestor) {
                                tuple[expr.ancestor.label] = tupleBindings[ee]['@'];
                            }
                        }
                        result.push(tuple);
                    }
                }
            }

            if(stages !== null) {
                result = stages(result, environment);
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
    function compileFilter(predicate, mode) {
        if (predicate.type === 'number') {
            var fixedIndex = Math.floor(predicate.value);  // round it down
            return function (input, environment) {
                var results = environment.base.createSequence();
                if( input && input.tupleStream) {
                    results.tupleStream = true;
                }
                if (!Array.isArray(input)) {
                    input = environment.base.createSequence(input);
                }
                var index = fixedIndex;
                if (index < 0) {
                    // count in from end of array
                    index = input.length + index;
                }
                var item = input[index];
                if(typeof item !== 'undefined') {
                    if(Array.isArray(item)) {
                        results = item;
                    } else {
                        results.push(item);
                    }
                }
                return results;
            };
        }
        var test = compile(predicate, mode);
        return function (input, environment) {
            var results = environment.base.createSequence();
            if( input && input.tupleStream) {
                results.tupleStream = true;
            }
            if (!Array.isArray(input)) {
                input = environment.base.createSequence(input);
            }
            for (var index = 0; index < input.length; index++) {
                var item = input[index];
                var context = item;
                var env = environment;
                if(input.tupleStream) {
                    context = item['@'];
                    env = createFrameFromTuple(environment, item);
                }
                var res = test(context, env);
                if (isNumeric(res)) {
                    res = [res];
                }
                if (isArrayOfNumbers(res)) {
                    for (var rr = 0; rr < res.length; rr++) {
                        // round it down
                        var ii = Math.floor(res[rr]);
                        if (ii < 0) {
                            // count in from end of array
                            ii = input.length + ii;
                        }
                        if (ii === index) {
                            results.push(item);
                        }
                    }
                } else if (fn.boolean(res)) { // truthy
                    results.push(item);
                }
            }
            return results;
        };
    }

    /**
     * Binary expression: the operator chosen at compile time
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} evaluator
     */
    function compileBinary(expr, mode) {
        var lhs = compile(expr.lhs, mode);
        var rhs = compile(expr.rhs, mode);
        var op = expr.value;
        var position = expr.position;

        function located(err) {
            err.position = position;
            err.token = op;
            return err;
        }

        if (op === "and" || op === "or") {
            var isAnd = op === 'and';
            // the right side only when needed
            return function (input, environment) {
                var left = lhs(input, environment);
                try {
                    var lBool = boolize(left);
                    if (isAnd) {
                        return lBool && boolize(rhs(input, environment));
                    }
                    return lBool || boolize(rhs(input, environment));
                } catch(err) {
                    throw located(err);
                }
            };
        }

        var combine;
        switch (op) {
            case '+':
                combine = function (l, r) {
                    return evaluateNumericExpression(l, r, '+');
                };
                break;
            case '-':
            case '*':
            case '/':
            case '%':
                combine = function (l, r) {
                    return evaluateNumericExpression(l, r, op);
                };
                break;
            case '=':
            case '!=':
                combine = function (l, r) {
                    return evaluateEqualityExpression(l, r, op);
                };
                break;
            case '<':
            case '<=':
            case '>':
            case '>=':
                combine = function (l, r) {
                    return evaluateComparisonExpression(l, r, op);
                };
                break;
            case '&':
                combine = evaluateStringConcat;
                break;
            case 'in':
                combine = evaluateIncludesExpression;
                break;
            case '..':
                return function (input, environment) {
                    var left = lhs(input, environment);
                    var right = rhs(input, environment);
                    try {
                        return evaluateRangeExpression(left, right, environment);
                    } catch(err) {
                        throw located(err);
                    }
                };
            default:
                combine = function () {
                    return undefined;
                };
        }
        return function (input, environment) {
            var left = lhs(input, environment);
            var right = rhs(input, environment);
            try {
                return combine(left, right);
            } catch(err) {
                throw located(err);
            }
        };
    }

    /**
     * Unary expression: negation, array constructor, object constructor
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} evaluator
     */
    function compileUnary(expr, mode) {
        switch (expr.value) {
            case '-':
                var operand = compile(expr.expression, mode);
                return function (input, environment) {
                    var result = operand(input, environment);
                    if(typeof result === 'undefined') {
                        return undefined;
                    } else if (isNumeric(result)) {
                        return -result;
                    }
                    throw {
                        code: "D1002",
                        stack: (new Error()).stack,
                        position: expr.position,
                        token: expr.value,
                        value: result
                    };
                };
            case '[':
                var items = expr.expressions.map(function (item) {
                    return compile(item, mode);
                });
                var nested = expr.expressions.map(function (item) {
                    return item.value === '[';
                });
                var consarray = expr.consarray;
                var instrumented = mode === INSTRUMENTED;
                return function (input, environment) {
                    // array constructor - evaluate each item, then gather them
                    var values = new Array(items.length);
                    for (var idx = 0; idx < items.length; idx++) {
                        if (instrumented) {
                            environment.isParallelCall = idx > 0;
                        }
                        values[idx] = items[idx](input, environment);
                    }
                    var result = [];
                    for (idx = 0; idx < values.length; idx++) {
                        var value = values[idx];
                        if (typeof value !== 'undefined') {
                            if(nested[idx]) {
                                result.push(value);
                            } else {
                                result = fn.append.call(environment.base.focus, result, value);
                            }
                        }
                    }
                    if(consarray) {
                        Object.defineProperty(result, 'cons', {
                            enumerable: false,
                            configurable: false,
                            value: true
                        });
                    }
                    return result;
                };
            case '{':
                // object constructor - apply grouping
                return compileGroupExpression(expr, mode);
            default:
                return function () {
                    return undefined;
                };
        }
    }

    /**
     * Name step: the field of the input (each item's, flattened, for an array)
     * @param {Object} expr - JSONata expression
     * @returns {Function} evaluator
     */
    function compileName(expr) {
        var name = expr.value;
        return function (input, environment) {
            if (Array.isArray(input)) {
                return fn.lookup.call(environment.base.focus, input, name);
            }
            if (input !== null && typeof input === 'object' && hasOwn.call(input, name) && !isFunction(input)) {
                return input[name];
            }
            return undefined;
        };
    }

    function compileLiteral(expr) {
        var value = expr.value;
        return function () {
            return value;
        };
    }

    /**
     * Evaluate wildcard against input data
     * @param {Object} input - Input data to evaluate against
     * @param {Object} environment - Environment
     * @returns {*} Evaluated input data
     */
    function evaluateWildcard(input, environment) {
        var focus = environment.base.focus;
        var results = focus.createSequence();
        if (Array.isArray(input) && input.outerWrapper && input.length > 0) {
            input = input[0];
        }
        if (input !== null && typeof input === 'object' && !isFunction(input)) {
            utils.keys(input).forEach(function (key) {
                var value = input[key];
                if(Array.isArray(value)) {
                    value = flatten(value);
                    results = fn.append.call(focus, results, value);
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
    function evaluateDescendants(input, environment) {
        var result;
        var resultSequence = environment.base.createSequence();
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

    function boolize(value) {
        var booledValue = fn.boolean(value);
        return typeof booledValue === 'undefined' ? false : booledValue;
    }

    /**
     * Group expression (object constructor)
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} (input, environment) => object
     */
    function compileGroupExpression(expr, mode) {
        var pairs = expr.lhs.map(function (pair) {
            return [compile(pair[0], mode), compile(pair[1], mode)];
        });
        var instrumented = mode === INSTRUMENTED;
        var literal = compileLiteralObject(expr, mode, pairs);
        return function (input, environment) {
            // (a non-array input flagged tupleStream is grouped as jsonata's tuples: the general path)
            if (literal !== null && !Array.isArray(input) && !(input && input.tupleStream)) {
                return literal(input, environment);
            }
            var result = Object.create(null);
            var groups = Object.create(null);
            var reduce = input && input.tupleStream ? true : false;
            var focus = environment.base.focus;
            // group the input sequence by 'key' expression
            if (!Array.isArray(input)) {
                input = focus.createSequence(input);
            }
            // if the array is empty, add an undefined entry to enable literal JSON object to be generated
            if (input.length === 0 && !reduce) {
                input.push(undefined);
            }

            for(var itemIndex = 0; itemIndex < input.length; itemIndex++) {
                var item = input[itemIndex];
                var env = reduce ? createFrameFromTuple(environment, item) : environment;
                for(var pairIndex = 0; pairIndex < pairs.length; pairIndex++) {
                    var key = pairs[pairIndex][0](reduce ? item['@'] : item, env);
                    // key has to be a string
                    if (typeof  key !== 'string' && key !== undefined) {
                        throw {
                            code: "T1003",
                            stack: (new Error()).stack,
                            position: expr.position,
                            value: key
                        };
                    }

                    if (key !== undefined) {
                        // reject any attempts to set the internal JSONata flags
                        if (key === '_jsonata_lambda' || key === '_jsonata_function') {
                            // this is a restriction of this implementation rather than JSONata itself
                            throw {
                                code: "D1013",
                                stack: (new Error()).stack,
                                position: expr.position,
                                value: key
                            };
                        }
                        if (hasOwn.call(groups, key)) {
                            // a value already exists in this slot
                            if(groups[key].exprIndex !== pairIndex) {
                                // this key has been generated by another expression in this group
                                // when multiple key expressions evaluate to the same key, then error D1009 must be thrown
                                throw {
                                    code: "D1009",
                                    stack: (new Error()).stack,
                                    position: expr.position,
                                    value: key
                                };
                            }

                            // append it as an array
                            groups[key].data = fn.append.call(focus, groups[key].data, item);
                        } else {
                            groups[key] = {data: item, exprIndex: pairIndex};
                        }
                    }
                }
            }

            // iterate over the groups to evaluate the 'value' expression
            var keys = utils.keys(groups);
            for (var idx = 0; idx < keys.length; idx++) {
                var groupKey = keys[idx];
                var entry = groups[groupKey];
                var context = entry.data;
                var valueEnv = environment;
                if (reduce) {
                    var tuple = reduceTupleStream(entry.data, environment);
                    context = tuple['@'];
                    delete tuple['@'];
                    valueEnv = createFrameFromTuple(environment, tuple);
                }
                if (instrumented) {
                    environment.isParallelCall = idx > 0;
                }
                var value = pairs[entry.exprIndex][1](context, valueEnv);
                if(typeof value !== 'undefined') {
                    result[groupKey] = value;
                }
            }

            return result;
        };
    }

    /*
     * `{"k": v, ...}` with distinct literal keys, over one input that is not an array (nor flagged as a tuple
     * stream). jsonata then makes a sequence of that one item, puts every key in its own group and evaluates the values in the order
     * Object.keys gives the groups (array-index keys first, ascending, then the others as written): that order
     * is fixed when compiling, and the values are evaluated in it against the item. Literal keys that jsonata
     * refuses (its internal flags, duplicates) stay with the general path, which raises its errors.
     */
    function compileLiteralObject(expr, mode, pairs) {
        if (mode !== PLAIN) {
            return null;
        }
        var order = Object.create(null);
        for (var ii = 0; ii < expr.lhs.length; ii++) {
            var keyNode = expr.lhs[ii][0];
            if (keyNode.type !== 'string' || !plainStep(keyNode) || typeof keyNode.value !== 'string') {
                return null;
            }
            var key = keyNode.value;
            if (key === '_jsonata_lambda' || key === '_jsonata_function' || hasOwn.call(order, key)) {
                return null;
            }
            order[key] = ii;
        }
        var keys = utils.keys(order);
        var values = keys.map(function (key) {
            return pairs[order[key]][1];
        });
        return function (input, environment) {
            var result = Object.create(null);
            for (var kk = 0; kk < keys.length; kk++) {
                var value = values[kk](input, environment);
                if (typeof value !== 'undefined') {
                    result[keys[kk]] = value;
                }
            }
            return result;
        };
    }

    function compileBind(expr, mode) {
        // The RHS is the expression to evaluate
        // The LHS is the name of the variable to bind to - should be a VARIABLE token (enforced by parser)
        var rhs = compile(expr.rhs, mode);
        var name = expr.lhs.value;
        return function (input, environment) {
            var value = rhs(input, environment);
            environment.bind(name, value);
            return value;
        };
    }

    function compileCondition(expr, mode) {
        var condition = compile(expr.condition, mode);
        var then = compile(expr.then, mode);
        var otherwise = typeof expr.else !== 'undefined' ? compile(expr.else, mode) : null;
        return function (input, environment) {
            if (fn.boolean(condition(input, environment))) {
                return then(input, environment);
            } else if (otherwise !== null) {
                return otherwise(input, environment);
            }
            return undefined;
        };
    }

    function compileBlock(expr, mode) {
        var expressions = expr.expressions.map(function (expression) {
            return compile(expression, mode);
        });
        return function (input, environment) {
            var result;
            // create a new frame to limit the scope of variable assignments
            var frame = createFrame(environment);
            // invoke each expression in turn
            // only return the result of the last one
            for(var ii = 0; ii < expressions.length; ii++) {
                result = expressions[ii](input, frame);
            }
            return result;
        };
    }

    /**
     * Prepare a regex
     * @param {Object} expr - expression containing regex
     * @returns {Function} Higher order function representing prepared regex
     */
    function evaluateRegex(expr, input, environment) {
        var re = new environment.base.RegexEngine(expr.value);
        var closure = function(str, fromIndex) {
            var result;
            re.lastIndex = fromIndex || 0;
            var match = re.exec(str);
            if(match !== null) {
                result = {
                    match: match[0],
                    start: match.index,
                    end: match.index + match[0].length,
                    groups: []
                };
                if(match.length > 1) {
                    for(var i = 1; i < match.length; i++) {
                        result.groups.push(match[i]);
                    }
                }
                result.next = function() {
                    if(re.lastIndex >= str.length) {
                        return undefined;
                    } else {
                        var next = closure(str, re.lastIndex);
                        if(next && next.match === '') {
                            // matches zero length string; this will never progress
                            throw {
                                code: "D1004",
                                stack: (new Error()).stack,
                                position: expr.position,
                                value: expr.value.source
                            };
                        }
                        return next;
                    }
                };
            }

            return result;
        };
        return closure;
    }

    /**
     * Variable: the context for `$`, else the innermost binding. A built-in function's name that nothing in
     * the expression rebinds is the built-in itself, unless this evaluation's bindings shadow it.
     * @param {Object} expr - JSONata expression
     * @returns {Function} evaluator
     */
    function compileVariable(expr) {
        var name = expr.value;
        // if the variable name is empty string, then it refers to context value
        if (name === '') {
            return function (input) {
                return input && input.outerWrapper ? input[0] : input;
            };
        }
        if (builtinReferences.has(expr)) {
            var builtin = staticFrame.lookup(name);
            return function (input, environment) {
                return environment.base.shadowsBuiltin ? environment.lookup(name) : builtin;
            };
        }
        return function (input, environment) {
            return environment.lookup(name);
        };
    }

    /*
     * Variable nodes naming a built-in function that nothing in their expression can rebind. jsonata finds
     * `$uppercase` by walking every frame up to its static one; such a node is resolved when compiled. The
     * expression must bind the name nowhere (`:=`, a lambda's parameter, a focus `@$` or index `#$` variable)
     * and must not use `$eval` (its expression runs in the caller's frames and may bind anything); an
     * evaluation whose bindings or assignments shadow a built-in looks every name up (`shadowsBuiltin`).
     */
    var builtinReferences = new WeakSet();

    function resolveBuiltins(ast) {
        var bound = new Set();
        var variables = [];
        var usesEval = false;
        var seen = new Set();
        var visit = function (node) {
            if (node === null || typeof node !== 'object' || seen.has(node)) {
                return;
            }
            seen.add(node);
            if (Array.isArray(node)) {
                for (var ii = 0; ii < node.length; ii++) {
                    visit(node[ii]);
                }
                return;
            }
            if (node.type === 'variable' && typeof node.value === 'string') {
                variables.push(node);
                if (node.value === 'eval') {
                    usesEval = true;
                }
            }
            if (node.type === 'bind' && node.lhs && typeof node.lhs.value === 'string') {
                bound.add(node.lhs.value);
            }
            if (node.type === 'lambda' && Array.isArray(node.arguments)) {
                node.arguments.forEach(function (argument) {
                    bound.add(argument.value);
                });
            }
            if (typeof node.focus === 'string') {
                bound.add(node.focus);
            }
            if (typeof node.index === 'string') {
                bound.add(node.index);
            }
            for (var key of Object.keys(node)) {
                var child = node[key];
                if (child !== null && typeof child === 'object' && !(child instanceof RegExp)) {
                    visit(child);
                }
            }
        };
        visit(ast);
        if (usesEval) {
            return;
        }
        for (var vv = 0; vv < variables.length; vv++) {
            var name = variables[vv].value;
            if (!bound.has(name) && staticFrame.bindings.has(name)) {
                builtinReferences.add(variables[vv]);
            }
        }
    }

    /**
     * sort / order-by operator
     * @param {Object} expr - AST for operator
     * @param {number} mode - compilation mode
     * @returns {Function} (input, environment) => ordered sequence
     */
    function compileSortExpression(expr, mode) {
        var terms = expr.terms.map(function (term) {
            return { run: compile(term.expression, mode), descending: term.descending === true };
        });
        return function (input, environment) {
            // evaluate the lhs, then sort the results in order according to rhs expression
            var lhs = input;
            var isTupleSort = input.tupleStream ? true : false;

            // sort the lhs array
            // use comparator function
            var comparator = function(a, b) {
                // expr.terms is an array of order-by in priority order
                var comp = 0;
                for(var index = 0; comp === 0 && index < terms.length; index++) {
                    var term = terms[index];
                    //evaluate the sort term in the context of a
                    var context = a;
                    var env = environment;
                    if(isTupleSort) {
                        context = a['@'];
                        env = createFrameFromTuple(environment, a);
                    }
                    var aa = term.run(context, env);
                    //evaluate the sort term in the context of b
                    context = b;
                    env = environment;
                    if(isTupleSort) {
                        context = b['@'];
                        env = createFrameFromTuple(environment, b);
                    }
                    var bb = term.run(context, env);

                    // type checks
                    var atype = typeof aa;
                    var btype = typeof bb;
                    // undefined should be last in sort order
                    if(atype === 'undefined') {
                        // swap them, unless btype is also undefined
                        comp = (btype === 'undefined') ? 0 : 1;
                        continue;
                    }
                    if(btype === 'undefined') {
                        comp = -1;
                        continue;
                    }

                    // if aa or bb are not string or numeric values, then throw an error
                    if(!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
                        throw {
                            code: "T2008",
                            stack: (new Error()).stack,
                            position: expr.position,
                            value: !(atype === 'string' || atype === 'number') ? aa : bb
                        };
                    }

                    //if aa and bb are not of the same type
                    if(atype !== btype) {
                        throw {
                            code: "T2007",
                            stack: (new Error()).stack,
                            position: expr.position,
                            value: aa,
                            value2: bb
                        };
                    }
                    if(aa === bb) {
                        // both the same - move on to next term
                        continue;
                    } else if (aa < bb) {
                        comp = -1;
                    } else {
                        comp = 1;
                    }
                    if(term.descending === true) {
                        comp = -comp;
                    }
                }
                // only swap a & b if comp equals 1
                return comp === 1;
            };

            var focus = {
                environment: environment,
                input: input
            };
            // the `focus` is passed in as the `this` for the invoked function
            return fn.sort.apply(focus, [lhs, comparator]);
        };
    }

    /**
     * create a transformer function
     * @param {Object} expr - AST for operator
     * @param {number} mode - compilation mode
     * @returns {Function} (input, environment) => transformer function
     */
    function compileTransformExpression(expr, mode) {
        var pattern = compile(expr.pattern, mode);
        var update = compile(expr.update, mode);
        var deletion = typeof expr.delete !== 'undefined' ? compile(expr.delete, mode) : null;
        return function (input, environment) {
            // create a function to implement the transform definition
            var transformer = function (obj) { // signature <(oa):o>
                // undefined inputs always return undefined
                if(typeof obj === 'undefined') {
                    return undefined;
                }

                // this function returns a copy of obj with changes specified by the pattern/operation
                var cloneFunction = environment.lookup('clone');
                if(!isFunction(cloneFunction)) {
                    // throw type error
                    throw {
                        code: "T2013",
                        stack: (new Error()).stack,
                        position: expr.position
                    };
                }
                var result = apply(cloneFunction, [obj], null, environment);
                var matches = pattern(result, environment);
                if(typeof matches !== 'undefined') {
                    if(!Array.isArray(matches)) {
                        matches = [matches];
                    }
                    for(var ii = 0; ii < matches.length; ii++) {
                        var match = matches[ii];
                        // evaluate the update value for each match
                        var updated = update(match, environment);
                        // update must be an object
                        var updateType = typeof updated;
                        if(updateType !== 'undefined') {
                            if(updateType !== 'object' || updated === null || Array.isArray(updated)) {
                                // throw type error
                                throw {
                                    code: "T2011",
                                    stack: (new Error()).stack,
                                    position: expr.update.position,
                                    value: updated
                                };
                            }
                            // merge the update
                            for(const prop of utils.keys(updated)) {
                                match[prop] = updated[prop];
                            }
                        }

                        // delete, if specified, must be an array of strings (or single string)
                        if(deletion !== null) {
                            var deletions = deletion(match, environment);
                            if(typeof deletions !== 'undefined') {
                                var val = deletions;
                                if (!Array.isArray(deletions)) {
                                    deletions = [deletions];
                                }
                                if (!isArrayOfStrings(deletions)) {
                                    // throw type error
                                    throw {
                                        code: "T2012",
                                        stack: (new Error()).stack,
                                        position: expr.delete.position,
                                        value: val
                                    };
                                }
                                for (var jj = 0; jj < deletions.length; jj++) {
                                    if(typeof match === 'object' && match !== null) {
                                        delete match[deletions[jj]];
                                    }
                                }
                            }
                        }
                    }
                }

                return result;
            };

            return defineFunction(transformer, '<(oa):o>');
        };
    }

    var chainAST = parser('function($f, $g) { function($x){ $g($f($x)) } }');

    /**
     * Apply the function on the RHS using the sequence on the LHS as the first argument
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} evaluator
     */
    function compileApplyExpression(expr, mode) {
        var lhs = compile(expr.lhs, mode);
        if(expr.rhs.type === 'function') {
            // this is a function _invocation_; invoke it with lhs expression as the first argument
            var call = compileFunction(expr.rhs, mode);
            return function (input, environment) {
                var value = lhs(input, environment);
                return call(input, environment, { context: value });
            };
        }
        var rhs = compile(expr.rhs, mode);
        return function (input, environment) {
            var value = lhs(input, environment);
            var func = rhs(input, environment);

            if(!isFunction(func)) {
                throw {
                    code: "T2006",
                    stack: (new Error()).stack,
                    position: expr.position,
                    value: func
                };
            }

            if(isFunction(value)) {
                // this is function chaining (func1 ~> func2)
                // λ($f, $g) { λ($x){ $g($f($x)) } }
                var chain = evaluate(chainAST, null, environment);
                return apply(chain, [value, func], null, environment);
            }
            return apply(func, [value], null, environment);
        };
    }

    /**
     * Function call
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} (input, environment, applyto) => result
     */
    function compileFunction(expr, mode) {
        // create the procedure
        // can't assume that expr.procedure is a lambda type directly
        // could be an expression that evaluates to a function (e.g. variable reference, parens expr etc.
        // evaluate it generically first, then check that it is a function.  Throw error if not.
        var procedure = compile(expr.procedure, mode);
        var args = expr.arguments.map(function (arg) {
            return compile(arg, mode);
        });
        var pathName = expr.procedure.type === 'path' ? expr.procedure.steps[0].value : undefined;
        var procName = expr.procedure.type === 'path' ? expr.procedure.steps[0].value : expr.procedure.value;
        var position = expr.position;

        return function (input, environment, applyto) {
            var proc = procedure(input, environment);

            if (typeof proc === 'undefined' && pathName !== undefined && environment.lookup(pathName)) {
                // help the user out here if they simply forgot the leading $
                throw {
                    code: "T1005",
                    stack: (new Error()).stack,
                    position: position,
                    token: pathName
                };
            }

            var evaluatedArgs = [];
            if(typeof applyto !== 'undefined') {
                evaluatedArgs.push(applyto.context);
            }
            // eager evaluation - evaluate the arguments
            for (var jj = 0; jj < args.length; jj++) {
                const arg = args[jj](input, environment);
                if(isFunction(arg)) {
                    // wrap this in a closure
                    const closure = function (...params) {
                        // invoke func
                        return apply(arg, params, null, environment);
                    };
                    closure.arity = getFunctionArity(arg);
                    evaluatedArgs.push(closure);
                } else {
                    evaluatedArgs.push(arg);
                }
            }
            // apply the procedure
            try {
                if(typeof proc === 'object') {
                    proc.token = procName;
                    proc.position = position;
                }
                return apply(proc, evaluatedArgs, input, environment);
            } catch (err) {
                if(!err.position) {
                    // add the position field to the error
                    err.position = position;
                }
                if (!err.token) {
                    // and the function identifier
                    err.token = procName;
                }
                throw err;
            }
        };
    }

    /**
     * Apply procedure or function
     * @param {Object} proc - Procedure
     * @param {Array} args - Arguments
     * @param {Object} input - input
     * @param {Object} environment - environment
     * @returns {*} Result of procedure
     */
    function apply(proc, args, input, environment) {
        var result;
        result = applyInner(proc, args, input, environment);
        while(isLambda(result) && result.thunk === true) {
            // trampoline loop - this gets invoked as a result of tail-call optimization
            // the function returned a tail-call thunk
            // unpack it, evaluate its arguments, and apply the tail call
            var mode = result.environment.base.mode;
            var next = compile(result.body.procedure, mode)(result.input, result.environment);
            if(result.body.procedure.type === 'variable') {
                next.token = result.body.procedure.value;
            }
            next.position = result.body.procedure.position;
            var evaluatedArgs = [];
            for(var ii = 0; ii < result.body.arguments.length; ii++) {
                evaluatedArgs.push(compile(result.body.arguments[ii], mode)(result.input, result.environment));
            }

            result = applyInner(next, evaluatedArgs, input, environment);
        }
        return result;
    }

    /**
     * Apply procedure or function
     * @param {Object} proc - Procedure
     * @param {Array} args - Arguments
     * @param {Object} input - input
     * @param {Object} environment - environment
     * @returns {*} Result of procedure
     */
    function applyInner(proc, args, input, environment) {
        var result;
        try {
            var validatedArgs = args;
            if (proc) {
                validatedArgs = validateArguments(proc.signature, args, input);
            }

            if (isLambda(proc)) {
                result = applyProcedure(proc, validatedArgs);
            } else if (proc && proc._jsonata_function === true) {
                var focus = {
                    environment: environment,
                    input: input,
                    options: environment.base.options,
                    createSequence: environment.base.createSequence
                };
                // the `focus` is passed in as the `this` for the invoked function
                result = proc.implementation.apply(focus, validatedArgs);
                // `proc.implementation` might be a generator function
                // and `result` might be a generator - if so, yield
                if (isIterable(result)) {
                    result = result.next().value;
                }
                if (isPromise(result)) {
                    throw asyncResult();
                }
            } else if (typeof proc === 'function') {
                // typically these are functions that are returned by the invocation of plugin functions
                // the `input` is being passed in as the `this` for the invoked function
                // this is so that functions that return objects containing functions can chain
                // e.g. ($func())
                result = proc.apply(input, validatedArgs);
                if (isPromise(result)) {
                    throw asyncResult();
                }
            } else {
                throw {
                    code: "T1006",
                    stack: (new Error()).stack
                };
            }
        } catch(err) {
            if(proc) {
                if (typeof err.token == 'undefined' && typeof proc.token !== 'undefined') {
                    err.token = proc.token;
                }
                err.position = proc.position || err.position;
            }
            throw err;
        }
        return result;
    }

    /**
     * Lambda: a closure over the environment of its definition
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} evaluator
     */
    function compileLambda(expr, mode) {
        // the body with the rest of the expression (a tail call's procedure and arguments too)
        if (expr.body !== null && typeof expr.body === 'object') {
            compile(expr.body, mode);
            if (expr.thunk === true && expr.body.type === 'function') {
                compile(expr.body.procedure, mode);
                expr.body.arguments.forEach(function (argument) {
                    compile(argument, mode);
                });
            }
        }
        return function (input, environment) {
            // make a function (closure)
            var procedure = {
                _jsonata_lambda: true,
                input: input,
                environment: environment,
                arguments: expr.arguments,
                signature: expr.signature,
                body: expr.body
            };
            if(expr.thunk === true) {
                procedure.thunk = true;
            }
            procedure.apply = function(self, args) {
                return apply(procedure, args, input, !!self ? self.environment : environment);
            };
            return procedure;
        };
    }

    /**
     * Partial application
     * @param {Object} expr - JSONata expression
     * @param {number} mode - compilation mode
     * @returns {Function} evaluator
     */
    function compilePartialApplication(expr, mode) {
        var args = expr.arguments.map(function (arg) {
            return arg.type === 'operator' && arg.value === '?' ? null : compile(arg, mode);
        });
        var procedure = compile(expr.procedure, mode);
        return function (input, environment) {
            // partially apply a function
            var result;
            // evaluate the arguments
            var evaluatedArgs = [];
            for(var ii = 0; ii < args.length; ii++) {
                if (args[ii] === null) {
                    evaluatedArgs.push(expr.arguments[ii]);
                } else {
                    evaluatedArgs.push(args[ii](input, environment));
                }
            }
            // lookup the procedure
            var proc = procedure(input, environment);
            if (typeof proc === 'undefined' && expr.procedure.type === 'path' && environment.lookup(expr.procedure.steps[0].value)) {
                // help the user out here if they simply forgot the leading $
                throw {
                    code: "T1007",
                    stack: (new Error()).stack,
                    position: expr.position,
                    token: expr.procedure.steps[0].value
                };
            }
            if (isLambda(proc)) {
                result = partialApplyProcedure(proc, evaluatedArgs, environment);
            } else if (proc && proc._jsonata_function === true) {
                result = partialApplyNativeFunction(proc.implementation, evaluatedArgs, environment);
            } else if (typeof proc === 'function') {
                result = partialApplyNativeFunction(proc, evaluatedArgs, environment);
            } else {
                throw {
                    code: "T1008",
                    stack: (new Error()).stack,
                    position: expr.position,
                    token: expr.procedure.type === 'path' ? expr.procedure.steps[0].value : expr.procedure.value
                };
            }
            return result;
        };
    }

    /**
     * Apply procedure
     * @param {Object} proc - Procedure
     * @param {Array} args - Arguments
     * @returns {*} Result of procedure
     */
    function applyProcedure(proc, args) {
        var result;
        var env = createFrame(proc.environment);
        for (var index = 0; index < proc.arguments.length; index++) {
            env.bind(proc.arguments[index].value, args[index]);
        }
        if (typeof proc.body === 'function') {
            // this is a lambda that wraps a native function - generated by partially evaluating a native
            result = applyNativeFunction(proc.body, env);
        } else {
            result = evaluate(proc.body, proc.input, env);
        }
        return result;
    }


    /**
     * Returns a flattened array
     * @param {Array} arg - the array to be flatten
     * @param {Array} flattened - carries the flattened array - if not defined, will initialize to []
     * @returns {Array} - the flattened array
     */
    function flatten(arg, flattened) {
        if(typeof flattened === 'undefined') {
            flattened = [];
        }
        if(Array.isArray(arg)) {
            Array.prototype.forEach.call(arg, function (item) {
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
    function recurseDescendants(input, results) {
        // this is the equivalent of //* in XPath
        if (!Array.isArray(input)) {
            results.push(input);
        }
        if (Array.isArray(input)) {
            Array.prototype.forEach.call(input, function (member) {
                recurseDescendants(member, results);
            });
        } else if (input !== null && typeof input === 'object' && !isFunction(input)) {
            utils.keys(input).forEach(function (key) {
                recurseDescendants(input[key], results);
            });
        }
    }

    /**
     * Evaluate numeric expression against input data
     * @param {Object} lhs - LHS value
     * @param {Object} rhs - RHS value
     * @param {Object} op - opcode
     * @returns {*} Result
     */
    function evaluateNumericExpression(lhs, rhs, op) {
        var result;

        if (typeof lhs !== 'undefined' && !isNumeric(lhs)) {
            throw {
                code: "T2001",
                stack: (new Error()).stack,
                value: lhs
            };
        }
        if (typeof rhs !== 'undefined' && !isNumeric(rhs)) {
            throw {
                code: "T2002",
                stack: (new Error()).stack,
                value: rhs
            };
        }

        if (typeof lhs === 'undefined' || typeof rhs === 'undefined') {
            // if either side is undefined, the result is undefined
            return result;
        }

        switch (op) {
            case '+':
                result = lhs + rhs;
                break;
            case '-':
                result = lhs - rhs;
                break;
            case '*':
                result = lhs * rhs;
                break;
            case '/':
                result = lhs / rhs;
                break;
            case '%':
                result = lhs % rhs;
                break;
        }
        return result;
    }

    /**
     * Evaluate equality expression against input data
     * @param {Object} lhs - LHS value
     * @param {Object} rhs - RHS value
     * @param {Object} op - opcode
     * @returns {*} Result
     */
    function evaluateEqualityExpression(lhs, rhs, op) {
        var result;

        // type checks
        var ltype = typeof lhs;
        var rtype = typeof rhs;

        if (ltype === 'undefined' || rtype === 'undefined') {
            // if either side is undefined, the result is false
            return false;
        }

        switch (op) {
            case '=':
                result = isDeepEqual(lhs, rhs);
                break;
            case '!=':
                result = !isDeepEqual(lhs, rhs);
                break;
        }
        return result;
    }

    /**
     * Evaluate comparison expression against input data
     * @param {Object} lhs - LHS value
     * @param {Object} rhs - RHS value
     * @param {Object} op - opcode
     * @returns {*} Result
     */
    function evaluateComparisonExpression(lhs, rhs, op) {
        var result;

        // type checks
        var ltype = typeof lhs;
        var rtype = typeof rhs;

        var lcomparable = (ltype === 'undefined' || ltype === 'string' || ltype === 'number');
        var rcomparable = (rtype === 'undefined' || rtype === 'string' || rtype === 'number');

        // if either aa or bb are not comparable (string or numeric) values, then throw an error
        if (!lcomparable || !rcomparable) {
            throw {
                code: "T2010",
                stack: (new Error()).stack,
                value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs
            };
        }

        // if either side is undefined, the result is undefined
        if (ltype === 'undefined' || rtype === 'undefined') {
            return undefined;
        }

        //if aa and bb are not of the same type
        if (ltype !== rtype) {
            throw {
                code: "T2009",
                stack: (new Error()).stack,
                value: lhs,
                value2: rhs
            };
        }

        switch (op) {
            case '<':
                result = lhs < rhs;
                break;
            case '<=':
                result = lhs <= rhs;
                break;
            case '>':
                result = lhs > rhs;
                break;
            case '>=':
                result = lhs >= rhs;
                break;
        }
        return result;
    }

    /**
     * Inclusion operator - in
     *
     * @param {Object} lhs - LHS value
     * @param {Object} rhs - RHS value
     * @returns {boolean} - true if lhs is a member of rhs
     */
    function evaluateIncludesExpression(lhs, rhs) {
        var result = false;

        if (typeof lhs === 'undefined' || typeof rhs === 'undefined') {
            // if either side is undefined, the result is false
            return false;
        }

        if(!Array.isArray(rhs)) {
            rhs = [rhs];
        }

        for(var i = 0; i < rhs.length; i++) {
            if(rhs[i] === lhs) {
                result = true;
                break;
            }
        }

        return result;
    }

    /**
     * Evaluate string concatenation against input data
     * @param {Object} lhs - LHS value
     * @param {Object} rhs - RHS value
     * @returns {string|*} Concatenated string
     */
    function evaluateStringConcat(lhs, rhs) {
        var result;

        var lstr = '';
        var rstr = '';
        if (typeof lhs !== 'undefined') {
            lstr = fn.string(lhs);
        }
        if (typeof rhs !== 'undefined') {
            rstr = fn.string(rhs);
        }

        result = lstr.concat(rstr);
        return result;
    }

    /**
     * Evaluate range expression against input data
     * @param {Object} lhs - LHS value
     * @param {Object} rhs - RHS value
     * @returns {Array} Resultant array
     */
    function evaluateRangeExpression(lhs, rhs, environment) {
        var result;

        if (typeof lhs !== 'undefined' && !Number.isInteger(lhs)) {
            throw {
                code: "T2003",
                stack: (new Error()).stack,
                value: lhs
            };
        }
        if (typeof rhs !== 'undefined' && !Number.isInteger(rhs)) {
            throw {
                code: "T2004",
                stack: (new Error()).stack,
                value: rhs
            };
        }

        if (typeof lhs === 'undefined' || typeof rhs === 'undefined') {
            // if either side is undefined, the result is undefined
            return result;
        }

        if (lhs > rhs) {
            // if the lhs is greater than the rhs, return undefined
            return result;
        }

        // limit the size of the array to ten million entries (1e7)
        // this is an implementation defined limit to protect against
        // memory and performance issues.  This value may increase in the future.
        var size = rhs - lhs + 1;
        if(size > 1e7) {
            throw {
                code: "D2014",
                stack: (new Error()).stack,
                value: size
            };
        }
        if(environment.base.options && size > environment.base.options.sequence) {
            throw {
                code: "D2015",
                stack: (new Error()).stack,
                value: size
            };
        }

        result = new Array(size);
        for (var item = lhs, index = 0; item <= rhs; item++, index++) {
            result[index] = item;
        }
        result.sequence = true;
        return result;
    }

    /**
     * Validate the arguments against the signature validator (if it exists)
     * @param {Function} signature - validator function
     * @param {Array} args - function arguments
     * @param {*} context - context value
     * @returns {Array} - validated arguments
     */
    function validateArguments(signature, args, context) {
        if(typeof signature === 'undefined') {
            // nothing to validate
            return args;
        }
        var validatedArgs = signature.validate(args, context);
        return validatedArgs;
    }

    /**
     * Partially apply procedure
     * @param {Object} proc - Procedure
     * @param {Array} args - Arguments
     * @returns {{lambda: boolean, input: *, environment: {bind, lookup}, arguments: Array, body: *}} Result of partially applied procedure
     */
    function partialApplyProcedure(proc, args, environment) {
        // create a closure, bind the supplied parameters and return a function that takes the remaining (?) parameters
        var env = createFrame(proc.environment || environment);
        var unboundArgs = [];
        Array.prototype.forEach.call(proc.arguments, function (param, index) {
            var arg = args[index];
            if (arg && arg.type === 'operator' && arg.value === '?') {
                unboundArgs.push(param);
            } else {
                env.bind(param.value, arg);
            }
        });
        var procedure = {
            _jsonata_lambda: true,
            input: proc.input,
            environment: env,
            arguments: unboundArgs,
            body: proc.body
        };
        return procedure;
    }

    /**
     * Partially apply native function
     * @param {Function} native - Native function
     * @param {Array} args - Arguments
     * @returns {{lambda: boolean, input: *, environment: {bind, lookup}, arguments: Array, body: *}} Result of partially applying native function
     */
    function partialApplyNativeFunction(native, args, environment) {
        // create a lambda function that wraps and invokes the native function
        // get the list of declared arguments from the native function
        // this has to be picked out from the toString() value
        var sigArgs = getNativeFunctionArguments(native);
        sigArgs = sigArgs.map(function (sigArg) {
            return '$' + sigArg.trim();
        });
        var body = 'function(' + sigArgs.join(', ') + '){ _ }';

        var bodyAST = parser(body);
        bodyAST.body = native;

        var partial = partialApplyProcedure(bodyAST, args, environment);
        return partial;
    }

    /**
     * Apply native function
     * @param {Object} proc - Procedure
     * @param {Object} env - Environment
     * @returns {*} Result of applying native function
     */
    function applyNativeFunction(proc, env) {
        var sigArgs = getNativeFunctionArguments(proc);
        // generate the array of arguments for invoking the function - look them up in the environment
        var args = sigArgs.map(function (sigArg) {
            return env.lookup(sigArg.trim());
        });

        var focus = {
            environment: env,
            createSequence: env.base.createSequence
        };
        var result = proc.apply(focus, args);
        if (isPromise(result)) {
            throw asyncResult();
        }
        return result;
    }

    /**
     * Get native function arguments
     * @param {Function} func - Function
     * @returns {*|Array} Native function arguments
     */
    function getNativeFunctionArguments(func) {
        var signature = func.toString();
        var sigParens = /\(([^)]*)\)/.exec(signature)[1]; // the contents of the parens
        var sigArgs = sigParens.split(',');
        return sigArgs;
    }

    /**
     * Creates a function definition
     * @param {Function} func - function implementation in Javascript
     * @param {string} signature - JSONata function signature definition
     * @returns {{implementation: *, signature: *}} function definition
     */
    function defineFunction(func, signature) {
        var definition = {
            _jsonata_function: true,
            implementation: func
        };
        if(typeof signature !== 'undefined') {
            definition.signature = parseSignature(signature);
        }
        return definition;
    }


    /**
     * parses and evaluates the supplied expression
     * @param {string} expr - expression to evaluate
     * @returns {*} - result of evaluating the expression
     */
    function functionEval(expr, focus) {
        // undefined inputs always return undefined
        if(typeof expr === 'undefined') {
            return undefined;
        }
        var input = this.input;
        if(typeof focus !== 'undefined') {
            input = focus;
            // if the input is a JSON array, then wrap it in a singleton sequence so it gets treated as a single input
            if(Array.isArray(input) && !isSequence(input)) {
                input = this.createSequence(input);
                input.outerWrapper = true;
            }
        }

        try {
            var ast = parser(expr, false);
        } catch(err) {
            // error parsing the expression passed to $eval
            populateMessage(err);
            throw {
                stack: (new Error()).stack,
                code: "D3120",
                value: err.message,
                error: err
            };
        }
        try {
            var result = evaluate(ast, input, this.environment);
        } catch(err) {
            // error evaluating the expression passed to $eval
            populateMessage(err);
            throw {
                stack: (new Error()).stack,
                code: "D3121",
                value:err.message,
                error: err
            };
        }

        return result;
    }

    /**
     * Clones an object
     * @param {Object} arg - object to clone (deep copy)
     * @returns {*} - the cloned object
     */
    function functionClone(arg) {
        // undefined inputs always return undefined
        if(typeof arg === 'undefined') {
            return undefined;
        }

        return JSON.parse(fn.string(arg));
    }

    function reduceTupleStream(tupleStream, environment) {
        if(!Array.isArray(tupleStream)) {
            return tupleStream;
        }
        var result = Object.create(null);
        var focus = {
            options: environment.base.options,
            createSequence: environment.base.createSequence
        };
        Object.assign(result, tupleStream[0]);
        for(var ii = 1; ii < tupleStream.length; ii++) {
            for(const prop of utils.keys(tupleStream[ii])) {
                result[prop] = fn.append.call(focus, result[prop], tupleStream[ii][prop]);
            }
        }
        return result;
    }

    /**
     * Create frame: a scope of variable bindings inside its enclosing one
     * @param {Object} enclosingEnvironment - Enclosing environment
     * @returns {{bind: bind, lookup: lookup}} Created frame
     */
    function Frame(enclosingEnvironment) {
        this.bindings = new Map();
        this.enclosing = enclosingEnvironment;
        this.timestamp = enclosingEnvironment ? enclosingEnvironment.timestamp : null;
        this.async = enclosingEnvironment ? enclosingEnvironment.async : false;
        this.isParallelCall = enclosingEnvironment ? enclosingEnvironment.isParallelCall : false;
        this.global = enclosingEnvironment ? enclosingEnvironment.global : {
            ancestry: [ null ]
        };
        this.base = undefined;
    }

    Frame.prototype.bind = function (name, value) {
        this.bindings.set(name, value);
    };

    // the innermost frame that binds the name decides, even when it binds undefined
    Frame.prototype.lookup = function (name) {
        var frame = this;
        do {
            var bindings = frame.bindings;
            var value = bindings.get(name);
            if (value !== undefined || bindings.has(name)) {
                return value;
            }
            frame = frame.enclosing;
        } while (frame);
        return undefined;
    };

    // an evaluation's createSequence when no maximum sequence length is set
    function createPlainSequence() {
        var sequence = [];
        sequence.sequence = true;
        if (arguments.length === 1) {
            sequence.push(arguments[0]);
        }
        return sequence;
    }

    function createFrame(enclosingEnvironment) {
        var newFrame = new Frame(enclosingEnvironment);
        if (enclosingEnvironment) {
            // jsonata's debugger hook, looked for when an evaluation is instrumented (see compile)
            if (enclosingEnvironment.base === undefined || enclosingEnvironment.base.mode === INSTRUMENTED) {
                var framePushCallback = enclosingEnvironment.lookup(FRAME_PUSH);
                if(framePushCallback) {
                    framePushCallback(enclosingEnvironment, newFrame);
                }
            }
            newFrame.base = enclosingEnvironment.base;
        }
        return newFrame;
    }

    var staticFrame = createFrame(null);

    // Function registration
    staticFrame.bind('sum', defineFunction(fn.sum, '<a<n>:n>'));
    staticFrame.bind('count', defineFunction(fn.count, '<a:n>'));
    staticFrame.bind('max', defineFunction(fn.max, '<a<n>:n>'));
    staticFrame.bind('min', defineFunction(fn.min, '<a<n>:n>'));
    staticFrame.bind('average', defineFunction(fn.average, '<a<n>:n>'));
    staticFrame.bind('string', defineFunction(fn.string, '<x-b?:s>'));
    staticFrame.bind('substring', defineFunction(fn.substring, '<s-nn?:s>'));
    staticFrame.bind('substringBefore', defineFunction(fn.substringBefore, '<s-s:s>'));
    staticFrame.bind('substringAfter', defineFunction(fn.substringAfter, '<s-s:s>'));
    staticFrame.bind('lowercase', defineFunction(fn.lowercase, '<s-:s>'));
    staticFrame.bind('uppercase', defineFunction(fn.uppercase, '<s-:s>'));
    staticFrame.bind('length', defineFunction(fn.length, '<s-:n>'));
    staticFrame.bind('trim', defineFunction(fn.trim, '<s-:s>'));
    staticFrame.bind('pad', defineFunction(fn.pad, '<s-ns?:s>'));
    staticFrame.bind('match', defineFunction(fn.match, '<s-f<s:o>n?:a<o>>'));
    staticFrame.bind('contains', defineFunction(fn.contains, '<s-(sf):b>')); // TODO <s-(sf<s:o>):b>
    staticFrame.bind('replace', defineFunction(fn.replace, '<s-(sf)(sf)n?:s>')); // TODO <s-(sf<s:o>)(sf<o:s>)n?:s>
    staticFrame.bind('split', defineFunction(fn.split, '<s-(sf)n?:a<s>>')); // TODO <s-(sf<s:o>)n?:a<s>>
    staticFrame.bind('join', defineFunction(fn.join, '<a<s>s?:s>'));
    staticFrame.bind('formatNumber', defineFunction(fn.formatNumber, '<n-so?:s>'));
    staticFrame.bind('formatBase', defineFunction(fn.formatBase, '<n-n?:s>'));
    staticFrame.bind('formatInteger', defineFunction(datetime.formatInteger, '<n-s:s>'));
    staticFrame.bind('parseInteger', defineFunction(datetime.parseInteger, '<s-s:n>'));
    staticFrame.bind('number', defineFunction(fn.number, '<(nsb)-:n>'));
    staticFrame.bind('floor', defineFunction(fn.floor, '<n-:n>'));
    staticFrame.bind('ceil', defineFunction(fn.ceil, '<n-:n>'));
    staticFrame.bind('round', defineFunction(fn.round, '<n-n?:n>'));
    staticFrame.bind('abs', defineFunction(fn.abs, '<n-:n>'));
    staticFrame.bind('sqrt', defineFunction(fn.sqrt, '<n-:n>'));
    staticFrame.bind('power', defineFunction(fn.power, '<n-n:n>'));
    staticFrame.bind('random', defineFunction(fn.random, '<:n>'));
    staticFrame.bind('boolean', defineFunction(fn.boolean, '<x-:b>'));
    staticFrame.bind('not', defineFunction(fn.not, '<x-:b>'));
    staticFrame.bind('map', defineFunction(fn.map, '<af>'));
    staticFrame.bind('zip', defineFunction(fn.zip, '<a+>'));
    staticFrame.bind('filter', defineFunction(fn.filter, '<af>'));
    staticFrame.bind('single', defineFunction(fn.single, '<af?>'));
    staticFrame.bind('reduce', defineFunction(fn.foldLeft, '<afj?:j>')); // TODO <f<jj:j>a<j>j?:j>
    staticFrame.bind('sift', defineFunction(fn.sift, '<o-f?:o>'));
    staticFrame.bind('keys', defineFunction(fn.keys, '<x-:a<s>>'));
    staticFrame.bind('lookup', defineFunction(fn.lookup, '<x-s:x>'));
    staticFrame.bind('append', defineFunction(fn.append, '<xx:a>'));
    staticFrame.bind('exists', defineFunction(fn.exists, '<x:b>'));
    staticFrame.bind('spread', defineFunction(fn.spread, '<x-:a<o>>'));
    staticFrame.bind('merge', defineFunction(fn.merge, '<a<o>:o>'));
    staticFrame.bind('reverse', defineFunction(fn.reverse, '<a:a>'));
    staticFrame.bind('each', defineFunction(fn.each, '<o-f:a>'));
    staticFrame.bind('error', defineFunction(fn.error, '<s?:x>'));
    staticFrame.bind('assert', defineFunction(fn.assert, '<bs?:x>'));
    staticFrame.bind('type', defineFunction(fn.type, '<x:s>'));
    staticFrame.bind('sort', defineFunction(fn.sort, '<af?:a>'));
    staticFrame.bind('shuffle', defineFunction(fn.shuffle, '<a:a>'));
    staticFrame.bind('distinct', defineFunction(fn.distinct, '<x:x>'));
    staticFrame.bind('base64encode', defineFunction(fn.base64encode, '<s-:s>'));
    staticFrame.bind('base64decode', defineFunction(fn.base64decode, '<s-:s>'));
    staticFrame.bind('encodeUrlComponent', defineFunction(fn.encodeUrlComponent, '<s-:s>'));
    staticFrame.bind('encodeUrl', defineFunction(fn.encodeUrl, '<s-:s>'));
    staticFrame.bind('decodeUrlComponent', defineFunction(fn.decodeUrlComponent, '<s-:s>'));
    staticFrame.bind('decodeUrl', defineFunction(fn.decodeUrl, '<s-:s>'));
    staticFrame.bind('eval', defineFunction(functionEval, '<sx?:x>'));
    staticFrame.bind('toMillis', defineFunction(datetime.toMillis, '<s-s?:n>'));
    staticFrame.bind('fromMillis', defineFunction(datetime.fromMillis, '<n-s?s?:s>'));
    staticFrame.bind('clone', defineFunction(functionClone, '<(oa)-:o>'));

    /**
     * Error codes
     *
     * Sxxxx    - Static errors (compile time)
     * Txxxx    - Type errors
     * Dxxxx    - Dynamic errors (evaluate time)
     *  01xx    - tokenizer
     *  02xx    - parser
     *  03xx    - regex parser
     *  04xx    - function signature parser/evaluator
     *  10xx    - evaluator
     *  20xx    - operators
     *  3xxx    - functions (blocks of 10 for each function)
     */
    var errorCodes = {
        "S0101": "String literal must be terminated by a matching quote",
        "S0102": "Number out of range: {{token}}",
        "S0103": "Unsupported escape sequence: \\{{token}}",
        "S0104": "The escape sequence \\u must be followed by 4 hex digits",
        "S0105": "Quoted property name must be terminated with a backquote (`)",
        "S0106": "Comment has no closing tag",
        "S0201": "Syntax error: {{token}}",
        "S0202": "Expected {{value}}, got {{token}}",
        "S0203": "Expected {{value}} before end of expression",
        "S0204": "Unknown operator: {{token}}",
        "S0205": "Unexpected token: {{token}}",
        "S0206": "Unknown expression type: {{token}}",
        "S0207": "Unexpected end of expression",
        "S0208": "Parameter {{value}} of function definition must be a variable name (start with $)",
        "S0209": "A predicate cannot follow a grouping expression in a step",
        "S0210": "Each step can only have one grouping expression",
        "S0211": "The symbol {{token}} cannot be used as a unary operator",
        "S0212": "The left side of := must be a variable name (start with $)",
        "S0213": "The literal value {{value}} cannot be used as a step within a path expression",
        "S0214": "The right side of {{token}} must be a variable name (start with $)",
        "S0215": "A context variable binding must precede any predicates on a step",
        "S0216": "A context variable binding must precede the 'order-by' clause on a step",
        "S0217": "The object representing the 'parent' cannot be derived from this expression",
        "S0301": "Empty regular expressions are not allowed",
        "S0302": "No terminating / in regular expression",
        "S0402": "Choice groups containing parameterized types are not supported",
        "S0401": "Type parameters can only be applied to functions and arrays",
        "S0500": "Attempted to evaluate an expression containing syntax error(s)",
        "T0410": "Argument {{index}} of function {{token}} does not match function signature",
        "T0411": "Context value is not a compatible type with argument {{index}} of function {{token}}",
        "T0412": "Argument {{index}} of function {{token}} must be an array of {{type}}",
        "D1001": "Number out of range: {{value}}",
        "D1002": "Cannot negate a non-numeric value: {{value}}",
        "T1003": "Key in object structure must evaluate to a string; got: {{value}}",
        "D1004": "Regular expression matches zero length string",
        "T1005": "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
        "T1006": "Attempted to invoke a non-function",
        "T1007": "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
        "T1008": "Attempted to partially apply a non-function",
        "D1009": "Multiple key definitions evaluate to same key: {{value}}",
        "T1010": "The matcher function argument passed to function {{token}} does not return the correct object structure",
        "D1011": "Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive",
        "D1012": "Evaluation timeout after {{value}} milliseconds. Check for infinite loop",
        "D1013": "Object property names starting with _jsonata_ are reserved for internal use: {{value}}",
        "T2001": "The left side of the {{token}} operator must evaluate to a number",
        "T2002": "The right side of the {{token}} operator must evaluate to a number",
        "T2003": "The left side of the range operator (..) must evaluate to an integer",
        "T2004": "The right side of the range operator (..) must evaluate to an integer",
        "D2005": "The left side of := must be a variable name (start with $)",  // defunct - replaced by S0212 parser error
        "T2006": "The right side of the function application operator ~> must be a function",
        "T2007": "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
        "T2008": "The expressions within an order-by clause must evaluate to numeric or string values",
        "T2009": "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
        "T2010": "The expressions either side of operator {{token}} must evaluate to numeric or string values",
        "T2011": "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
        "T2012": "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
        "T2013": "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
        "D2014": "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {{value}}.",
        "D2015": "The maximum sequence length of {{value}} was exceeded.",
        "D3001": "Attempting to invoke string function on Infinity or NaN",
        "D3010": "Second argument of replace function cannot be an empty string",
        "D3011": "Fourth argument of replace function must evaluate to a positive number",
        "D3012": "Attempted to replace a matched string with a non-string value",
        "D3020": "Third argument of split function must evaluate to a positive number",
        "D3030": "Unable to cast value to a number: {{value}}",
        "D3040": "Third argument of match function must evaluate to a positive number",
        "D3050": "The second argument of reduce function must be a function with at least two arguments",
        "D3060": "The sqrt function cannot be applied to a negative number: {{value}}",
        "D3061": "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}",
        "D3070": "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
        "D3080": "The picture string must only contain a maximum of two sub-pictures",
        "D3081": "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        "D3082": "The sub-picture must not contain more than one instance of the 'percent' character",
        "D3083": "The sub-picture must not contain more than one instance of the 'per-mille' character",
        "D3084": "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        "D3085": "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'",
        "D3086": "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character",
        "D3087": "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character",
        "D3088": "The sub-picture must not contain a 'grouping-separator' at the end of the integer part",
        "D3089": "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character",
        "D3090": "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'",
        "D3091": "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'",
        "D3092": "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'",
        "D3093": "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'",
        "D3100": "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
        "D3110": "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
        "D3120": "Syntax error in expression passed to function eval: {{value}}",
        "D3121": "Dynamic error evaluating the expression passed to function eval: {{value}}",
        "D3130": "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation",
        "D3131": "In a decimal digit pattern, all digits must be from the same decimal group",
        "D3132": "Unknown component specifier {{value}} in date/time picture string",
        "D3133": "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}",
        "D3134": "The timezone integer format specifier cannot have more than four digits",
        "D3135": "No matching closing bracket ']' in date/time picture string",
        "D3136": "The date/time picture string is missing specifiers required to parse the timestamp",
        "D3137": "{{{message}}}",
        "D3138": "The $single() function expected exactly 1 matching result.  Instead it matched more.",
        "D3139": "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        "D3140": "Malformed URL passed to ${{{functionName}}}(): {{value}}",
        "D3141": "{{{message}}}"
    };

    /**
     * lookup a message template from the catalog and substitute the inserts.
     * Populates `err.message` with the substituted message. Leaves `err.message`
     * untouched if code lookup fails.
     * @param {string} err - error code to lookup
     * @returns {undefined} - `err` is modified in place
     */
    function populateMessage(err) {
        var template = errorCodes[err.code];
        if(typeof template !== 'undefined') {
            // if there are any handlebars, replace them with the field references
            // triple braces - replace with value
            // double braces - replace with json stringified value
            var message = template.replace(/\{\{\{([^}]+)}}}/g, function() {
                return err[arguments[1]];
            });
            message = message.replace(/\{\{([^}]+)}}/g, function() {
                return JSON.stringify(err[arguments[1]]);
            });
            err.message = message;
        }
        // Otherwise retain the original `err.message`
    }

    /**
     * JSONata
     * @param {Object} expr - JSONata expression
     * @param {Object} options
     * @param {boolean} options.recover: attempt to recover on parse error
     * @param {Function} options.RegexEngine: RegEx class constructor to use
     * @param {Integer} options.timeout: evaluation timeout
     * @param {Integer} options.stack: max stack depth
     * @param {Integer} options.sequence: max sequence length
     * @returns {{evaluate: evaluate, assign: assign}} Evaluated expression
     */
    function jsonata(expr, options) {
        var ast;
        var errors;
        try {
            if (typeof expr === 'string') {
                ast = parser(expr, options && options.recover);
                errors = ast.errors;
                delete ast.errors;
            } else {
                // an AST from jsonata's parser (jsonata(text).ast()), evaluated as it is
                ast = expr;
            }
            resolveBuiltins(ast);
            // compiled now, once, not on the first evaluation
            compile(ast, PLAIN);
        } catch(err) {
            // insert error message into structure
            populateMessage(err); // possible side-effects on `err`
            throw err;
        }
        var environment = createFrame(staticFrame);
        // a built-in's name bound by assign() or registerFunction(): see resolveBuiltins
        var assignedBuiltin = false;
        // a symbol bound by assign(): maybe one of jsonata's evaluation hooks
        var assignedSymbol = false;

        var timestamp = new Date(); // will be overridden on each call to evalute()
        environment.bind('now', defineFunction(function(picture, timezone) {
            return datetime.fromMillis(timestamp.getTime(), picture, timezone);
        }, '<s?s?:s>'));
        environment.bind('millis', defineFunction(function() {
            return timestamp.getTime();
        }, '<:n>'));

        return {
            evaluate: function (input, bindings, callback) {
                // throw if the expression compiled with syntax errors
                if(typeof errors !== 'undefined') {
                    var err = {
                        code: 'S0500',
                        position: 0
                    };
                    populateMessage(err); // possible side-effects on `err`
                    throw err;
                }

                const exec_env = createFrame(environment);

                // add any variable bindings may have been passed in
                var shadowsBuiltin = assignedBuiltin;
                for (const v of utils.keys(bindings)) {
                    exec_env.bind(v, bindings[v]);
                    if (staticFrame.bindings.has(v)) {
                        shadowsBuiltin = true;
                    }
                }
                exec_env.shadowsBuiltin = shadowsBuiltin;

                // put the input document into the environment as the root object
                exec_env.bind('$', input);

                // capture the timestamp and put it in the execution environment
                // the $now() and $millis() functions will return this value - whenever it is called
                timestamp = new Date();
                exec_env.timestamp = timestamp;
                exec_env.options = options;

                exec_env.createSequence = !(options && options.sequence) ? createPlainSequence : function() {
                    var sequence = [];
                    if (options && options.sequence) {
                        sequence.push = function(...items) {
                            if(sequence.length + items.length > options.sequence) {
                                throw {
                                    code: "D2015",
                                    stack: (new Error()).stack,
                                    value: options.sequence
                                };
                            }
                            return Array.prototype.push.apply(sequence, items);
                        };
                    }
                    sequence.sequence = true;
                    if (arguments.length === 1) {
                        sequence.push(arguments[0]);
                    }
                    return sequence;
                }


                // if the input is a JSON array, then wrap it in a singleton sequence so it gets treated as a single input
                if(Array.isArray(input) && !isSequence(input)) {
                    input = exec_env.createSequence(input);
                    input.outerWrapper = true;
                }

                if (options && (options.timeout || options.stack)) {
                    const time = Date.now();
                    exec_env.guardrails = function() {
                        if (options.stack > 0 && exec_env.depth > options.stack) {
                            // stack too deep
                            throw {
                                code: 'D1011',
                                value: options.stack,
                                stack: (new Error()).stack
                            };
                        }
                        if (options.timeout > 0 && Date.now() - time > options.timeout) {
                            // expression has run for too long
                            throw {
                                code: 'D1012',
                                value: options.timeout,
                                stack: (new Error()).stack
                            };
                        }
    
                    }
                } else {
                    exec_env.guardrails = function() {};
                }
                exec_env.base = exec_env;
                exec_env.depth = 0;
                // the instrumented compilation only when a guard or a hook needs it (see compile); hooks are
                // symbols, which only assign() binds (bindings give string keys)
                var instrumented = !!(options && (options.timeout || options.stack)) || (assignedSymbol &&
                    (typeof exec_env.lookup(ENTRY) !== 'undefined' ||
                    typeof exec_env.lookup(EXIT) !== 'undefined' ||
                    typeof exec_env.lookup(FRAME_PUSH) !== 'undefined'));
                exec_env.mode = instrumented ? INSTRUMENTED : PLAIN;
                // the `this` of the built-in functions the evaluator calls itself (lookup, append)
                exec_env.focus = {
                    options: options,
                    createSequence: exec_env.createSequence
                };

                if(options && options.RegexEngine) {
                    exec_env.RegexEngine = options.RegexEngine;
                } else {
                    exec_env.RegexEngine = RegExp;
                }

                var it;
                try {
                    it = evaluate(ast, input, exec_env);
                    if (typeof callback === "function") {
                        callback(null, it);
                    }
                    return it;
                } catch (err) {
                    // insert error message into structure
                    populateMessage(err); // possible side-effects on `err`
                    throw err;
                }
            },
            assign: function (name, value) {
                environment.bind(name, value);
                if (typeof name === 'symbol') {
                    assignedSymbol = true;
                }
                if (staticFrame.bindings.has(name)) {
                    assignedBuiltin = true;
                }
            },
            registerFunction: function(name, implementation, signature) {
                var func = defineFunction(implementation, signature);
                environment.bind(name, func);
                if (staticFrame.bindings.has(name)) {
                    assignedBuiltin = true;
                }
            },
            ast: function() {
                return ast;
            },
            errors: function() {
                return errors;
            }
        };
    }

    jsonata.parser = parser; // TODO remove this in a future release - use ast() instead

    return jsonata;

})();

export default jsonata;
