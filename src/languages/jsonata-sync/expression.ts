/**
 * The entry: `jsonata(expr, options)` compiles an expression (text, or an AST from jsonata's parser) and
 * answers its evaluate / assign / ast, each evaluation in a frame of its own.
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

import { defineFunction, resolveBuiltins, staticFrame } from './builtins.js';
import {
  compile,
  ENTRY,
  evaluate,
  EXIT,
  FRAME_PUSH,
  INSTRUMENTED,
  PLAIN,
  setNodeCompiler,
} from './compile.js';
import { fromMillis } from './datetime/millis.js';
import { populateMessage } from './errors.js';
import { createFrame } from './frame.js';
import { compileNode } from './node.js';
import { parser } from './parser.js';
import type {
  EvaluationFrame,
  Focus,
  JsonataError,
  NativeFunction,
  RootNode,
  Sequence,
  SyncOptions,
} from './types.js';
import { isSequence, keys } from './values.js';

export type { SyncOptions };

/** A compiled expression. */
export interface SyncExpression {
  /** The expression's value on the input, with the bindings as variables (`$name`). */
  evaluate(
    input: unknown,
    bindings?: Record<string, unknown>,
    callback?: (error: null, result: unknown) => void,
  ): unknown;
  /** Binds a variable (or one of jsonata's evaluation hooks, by its symbol) for every evaluation. */
  assign(name: string | symbol, value: unknown): void;
  /** Binds a function, with a jsonata signature, for every evaluation. */
  registerFunction(name: string, implementation: NativeFunction, signature?: string): void;
  ast(): unknown;
  /** The parse errors `recover` kept (evaluating then throws S0500). */
  errors(): unknown[] | undefined;
}

// Every node kind's compiler compiles its children through compile.ts; node.ts, which knows all the kinds,
// is handed to it here (see setNodeCompiler) so that no module imports one that imports it back.
setNodeCompiler(compileNode);

