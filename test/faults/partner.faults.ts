/**
 * Partner faults under load: the partner API down, slow past the timeout, flapping, throttling with
 * 429 + Retry-After, and down behind a circuit breaker for longer than the retry budget. Retries are held
 * by the broker; every 202 must reach the partner, none may be dead-lettered.
 */
import { pause } from './harness/load.js';
import type { Mood } from './harness/partner.js';
import { runScenario, type ScenarioContext } from './harness/scenario.js';
import { partnerRoutes } from './harness/routes.js';

/** Generous enough to outlast every fault below, so a dead letter means a bug, not a short budget. */
const RETRY = '{maximumRedeliveries: 30, redeliveryDelay: 200, useExponentialBackOff: true, backOffMultiplier: 1.5, maximumRedeliveryDelay: 2000}';

/** The fault must have held messages back, or the scenario proved nothing. */
function heldSome({ partner }: ScenarioContext, row: { heldBack: number }): void {
  if (row.heldBack === 0) throw new Error(`the partner fault held nothing back (answers: ${JSON.stringify([...partner!.answers])})`);
}

function moodFor(mood: Mood, holdMs: number) {
  return async ({ partner, load }: ScenarioContext): Promise<number> => {
    await partner!.set(mood);
    await pause(holdMs);
    await load.acceptMore(1, 'the intake keeps accepting while the partner is unwell');
    await partner!.set({ kind: 'up' });
    return Date.now();
  };
}

describe('faults: the partner API', function () {
  it('partner down (connections refused)', async () => {
    await runScenario('partner-down', {
      fault: 'partner API down 5 s (connection refused)',
      partner: true,
      files: (names, url) => partnerRoutes(names, url!, { retry: RETRY }),
      inject: moodFor({ kind: 'down' }, 5000),
      check: heldSome,
    });
  });

  it('partner slow, answering after the timeout', async () => {
    await runScenario('partner-slow', {
      fault: 'partner API slow 5 s (answers after 1.5 s, timeout 1 s)',
      partner: true,
      files: (names, url) => partnerRoutes(names, url!, { retry: RETRY }),
      inject: moodFor({ kind: 'slow', delayMs: 1500 }, 5000),
      check: (_context, row) => {
        // A call that timed out was processed all the same: its retry is a duplicate, with the same key.
        if (row.duplicates === 0) throw new Error('a slow partner produced no duplicate: the timeout never fired');
      },
    });
  });

  it('partner flapping', async () => {
    await runScenario('partner-flap', {
      fault: 'partner API flapping 5 s (every other call 503)',
      partner: true,
      files: (names, url) => partnerRoutes(names, url!, { retry: RETRY }),
      inject: moodFor({ kind: 'flapping' }, 5000),
      check: ({ partner }) => {
        if (!partner!.answers.get(503)) throw new Error('the partner never answered 503');
      },
    });
  });

  it('partner throttling with 429 and Retry-After', async () => {
    await runScenario('partner-429', {
      fault: 'partner API answers 429 + Retry-After: 1 for 5 s',
      partner: true,
      files: (names, url) => partnerRoutes(names, url!, { retry: RETRY }),
      inject: moodFor({ kind: 'throttling', retryAfterSeconds: 1 }, 5000),
      check: (context, row) => {
        heldSome(context, row);
        if (!context.partner!.answers.get(429)) throw new Error('the partner never answered 429');
      },
    });
  });

  it('partner down behind a circuit breaker for longer than the retry budget', async () => {
    await runScenario('partner-breaker', {
      fault: 'partner API down 8 s behind an open circuit breaker (retry budget < 1 s)',
      partner: true,
      // Four quick attempts: without the consumer pausing while the breaker is open, messages would burn
      // them in well under a second and end as dead letters.
      files: (names, url) =>
        partnerRoutes(names, url!, {
          retry: '{maximumRedeliveries: 4, redeliveryDelay: 100}',
          breaker: '{failureRateThreshold: 50, minimumNumberOfCalls: 4, waitDurationInOpenState: 2}',
        }),
      inject: moodFor({ kind: 'down' }, 8000),
      check: (context, row) => {
        heldSome(context, row);
        if (!context.router.logTail(100_000).includes('consuming paused'))
          throw new Error('the consumer never paused for the open circuit breaker');
      },
    });
  });
});
