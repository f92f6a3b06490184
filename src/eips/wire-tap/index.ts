import type { StepSpec } from '../../runtime/step.js';
import type { Producer } from '../../runtime/component.js';
import type { Exchange } from '../../runtime/exchange.js';
import { exchangeFields } from '../../observability/logger.js';
import { isSimpleTemplate } from '../shared/schema.js';
import { booleanOption, requiredString } from '../../runtime/step-options.js';
import { syncProcessor } from '../shared/sync-processor.js';
import { compileEndpointTemplate } from '../shared/endpoint-template.js';
import { appendParameters, parametersOf } from '../shared/endpoint-options.js';
import { inFlightWireTaps } from '../../runtime/in-flight-wire-taps.js';

/**
 * Wire tap: sends a copy of the message to an endpoint, fire-and-forget (InOnly), and continues at once.
 * The main route never waits for the tap and is never failed by it; a tap failure is logged with the ids.
 */
export const wireTapStep: StepSpec = {
  keyword: 'wireTap',
  summary: 'Sends a copy of the message to an endpoint without waiting (fire-and-forget).',
  schema: {
    type: 'object',
    description: 'Sends a copy of the message to an endpoint, fire-and-forget; the route continues at once.',
    properties: {
      uri: { type: 'string', description: 'Endpoint URI; a simple template unless dynamicUri is false.' },
      parameters: { type: 'object', description: 'Endpoint options.', additionalProperties: true },
      copy: {
        type: 'boolean',
        default: true,
        description:
          'Accepted for compatibility; the tap always gets its own copy so it cannot change the routed message.',
      },
      dynamicUri: {
        type: 'boolean',
        default: true,
        description: 'Whether the URI is a simple template evaluated per message.',
      },
      cacheSize: {
        type: 'integer',
        description: 'Accepted for compatibility; producers are cached by the router.',
      },
      ignoreInvalidEndpoint: {
        type: 'boolean',
        default: false,
        description:
          'Log and skip instead of logging a failure when the computed URI is not a valid endpoint.',
      },
    },
    required: ['uri'],
    additionalProperties: false,
  },
  create(definition, context) {
    const uri = requiredString(definition, 'uri', 'wireTap:\n  uri: direct:audit');
    const parameters = parametersOf(definition);
    const logger = context.logger;
    const inFlight = inFlightWireTaps(context.services);

    let resolve: (exchange: Exchange) => Promise<Producer>;
    if (booleanOption(definition, 'dynamicUri', true) && isSimpleTemplate(uri)) {
      // Values are encoded for the URI part they land in, as for toD (eips/shared/endpoint-template.ts).
      const computed = compileEndpointTemplate(uri, context, definition.loc);
      const dynamicProducer = context.dynamicProducer(definition.loc, { messageSteered: computed.messageSteered });
      resolve = async (exchange) => dynamicProducer(appendParameters(await computed.compute(exchange), parameters));
    } else {
      // Static URI: resolved now, so a bad scheme or option fails at load.
      const producer = context.producer(uri, parameters, definition.loc);
      const resolved = Promise.resolve(producer);
      resolve = () => resolved;
    }

    const ignoreInvalid = booleanOption(definition, 'ignoreInvalidEndpoint', false);
    const target = uri.split('?')[0]; // the query part may carry credentials

    const tap = async (copy: Exchange, tappedExchangeId: string): Promise<void> => {
      const fields = { ...exchangeFields(copy), tappedExchangeId, wireTapUri: target, stepId: definition.id };
      let producer: Producer;
      try {
        producer = await resolve(copy);
      } catch (error) {
        if (ignoreInvalid) {
          logger.warn('wireTap skipped an invalid endpoint', { ...fields, error: describeError(error) });
        } else {
          logger.error('wireTap could not resolve its endpoint; the routed message was not affected', {
            ...fields,
            ...errorFields(error),
          });
        }
        return;
      }
      try {
        await producer.process(copy);
      } catch (error) {
        logger.error('wireTap delivery failed; the routed message was not affected', {
          ...fields,
          ...errorFields(error),
        });
      }
    };

    return syncProcessor((exchange) => {
      const copy = exchange.copy();
      copy.pattern = 'InOnly';
      // Started on a later tick: the route goes on at once and the tap never runs inside the route's own work.
      const running = new Promise<void>((started) => setImmediate(started)).then(() =>
        tap(copy, exchange.exchangeId),
      );
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    });
  },
};

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { error: error.message, errorName: error.name, stack: error.stack }
    : { error: String(error) };
}
