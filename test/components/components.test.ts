import { expect } from 'chai';
import { components } from '../../src/components/index.js';
import { parseRestPath } from '../../src/components/rest/index.js';
import { TestBuild } from './test-context.js';

describe('component catalogue', () => {
  it('exports every v1 component once, each with its Camel syntax and path parameter', () => {
    const schemes = components.map((c) => c.scheme).sort();
    expect(schemes).to.deep.equal([
      'direct',
      'http',
      'https',
      'json-validator',
      'jsonata',
      'log',
      'mock',
      'platform-http',
      'rest',
      'spring-rabbitmq',
      'timer',
    ]);
    for (const spec of components) {
      expect(spec.syntax.startsWith(`${spec.scheme}:`), spec.scheme).to.equal(true);
      expect(spec.syntax, spec.scheme).to.contain(spec.pathParameter);
      expect(
        typeof spec.createProducer === 'function' || typeof spec.createConsumer === 'function',
        spec.scheme,
      ).to.equal(true);
    }
  });

  it('accepts the path parameter by name, as Kaoto writes it', () => {
    const build = new TestBuild();
    expect(build.endpoint('timer', { timerName: 'tick' }).endpoint.path).to.equal('tick');
    expect(build.endpoint('platform-http', { path: '/a' }).endpoint.path).to.equal('/a');
  });
});

describe('rest endpoint paths', () => {
  it('reads the verb and joins Camel path and uriTemplate', () => {
    expect(parseRestPath('post:/payments/{id}')).to.deep.equal({ method: 'POST', path: '/payments/{id}' });
    expect(parseRestPath('get:/api:/users/{id}')).to.deep.equal({ method: 'GET', path: '/api/users/{id}' });
    expect(parseRestPath('get:/api/')).to.deep.equal({ method: 'GET', path: '/api' });
    expect(parseRestPath('fetch:/x')).to.equal(undefined);
    expect(parseRestPath('/x')).to.equal(undefined);
  });

  it('reports a bad verb or path template at load', () => {
    const build = new TestBuild();
    build.declareConsumer('rest:fetch:/x');
    build.declareConsumer('rest:get:/x/{id');
    build.declareConsumer('platform-http:/y?httpMethodRestrict=GET,PUSH');
    build.declareConsumer('platform-http:/z/{a}/{a}');
    expect(build.diagnostics.map((d) => d.message)).to.deep.equal([
      "rest endpoint 'fetch:/x' must start with an HTTP verb",
      "HTTP path '/x/{id' is not valid: path parameters are written {name}",
      'Unknown HTTP method PUSH',
      "HTTP path '/z/{a}/{a}' is not valid: a path parameter name is used twice",
    ]);
  });
});
