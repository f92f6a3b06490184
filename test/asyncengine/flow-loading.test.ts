/**
 * Flow documents are checked at load as strictly as routes: schema errors with "did you mean", unknown
 * step targets, duplicate names, bad input schemas, broken scripts and unknown flows named by routes,
 * each at its file:line:col. No broker needed: nothing starts.
 */
import { expect } from 'chai';
import { createRegistry } from '../../src/app/catalog.js';
import { defaultConfig } from '../../src/config.js';
import type { LoadDiagnostic } from '../../src/runtime/definitions.js';
import { formatDiagnostics } from '../../src/dsl/format-diagnostics.js';
import { createLogger } from '../../src/observability/logger.js';
import { createServices } from '../../src/runtime/services.js';
import { loadAndBuild } from '../../src/app/load-and-build.js';
import { engineState } from '../../src/asyncengine/module.js';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { writeFiles } from '../helpers/router.js';

async function load(files: Record<string, string>): Promise<{ errors: LoadDiagnostic[]; text: string; dir: string; services: ReturnType<typeof createServices> }> {
  const dir = writeFiles(files);
  const config = { ...defaultConfig({}), routes: [path.join(dir, 'routes')], schemasDir: path.join(dir, 'schemas'), security: 'disabled' as const };
  const services = createServices({ config, registry: createRegistry(), logger: createLogger({ level: 'error', stream: new PassThrough() }) });
  const { diagnostics } = await loadAndBuild(services);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  return { errors, text: formatDiagnostics(errors, dir), dir, services };
}

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('flow documents at load', () => {
  it('builds a valid flow: steps resolved, defaults applied, queues named', async () => {
    const loaded = await load({
      'routes/flows.yaml': `
- flow:
    name: onboarding
    input: start.schema.json
    steps:
      - {name: map, uri: "jsonata:pick.jsonata"}
      - {name: route, uri: direct:onboard, concurrency: 7, timeout: 2s, retry: {maxAttempts: 2, initialDelay: 100ms}}
      - {name: score, uri: "script:score.mjs#score", chunk: {size: 50}}
- route:
    id: onboard
    from: {uri: direct:onboard, steps: [{log: hi}]}
`,
      'routes/pick.jsonata': '{"id": id}',
      'routes/score.mjs': 'export async function score(items) { return { succeeded: items.length }; }',
      'schemas/start.schema.json': JSON.stringify({ type: 'object', required: ['id'] }),
    });
    cleanup.push(loaded.dir);
    expect(loaded.errors, loaded.text).to.deep.equal([]);
    const flow = engineState(loaded.services).flows.get('onboarding')!;
    expect(flow.steps.map((s) => [s.name, s.queue, s.concurrency, s.timeoutMs])).to.deep.equal([
      ['map', 'pipes.flow.onboarding.map', 4, 30_000],
      ['route', 'pipes.flow.onboarding.route', 7, 2000],
      ['score', 'pipes.flow.onboarding.score', 4, 30_000],
    ]);
    expect(flow.steps[1]!.retry).to.deep.equal({ maxAttempts: 2, initialDelayMs: 100, multiplier: 2, maxDelayMs: 300_000, jitter: 0.2 });
    expect(flow.steps[2]!.chunk).to.deep.equal({ size: 50 });
    expect(flow.validateInput!({})).to.equal(false);
    expect(await flow.steps[2]!.work([1, 2, 3], { correlationId: 'c', flowName: 'onboarding', step: 'score', attempt: 1, properties: {} })).to.deep.equal({ succeeded: 3 });
  });

  it('reports a misspelt key with "did you mean" at its line', async () => {
    const loaded = await load({
      'routes/flows.yaml': `- flow:
    name: typo
    steps:
      - name: one
        uri: "jsonata:x.jsonata"
        concurency: 3
`,
      'routes/x.jsonata': '$',
    });
    cleanup.push(loaded.dir);
    expect(loaded.errors).to.have.length.greaterThan(0);
    expect(loaded.text).to.match(/flows\.yaml:6:\d+/);
    expect(loaded.text).to.include('concurrency');
  });

  it('reports an unknown step target, a missing direct: consumer and a broken script at their uri lines', async () => {
    const loaded = await load({
      'routes/flows.yaml': `- flow:
    name: broken
    steps:
      - name: a
        uri: "jsonnata:x.jsonata"
      - name: b
        uri: direct:nobody-home
      - name: c
        uri: "script:missing.mjs"
      - name: d
        uri: "script:nofn.mjs"
`,
      'routes/nofn.mjs': 'export const value = 1;',
    });
    cleanup.push(loaded.dir);
    const at = (pattern: RegExp): LoadDiagnostic | undefined => loaded.errors.find((e) => pattern.test(e.message));
    expect(at(/Unknown component 'jsonnata'/)?.loc?.line, loaded.text).to.equal(5);
    expect(at(/Unknown component 'jsonnata'/)?.suggestions).to.include('jsonata');
    expect(at(/No route consumes direct:nobody-home/)?.loc?.line, loaded.text).to.equal(7);
    expect(at(/missing\.mjs does not exist/)?.loc?.line, loaded.text).to.equal(9);
    expect(at(/nofn\.mjs has no default export function/)?.loc?.line, loaded.text).to.equal(11);
  });

  it('reports duplicate flow and step names, a bad input schema, and a flow a route names that does not exist', async () => {
    const loaded = await load({
      'routes/a.yaml': `- flow:
    name: twice
    input: {type: object, properties: {n: {type: nonsense}}}
    steps:
      - {name: same, uri: "jsonata:x.jsonata"}
      - {name: same, uri: "jsonata:x.jsonata"}
- route:
    id: hand-off
    from:
      uri: direct:hand-off
      steps:
        - setProperty: {name: flowName, constant: twise}
        - to: direct:callAsyncEngine
`,
      'routes/b.yaml': `- flow:
    name: twice
    steps:
      - {name: one, uri: "jsonata:x.jsonata"}
`,
      'routes/x.jsonata': '$',
    });
    cleanup.push(loaded.dir);
    const messages = loaded.errors.map((e) => `${path.basename(e.loc?.file ?? '')}:${e.loc?.line} ${e.message}`);
    expect(messages.some((m) => /^b\.yaml:2 Duplicate flow name `twice`: also defined at .*a\.yaml:1/.test(m)), messages.join('\n')).to.equal(true);
    expect(messages.some((m) => /^a\.yaml:6 Duplicate step name `same`/.test(m)), messages.join('\n')).to.equal(true);
    expect(messages.some((m) => /^a\.yaml:3 The input schema of flow `twice` does not compile/.test(m)), messages.join('\n')).to.equal(true);
    const unknown = loaded.errors.find((e) => /No flow named `twise`/.test(e.message));
    expect(unknown?.loc?.line, messages.join('\n')).to.equal(12);
    expect(unknown?.suggestions).to.deep.equal(['twice']);
  });

  it('refuses a step that hands off to the engine itself', async () => {
    const loaded = await load({
      'routes/a.yaml': `- flow:
    name: loop
    steps:
      - {name: again, uri: "direct:callAsyncEngine"}
`,
    });
    cleanup.push(loaded.dir);
    expect(loaded.errors.map((e) => e.message)).to.deep.equal(['Step `again` of flow `loop` hands off to the async engine itself']);
    expect(loaded.errors[0]!.loc?.line).to.equal(4);
  });
});
