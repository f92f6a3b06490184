import type { ComponentSpec, Consumer } from '../../runtime/component.js';
import { Exchange } from '../../runtime/exchange.js';
import { toError } from '../../errors/index.js';
import { exchangeFields } from '../../observability/logger.js';
import { durationOption } from '../../runtime/duration.js';
import { parseDuration } from '../../units/duration.js';

export interface TimerOptions {
  period: number | string;
  delay: number | string;
  repeatCount: number;
  fixedRate: boolean;
}

export const TIMER_HEADERS = {
  name: 'CamelTimerName',
  firedTime: 'CamelTimerFiredTime',
  period: 'CamelTimerPeriod',
  counter: 'CamelTimerCounter',
} as const;

export const timerComponent: ComponentSpec<TimerOptions> = {
  scheme: 'timer',
  syntax: 'timer:timerName',
  pathParameter: 'timerName',
  pathRequired: true,
  summary: 'Fires an exchange (empty body) after a delay and then every period.',
  options: {
    period: durationOption(1000, 'Time between fires; 0 fires once.'),
    delay: durationOption(1000, 'Time before the first fire.'),
    repeatCount: {
      type: 'integer',
      default: 0,
      description: 'Stop after this many fires; 0 or less = forever.',
    },
    fixedRate: {
      type: 'boolean',
      default: false,
      description:
        'Keep to the schedule (catch up after a slow run) instead of waiting period after each run starts.',
    },
  },

  createConsumer(endpoint, { route }): Consumer {
    const name = endpoint.path;
    const period = parseDuration(endpoint.options.period);
    const delay = parseDuration(endpoint.options.delay);
    const limit = endpoint.options.repeatCount > 0 ? endpoint.options.repeatCount : period > 0 ? Infinity : 1;
    const fixedRate = endpoint.options.fixedRate;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    let stopped = true;
    let counter = 0;
    let firstFire = 0;

    const fire = async (): Promise<void> => {
      counter++;
      const exchange = new Exchange({
        headers: {
          [TIMER_HEADERS.name]: name,
          [TIMER_HEADERS.firedTime]: new Date().toISOString(),
          [TIMER_HEADERS.period]: period,
          [TIMER_HEADERS.counter]: counter,
        },
        routeId: route.routeId,
        fromEndpoint: endpoint.uri,
      });
      try {
        await route.process(exchange);
      } catch (error) {
        // A failed run is reported and the timer keeps its schedule.
        const detail = toError(error);
        route.logger.error(`timer:${name} run ${counter} failed: ${detail.message}`, {
          ...exchangeFields(exchange),
          errorName: detail.name,
        });
      }
    };

    const schedule = (at: number): void => {
      if (stopped || counter >= limit) return;
      timer = setTimeout(
        () => {
          timer = undefined;
          const started = Date.now();
          running = fire().finally(() => {
            running = undefined;
            schedule(fixedRate ? firstFire + counter * period : started + period);
          });
        },
        Math.max(0, at - Date.now()),
      );
    };

    return {
      start() {
        if (stopped) {
          stopped = false;
          firstFire = Date.now() + delay;
          schedule(firstFire);
        }
        return Promise.resolve();
      },
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
        await running;
      },
    };
  },
};
