/**
 * Poison messages under load: a flow step with a bug that only some payloads reach, and a route step that
 * refuses some payloads. Those, and only those, end as dead letters with the reason; the rest flow on.
 */
import { derivedQueues, runScenario } from './harness/scenario.js';
import { flowQueues, flowRoutes, pipelineRoutes } from './harness/routes.js';

const isPoison = (n: number): boolean => n % 7 === 3;

describe('faults: poison messages', function () {
  it('a flow step crashes on some payloads', async () => {
    await runScenario('poison-flow', {
      fault: 'poison messages: a flow step crashes on 1 payload in 7',
      files: (names) => flowRoutes(names),
      entryPath: (names) => `/async/api/start?flowName=${names.flow}`,
      body: (n) => ({ n, poison: isPoison(n) }),
      deadLetterQueue: (names) => `pipes.flow.${names.flow}.check.dlq`,
      queues: (names) => flowQueues(names.flow, ['check', 'publish']),
      deadLetterFor: (n) =>
        isPoison(n) ? { reason: 'java.lang.RuntimeException', message: /reading 'iban'/ } : undefined,
      inject: async ({ load }) => {
        await load.acceptMore(60, 'payloads, some of them poison');
        return Date.now();
      },
    });
  });

  it('a route step refuses some payloads', async () => {
    await runScenario('poison-route', {
      fault: 'poison messages: a route step throws on 1 payload in 7',
      files: (names) => pipelineRoutes(names, { poison: true }),
      body: (n) => ({ n, poison: isPoison(n) }),
      queues: (names) => derivedQueues(names.work),
      deadLetterFor: (n) =>
        isPoison(n) ? { reason: 'java.lang.IllegalStateException', message: /^poison payment \d+ cannot be booked$/ } : undefined,
      inject: async ({ load }) => {
        await load.acceptMore(60, 'payloads, some of them poison');
        return Date.now();
      },
    });
  });
});
