/**
 * The content type decides what a body is, at both doors: `application/json` and `*+json` bodies are JSON
 * documents, `text/*` bodies are text even when the text happens to be JSON, and a body without a content
 * type is kept as it came (bytes). Messages are published by `amqp-publish` (amqp-tools) as an outside
 * publisher would; the HTTP entry is called with fetch. What the route sees is shown by `${body[kind]}`,
 * which reads into a JSON document and fails on text (as Camel's simple fails on a String).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { AsyncMessage, Connection } from 'rabbitmq-client';
import { amqpPublish } from '../helpers/amqp-tools.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { amqpClient, consumerQueues, uniqueName, Watcher } from './rabbitmq-support.js';

const NOT_A_DOCUMENT = 'not a document';

function bodyText(message: AsyncMessage): string {
  const body: unknown = message.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : JSON.stringify(body);
}

describe('e2e: the content type decides whether a body is JSON', function () {
  this.timeout(60_000);
  const entry = uniqueName('ct-in');
  const queue = uniqueName('ct-q');
  const onward = uniqueName('ct-out');
  const run = randomUUID();
  let router: TestRouter | undefined;
  let client: Connection;
  let watcher: Watcher;

  const routes = `
- route:
    id: ct-amqp
    from:
      uri: spring-rabbitmq:${entry}
      parameters: {queues: ${queue}, routingKey: in, exchangeType: topic}
      steps:
        - doTry:
            steps:
              - setHeader: {name: x-kind, simple: "\${body[kind]}"}
            doCatch:
              - exception: [java.lang.Exception]
                steps:
                  - setHeader: {name: x-kind, simple: "not a document: \${exception.message}"}
        - to: {uri: "spring-rabbitmq:${onward}", parameters: {routingKey: out, exchangeType: topic}}
- route:
    id: ct-http
    from:
      uri: platform-http:/content-types
      steps:
        - doTry:
            steps:
              - setBody: {simple: "kind=\${body[kind]}"}
            doCatch:
              - exception: [java.lang.Exception]
                steps:
                  - setBody: {simple: "text: \${body}"}
`;

  before(async function () {
    await requireBrokerOrSkip(this);
    client = amqpClient('content types test');
    watcher = (await Watcher.on(client, { exchange: onward, routingKey: '#' })).start();
    router = await startRouter({ 'routes/ct.yaml': routes }, { rabbitmqUrl: brokerUrl() });
  });

  after(async () => {
    await router?.stop();
    if (!client) return;
    await watcher?.delete();
    for (const name of consumerQueues(queue)) await client.queueDelete({ queue: name }).catch(() => undefined);
    for (const name of [entry, onward]) await client.exchangeDelete({ exchange: name }).catch(() => undefined);
    await client.close();
  });

  const cases = [
    { contentType: 'application/json', kind: 'json', seen: 'json', sentAs: 'application/json' },
    { contentType: 'application/vnd.acme.order+json; charset=utf-8', kind: 'vendor-json', seen: 'vendor-json', sentAs: 'application/json' },
    { contentType: 'text/plain', kind: 'plain-text', seen: NOT_A_DOCUMENT, sentAs: 'text/plain' },
    { contentType: 'text/plain; charset=utf-8', kind: 'text-charset', seen: NOT_A_DOCUMENT, sentAs: 'text/plain' },
    { contentType: undefined, kind: 'no-type', seen: 'no-type', sentAs: 'application/octet-stream' },
  ];

  it('AMQP: JSON types are read as JSON, text/* stays text even when it is JSON, no type stays bytes', async () => {
    for (const c of cases) {
      await amqpPublish({ exchange: entry, routingKey: 'in', contentType: c.contentType, body: JSON.stringify({ kind: c.kind, run }) });
    }
    await watcher.until((received) => received.filter((m) => bodyText(m).includes(run)).length === cases.length, 'every message onward');
    for (const c of cases) {
      const message = watcher.received.find((m) => bodyText(m).includes(`"kind":"${c.kind}"`))!;
      const kind = String(message.headers?.['x-kind']);
      if (c.seen === NOT_A_DOCUMENT) expect(kind, c.kind).to.match(/^not a document: .*cannot read \.kind of a string/);
      else expect(kind, c.kind).to.equal(c.seen);
      expect(message.contentType, c.kind).to.equal(c.sentAs);
      // Text and bytes go on exactly as they came; a JSON document is re-serialised, same content.
      expect(JSON.parse(bodyText(message)), c.kind).to.deep.equal({ kind: c.kind, run });
    }
  });

  it('HTTP: a text/plain body that is JSON stays text; application/json is read as JSON', async () => {
    const call = async (contentType: string): Promise<string> => {
      const response = await fetch(`${router!.baseUrl}/content-types`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify({ kind: 'k1' }),
      });
      expect(response.status).to.equal(200);
      return response.text();
    };
    expect(await call('application/json')).to.equal('kind=k1');
    expect(await call('application/problem+json')).to.equal('kind=k1');
    expect(await call('text/plain')).to.equal('text: {"kind":"k1"}');
    expect(await call('text/plain; charset=utf-8')).to.equal('text: {"kind":"k1"}');
  });
});
