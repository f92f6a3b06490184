import { mockEndpoint, type MockEndpoint } from '../../src/components/mock/index.js';
import { DeliveryProperties } from '../../src/errors/index.js';
import { Exchange } from '../../src/runtime/exchange.js';
import { RouteLoadError } from '../../src/errors/index.js';
import type { LoadDiagnostic } from '../../src/runtime/definitions.js';
import { startRouter, type TestRouter } from '../helpers/router.js';

/** Dedents a YAML snippet written inside a test. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** A router on one route file; every test gets its own, since top-level onException applies to every route. */
export async function routerWith(routeYaml: string, files: Record<string, string> = {}): Promise<TestRouter> {
  return startRouter({ 'routes/test.yaml': yaml(routeYaml), ...files });
}

export function mock(router: TestRouter, name: string): MockEndpoint {
  return mockEndpoint(router.router.services, name);
}

/** Runs the built route (its error handling included) on a fresh exchange, as a consumer would. */
export async function run(
  router: TestRouter,
  routeId: string,
  init: ConstructorParameters<typeof Exchange>[0] = {},
): Promise<Exchange> {
  const route = router.router.routes.find((r) => r.definition.id === routeId);
  if (!route) throw new Error(`no route ${routeId}`);
  const exchange = new Exchange({ body: 'in', ...init });
  await route.processor(exchange);
  return exchange;
}

/** Runs the route as a broker consumer hands it a message that already failed `failedAttempts` times. */
export function runConsumed(
  router: TestRouter,
  routeId: string,
  failedAttempts: number,
  body: unknown = 'in',
): Promise<Exchange> {
  return run(router, routeId, {
    body,
    headers: { [DeliveryProperties.redeliveryCounter]: failedAttempts },
    properties: { [DeliveryProperties.heldByBroker]: true },
  });
}

/** The rejection of a promise that must reject. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, the route completed');
    },
    (error: unknown) => error as Error,
  );
}

/** The diagnostics of route files that must not load. */
export async function loadErrors(routeYaml: string): Promise<LoadDiagnostic[]> {
  const error = await startRouter({ 'routes/test.yaml': yaml(routeYaml) }).then(
    async (router) => {
      await router.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(error instanceof RouteLoadError)) throw new Error('expected the route files to be rejected');
  return error.diagnostics;
}
