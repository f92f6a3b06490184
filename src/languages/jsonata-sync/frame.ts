/**
 * Frames: the scopes of variable bindings an evaluation runs in.
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

import { FRAME_PUSH, INSTRUMENTED } from './compile.js';
import type { Environment, EvaluationFrame, Frame as FrameFields, Tuple } from './types.js';
import { keys } from './values.js';

/** jsonata's debugger hook on every new frame, as an expression's assign() binds it. */
type FramePushHook = (enclosing: FrameFields, frame: FrameFields) => void;

/**
 * Create frame: a scope of variable bindings inside its enclosing one
 * @param {Object} enclosingEnvironment - Enclosing environment
 * @returns {{bind: bind, lookup: lookup}} Created frame
 */
class Frame implements FrameFields {
  // declared, not initialised: the constructor sets them, in this order, as jsonata's Frame does
  declare bindings: Map<string | symbol, unknown>;
  declare enclosing: FrameFields | null;
  declare timestamp: Date | null;
  declare async: boolean;
  declare isParallelCall: boolean;
  declare global: { ancestry: unknown[] };
  declare base: EvaluationFrame | undefined;

  constructor(enclosingEnvironment: FrameFields | null) {
    this.bindings = new Map();
    this.enclosing = enclosingEnvironment;
    this.timestamp = enclosingEnvironment ? enclosingEnvironment.timestamp : null;
    this.async = enclosingEnvironment ? enclosingEnvironment.async : false;
    this.isParallelCall = enclosingEnvironment ? enclosingEnvironment.isParallelCall : false;
    this.global = enclosingEnvironment
      ? enclosingEnvironment.global
      : {
          ancestry: [null],
        };
    this.base = undefined;
  }

  bind(name: string | symbol, value: unknown): void {
    this.bindings.set(name, value);
  }

  // the innermost frame that binds the name decides, even when it binds undefined
  lookup(name: string | symbol): unknown {
    // the walk up the enclosing frames starts at this one
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let frame: FrameFields | null = this;
    do {
      const bindings = frame.bindings;
      const value = bindings.get(name);
      if (value !== undefined || bindings.has(name)) {
        return value;
      }
      frame = frame.enclosing;
    } while (frame);
    return undefined;
  }
}

/** A frame inside an evaluation's frame belongs to that evaluation too. */
export function createFrame(enclosingEnvironment: Environment): Environment;
export function createFrame(enclosingEnvironment: FrameFields | null): FrameFields;
export function createFrame(enclosingEnvironment: FrameFields | null): FrameFields {
  const newFrame = new Frame(enclosingEnvironment);
  if (enclosingEnvironment) {
    // jsonata's debugger hook, looked for when an evaluation is instrumented (see compile)
    if (enclosingEnvironment.base === undefined || enclosingEnvironment.base.mode === INSTRUMENTED) {
      const framePushCallback = enclosingEnvironment.lookup(FRAME_PUSH);
      if (framePushCallback) {
        (framePushCallback as FramePushHook)(enclosingEnvironment, newFrame);
      }
    }
    newFrame.base = enclosingEnvironment.base;
  }
  return newFrame;
}

/** A frame binding the fields of a tuple (its context `@` and the step's variables). */
export function createFrameFromTuple(environment: Environment, tuple: Tuple): Environment {
  const frame = createFrame(environment);
  for (const prop of keys(tuple)) {
    frame.bind(prop, tuple[prop]);
  }
  return frame;
}