// an evaluation's createSequence when no maximum sequence length is set
function createPlainSequence(): Sequence {
  const sequence: Sequence = [];
  sequence.sequence = true;
  // `arguments` tells none from an undefined item without making an array per sequence (this runs for
  // every sequence of every evaluation)
  if (arguments.length === 1) {
    // eslint-disable-next-line prefer-rest-params
    sequence.push(arguments[0]);
  }
  return sequence;
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
function jsonata(expr: string | object, options?: SyncOptions): SyncExpression {
  let ast: RootNode;
  let errors: unknown[] | undefined;
  try {
    if (typeof expr === 'string') {
      ast = parser(expr, options && options.recover);
      errors = ast.errors;
      delete ast.errors;
    } else {
      // an AST from jsonata's parser (jsonata(text).ast()), evaluated as it is
      ast = expr as RootNode;
    }
    resolveBuiltins(ast);
    // compiled now, once, not on the first evaluation
    compile(ast, PLAIN);
  } catch (err) {
    // insert error message into structure
    populateMessage(err as JsonataError); // possible side-effects on `err`
    throw err;
  }
  const environment = createFrame(staticFrame);
  // a built-in's name bound by assign() or registerFunction(): see resolveBuiltins
  let assignedBuiltin = false;
  // a symbol bound by assign(): maybe one of jsonata's evaluation hooks
  let assignedSymbol = false;

  let timestamp = new Date(); // will be overridden on each call to evalute()
  environment.bind(
    'now',
    defineFunction(function (this: Focus, picture: string | undefined, timezone: string | undefined) {
      return fromMillis.call(this, timestamp.getTime(), picture, timezone);
    }, '<s?s?:s>'),
  );
  environment.bind(
    'millis',
    defineFunction(function () {
      return timestamp.getTime();
    }, '<:n>'),
  );

  return {
    evaluate: function (input, bindings, callback) {
      // throw if the expression compiled with syntax errors
      if (typeof errors !== 'undefined') {
        const err: JsonataError = {
          code: 'S0500',
          position: 0,
        };
        populateMessage(err); // possible side-effects on `err`
        throw err;
      }

      // its evaluation fields are set below, before anything is evaluated in it
      const exec_env = createFrame(environment) as EvaluationFrame;

      // add any variable bindings may have been passed in
      let shadowsBuiltin = assignedBuiltin;
      for (const v of keys(bindings)) {
        // (keys are only given for an object)
        exec_env.bind(v, (bindings as Record<string, unknown>)[v]);
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

      exec_env.createSequence = !(options && options.sequence)
        ? createPlainSequence
        : function () {
            const sequence: Sequence = [];
            if (options && options.sequence) {
              const limited = options;
              sequence.push = function (...items) {
                // (set, checked above)
                if (sequence.length + items.length > (limited.sequence as number)) {
                  throw {
                    code: 'D2015',
                    stack: new Error().stack,
                    value: limited.sequence,
                  } as JsonataError;
                }
                return Array.prototype.push.apply(sequence, items);
              };
            }
            sequence.sequence = true;
            // (as createPlainSequence: none, or the one item given)
            if (arguments.length === 1) {
              // eslint-disable-next-line prefer-rest-params
              sequence.push(arguments[0]);
            }
            return sequence;
          };

      // if the input is a JSON array, then wrap it in a singleton sequence so it gets treated as a single input
      if (Array.isArray(input) && !isSequence(input)) {
        input = exec_env.createSequence(input);
        (input as Sequence).outerWrapper = true;
      }

      if (options && (options.timeout || options.stack)) {
        const time = Date.now();
        const guarded = options;
        exec_env.guardrails = function () {
          // (a guard not set is undefined: the comparisons with it are false, as in jsonata)
          if ((guarded.stack as number) > 0 && exec_env.depth > (guarded.stack as number)) {
            // stack too deep
            throw {
              code: 'D1011',
              value: guarded.stack,
              stack: new Error().stack,
            } as JsonataError;
          }
          if ((guarded.timeout as number) > 0 && Date.now() - time > (guarded.timeout as number)) {
            // expression has run for too long
            throw {
              code: 'D1012',
              value: guarded.timeout,
              stack: new Error().stack,
            } as JsonataError;
          }
        };
      } else {
        exec_env.guardrails = function () {};
      }
      exec_env.base = exec_env;
      exec_env.depth = 0;
      // the instrumented compilation only when a guard or a hook needs it (see compile); hooks are
      // symbols, which only assign() binds (bindings give string keys)
      const instrumented =
        !!(options && (options.timeout || options.stack)) ||
        (assignedSymbol &&
          (typeof exec_env.lookup(ENTRY) !== 'undefined' ||
            typeof exec_env.lookup(EXIT) !== 'undefined' ||
            typeof exec_env.lookup(FRAME_PUSH) !== 'undefined'));
      exec_env.mode = instrumented ? INSTRUMENTED : PLAIN;
      // the `this` of the built-in functions the evaluator calls itself (lookup, append)
      exec_env.focus = {
        options: options,
        createSequence: exec_env.createSequence,
      };

      if (options && options.RegexEngine) {
        exec_env.RegexEngine = options.RegexEngine;
      } else {
        exec_env.RegexEngine = RegExp;
      }

      let it: unknown;
      try {
        it = evaluate(ast, input, exec_env);
        if (typeof callback === 'function') {
          callback(null, it);
        }
        return it;
      } catch (err) {
        // insert error message into structure
        populateMessage(err as JsonataError); // possible side-effects on `err`
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
    registerFunction: function (name, implementation, signature) {
      const func = defineFunction(implementation, signature);
      environment.bind(name, func);
      if (staticFrame.bindings.has(name)) {
        assignedBuiltin = true;
      }
    },
    ast: function () {
      return ast;
    },
    errors: function () {
      return errors;
    },
  };
}

jsonata.parser = parser; // TODO remove this in a future release - use ast() instead

export default jsonata;
