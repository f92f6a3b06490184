/**
 * The parser: jsonata's own, whose AST (the same tree jsonata evaluates) the evaluator compiles.
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

import jsonataLibrary from 'jsonata';
import type { RootNode } from './types.js';

// jsonata's own parser gives the AST (the same tree jsonata evaluates); `recover` keeps its errors on the tree.
export function parser(expr: string, recover?: boolean): RootNode {
  // jsonata's expressions also answer errors() (the errors `recover` kept), which its typings leave out
  const parsed = jsonataLibrary(expr, { recover: recover }) as jsonataLibrary.Expression & {
    errors(): unknown[] | undefined;
  };
  // jsonata's declared ExprNode is a loose record; the tree is the one types.ts describes
  const ast = parsed.ast() as RootNode;
  const errors = parsed.errors();
  if (typeof errors !== 'undefined') {
    ast.errors = errors;
  }
  return ast;
}
