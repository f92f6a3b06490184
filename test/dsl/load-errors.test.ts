import { expect } from 'chai';
import { RouteFolder, errors, position, warnings, yaml } from './helpers.js';

describe('dsl: load errors', () => {
  let folder: RouteFolder;
  beforeEach(async () => (folder = await RouteFolder.create()));
  afterEach(async () => folder.cleanup());

  it('names a misspelt EIP with its location, the EIPs, a did-you-mean and the canonical snippet', async () => {
    await folder.write('eip.yaml', yaml(`
      - route:
          id: r
          from:
            uri: direct:r
            steps:
              - to: direct:a
              - setheader:
                  name: kind
                  simple: "\${body}"
    `));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(error!.message).to.equal('Unknown EIP `setheader`');
    expect(position(error!)).to.equal('eip.yaml:7:11');
    expect(error!.loc!.path).to.equal('[0].route.from.steps[1].setheader');
    expect(error!.expected).to.match(/^an EIP: choice, circuitBreaker, doTry, .*setHeader/);
    expect(error!.suggestions).to.deep.equal(['setHeader']);
    expect(error!.snippet).to.equal('- setHeader:\n    name: kind\n    expression:\n      simple:\n        expression: ${body}');
  });

  it('reports a misspelt option once (not also as a missing one), with a did-you-mean', async () => {
    await folder.write('option.yaml', yaml(`
      - route:
          from:
            uri: direct:r
            steps:
              - setHeader:
                  nmae: kind
                  constant: x
              - log:
                  mesage: hi
    `));
    const found = errors(await folder.load());
    expect(found.map((e) => [position(e), e.message, e.suggestions])).to.deep.equal([
      ['option.yaml:6:13', 'Unknown option `nmae` in `setHeader`', ['name']],
      ['option.yaml:9:13', 'Unknown option `mesage` in `log`', ['message']],
    ]);
    expect(found[0]!.loc!.path).to.equal('[0].route.from.steps[0].setHeader.nmae');
    expect(found[0]!.expected).to.equal(
      'one of: id, description, note, disabled, name; and one language: constant, jsonata, jsonpath, simple, tokenize (or `expression:`)',
    );
    expect(found[1]!.snippet).to.equal('- log:\n    message: hi');
  });

  it('cuts anyOf noise: one diagnostic saying which types a shorthand step takes', async () => {
    await folder.write('anyof.yaml', yaml(`
      - from:
          uri: direct:r
          steps:
            - to: [direct:a]
            - to: {uri: direct:b, patern: InOnly}
    `));
    const found = errors(await folder.load());
    expect(found.map((e) => [position(e), e.message])).to.deep.equal([
      ['anyof.yaml:4:13', '`to` must be a string or an object, not an array'],
      ['anyof.yaml:5:29', 'Unknown option `patern` in `to`'],
    ]);
    expect(found[0]!.hint).to.equal('write `to: "..."` or `to: {uri: ...}`');
  });

  it('turns YAML syntax errors into located diagnostics with an indentation hint', async () => {
    await folder.write('indent.yaml', yaml(`
      - route:
          id: r
         from:
            uri: direct:r
            steps: []
    `));
    await folder.write('tabs.yaml', '- route:\n\tid: r\n');
    await folder.write('dup.yaml', yaml(`
      - from:
          uri: direct:a
          steps: []
          uri: direct:b
    `));
    const found = errors(await folder.load());
    expect(found.map((e) => [position(e), e.message])).to.deep.equal([
      ['dup.yaml:4:5', 'YAML: Map keys must be unique'],
      ['indent.yaml:3:1', 'YAML: All mapping items must start at the same column'],
      ['tabs.yaml:2:1', 'YAML: Tabs are not allowed as indentation'],
    ]);
    expect(found[0]!.hint).to.equal('`uri` appears twice in the same map (first at line 2); if these are two steps, start each one with `- `');
    expect(found[1]!.hint).to.equal(
      'looks mis-indented: `from` starts at column 4 but `id` (line 2) starts at column 5; keys of one map must start at the same column',
    );
    expect(found[1]!.snippet).to.equal('1 | - route:\n2 |     id: r\n3 |    from:\n  | ^');
    expect(found[2]!.hint).to.equal('indent with spaces: YAML does not allow tabs for indentation');
  });

  it('explains a key one level too shallow (`from` beside `route`) as mis-indented', async () => {
    await folder.write('shallow.yaml', yaml(`
      - route:
          id: r
        from:
          uri: direct:r
          steps: []
    `));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(position(error!)).to.equal('shallow.yaml:3:3');
    expect(error!.message).to.equal('`from` is at the same level as `route`: looks mis-indented');
    expect(error!.hint).to.equal('indent `from` (and the lines under it) by two more spaces, under `route`');
  });

  it('explains two steps in one list item (a missing `- `)', async () => {
    await folder.write('dash.yaml', yaml(`
      - from:
          uri: direct:r
          steps:
            - to: direct:a
              log: hi
    `));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(position(error!)).to.equal('dash.yaml:5:9');
    expect(error!.message).to.equal('`to` and `log` are in one list item; each item has exactly one key');
    expect(error!.hint).to.equal('start `log` as its own item with `- log:`');
  });

  it('rejects route-level steps with the block moved under from, and still checks those steps', async () => {
    await folder.write('steps.yaml', yaml(`
      - route:
          id: r
          from:
            uri: direct:r
          steps:
            - to: direct:a
            - lgo: hi
    `));
    const set = await folder.load();
    const found = errors(set);
    expect(found.map((e) => [position(e), e.message])).to.deep.equal([
      ['steps.yaml:5:5', '`steps` must be inside `from`, not next to it (route-level steps were removed in Camel 4)'],
      ['steps.yaml:7:9', 'Unknown EIP `lgo`'],
    ]);
    expect(found[0]!.snippet).to.equal(
      '- route:\n    id: r\n    from:\n      uri: direct:r\n      steps:\n        - to: direct:a\n        - lgo: hi',
    );
    expect(found[1]!.loc!.path).to.equal('[0].route.from.steps[1].lgo');
    expect(found[1]!.suggestions).to.deep.equal(['log']);
  });

  it('rejects unknown and unsupported top-level keys', async () => {
    await folder.write('top.yaml', yaml(`
      - rout:
          id: r
      - routeTemplate:
          id: t
      - intercept: {}
    `));
    const found = errors(await folder.load());
    expect(found.map((e) => [position(e), e.message])).to.deep.equal([
      ['top.yaml:1:3', 'Unknown top-level key `rout`'],
      ['top.yaml:3:3', '`routeTemplate` is not supported by this router'],
      ['top.yaml:5:3', '`intercept` is not supported by this router'],
    ]);
    expect(found[0]!.suggestions).to.deep.equal(['route']);
    expect(found[0]!.expected).to.equal('a top-level key: route, from, rest, onException, errorHandler, beans, flow');
    expect(found[1]!.hint).to.equal('write the route out, using {{property}} placeholders for what varies');
  });

  it('says a file must be a list', async () => {
    await folder.write('map.yaml', 'route:\n  id: r\n');
    const [error] = errors(await folder.load());
    expect(error!.message).to.equal('A route file must be a YAML list, not an object');
    expect(error!.hint).to.equal('start each route with `- route:` (or `- from:`)');
  });

  it('reads kebab-case keys as camelCase with a warning, but not inside user maps', async () => {
    await folder.write('kebab.yaml', yaml(`
      - route:
          id: r
          auto-startup: false
          from:
            uri: direct:r
            parameters:
              arg.queue.x-max-length: 10
            steps:
              - set-header:
                  name: h
                  constant: x
    `));
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    expect(warnings(set).map((w) => [position(w), w.message, w.hint])).to.deep.equal([
      ['kebab.yaml:3:5', 'kebab-case key `auto-startup` read as `autoStartup`', 'Camel 4 accepts camelCase keys only; write `autoStartup`'],
      ['kebab.yaml:9:11', 'kebab-case key `set-header` read as `setHeader`', 'Camel 4 accepts camelCase keys only; write `setHeader`'],
    ]);
    const route = set.routes[0]!;
    expect(route.autoStartup).to.equal(false);
    expect(route.steps[0]!.keyword).to.equal('setHeader');
    expect(route.from.parameters).to.deep.equal({ 'arg.queue.x-max-length': 10 });
  });

  it('resolves property placeholders from properties, then the environment, then defaults', async () => {
    await folder.write('props.yaml', yaml(`
      - route:
          id: "{{route.prefix}}-in"
          from:
            uri: "platform-http:{{http.path}}"
            steps:
              - to: "{{partner.url}}/payments?timeout={{timeout:5000}}&key={{env:API_KEY}}"
              - log: "{{?missing.optional}}done"
    `));
    const set = await folder.load({
      properties: { 'route.prefix': 'payments', 'http.path': '/from-properties' },
      env: { 'http.path': '/from-env', PARTNER_URL: 'https://partner.example', API_KEY: 'k1' },
    });
    expect(errors(set)).to.deep.equal([]);
    const route = set.routes[0]!;
    expect(route.id).to.equal('payments-in');
    expect(route.from.uri).to.equal('platform-http:/from-properties');
    expect(route.steps[0]!.options.uri).to.equal('https://partner.example/payments?timeout=5000&key=k1');
    expect(route.steps[1]!.options.message).to.equal('done');
  });

  it('reports an unresolved placeholder where it is written', async () => {
    await folder.write('missing.yaml', yaml(`
      - from:
          uri: direct:r
          steps:
            - to: "{{partner.url}}"
    `));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(position(error!)).to.equal('missing.yaml:4:13');
    expect(error!.message).to.equal('Property placeholder `{{partner.url}}` has no value');
    expect(error!.expected).to.equal('a router property `partner.url` or the environment variable partner.url / PARTNER_URL');
    expect(error!.hint).to.equal('set it, or give a default after a colon: `{{partner.url:default}}`');
  });

  it('requires onException to name an exception', async () => {
    await folder.write('onex.yaml', yaml(`
      - onException:
          handled: {constant: true}
    `));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(position(error!)).to.equal('onex.yaml:1:3');
    expect(error!.message).to.equal('`onException` names no exception, so it would never apply');
  });
});
