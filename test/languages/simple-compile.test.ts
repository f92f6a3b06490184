import { expect } from 'chai';
import { simpleParseCount, SimpleSyntaxError } from '../../src/languages/index.js';
import { compileError, context, definition, exchange, language } from './helpers.js';

const simple = language('simple');
const compile = (text: string, options: Record<string, unknown> = {}) =>
  simple.compile(definition('simple', text, options), context);
const compilePredicate = (text: string) => simple.compilePredicate!(definition('simple', text), context);

describe('simple language: compile errors', () => {
  it('an unknown function names it, suggests the nearest, lists the supported ones and points at it', () => {
    const message = compileError(() => compile('Hello ${bodyy}'));
    expect(message).to.contain('Unknown function ${bodyy}');
    expect(message).to.contain('Did you mean ${body}?');
    expect(message).to.contain('${header.name}');
    expect(message).to.contain('column 9');
    expect(message).to.contain('\n    Hello ${bodyy}\n            ^');
  });

  it('reports the index of the error as the user wrote it (before trimming)', () => {
    let error: unknown;
    try {
      compile('   ${bodyy}');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SimpleSyntaxError);
    expect((error as SimpleSyntaxError).index).to.equal(5);
    expect((error as Error).message).to.contain('column 6');
  });

  it('${header} without a name', () => {
    expect(compileError(() => compile('${header}'))).to.contain(
      '${header} needs a name: write ${header.name}',
    );
    expect(compileError(() => compile('${exchangeProperty}'))).to.contain('needs a name');
  });

  it('the Camel 2 ${property.x} points to exchangeProperty', () => {
    expect(compileError(() => compile('${property.x}'))).to.contain('${exchangeProperty.name}');
  });

  it('an unsupported method names the supported ones', () => {
    const message = compileError(() => compile('${body.substring(1,2)}'));
    expect(message).to.contain('Unsupported method call substring(1,2)');
    expect(message).to.contain('length(), size(), toUpperCase(), toLowerCase(), trim()');
    expect(compileError(() => compile('${header.x.foo()}'))).to.contain('Unsupported method call foo()');
  });

  it('an unclosed function', () => {
    expect(compileError(() => compile('id-${header.id'))).to.contain('has no closing }');
  });

  it('nested functions', () => {
    expect(compileError(() => compile('${header.${header.name}}'))).to.contain('Nested functions');
  });

  it('a bad bodyAs type, random arguments, date pattern and date command', () => {
    expect(compileError(() => compile('${bodyAs(Foo)}'))).to.contain('Unsupported resultType "Foo"');
    expect(compileError(() => compile('${random(5,2)}'))).to.contain('max must be greater');
    expect(compileError(() => compile('${random(x)}'))).to.contain('random needs whole numbers');
    expect(compileError(() => compile('${date:now:yyyy-QQ}'))).to.contain(
      'Unsupported date pattern letter "QQ"',
    );
    expect(compileError(() => compile("${date:now:'open}"))).to.contain('unclosed quote');
    expect(compileError(() => compile("${date:now:yyyy'T}"))).to.contain('unclosed quote');
    expect(compileError(() => compile('${date:tomorrow:yyyy}'))).to.contain(
      'Unknown date command "tomorrow"',
    );
  });

  it('an unknown resultType', () => {
    expect(compileError(() => compile('${body}', { resultType: 'java.util.Date' }))).to.contain(
      'Unsupported resultType "java.util.Date"',
    );
  });

  describe('predicates', () => {
    it('an operator without spaces', () => {
      const message = compileError(() => compilePredicate('${header.x}==5'));
      expect(message).to.contain('Operator == needs a space on both sides');
      expect(message).to.contain('column 12');
    });

    it('an operator without a right hand side', () => {
      expect(compileError(() => compilePredicate('${header.x} == '))).to.contain('has no right hand side');
    });

    it('unquoted text on the right', () => {
      expect(compileError(() => compilePredicate('${header.x} == abc'))).to.contain(
        "quote literal text ('abc')",
      );
    });

    it('two conditions without && or ||', () => {
      expect(compileError(() => compilePredicate("${header.x} == 'a' ${header.y} == 'b'"))).to.contain(
        'join conditions with && or ||',
      );
    });

    it('a dangling logical operator', () => {
      expect(compileError(() => compilePredicate("${header.x} == 'a' &&"))).to.contain(
        'has no right hand side',
      );
    });

    it('an unclosed quote', () => {
      expect(compileError(() => compilePredicate("${header.x} == 'abc"))).to.contain('has no closing');
    });

    it('range, is and regex literals are checked at compile time', () => {
      expect(compileError(() => compilePredicate("${header.x} range '1-5'"))).to.contain(
        "range needs 'from..to'",
      );
      expect(compileError(() => compilePredicate("${header.x} is 'Banana'"))).to.contain(
        "Unknown type 'Banana'",
      );
      expect(compileError(() => compilePredicate('${header.x} is ${header.t}'))).to.contain(
        'is needs a type name',
      );
      expect(compileError(() => compilePredicate("${header.x} regex '([a-z'"))).to.contain(
        'Invalid regular expression',
      );
    });

    it('an unknown function inside a predicate points at it', () => {
      const message = compileError(() => compilePredicate("${header.a} == 'x' && ${hedaer.b} == 'y'"));
      expect(message).to.contain('Did you mean ${header.b}?');
      expect(message).to.contain('column 25');
    });
  });
});

describe('simple language: compiled once', () => {
  it('evaluating templates and predicates 1,000 times parses nothing', async () => {
    const template = compile('CUST-${header.id}-${body.order.lines[0].sku.toUpperCase()}-${date:now:yyyy}');
    const single = compile('${header.amount}', { resultType: 'Integer' });
    const predicate = compilePredicate(
      "${header.amount} > 1000 && ${header.type} in 'a,b' || ${body.order.id} regex 'A-\\d+'",
    );
    const parsesAfterCompile = simpleParseCount();
    expect(parsesAfterCompile).to.be.greaterThan(0);

    const ex = exchange({
      body: { order: { id: 'A-1', lines: [{ sku: 'x' }] } },
      headers: { id: 7, amount: '1500', type: 'b' },
    });
    for (let i = 0; i < 1000; i++) {
      ex.setHeader('id', i);
      expect(template(ex)).to.match(new RegExp(`^CUST-${i}-X-\\d{4}$`));
      expect(single(ex)).to.equal(1500);
      expect(await predicate(ex)).to.equal(true);
    }
    expect(simpleParseCount()).to.equal(parsesAfterCompile);
  });

  it('counts a parse for every compile (the hook sees the parser)', () => {
    const before = simpleParseCount();
    compile('${body}');
    compilePredicate('${body} == 1');
    expect(simpleParseCount()).to.equal(before + 2);
  });
});
