import { expect } from 'chai';
import path from 'node:path';
import { RouteFolder, errors, position, withoutLocations, yaml } from './helpers.js';

describe('dsl: rest DSL and several files', () => {
  let folder: RouteFolder;
  beforeEach(async () => (folder = await RouteFolder.create()));
  afterEach(async () => folder.cleanup());

  it('turns each rest operation into a route from rest:<verb>:<path> to its endpoint', async () => {
    await folder.write('api.camel.yaml', yaml(`
      - rest:
          path: /api/
          consumes: application/json
          produces: application/json
          get:
            - path: /payments/{id}
              to: direct:get-payment
            - path: ""
              routeId: list-payments
              to: {uri: direct:list, parameters: {timeout: 1000}}
          post:
            - path: payments
              id: create-payment
              description: Create a payment
              consumes: application/vnd.pay+json
              bindingMode: json
              security:
                - key: bearer
                  scopes: payments:write
              to: direct:create-payment
    `));
    const set = await folder.load();
    expect(errors(set)).to.deep.equal([]);
    const routes = withoutLocations(set.routes);
    expect(routes.map((r) => [r.id, r.generatedId, r.from.uri])).to.deep.equal([
      ['rest-get-api-payments-id', true, 'rest:get:/api/payments/{id}'],
      ['list-payments', false, 'rest:get:/api'],
      ['create-payment', false, 'rest:post:/api/payments'],
    ]);
    expect(routes[0]!.from.parameters).to.deep.equal({ consumes: 'application/json', produces: 'application/json' });
    expect(routes[0]!.steps).to.deep.equal([{ keyword: 'to', options: { uri: 'direct:get-payment' } }]);
    expect(routes[1]!.steps).to.deep.equal([{ keyword: 'to', options: { uri: 'direct:list', parameters: { timeout: 1000 } } }]);
    expect(routes[2]!.description).to.equal('Create a payment');
    expect(routes[2]!.from.parameters).to.deep.equal({
      consumes: 'application/vnd.pay+json',
      produces: 'application/json',
      bindingMode: 'json',
      security: [{ key: 'bearer', scopes: 'payments:write' }],
    });
    expect(set.routes[2]!.loc).to.include({ line: 12, col: 9, path: '[0].rest.post[0]' });
  });

  it('reports duplicate route ids across files, naming both places', async () => {
    await folder.write('a.yaml', yaml(`
      - route:
          id: payments-in
          from: {uri: direct:a, steps: []}
    `));
    await folder.write('b.yaml', yaml(`
      - rest:
          post:
            - routeId: payments-in
              to: direct:b
    `));
    const [error, ...rest] = errors(await folder.load());
    expect(rest).to.deep.equal([]);
    expect(position(error!)).to.equal('b.yaml:3:9');
    expect(error!.message).to.match(/^Duplicate route id `payments-in`: also used at .*a\.yaml:1:3$/);
  });

  it('collects the errors of every file in one run', async () => {
    await folder.write('one.yaml', yaml(`
      - from:
          uri: direct:one
          steps:
            - lgo: hi
    `));
    await folder.write('nested/two.camel.yaml', yaml(`
      - route:
          id: two
          from:
            uri: direct:two
            steps:
              - setBody:
                  simpel: x
    `));
    await folder.write('nested/ignored.txt', 'not a route file');
    const set = await folder.load();
    expect(set.files.map((f) => path.relative(folder.dir, f))).to.deep.equal(['nested/two.camel.yaml', 'one.yaml']);
    expect(errors(set).map((e) => [position(e), e.message])).to.deep.equal([
      ['two.camel.yaml:7:13', 'Unknown option `simpel` in `setBody`'],
      ['one.yaml:4:9', 'Unknown EIP `lgo`'],
    ]);
    expect(errors(set)[0]!.suggestions).to.deep.equal(['simple']);
  });

  it('loads single files and reports a path that does not exist', async () => {
    const file = await folder.write('single.yaml', '- from: {uri: direct:x, steps: []}\n');
    const set = await folder.load({}, [file, path.join(folder.dir, 'nope')]);
    expect(set.routes.map((r) => r.id)).to.deep.equal(['route-single-1']);
    expect(errors(set).map((e) => e.message)).to.deep.equal([`Route path not found: ${path.join(folder.dir, 'nope')}`]);
  });

  it('collects onException, errorHandler, beans and flow documents, and rejects a second errorHandler', async () => {
    await folder.write('a.yaml', yaml(`
      - errorHandler:
          deadLetterChannel:
            deadLetterUri: direct:dead
            redeliveryPolicy: {maximumRedeliveries: 2, redeliveryDelay: 100}
      - beans:
          - name: adminsOnly
            type: org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy
            properties: {requiredRoles: admin}
      - flow:
          name: kyc-check
          steps: [{name: score, uri: direct:score}]
    `));
    await folder.write('b.yaml', yaml(`
      - errorHandler:
          noErrorHandler: {}
    `));
    const set = await folder.load();
    expect(set.errorHandler).to.deep.equal({
      deadLetterChannel: { deadLetterUri: 'direct:dead', redeliveryPolicy: { maximumRedeliveries: 2, redeliveryDelay: '100' } },
    });
    expect(withoutLocations(set.beans)).to.deep.equal([
      { name: 'adminsOnly', type: 'org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy', properties: { requiredRoles: 'admin' } },
    ]);
    expect(set.flows[0]!.definition).to.deep.equal({ name: 'kyc-check', steps: [{ name: 'score', uri: 'direct:score' }] });
    const [error, ...rest] = errors(set);
    expect(rest).to.deep.equal([]);
    expect(position(error!)).to.equal('b.yaml:1:3');
    expect(error!.message).to.equal('A second top-level `errorHandler`: there is one for all routes');
  });
});
