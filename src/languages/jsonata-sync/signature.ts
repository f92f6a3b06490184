/**
 * Function signatures (`<s-nn?:s>`): parsed once into a validator of a call's arguments.
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
 * © Copyright IBM Corp. 2016, 2018 All Rights Reserved
 *   Project name: JSONata
 *   This project is licensed under the MIT License, see LICENSE
 */

import type { JsonataError, Signature } from './types.js';
import { isFunction } from './values.js';

// A mapping between the function signature symbols and the full plural of the type
// Expected to be used in error messages
const arraySignatureMapping: Record<string, string> = {
  a: 'arrays',
  b: 'booleans',
  f: 'functions',
  n: 'numbers',
  o: 'objects',
  s: 'strings',
};

/** One parameter of a signature, as a regex over the argument type symbols. */
interface Param {
  regex: string;
  type: string;
  array?: boolean;
  context?: boolean;
  contextRegex?: RegExp;
  subtype?: string;
}

/** The type symbol of a value, as signatures name them (m: missing). */
function getSymbol(value: unknown): string {
  let symbol: string;
  if (isFunction(value)) {
    symbol = 'f';
  } else {
    const type = typeof value;
    switch (type) {
      case 'string':
        symbol = 's';
        break;
      case 'number':
        symbol = 'n';
        break;
      case 'boolean':
        symbol = 'b';
        break;
      case 'object':
        if (value === null) {
          symbol = 'l';
        } else if (Array.isArray(value)) {
          symbol = 'a';
        } else {
          symbol = 'o';
        }
        break;
      case 'undefined':
      default:
        // any value can be undefined, but should be allowed to match
        symbol = 'm'; // m for missing
    }
  }
  return symbol;
}

// returns the position of the closing symbol (e.g. bracket) in a string that balances the opening symbol at start
function findClosingBracket(str: string, start: number, openSymbol: string, closeSymbol: string): number {
  let depth = 1;
  let position = start;
  while (position < str.length) {
    position++;
    const symbol = str.charAt(position);
    if (symbol === closeSymbol) {
      depth--;
      if (depth === 0) {
        break;
      }
    } else if (symbol === openSymbol) {
      depth++;
    }
  }
  return position;
}

/**
 * Parses a function signature definition (the text between and with its <angle brackets>) into a validator
 * that answers the validated (possibly fixed-up) arguments, or throws a validation error.
 */
