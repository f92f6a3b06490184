import { expect } from 'chai';
import { RouteFolder, errors, warnings, withoutLocations, yaml } from './helpers.js';
import type { RouteDefinition } from '../../src/runtime/definitions.js';

describe('dsl: compact and canonical notations', () => {
  let folder: RouteFolder;
  beforeEach(async () => (folder = await RouteFolder.create()));
  afterEach(async () => folder.cleanup());

  const compact = yaml(`
    - from:
        uri: platform-http:/payments
        parameters:
          httpMethodRestrict: POST
        steps:
          - to: json-validator:payment.schema.json
          - setHeader:
              name: kind
              simple: "\${body[kind]}"
          - log: "received \${header.kind}"
          - choice:
              when:
                - simple: "\${header.amount} > 1000"
                  steps:
                    - to: direct:review
              otherwise:
                steps:
                  - removeHeader: kind
          - split:
              tokenize: ","
              steps:
                - to: direct:line
  `);
  const canonical = yaml(`
    - route:
        from:
          uri: platform-http:/payments
          parameters:
            httpMethodRestrict: POST
          steps:
            - to:
                uri: json-validator:payment.schema.json
            - setHeader:
                name: kind
                expression:
                  simple:
                    expression: "\${body[kind]}"
            - log:
                message: "received \${header.kind}"
            - choice:
                when:
                  - expression:
                      simple:
                        expression: "\${header.amount} > 1000"
                    steps:
                      - to:
                          uri: direct:review
                otherwise:
                  steps:
                    - removeHeader:
                        name: kind
            - split:
                expression:
                  tokenize:
                    token: ","
                steps:
                  - to:
                      uri: direct:line
  `);

  const comparable = (route: RouteDefinition) => {
    const rest: Partial<RouteDefinition> = withoutLocations(route);
    delete rest.notation;
    return rest;
  };

  it('loads both notations into the same model', async () => {
    await folder.write('a/orders.yaml', compact);
    await folder.write('b/orders.yaml', canonical);
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    expect(set.routes).to.have.length(2);
    const [fromCompact, fromCanonical] = set.routes as [RouteDefinition, RouteDefinition];
    expect(fromCompact.notation).to.equal('compact');
    expect(fromCanonical.notation).to.equal('canonical');
    // Same file name in two folders: the generated ids are made unique, everything else is identical.
    expect(fromCompact.id).to.equal('route-orders-1');
    expect(fromCanonical.id).to.equal('route-orders-1-2');
    expect({ ...comparable(fromCompact), id: 'x' }).to.deep.equal({ ...comparable(fromCanonical), id: 'x' });
  });

  it('normalises shorthands, expressions and nested steps', async () => {
    await folder.write('orders.camel.yaml', canonical);
    const [route] = (await folder.load()).routes;
    expect(route!.generatedId).to.equal(true);
    expect(route!.from).to.include({ uri: 'platform-http:/payments' });
    expect(route!.from.parameters).to.deep.equal({ httpMethodRestrict: 'POST' });
    const steps = withoutLocations(route!.steps);
    expect(steps.map((s) => s.keyword)).to.deep.equal(['to', 'setHeader', 'log', 'choice', 'split']);
    expect(steps[0]!.options).to.deep.equal({ uri: 'json-validator:payment.schema.json' });
    expect(steps[1]!.options).to.deep.equal({ name: 'kind', expression: { language: 'simple', expression: '${body[kind]}', options: {} } });
    expect(steps[3]!.options).to.deep.equal({
      when: [
        {
          expression: { language: 'simple', expression: '${header.amount} > 1000', options: {} },
          steps: [{ keyword: 'to', options: { uri: 'direct:review' } }],
        },
      ],
      otherwise: { steps: [{ keyword: 'removeHeader', options: { name: 'kind' } }] },
    });
    expect(steps[4]!.options).to.deep.equal({
      expression: { language: 'tokenize', expression: ',', options: {} },
      steps: [{ keyword: 'to', options: { uri: 'direct:line' } }],
    });
  });

  it('keeps route options and lifts id/description/note/disabled out of step options', async () => {
    await folder.write(
      'r.yaml',
      yaml(`
        - route:
            id: payments-in
            description: Payments from the web shop
            group: payments
            autoStartup: false
            nodePrefixId: pay
            from:
              id: from-http
              uri: direct:pay
              steps:
                - to:
                    id: send
                    description: to the ledger
                    note: owned by team ledger
                    disabled: true
                    uri: direct:ledger
      `),
    );
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    const route = set.routes[0]!;
    expect(route).to.include({ id: 'payments-in', generatedId: false, description: 'Payments from the web shop', group: 'payments', autoStartup: false });
    expect(route.extra).to.deep.equal({ nodePrefixId: 'pay' });
    expect(route.from.id).to.equal('from-http');
    expect(withoutLocations(route.steps[0])).to.deep.equal({
      keyword: 'to',
      id: 'send',
      description: 'to the ledger',
      note: 'owned by team ledger',
      disabled: true,
      options: { uri: 'direct:ledger' },
    });
  });

  it('warns once per file about compact notation, with the canonical wrapper', async () => {
    await folder.write('two.yaml', yaml(`
      - from:
          uri: direct:a
          steps: []
      - from:
          uri: direct:b
          steps: []
    `));
    const set = await folder.load();
    const compactWarnings = warnings(set).filter((w) => w.message.startsWith('Compact notation'));
    expect(compactWarnings).to.have.length(1);
    expect(compactWarnings[0]!.loc).to.include({ line: 1, col: 3, path: '[0].from' });
    expect(compactWarnings[0]!.snippet).to.contain('- route:\n    id: route-two-1\n    from:\n      uri: direct:a');
    expect(set.routes.map((r) => r.id)).to.deep.equal(['route-two-1', 'route-two-2']);
  });

  it('records step and expression locations', async () => {
    await folder.write('loc.yaml', canonical);
    const step = (await folder.load()).routes[0]!.steps[1]!;
    expect(step.loc).to.include({ line: 9, col: 11, path: '[0].route.from.steps[1].setHeader' });
    const expression = step.options.expression as { loc: object };
    expect(expression.loc).to.include({ line: 12, col: 15, path: '[0].route.from.steps[1].setHeader.expression.simple' });
  });
});
