import type { ComponentSpec, Producer } from '../../runtime/component.js';
import type { Exchange } from '../../runtime/exchange.js';
import type { RouterServices } from '../../runtime/services.js';
import { defineState } from '../../state/index.js';

export interface MockOptions {
  failWith?: string;
  failCount: number;
}

/** What a `mock:` endpoint received, for tests (Camel's MockEndpoint, minus the expectations DSL). */
export class MockEndpoint {
  /** Copies of the exchanges, in arrival order (later changes by the route do not show here). */
  readonly received: Exchange[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly name: string) {}

  get bodies(): unknown[] {
    return this.received.map((exchange) => exchange.message.body);
  }

  record(exchange: Exchange): void {
    this.received.push(exchange.copy({ keepId: true }));
    const ready = this.waiters.filter((w) => this.received.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.received.length < w.count);
    for (const waiter of ready) waiter.resolve();
  }

  reset(): void {
    this.received.length = 0;
  }

  /** Resolves with the received exchanges once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 5000): Promise<Exchange[]> {
    if (this.received.length >= count) return Promise.resolve(this.received);
    return new Promise((resolve, reject) => {
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.received);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `mock:${this.name} received ${this.received.length} of ${count} expected exchanges within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/** Mock endpoints belong to the route set that declares them. */
const MOCK_ENDPOINTS = defineState('mock', { scope: 'route-set' }, () => new Map<string, MockEndpoint>());

/** The `mock:<name>` endpoint of a router (created on first use, by a route or by a test). */
export function mockEndpoint(services: RouterServices, name: string): MockEndpoint {
  const endpoints = MOCK_ENDPOINTS.of(services);
  let endpoint = endpoints.get(name);
  if (!endpoint) endpoints.set(name, (endpoint = new MockEndpoint(name)));
  return endpoint;
}

export const mockComponent: ComponentSpec<MockOptions> = {
  scheme: 'mock',
  syntax: 'mock:name',
  pathParameter: 'name',
  pathRequired: true,
  summary: 'Records the exchanges it receives, for tests; can fail on purpose.',
  options: {
    failWith: {
      type: 'string',
      minLength: 1,
      description: 'Fail every received exchange (after recording it) with this message.',
    },
    failCount: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'With failWith: fail only the first N exchanges (0 = all).',
    },
  },

  createProducer(endpoint, context): Producer {
    const mock = mockEndpoint(context.services, endpoint.path);
    const { failWith, failCount } = endpoint.options;
    let failures = 0;
    return {
      // eslint-disable-next-line @typescript-eslint/require-await -- a processor reports failure by rejecting, never by throwing
      async process(exchange) {
        mock.record(exchange);
        if (failWith !== undefined && (failCount === 0 || failures < failCount)) {
          failures++;
          throw new Error(failWith);
        }
      },
    };
  },
};
