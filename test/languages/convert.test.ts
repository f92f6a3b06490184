import { expect } from 'chai';
import {
  coerceCompare,
  coerceEquals,
  convertTo,
  parseResultType,
  toPredicate,
  toText,
} from '../../src/languages/convert.js';
import { ExpressionError } from '../../src/errors/index.js';

describe('languages: conversion', () => {
  it('toPredicate follows Camel evaluateValuePredicate', () => {
    expect(toPredicate(true)).to.equal(true);
    expect(toPredicate(false)).to.equal(false);
    expect(toPredicate('true')).to.equal(true);
    expect(toPredicate(' TRUE ')).to.equal(true);
    expect(toPredicate('false')).to.equal(false);
    expect(toPredicate('False')).to.equal(false);
    expect(toPredicate('')).to.equal(false);
    expect(toPredicate('   ')).to.equal(false);
    expect(toPredicate('anything')).to.equal(true);
    expect(toPredicate(null)).to.equal(false);
    expect(toPredicate(undefined)).to.equal(false);
    expect(toPredicate([])).to.equal(false);
    expect(toPredicate([0])).to.equal(true);
    expect(toPredicate(0)).to.equal(true);
    expect(toPredicate({})).to.equal(true);
  });

  it('toText renders null as empty, objects as JSON, bytes as UTF-8', () => {
    expect(toText(null)).to.equal('');
    expect(toText(undefined)).to.equal('');
    expect(toText({ a: [1] })).to.equal('{"a":[1]}');
    expect(toText(Buffer.from('héllo'))).to.equal('héllo');
    expect(toText(12.5)).to.equal('12.5');
    expect(toText(new Date(0))).to.equal('1970-01-01T00:00:00.000Z');
  });

  it('parseResultType accepts Camel spellings and rejects others', () => {
    expect(parseResultType('int')).to.equal('Integer');
    expect(parseResultType('java.lang.Integer')).to.equal('Integer');
    expect(parseResultType('long')).to.equal('Long');
    expect(parseResultType('java.lang.Double')).to.equal('Double');
    expect(parseResultType('boolean')).to.equal('Boolean');
    expect(parseResultType('java.util.Map')).to.equal('Map');
    expect(parseResultType(undefined)).to.equal(undefined);
    expect(() => parseResultType('java.util.Date')).to.throw(
      /Unsupported resultType "java.util.Date": supported are String/,
    );
  });

  it('convertTo converts and fails with ExpressionError', () => {
    expect(convertTo('42', 'Integer')).to.equal(42);
    expect(convertTo(42.9, 'Integer')).to.equal(42);
    expect(convertTo('4.5', 'Double')).to.equal(4.5);
    expect(convertTo('false', 'Boolean')).to.equal(false);
    expect(convertTo(null, 'Integer')).to.equal(null);
    expect(convertTo('{"a":1}', 'Map')).to.deep.equal({ a: 1 });
    expect(convertTo('[1]', 'List')).to.deep.equal([1]);
    expect(() => convertTo('4.5', 'Integer')).to.throw(ExpressionError, /Cannot convert "4.5" to Integer/);
    expect(() => convertTo('yes', 'Boolean')).to.throw(ExpressionError);
    expect(() => convertTo(true, 'Double')).to.throw(ExpressionError);
    expect(() => convertTo('[1]', 'Map')).to.throw(ExpressionError);
  });

  it('coerceEquals and coerceCompare convert across types', () => {
    expect(coerceEquals('1500', 1500)).to.equal(true);
    expect(coerceEquals(1500, '1500.0')).to.equal(true);
    expect(coerceEquals('true', true)).to.equal(true);
    expect(coerceEquals('abc', 'ABC')).to.equal(false);
    expect(coerceEquals('abc', 'ABC', true)).to.equal(true);
    expect(coerceEquals(null, undefined)).to.equal(true);
    expect(coerceEquals(null, 'x')).to.equal(false);
    expect(coerceCompare('1500', 200)).to.equal(1);
    expect(coerceCompare('10', '9')).to.equal(1);
    expect(coerceCompare('b', 'a')).to.equal(1);
    expect(coerceCompare(null, 1)).to.equal(undefined);
  });
});
