/**
 * Functions as values and calls: lambdas, function calls, partial application, and `~>` (application and
 * chaining).
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

import { apply, getNativeFunctionArguments } from './apply.js';
import { compile, evaluate } from './compile.js';
import { createFrame } from './frame.js';
import { parser } from './parser.js';
import type {
  ApplyNode,
  Environment,
  Evaluator,
  FunctionNode,
  JsonataError,
  JsonataFunction,
  Lambda,
  LambdaNode,
  Mode,
  NativeFunction,
  PartialNode,
  Placeholder,
  PlainFunction,
  VariableNode,
} from './types.js';
import { getFunctionArity, isFunction, isLambda } from './values.js';

/** A function call: `applyto` holds the left side of `~>`, the call's first argument. */
export type CallRun = (
  input: unknown,
  environment: Environment,
  applyto: { context: unknown } | undefined,
) => unknown;

/** What a partial application closes over: a lambda, or the definition wrapping a native function. */
type Closable = Pick<Lambda, 'arguments' | 'body'> & { input?: unknown; environment?: Environment };

/** The name a call's procedure goes by in errors: a path's first step, else the node's value. */
type Named = { value?: unknown };

const chainAST = parser('function($f, $g) { function($x){ $g($f($x)) } }');

/**
 * Apply the function on the RHS using the sequence on the LHS as the first argument
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @returns {Function} evaluator
 */
