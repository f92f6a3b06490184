import type { ComponentSpec, Consumer, Producer } from '../../runtime/component.js';
import { DirectConsumerNotAvailableError, toError } from '../../errors/index.js';
import { didYouMean } from '../../runtime/did-you-mean.js';
import { exchangeFields } from '../../observability/logger.js';
import { durationOption } from '../../runtime/duration.js';
import { parseDuration } from '../../units/duration.js';
import {
  declarationProblem,
  directState,
  findDirectConsumer,
  isDirectDeclared,
  registerDirectConsumer,
} from './direct-registry.js';

export {
  declareDirectConsumer,
  clearDirectDeclarations,
  registerDirectConsumer,
  sendToDirect,
  type DirectConsumerEntry,
} from './direct-registry.js';

/**
 * Provided by the async flow engine, which registers a handler under this name when it starts; routes may
 * call it without any `from: direct:callAsyncEngine` in the route files.
 */
export const ASYNC_ENGINE_DIRECT_NAME = 'callAsyncEngine';

export interface DirectOptions {
  block: boolean;
  timeout: number | string;
  failIfNoConsumers: boolean;
}

export const directComponent: ComponentSpec<DirectOptions> = {
  scheme: 'direct',
  syntax: 'direct:name',
  pathParameter: 'name',
  pathRequired: true,
  summary: 'Synchronous call of another route in the same router, on the same message exchange.',
  options: {
    block: {
      type: 'boolean',
      default: true,
      description:
        'When no consumer is running, wait for one to start (up to timeout) instead of failing at once.',
    },
    timeout: durationOption(30_000, 'How long a blocked producer waits for a consumer.'),
    failIfNoConsumers: {
      type: 'boolean',
      default: true,
      description:
        'Fail with DirectConsumerNotAvailableException when no consumer is running; otherwise log and go on.',
    },
  },

  declareConsumer(endpoint, context) {
    const problem = declarationProblem(context.services, endpoint.path, endpoint.loc, context.routeId);
    if (problem) context.report({ severity: 'error', ...problem });
  },

  createProducer(endpoint, context): Producer {
    const name = endpoint.path;
    const { services } = context;
    const waitMs = endpoint.options.block ? parseDuration(endpoint.options.timeout) : 0;

    // The engine's endpoint is registered at run time by the async engine, not by a route file.
    if (name !== ASYNC_ENGINE_DIRECT_NAME) {
      context.afterBuild(() => {
        if (isDirectDeclared(services, name)) return;
        const state = directState(services);
        context.report({
          severity: 'error',
          message: `No route consumes direct:${name}`,
          loc: endpoint.loc,
          expected: 'a route with `from: {uri: direct:' + name + '}` in the loaded route files',
          suggestions: didYouMean(name, [...state.declared.keys(), ...state.running.keys()]).map(
            (n) => `direct:${n}`,
          ),
        });
      });
    }

    return {
      async process(exchange) {
        const consumer = await findDirectConsumer(services, name, waitMs);
        if (consumer) {
          await consumer.process(exchange);
          return;
        }
        if (endpoint.options.failIfNoConsumers) throw new DirectConsumerNotAvailableError(`direct://${name}`);
        context.logger.warn(`No consumers available on endpoint: direct://${name}; message not delivered`, {
          ...exchangeFields(exchange),
          endpoint: endpoint.uri,
        });
      },
    };
  },

  createConsumer(endpoint, { services, route }): Consumer {
    let unregister: (() => void) | undefined;
    return {
      start() {
        try {
          unregister ??= registerDirectConsumer(services, endpoint.path, {
            routeId: route.routeId,
            process: route.process,
          });
          return Promise.resolve();
        } catch (error) {
          return Promise.reject(toError(error));
        }
      },
      stop() {
        unregister?.();
        unregister = undefined;
        return Promise.resolve();
      },
    };
  },
};
