/**
 * The built-in functions: how one is defined, the static frame that binds them all, `$eval` and `$clone`
 * (which need the evaluator itself), and which variable nodes can be resolved to a built-in when compiled.
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

import { evaluate } from './compile.js';
import { fromMillis, toMillis } from './datetime/millis.js';
import { formatInteger } from './datetime/integer-picture.js';
import { parseInteger } from './datetime/parse.js';
import { populateMessage } from './errors.js';
import { createFrame } from './frame.js';
import { average, max, min, sum } from './functions/aggregation.js';
import { append, count, distinct, reverse, shuffle, sort, zip } from './functions/array.js';
import { boolean, exists, not } from './functions/boolean.js';
import {
  base64decode,
  base64encode,
  decodeUrl,
  decodeUrlComponent,
  encodeUrl,
  encodeUrlComponent,
} from './functions/encoding.js';
import { formatBase, formatNumber } from './functions/format-number.js';
import { filter, foldLeft, map, sift, single } from './functions/higher-order.js';
import { abs, ceil, floor, number, power, random, round, sqrt } from './functions/numeric.js';
import { assert, each, error, keys, lookup, merge, spread, type as typeOf } from './functions/object.js';
import {
  contains,
  join,
  length,
  lowercase,
  match,
  pad,
  replace,
  split,
  string,
  substring,
  substringAfter,
  substringBefore,
  trim,
  uppercase,
} from './functions/string.js';
import { parser } from './parser.js';
import parseSignature from './signature.js';
import type {
  Environment,
  Focus,
  JsonataError,
  JsonataFunction,
  NativeFunction,
  RootNode,
  Sequence,
  VariableNode,
} from './types.js';
import { isSequence } from './values.js';

/**
 * Creates a function definition
 * @param {Function} func - function implementation in Javascript
 * @param {string} signature - JSONata function signature definition
 * @returns {{implementation: *, signature: *}} function definition
 */
export function defineFunction(func: NativeFunction, signature?: string): JsonataFunction {
  const definition: JsonataFunction = {
    _jsonata_function: true,
    implementation: func,
  };
  if (typeof signature !== 'undefined') {
    definition.signature = parseSignature(signature);
  }
  return definition;
}

/**
 * parses and evaluates the supplied expression
 * @param {string} expr - expression to evaluate
 * @returns {*} - result of evaluating the expression
 */
function functionEval(this: Focus, expr: string | undefined, focus: unknown): unknown {
  // undefined inputs always return undefined
  if (typeof expr === 'undefined') {
    return undefined;
  }
  let input = this.input;
  if (typeof focus !== 'undefined') {
    input = focus;
    // if the input is a JSON array, then wrap it in a singleton sequence so it gets treated as a single input
    if (Array.isArray(input) && !isSequence(input)) {
      input = this.createSequence(input);
      (input as Sequence).outerWrapper = true;
    }
  }

  let ast: RootNode;
  try {
    ast = parser(expr, false);
  } catch (err) {
    // error parsing the expression passed to $eval
    populateMessage(err as JsonataError);
    throw {
      stack: new Error().stack,
      code: 'D3120',
      value: (err as JsonataError).message,
      error: err,
    } as JsonataError;
  }
  let result: unknown;
  try {
    // a built-in is called with the caller's frame as its focus's environment (see applyInner)
    result = evaluate(ast, input, this.environment as Environment);
  } catch (err) {
    // error evaluating the expression passed to $eval
    populateMessage(err as JsonataError);
    throw {
      stack: new Error().stack,
      code: 'D3121',
      value: (err as JsonataError).message,
      error: err,
    } as JsonataError;
  }

  return result;
}

/**
 * Clones an object
 * @param {Object} arg - object to clone (deep copy)
 * @returns {*} - the cloned object
 */
function functionClone(arg: unknown): unknown {
  // undefined inputs always return undefined
  if (typeof arg === 'undefined') {
    return undefined;
  }

  // (the text of a defined value)
  return JSON.parse(string(arg) as string);
}

export const staticFrame = createFrame(null);