export default function parseSignature(signature: string): Signature {
  let position = 1;
  const params: Param[] = [];
  let param = Object.create(null) as Param;
  let prevParam = param;
  const next = (): void => {
    params.push(param);
    prevParam = param;
    param = Object.create(null) as Param;
  };
  while (position < signature.length) {
    const symbol = signature.charAt(position);
    if (symbol === ':') {
      // the return type is not checked (jsonata ignores it too)
      break;
    }

    switch (symbol) {
      case 's': // string
      case 'n': // number
      case 'b': // boolean
      case 'l': // not so sure about expecting null?
      case 'o': // object
        param.regex = '[' + symbol + 'm]';
        param.type = symbol;
        next();
        break;
      case 'a': // array
        //  normally treat any value as singleton array
        param.regex = '[asnblfom]';
        param.type = symbol;
        param.array = true;
        next();
        break;
      case 'f': // function
        param.regex = 'f';
        param.type = symbol;
        next();
        break;
      case 'j': // any JSON type
        param.regex = '[asnblom]';
        param.type = symbol;
        next();
        break;
      case 'x': // any type
        param.regex = '[asnblfom]';
        param.type = symbol;
        next();
        break;
      case '-': // use context if param not supplied
        prevParam.context = true;
        prevParam.contextRegex = new RegExp(prevParam.regex); // pre-compiled to test the context type at runtime
        prevParam.regex += '?';
        break;
      case '?': // optional param
      case '+': // one or more
        prevParam.regex += symbol;
        break;
      case '(': {
        // choice of types: search forward for matching ')'
        const endParen = findClosingBracket(signature, position, '(', ')');
        const choice = signature.substring(position + 1, endParen);
        if (choice.indexOf('<') === -1) {
          // no parameterized types, simple regex
          param.regex = '[' + choice + 'm]';
        } else {
          throw { code: 'S0402', stack: new Error().stack, value: choice, offset: position } as JsonataError;
        }
        param.type = '(' + choice + ')';
        position = endParen;
        next();
        break;
      }
      case '<': // type parameter - can only be applied to 'a' and 'f'
        if (prevParam.type === 'a' || prevParam.type === 'f') {
          // search forward for matching '>'
          const endPos = findClosingBracket(signature, position, '<', '>');
          prevParam.subtype = signature.substring(position + 1, endPos);
          position = endPos;
        } else {
          throw {
            code: 'S0401',
            stack: new Error().stack,
            value: prevParam.type,
            offset: position,
          } as JsonataError;
        }
        break;
    }
    position++;
  }
  const regexStr = '^' + params.map((param) => '(' + param.regex + ')').join('') + '$';
  const regex = new RegExp(regexStr);
  const matchesBySig = new Map<string, RegExpExecArray | null>();

  const throwValidationError = (badArgs: readonly unknown[], badSig: string): never => {
    // to figure out where this went wrong we need apply each component of the
    // regex to each argument until we get to the one that fails to match
    let partialPattern = '^';
    let goodTo = 0;
    for (const param of params) {
      partialPattern += param.regex;
      const match = badSig.match(partialPattern);
      if (match === null) {
        // failed here
        throw {
          code: 'T0410',
          stack: new Error().stack,
          value: badArgs[goodTo],
          index: goodTo + 1,
        } as JsonataError;
      }
      goodTo = match[0].length;
    }
    // if it got this far, it's probably because of extraneous arguments (we
    // haven't added the trailing '$' in the regex yet.
    throw {
      code: 'T0410',
      stack: new Error().stack,
      value: badArgs[goodTo],
      index: goodTo + 1,
    } as JsonataError;
  };

  return {
    definition: signature,
    validate(args: readonly unknown[], context: unknown): unknown[] {
      let suppliedSig = '';
      for (const arg of args) {
        suppliedSig += getSymbol(arg);
      }
      // the same argument types match the same way: the match is kept per type string
      let isValid = matchesBySig.get(suppliedSig);
      if (isValid === undefined) {
        isValid = regex.exec(suppliedSig);
        if (matchesBySig.size < 256) {
          matchesBySig.set(suppliedSig, isValid);
        }
      }
      if (!isValid) {
        return throwValidationError(args, suppliedSig);
      }
      const validatedArgs: unknown[] = [];
      let argIndex = 0;
      for (let index = 0; index < params.length; index++) {
        const param = params[index] as Param;
        let arg = args[argIndex];
        const match = isValid[index + 1] as string;
        if (match === '') {
          if (param.context && param.contextRegex) {
            // substitute context value for missing arg
            // first check that the context value is the right type
            const contextType = getSymbol(context);
            // test contextType against the regex for this arg (without the trailing ?)
            if (param.contextRegex.test(contextType)) {
              validatedArgs.push(context);
            } else {
              // context value not compatible with this argument
              throw {
                code: 'T0411',
                stack: new Error().stack,
                value: context,
                index: argIndex + 1,
              } as JsonataError;
            }
          } else {
            validatedArgs.push(arg);
            argIndex++;
          }
        } else {
          // may have matched multiple args (if the regex ends with a '+')
          // split into single tokens
          for (let ci = 0; ci < match.length; ci++) {
            const single = match.charAt(ci);
            arg = args[argIndex];
            if (param.type === 'a') {
              if (single === 'm') {
                // missing (undefined)
                arg = undefined;
              } else {
                let arrayOK = true;
                // is there type information on the contents of the array?
                if (typeof param.subtype !== 'undefined') {
                  if (single !== 'a' && match !== param.subtype) {
                    arrayOK = false;
                  } else if (single === 'a') {
                    const items = arg as unknown[];
                    if (items.length > 0) {
                      const itemType = getSymbol(items[0]);
                      if (itemType !== param.subtype.charAt(0)) {
                        // TODO recurse further
                        arrayOK = false;
                      } else {
                        // make sure every item in the array is this type
                        const differentItems = items.filter((val) => getSymbol(val) !== itemType);
                        arrayOK = differentItems.length === 0;
                      }
                    }
                  }
                }
                if (!arrayOK) {
                  throw {
                    code: 'T0412',
                    stack: new Error().stack,
                    value: arg,
                    index: argIndex + 1,
                    type: arraySignatureMapping[param.subtype as string],
                  } as JsonataError;
                }
                // the function expects an array. If it's not one, make it so
                if (single !== 'a') {
                  arg = [arg];
                }
              }
              validatedArgs.push(arg);
              argIndex++;
            } else {
              validatedArgs.push(arg);
              argIndex++;
            }
          }
        }
      }
      return validatedArgs;
    },
  };
}
