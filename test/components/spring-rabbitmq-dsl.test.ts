/** What the loader says about spring-rabbitmq endpoints in route files (no broker needed: nothing starts). */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createRegistry } from '../../src/app/catalog.js';
import { defaultConfig } from '../../src/config.js';
import type { LoadDiagnostic } from '../../src/runtime/definitions.js';
import { createLogger } from '../../src/observability/logger.js';
import { loadAndBuild } from '../../src/app/load-and-build.js';
import { createServices } from '../../src/runtime/services.js';
import { RABBITMQ_ALIAS_WARNING } from '../../src/components/spring-rabbitmq/index.js';
import { outboundHeaders } from '../../src/components/spring-rabbitmq/message-mapping.js';
import { writeFiles } from '../helpers/router.js';

async function diagnosticsOf(
  yaml: string,
): Promise<{ diagnostics: LoadDiagnostic[]; routes: Awaited<ReturnType<typeof loadAndBuild>>['routes'] }> {
  const dir = writeFiles({ 'routes/r.yaml': yaml });
  try {
    const services = createServices({
      config: {
        ...defaultConfig({}),
        routes: [path.join(dir, 'routes')],
        schemasDir: path.join(dir, 'schemas'),
        security: 'disabled',
      },
      registry: createRegistry(),
      logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) }),
    });
    const { diagnostics, routes } = await loadAndBuild(services);
    return { diagnostics, routes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const httpRoute = (to: string): string => `
- route:
    id: intake
    from:
      uri: platform-http:/in
      steps:
${to}
`;

describe('spring-rabbitmq in route files', function () {
  it('warns about the InOut trap when an HTTP route publishes without a pattern', async function () {
    const { diagnostics } = await diagnosticsOf(
      httpRoute('        - to: spring-rabbitmq:payments?routingKey=a'),
    );
    const warning = diagnostics.find((d) => d.severity === 'warning' && /InOut/.test(d.message));
    expect(warning, JSON.stringify(diagnostics)).to.not.equal(undefined);
    expect(warning!.message).to.contain("HTTP-triggered route 'intake'");
    expect(warning!.snippet).to.contain('pattern: InOnly');
    expect(warning!.loc).to.include({ line: 7 });
  });

  it('stays quiet with an explicit pattern, in a wireTap, and outside HTTP routes', async function () {
    for (const yaml of [
      httpRoute('        - to: {uri: "spring-rabbitmq:payments?routingKey=a", pattern: InOnly}'),
      httpRoute('        - wireTap: {uri: "spring-rabbitmq:payments?routingKey=a", dynamicUri: false}'),
      `
- route:
    id: tick
    from:
      uri: timer:t
      steps:
        - to: spring-rabbitmq:payments?routingKey=a
`,
    ]) {
      const { diagnostics } = await diagnosticsOf(yaml);
      expect(
        diagnostics.filter((d) => /spring-rabbitmq/.test(d.message)),
        yaml,
      ).to.deep.equal([]);
    }
  });

  it('warns that replyTo without pattern InOut does not wait for a reply', async function () {
    const { diagnostics } = await diagnosticsOf(
      httpRoute('        - to: {uri: "spring-rabbitmq:rpc?replyTo=answers", pattern: InOnly}'),
    );
    expect(diagnostics.map((d) => d.message).join('\n')).to.match(
      /replyTo is set but .* does not say `pattern: InOut`/,
    );
  });

  it('reads the Camel 3 rabbitmq: alias with a warning, queue becoming queues', async function () {
    const { diagnostics, routes } = await diagnosticsOf(`
- route:
    id: legacy
    from:
      uri: rabbitmq:orders?queue=orders-in&routingKey=new&autoAck=false&durable=true
      steps:
        - log: x
`);
    expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    expect(diagnostics.map((d) => d.message)).to.include(RABBITMQ_ALIAS_WARNING);
    expect(routes[0]!.from.scheme).to.equal('spring-rabbitmq');
    expect(routes[0]!.from.options).to.include({ queues: 'orders-in', routingKey: 'new' });
    expect(routes[0]!.from.options).to.not.have.property('autoAck');
  });

  it('refuses a consumer without queues, and unknown options, at load', async function () {
    const noQueue = await diagnosticsOf(`
- route:
    id: no-queue
    from:
      uri: spring-rabbitmq:orders?routingKey=x
      steps:
        - log: x
`);
    const missing = noQueue.diagnostics.find((d) => d.severity === 'error');
    expect(missing?.message).to.match(/a consumer needs the queue\(s\) to consume/);
    expect(missing?.snippet).to.contain('queues:');
    const badOption = await diagnosticsOf(
      httpRoute('        - to: {uri: "spring-rabbitmq:orders?routingKey=x&routingkey=y", pattern: InOnly}'),
    );
    const unknown = badOption.diagnostics.find((d) => /Unknown option 'routingkey'/.test(d.message));
    expect(unknown?.severity).to.equal('error');
    expect(unknown?.suggestions).to.include('routingKey');
  });

  it('sends message headers and leaves out internal, credential and HTTP-request headers', function () {
    expect(
      outboundHeaders({
        'Idempotency-Key': 'k',
        'X-Correlation-Id': 'c',
        'x-tenant': 'acme',
        amount: 12,
        flags: ['a', 'b'],
        CamelHttpMethod: 'POST',
        CamelSpringRabbitmqRoutingOverrideKey: 'x',
        camelFoo: 1,
        Authorization: 'Bearer t',
        cookie: 'c=1',
        'x-api-key': 'secret',
        host: 'h',
        'content-length': '10',
        'content-type': 'application/json',
        accept: '*/*',
        'user-agent': 'curl',
        'x-forwarded-for': '1.2.3.4',
        'sec-fetch-mode': 'cors',
        'if-none-match': 'x',
        'x-death': [],
        'x-pipes-attempt': 2,
        CC: ['other.queue'],
        bcc: 'hidden.queue',
        nothing: undefined,
      }),
    ).to.deep.equal({
      // The correlation id travels as the AMQP property, never as a second header; CC/BCC would re-route.
      'Idempotency-Key': 'k',
      'x-tenant': 'acme',
      amount: 12,
      flags: ['a', 'b'],
    });
  });
});
