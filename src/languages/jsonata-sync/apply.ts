/**
 * Applying a function: a lambda (with the trampoline of its tail calls), a built-in, a JavaScript function
 * given by a binding, or a native function wrapped by a partial application.
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

import { compile, evaluate } from './compile.js';
import { asyncResult } from './errors.js';
import { createFrame } from './frame.js';
import type {
  AstNode,
  Environment,
  Focus,
  FunctionNode,
  JsonataError,
  JsonataFunction,
  Lambda,
  NativeFunction,
  Signature,
  VariableNode,
} from './types.js';
import { isIterable, isLambda, isPromise } from './values.js';

/**
 * What a native function is called as: its signature (when it has one) has checked the arguments, not
 * TypeScript, so they are handed on as they are.
 */
type Invocable = (this: unknown, ...args: unknown[]) => unknown;

/** The fields the evaluator sets on a function value (and on what it throws) to name the call. */
interface Located {
  token?: unknown;
  position?: number | undefined;
}

/**
 * Apply procedure or function
 * @param {Object} proc - Procedure
 * @param {Array} args - Arguments
 * @param {Object} input - input
 * @param {Object} environment - environment
 * @returns {*} Result of procedure
 */
export function apply(proc: unknown, args: unknown[], input: unknown, environment: Environment): unknown {
  let result = applyInner(proc, args, input, environment);
  while (isLambda(result) && result.thunk === true) {
    // trampoline loop - this gets invoked as a result of tail-call optimization
    // the function returned a tail-call thunk
    // unpack it, evaluate its arguments, and apply the tail call
    // (a thunk's body is the tail call: jsonata's parser makes thunks of function calls only)
    const call = result.body as FunctionNode;
    const mode = result.environment.base.mode;
    const next = compile(call.procedure, mode)(result.input, result.environment);
    if (call.procedure.type === 'variable') {
      (next as Located).token = call.procedure.value;
    }
    (next as Located).position = call.procedure.position;
    const evaluatedArgs: unknown[] = [];
    for (let ii = 0; ii < call.arguments.length; ii++) {
      evaluatedArgs.push(compile(call.arguments[ii] as AstNode, mode)(result.input, result.environment));
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
function applyInner(proc: unknown, args: unknown[], input: unknown, environment: Environment): unknown {
  let result: unknown;
  try {
    let validatedArgs = args;
    if (proc) {
      validatedArgs = validateArguments((proc as { signature?: Signature }).signature, args, input);
    }

    if (isLambda(proc)) {
      result = applyProcedure(proc, validatedArgs);
    } else if (proc && (proc as JsonataFunction)._jsonata_function === true) {
      const focus: Focus = {
        environment: environment,
        input: input,
        options: environment.base.options,
        createSequence: environment.base.createSequence,
      };
      // the `focus` is passed in as the `this` for the invoked function
      result = ((proc as JsonataFunction).implementation as Invocable).apply(focus, validatedArgs);
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
      result = (proc as Invocable).apply(input, validatedArgs);
      if (isPromise(result)) {
        throw asyncResult();
      }
    } else {
      throw {
        code: 'T1006',
        stack: new Error().stack,
      } as JsonataError;
    }
  } catch (err) {
    if (proc) {
      // (jsonata's error object, or a JavaScript error: both take the fields)
      const error = err as Located;
      if (typeof error.token == 'undefined' && typeof (proc as Located).token !== 'undefined') {
        error.token = (proc as Located).token;
      }
      error.position = (proc as Located).position || error.position;
    }
    throw err;
  }
  return result;
}

/**
 * Apply procedure
 * @param {Object} proc - Procedure
 * @param {Array} args - Arguments
 * @returns {*} Result of procedure
 */
function applyProcedure(proc: Lambda, args: unknown[]): unknown {
  let result: unknown;
  const env = createFrame(proc.environment);
  for (let index = 0; index < proc.arguments.length; index++) {
    env.bind((proc.arguments[index] as VariableNode).value, args[index]);
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
 * Apply native function
 * @param {Object} proc - Procedure
 * @param {Object} env - Environment
 * @returns {*} Result of applying native function
 */
function applyNativeFunction(proc: NativeFunction, env: Environment): unknown {
  const sigArgs = getNativeFunctionArguments(proc);
  // generate the array of arguments for invoking the function - look them up in the environment
  const args = sigArgs.map(function (sigArg) {
    return env.lookup(sigArg.trim());
  });

  const focus: Focus = {
    environment: env,
    createSequence: env.base.createSequence,
  };
  const result = (proc as Invocable).apply(focus, args);
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
export function getNativeFunctionArguments(func: NativeFunction): string[] {
  const signature = func.toString();
  // (a function's text has its parameters in parentheses; an arrow function's bare one fails, as in jsonata)
  const sigParens = (/\(([^)]*)\)/.exec(signature) as RegExpExecArray)[1] as string; // the contents of the parens
  const sigArgs = sigParens.split(',');
  return sigArgs;
}

/**
 * Validate the arguments against the signature validator (if it exists)
 * @param {Function} signature - validator function
 * @param {Array} args - function arguments
 * @param {*} context - context value
 * @returns {Array} - validated arguments
 */
function validateArguments(signature: Signature | undefined, args: unknown[], context: unknown): unknown[] {
  if (typeof signature === 'undefined') {
    // nothing to validate
    return args;
  }
  const validatedArgs = signature.validate(args, context);
  return validatedArgs;
}