// Function registration
staticFrame.bind('sum', defineFunction(sum, '<a<n>:n>'));
staticFrame.bind('count', defineFunction(count, '<a:n>'));
staticFrame.bind('max', defineFunction(max, '<a<n>:n>'));
staticFrame.bind('min', defineFunction(min, '<a<n>:n>'));
staticFrame.bind('average', defineFunction(average, '<a<n>:n>'));
staticFrame.bind('string', defineFunction(string, '<x-b?:s>'));
staticFrame.bind('substring', defineFunction(substring, '<s-nn?:s>'));
staticFrame.bind('substringBefore', defineFunction(substringBefore, '<s-s:s>'));
staticFrame.bind('substringAfter', defineFunction(substringAfter, '<s-s:s>'));
staticFrame.bind('lowercase', defineFunction(lowercase, '<s-:s>'));
staticFrame.bind('uppercase', defineFunction(uppercase, '<s-:s>'));
staticFrame.bind('length', defineFunction(length, '<s-:n>'));
staticFrame.bind('trim', defineFunction(trim, '<s-:s>'));
staticFrame.bind('pad', defineFunction(pad, '<s-ns?:s>'));
staticFrame.bind('match', defineFunction(match, '<s-f<s:o>n?:a<o>>'));
staticFrame.bind('contains', defineFunction(contains, '<s-(sf):b>')); // TODO <s-(sf<s:o>):b>
staticFrame.bind('replace', defineFunction(replace, '<s-(sf)(sf)n?:s>')); // TODO <s-(sf<s:o>)(sf<o:s>)n?:s>
staticFrame.bind('split', defineFunction(split, '<s-(sf)n?:a<s>>')); // TODO <s-(sf<s:o>)n?:a<s>>
staticFrame.bind('join', defineFunction(join, '<a<s>s?:s>'));
staticFrame.bind('formatNumber', defineFunction(formatNumber, '<n-so?:s>'));
staticFrame.bind('formatBase', defineFunction(formatBase, '<n-n?:s>'));
staticFrame.bind('formatInteger', defineFunction(formatInteger, '<n-s:s>'));
staticFrame.bind('parseInteger', defineFunction(parseInteger, '<s-s:n>'));
staticFrame.bind('number', defineFunction(number, '<(nsb)-:n>'));
staticFrame.bind('floor', defineFunction(floor, '<n-:n>'));
staticFrame.bind('ceil', defineFunction(ceil, '<n-:n>'));
staticFrame.bind('round', defineFunction(round, '<n-n?:n>'));
staticFrame.bind('abs', defineFunction(abs, '<n-:n>'));
staticFrame.bind('sqrt', defineFunction(sqrt, '<n-:n>'));
staticFrame.bind('power', defineFunction(power, '<n-n:n>'));
staticFrame.bind('random', defineFunction(random, '<:n>'));
staticFrame.bind('boolean', defineFunction(boolean, '<x-:b>'));
staticFrame.bind('not', defineFunction(not, '<x-:b>'));
staticFrame.bind('map', defineFunction(map, '<af>'));
staticFrame.bind('zip', defineFunction(zip, '<a+>'));
staticFrame.bind('filter', defineFunction(filter, '<af>'));
staticFrame.bind('single', defineFunction(single, '<af?>'));
staticFrame.bind('reduce', defineFunction(foldLeft, '<afj?:j>')); // TODO <f<jj:j>a<j>j?:j>
staticFrame.bind('sift', defineFunction(sift, '<o-f?:o>'));
staticFrame.bind('keys', defineFunction(keys, '<x-:a<s>>'));
staticFrame.bind('lookup', defineFunction(lookup, '<x-s:x>'));
staticFrame.bind('append', defineFunction(append, '<xx:a>'));
staticFrame.bind('exists', defineFunction(exists, '<x:b>'));
staticFrame.bind('spread', defineFunction(spread, '<x-:a<o>>'));
staticFrame.bind('merge', defineFunction(merge, '<a<o>:o>'));
staticFrame.bind('reverse', defineFunction(reverse, '<a:a>'));
staticFrame.bind('each', defineFunction(each, '<o-f:a>'));
staticFrame.bind('error', defineFunction(error, '<s?:x>'));
staticFrame.bind('assert', defineFunction(assert, '<bs?:x>'));
staticFrame.bind('type', defineFunction(typeOf, '<x:s>'));
staticFrame.bind('sort', defineFunction(sort, '<af?:a>'));
staticFrame.bind('shuffle', defineFunction(shuffle, '<a:a>'));
staticFrame.bind('distinct', defineFunction(distinct, '<x:x>'));
staticFrame.bind('base64encode', defineFunction(base64encode, '<s-:s>'));
staticFrame.bind('base64decode', defineFunction(base64decode, '<s-:s>'));
staticFrame.bind('encodeUrlComponent', defineFunction(encodeUrlComponent, '<s-:s>'));
staticFrame.bind('encodeUrl', defineFunction(encodeUrl, '<s-:s>'));
staticFrame.bind('decodeUrlComponent', defineFunction(decodeUrlComponent, '<s-:s>'));
staticFrame.bind('decodeUrl', defineFunction(decodeUrl, '<s-:s>'));
staticFrame.bind('eval', defineFunction(functionEval, '<sx?:x>'));
staticFrame.bind('toMillis', defineFunction(toMillis, '<s-s?:n>'));
staticFrame.bind('fromMillis', defineFunction(fromMillis, '<n-s?s?:s>'));
staticFrame.bind('clone', defineFunction(functionClone, '<(oa)-:o>'));

