/**
 * Broker faults under load: connections force-closed, the broker application restarted, the memory alarm
 * raised. Every 202 must come out the far end (after a second route forwarded it); 503s carry Retry-After.
 */
import { closeAllConnections, memoryAlarm, restartBrokerApp } from './harness/broker-faults.js';
import { runScenario } from './harness/scenario.js';
import { pipelineRoutes } from './harness/routes.js';

describe('faults: the broker', function () {
  it('broker connections force-closed three times under load', async () => {
    await runScenario('close', {
      fault: 'broker connections force-closed 3× (close_all_connections)',
      files: (names) => pipelineRoutes(names),
      inject: async ({ load }) => {
        let last = Date.now();
        for (let round = 1; round <= 3; round++) {
          last = Date.now();
          await closeAllConnections();
          await load.acceptMore(25, `traffic after close ${round}`);
        }
        return last;
      },
    });
  });

  it('broker application stopped and started under load', async () => {
    await runScenario('restart', {
      fault: 'broker application restarted (stop_app / start_app, 3 s down)',
      files: (names) => pipelineRoutes(names),
      inject: async () => {
        await restartBrokerApp(3000);
        return Date.now();
      },
    });
  });

  it('broker memory alarm raised and cleared under load (publishers blocked)', async () => {
    await runScenario('alarm', {
      fault: 'broker memory alarm raised 5 s, then cleared (publishers blocked)',
      files: (names) => pipelineRoutes(names),
      inject: async ({ load }) => {
        const before = load.refused;
        await memoryAlarm(5000);
        if (load.refused === before) throw new Error('no request was refused while the broker blocked publishers');
        return Date.now();
      },
    });
  });
});
