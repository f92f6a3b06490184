import { HTTP_METHODS } from '../../runtime/endpoint-uri.js';
import type { Consumer, ConsumerContext, Endpoint } from '../../runtime/component.js';
import type { Exchange } from '../../runtime/exchange.js';
import { toError } from '../../errors/index.js';
import { httpEntries, type HttpEntry } from './http-entries.js';

/**
 * The consumer of an HTTP entry (platform-http, rest): start registers the entry in the router's table,
 * stop removes it and waits for the requests it is still answering.
 */
export function httpEntryConsumer(
  endpoint: Endpoint<unknown>,
  { services, route }: ConsumerContext,
  entry: Omit<HttpEntry, 'route' | 'routeId' | 'endpointUri' | 'loc'>,
): Consumer {
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let remove: (() => void) | undefined;
  const process = async (exchange: Exchange): Promise<void> => {
    inFlight++;
    try {
      await route.process(exchange);
    } finally {
      if (--inFlight === 0) idle?.();
    }
  };
  return {
    start() {
      try {
        remove ??= httpEntries(services).add({
          ...entry,
          routeId: route.routeId,
          endpointUri: endpoint.uri,
          loc: endpoint.loc,
          route: { ...route, process },
        });
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(toError(error));
      }
    },
    async stop() {
      remove?.();
      remove = undefined;
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      idle = undefined;
    },
  };
}

/** `"GET, post"` → `['GET', 'POST']`; empty → undefined (every method). */
export function methodList(text: string | undefined): string[] | undefined {
  const methods = (text ?? '')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  return methods.length > 0 ? [...new Set(methods)] : undefined;
}

/** `"application/json, text/*"` → list; empty or `*\/*` → undefined (no restriction). */
export function mediaTypeList(text: string | undefined): string[] | undefined {
  const types = (text ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  return types.length > 0 && !types.includes('*/*') ? types : undefined;
}

/** What an HTTP entry answers: every method but TRACE, which no entry of an API should echo back. */
export const ENTRY_METHODS = HTTP_METHODS.filter((method) => method !== 'TRACE');