/*
 * Variable nodes naming a built-in function that nothing in their expression can rebind. jsonata finds
 * `$uppercase` by walking every frame up to its static one; such a node is resolved when compiled. The
 * expression must bind the name nowhere (`:=`, a lambda's parameter, a focus `@$` or index `#$` variable)
 * and must not use `$eval` (its expression runs in the caller's frames and may bind anything); an
 * evaluation whose bindings or assignments shadow a built-in looks every name up (`shadowsBuiltin`).
 */
export const builtinReferences = new WeakSet<VariableNode>();

/** The fields of a node the walk reads (any node, or the parser's arrays and records inside one). */
interface Visited {
  type?: unknown;
  value?: unknown;
  lhs?: { value?: unknown } | null;
  arguments?: unknown;
  focus?: unknown;
  index?: unknown;
  [field: string]: unknown;
}

export function resolveBuiltins(ast: unknown): void {
  const bound = new Set<unknown>();
  const variables: VariableNode[] = [];
  let usesEval = false;
  const seen = new Set<unknown>();
  const visit = function (node: unknown): void {
    if (node === null || typeof node !== 'object' || seen.has(node)) {
      return;
    }
    seen.add(node);
    if (Array.isArray(node)) {
      for (let ii = 0; ii < node.length; ii++) {
        visit(node[ii]);
      }
      return;
    }
    const fields = node as Visited;
    if (fields.type === 'variable' && typeof fields.value === 'string') {
      variables.push(node as VariableNode);
      if (fields.value === 'eval') {
        usesEval = true;
      }
    }
    if (fields.type === 'bind' && fields.lhs && typeof fields.lhs.value === 'string') {
      bound.add(fields.lhs.value);
    }
    if (fields.type === 'lambda' && Array.isArray(fields.arguments)) {
      fields.arguments.forEach(function (argument: VariableNode) {
        bound.add(argument.value);
      });
    }
    if (typeof fields.focus === 'string') {
      bound.add(fields.focus);
    }
    if (typeof fields.index === 'string') {
      bound.add(fields.index);
    }
    for (const key of Object.keys(node)) {
      const child = fields[key];
      if (child !== null && typeof child === 'object' && !(child instanceof RegExp)) {
        visit(child);
      }
    }
  };
  visit(ast);
  if (usesEval) {
    return;
  }
  for (let vv = 0; vv < variables.length; vv++) {
    const name = (variables[vv] as VariableNode).value;
    if (!bound.has(name) && staticFrame.bindings.has(name)) {
      builtinReferences.add(variables[vv] as VariableNode);
    }
  }
}
