import { expect } from 'chai';
import { RouteFolder, errors, position, withoutLocations, yaml } from './helpers.js';
import type { ExpressionDefinition, RouteSet } from '../../src/runtime/definitions.js';

describe('dsl: expressions', () => {
  let folder: RouteFolder;
  beforeEach(async () => (folder = await RouteFolder.create()));
  afterEach(async () => folder.cleanup());

  const route = (steps: string): string =>
    `- route:\n    id: r\n    from:\n      uri: direct:r\n      steps:\n${steps
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n')}\n`;

  const expressionsOf = (set: RouteSet): ExpressionDefinition[] =>
    set.routes[0]!.steps.map((s) => withoutLocations(s.options.expression as ExpressionDefinition));

  it('reads all four spellings of §4 as the same expression', async () => {
    await folder.write(
      'four.yaml',
      route(yaml(`
        - setHeader: {name: h, simple: "\${body}"}
        - setHeader: {name: h, simple: {expression: "\${body}"}}
        - setHeader: {name: h, expression: {simple: "\${body}"}}
        - setHeader: {name: h, expression: {simple: {expression: "\${body}"}}}
      `)),
    );
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    const expected = { language: 'simple', expression: '${body}', options: {} };
    expect(expressionsOf(set)).to.deep.equal([expected, expected, expected, expected]);
  });

  it('keeps language options, reads the generic language form and tokenize tokens', async () => {
    await folder.write(
      'options.yaml',
      route(yaml(`
        - setBody: {expression: {simple: {expression: " \${body} ", trim: true, resultType: java.lang.String}}}
        - setBody: {language: {language: jsonata, expression: "$.amount * 2"}}
        - setBody: {expression: {language: {language: jsonata, expression: "$.amount"}}}
        - split: {tokenize: {token: ";", regex: false}, steps: []}
        - split: {expression: {tokenize: ","}, steps: []}
        - setBody: {jsonpath: {expression: "$.lines[*]", writeAsString: true}}
      `)),
    );
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    expect(expressionsOf(set)).to.deep.equal([
      { language: 'simple', expression: ' ${body} ', options: { trim: true, resultType: 'java.lang.String' } },
      { language: 'jsonata', expression: '$.amount * 2', options: {} },
      { language: 'jsonata', expression: '$.amount', options: {} },
      { language: 'tokenize', expression: ';', options: { regex: false } },
      { language: 'tokenize', expression: ',', options: {} },
      { language: 'jsonpath', expression: '$.lines[*]', options: { writeAsString: true } },
    ]);
  });

  it('coerces unquoted scalars to strings where Camel wants text', async () => {
    await folder.write(
      'scalars.yaml',
      yaml(`
        - onException:
            exception: [java.lang.Exception]
            handled:
              constant: true
            redeliveryPolicy:
              maximumRedeliveries: 3
              redeliveryDelay: 200
            steps:
              - setHeader:
                  name: CamelHttpResponseCode
                  constant: 403
      `),
    );
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    const options = set.onExceptions[0]!.options;
    expect(withoutLocations(options.handled)).to.deep.equal({ language: 'constant', expression: 'true', options: {} });
    expect(options.redeliveryPolicy).to.deep.equal({ maximumRedeliveries: 3, redeliveryDelay: '200' });
    const steps = options.steps as { options: { expression: ExpressionDefinition } }[];
    expect(steps[0]!.options.expression.expression).to.equal('403');
  });

  it('reads sub-element expressions (doCatch onWhen) with and without the wrapper', async () => {
    await folder.write(
      'onwhen.yaml',
      route(yaml(`
        - doTry:
            steps: [{to: direct:x}]
            doCatch:
              - exception: [java.lang.Exception]
                onWhen: {simple: "\${exception.message} contains 'a'"}
              - exception: [java.lang.Exception]
                onWhen: {expression: {simple: {expression: "\${exception.message} contains 'b'"}}}
      `)),
    );
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    const doCatch = set.routes[0]!.steps[0]!.options.doCatch as { onWhen: ExpressionDefinition }[];
    expect(doCatch.map((c) => withoutLocations(c.onWhen))).to.deep.equal([
      { language: 'simple', expression: "${exception.message} contains 'a'", options: {} },
      { language: 'simple', expression: "${exception.message} contains 'b'", options: {} },
    ]);
  });

  it('rejects an expression with two languages, naming both', async () => {
    await folder.write('two.yaml', route(yaml(`
      - filter:
          simple: "\${body} != null"
          constant: "true"
          steps: []
    `)));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(error!.message).to.equal('`filter` needs exactly one language, found 2: simple, constant');
    expect(position(error!)).to.equal('two.yaml:8:13');
    expect(error!.loc!.path).to.equal('[0].route.from.steps[0].filter.constant');
    expect(error!.expected).to.contain('exactly one of: constant, jsonata, jsonpath, simple, tokenize');
  });

  it('rejects an expression with no language', async () => {
    await folder.write('none.yaml', route(yaml(`
      - setBody:
          expression: {}
      - setHeader:
          name: h
    `)));
    const found = errors(await folder.load());
    expect(found.map((e) => [position(e), e.message])).to.deep.equal([
      ['none.yaml:7:13', '`expression` needs an expression in exactly one language, found none'],
      ['none.yaml:8:11', '`setHeader` needs an expression in exactly one language, found none'],
    ]);
    expect(found[1]!.snippet).to.contain('- setHeader:\n    expression:\n      simple:');
  });

  it('rejects an unknown language with the supported ones and a did-you-mean', async () => {
    await folder.write('lang.yaml', route(yaml(`
      - setBody:
          expression:
            simpel: "\${body}"
      - setBody:
          expression:
            groovy: "body"
      - setBody:
          language: {language: groovy, expression: "x"}
    `)));
    const found = errors(await folder.load());
    expect(found.map((e) => [position(e), e.message])).to.deep.equal([
      ['lang.yaml:8:15', 'Unknown language `simpel`'],
      ['lang.yaml:11:15', 'Unknown language `groovy`'],
      ['lang.yaml:13:34', 'Unknown language `groovy`'],
    ]);
    expect(found[0]!.suggestions).to.deep.equal(['simple']);
    expect(found[0]!.expected).to.contain('a supported language: constant, jsonata, jsonpath, simple, tokenize');
    expect(found[0]!.snippet).to.equal('- setBody:\n    expression:\n      simple:\n        expression: ${body}');
    expect(found[1]!.suggestions).to.equal(undefined);
    expect(found[2]!.expected).to.equal('one of: constant, jsonata, jsonpath, simple, tokenize');
  });
});