export function compileApplyExpression(expr: ApplyNode, mode: Mode): Evaluator {
  const lhs = compile(expr.lhs, mode);
  if (expr.rhs.type === 'function') {
    // this is a function _invocation_; invoke it with lhs expression as the first argument
    const call = compileFunction(expr.rhs, mode);
    return function (input, environment) {
      const value = lhs(input, environment);
      return call(input, environment, { context: value });
    };
  }
  const rhs = compile(expr.rhs, mode);
  return function (input, environment) {
    const value = lhs(input, environment);
    const func = rhs(input, environment);

    if (!isFunction(func)) {
      throw {
        code: 'T2006',
        stack: new Error().stack,
        position: expr.position,
        value: func,
      } as JsonataError;
    }

    if (isFunction(value)) {
      // this is function chaining (func1 ~> func2)
      // λ($f, $g) { λ($x){ $g($f($x)) } }
      const chain = evaluate(chainAST, null, environment);
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
export function compileFunction(expr: FunctionNode, mode: Mode): CallRun {
  // create the procedure
  // can't assume that expr.procedure is a lambda type directly
  // could be an expression that evaluates to a function (e.g. variable reference, parens expr etc.
  // evaluate it generically first, then check that it is a function.  Throw error if not.
  const procedure = compile(expr.procedure, mode);
  const args = expr.arguments.map(function (arg) {
    return compile(arg, mode);
  });
  // (a path's first step is a name, unless the path starts otherwise: then nothing is looked up by it)
  const pathName =
    expr.procedure.type === 'path'
      ? ((expr.procedure.steps[0] as Named).value as string | undefined)
      : undefined;
  const procName =
    expr.procedure.type === 'path'
      ? (expr.procedure.steps[0] as Named).value
      : (expr.procedure as Named).value;
  const position = expr.position;

  return function (input, environment, applyto) {
    const proc = procedure(input, environment);

    if (typeof proc === 'undefined' && pathName !== undefined && environment.lookup(pathName)) {
      // help the user out here if they simply forgot the leading $
      throw {
        code: 'T1005',
        stack: new Error().stack,
        position: position,
        token: pathName,
      } as JsonataError;
    }

    const evaluatedArgs: unknown[] = [];
    if (typeof applyto !== 'undefined') {
      evaluatedArgs.push(applyto.context);
    }
    // eager evaluation - evaluate the arguments
    for (let jj = 0; jj < args.length; jj++) {
      const arg = (args[jj] as Evaluator)(input, environment);
      if (isFunction(arg)) {
        // wrap this in a closure
        const closure: PlainFunction = function (...params: unknown[]) {
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
      if (typeof proc === 'object') {
        // (null too: setting its fields throws, as in jsonata, and the error is named below)
        (proc as { token?: unknown; position?: number | undefined }).token = procName;
        (proc as { token?: unknown; position?: number | undefined }).position = position;
      }
      return apply(proc, evaluatedArgs, input, environment);
    } catch (err) {
      // (jsonata's error object, or a JavaScript error: both take the fields)
      const error = err as JsonataError;
      if (!error.position) {
        // add the position field to the error
        error.position = position;
      }
      if (!error.token) {
        // and the function identifier
        error.token = procName;
      }
      throw err;
    }
  };
}

/**
 * Lambda: a closure over the environment of its definition
 * @param {Object} expr - JSONata expression
 * @param {number} mode - compilation mode
 * @returns {Function} evaluator
 */
export function compileLambda(expr: LambdaNode, mode: Mode): Evaluator {
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
    const procedure: Lambda = {
      _jsonata_lambda: true,
      input: input,
      environment: environment,
      arguments: expr.arguments,
      signature: expr.signature,
      body: expr.body,
    };
    if (expr.thunk === true) {
      procedure.thunk = true;
    }
    procedure.apply = function (self, args) {
      // (a caller's focus: its environment is the frame of the evaluation calling)
      return apply(procedure, args, input, !!self ? (self.environment as Environment) : environment);
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
export function compilePartialApplication(expr: PartialNode, mode: Mode): Evaluator {
  const args = expr.arguments.map(function (arg) {
    return arg.type === 'operator' && arg.value === '?' ? null : compile(arg, mode);
  });
  const procedure = compile(expr.procedure, mode);
  return function (input, environment) {
    // partially apply a function
    let result: Lambda;
    // evaluate the arguments
    const evaluatedArgs: unknown[] = [];
    for (let ii = 0; ii < args.length; ii++) {
      const arg = args[ii] as Evaluator | null;
      if (arg === null) {
        evaluatedArgs.push(expr.arguments[ii]);
      } else {
        evaluatedArgs.push(arg(input, environment));
      }
    }
    // lookup the procedure
    const proc = procedure(input, environment);
    if (
      typeof proc === 'undefined' &&
      expr.procedure.type === 'path' &&
      environment.lookup((expr.procedure.steps[0] as Named).value as string)
    ) {
      // help the user out here if they simply forgot the leading $
      throw {
        code: 'T1007',
        stack: new Error().stack,
        position: expr.position,
        token: (expr.procedure.steps[0] as Named).value,
      } as JsonataError;
    }
    if (isLambda(proc)) {
      result = partialApplyProcedure(proc, evaluatedArgs, environment);
    } else if (proc && (proc as JsonataFunction)._jsonata_function === true) {
      result = partialApplyNativeFunction(
        (proc as JsonataFunction).implementation,
        evaluatedArgs,
        environment,
      );
    } else if (typeof proc === 'function') {
      // (a JavaScript function given by a binding)
      result = partialApplyNativeFunction(proc as NativeFunction, evaluatedArgs, environment);
    } else {
      throw {
        code: 'T1008',
        stack: new Error().stack,
        position: expr.position,
        token:
          expr.procedure.type === 'path'
            ? (expr.procedure.steps[0] as Named).value
            : (expr.procedure as Named).value,
      } as JsonataError;
    }
    return result;
  };
}

/**
 * Partially apply procedure
 * @param {Object} proc - Procedure
 * @param {Array} args - Arguments
 * @returns {{lambda: boolean, input: *, environment: {bind, lookup}, arguments: Array, body: *}} Result of partially applied procedure
 */
function partialApplyProcedure(proc: Closable, args: unknown[], environment: Environment): Lambda {
  // create a closure, bind the supplied parameters and return a function that takes the remaining (?) parameters
  const env = createFrame(proc.environment || environment);
  const unboundArgs: VariableNode[] = [];
  Array.prototype.forEach.call(proc.arguments, function (param: VariableNode, index: number) {
    const arg = args[index];
    if (arg && (arg as Placeholder).type === 'operator' && (arg as Placeholder).value === '?') {
      unboundArgs.push(param);
    } else {
      env.bind(param.value, arg);
    }
  });
  const procedure: Lambda = {
    _jsonata_lambda: true,
    input: proc.input,
    environment: env,
    arguments: unboundArgs,
    body: proc.body,
  };
  return procedure;
}

/**
 * Partially apply native function
 * @param {Function} native - Native function
 * @param {Array} args - Arguments
 * @returns {{lambda: boolean, input: *, environment: {bind, lookup}, arguments: Array, body: *}} Result of partially applying native function
 */
function partialApplyNativeFunction(
  native: NativeFunction,
  args: unknown[],
  environment: Environment,
): Lambda {
  // create a lambda function that wraps and invokes the native function
  // get the list of declared arguments from the native function
  // this has to be picked out from the toString() value
  let sigArgs = getNativeFunctionArguments(native);
  sigArgs = sigArgs.map(function (sigArg) {
    return '$' + sigArg.trim();
  });
  const body = 'function(' + sigArgs.join(', ') + '){ _ }';

  // (the text is a function definition: its tree is a lambda)
  const bodyAST = parser(body) as LambdaNode;
  bodyAST.body = native;

  const partial = partialApplyProcedure(bodyAST, args, environment);
  return partial;
}
