/**
 * The router process itself: killed with SIGKILL mid-flight and restarted, and stopped with SIGTERM under
 * load (graceful drain) and restarted. Whatever got a 202 must come out the far end.
 */
import { expect } from 'chai';
import { pause } from './harness/load.js';
import { runScenario } from './harness/scenario.js';
import { pipelineRoutes } from './harness/routes.js';

describe('faults: the router process', function () {
  it('router killed with SIGKILL mid-flight, then restarted', async () => {
    await runScenario('sigkill', {
      fault: 'router killed (SIGKILL) mid-flight, restarted',
      files: (names) => pipelineRoutes(names),
      inject: async ({ router }) => {
        const exit = await router.signal('SIGKILL');
        expect(exit.signal).to.equal('SIGKILL');
        await pause(1000);
        const restartAt = Date.now();
        await router.start();
        return restartAt;
      },
    });
  });

  it('router stopped with SIGTERM under load drains, then restarts', async () => {
    await runScenario('sigterm', {
      fault: 'router stopped (SIGTERM) under load: drain, restart',
      files: (names) => pipelineRoutes(names),
      routerEnv: { DRAIN_TIMEOUT_MS: '10000' },
      inject: async ({ router }) => {
        await router.signal('SIGTERM', 30_000);
        const restartAt = Date.now();
        await router.start();
        return restartAt;
      },
      check: ({ router }) => {
        const [first] = router.exits;
        if (!first || first.code !== 0 || first.signal !== null)
          throw new Error(`the drained router did not exit cleanly: ${JSON.stringify(first)}`);
      },
    });
  });
});
