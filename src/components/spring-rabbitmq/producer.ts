import type { Endpoint, Producer } from '../../runtime/component.js';
import type { Exchange } from '../../runtime/exchange.js';
import { DeliveryProperties } from '../../errors/index.js';
import type { BuildContext } from '../../runtime/step.js';
import { parseDuration } from '../../units/duration.js';
import { producerTopology } from './endpoint-topology.js';
import { decodeBody, fromDelivered, scalarText, SpringRabbitHeaders, toOutbound } from './message-mapping.js';
import { exchangeNameOf, type SpringRabbitOptions } from './options.js';
import { declareFor, watchBroker } from './readiness.js';
import { replyListener, type ReplyListener } from './request-reply.js';

/**
 * Publishes the exchange; `process` resolves only once the broker confirmed the message, so an HTTP 202
 * after it means the message is in RabbitMQ. A refusal (full queue, blocked broker, no connection, no
 * confirm in time) rejects with a TransportError, which the HTTP door answers with 503 and Retry-After.
 * Request-reply only when `requestReply` is true (explicit InOut + replyTo), never by default.
 */
export function createSpringRabbitProducer(
  endpoint: Endpoint<SpringRabbitOptions>,
  context: BuildContext,
  requestReply: boolean,
): Producer {
  const { options } = endpoint;
  const { services } = context;
  const routeId = context.routeId;
  const exchangeName = exchangeNameOf(endpoint.path);
  const replyTimeoutMs = parseDuration(options.replyTimeout);
  let replies: ReplyListener | undefined;

  const target = (exchange: Exchange): { exchange: string; routingKey: string; mandatory: boolean } => {
    // Camel removes the override headers once used, so they cannot steer a later `to` by accident.
    const exchangeOverride = exchange.getHeader(SpringRabbitHeaders.exchangeOverrideName);
    const keyOverride = exchange.getHeader(SpringRabbitHeaders.routingOverrideKey);
    exchange.removeHeader(SpringRabbitHeaders.exchangeOverrideName);
    exchange.removeHeader(SpringRabbitHeaders.routingOverrideKey);
    return {
      exchange:
        scalarText(exchangeOverride) === undefined
          ? exchangeName
          : exchangeNameOf(scalarText(exchangeOverride)!),
      routingKey: scalarText(keyOverride) ?? options.routingKey ?? '',
      mandatory: options.mandatory,
    };
  };

  return {
    async start() {
      const transport = watchBroker(services);
      await declareFor(transport, endpoint, routeId, producerTopology(endpoint.path, options));
      if (requestReply && options.replyTo) {
        replies = replyListener(services, options.replyTo, options.queueType, context.logger);
        await replies.start();
      }
    },
    async stop() {
      await replies?.stop();
      replies = undefined;
    },
    async process(exchange) {
      const transport = services.transport();
      const message = toOutbound(exchange, target(exchange));
      if (!requestReply || exchange.pattern !== 'InOut') {
        await transport.publish(message);
        return;
      }
      if (!replies) throw new Error(`${endpoint.uri}: the producer was not started`);
      const reply = await replies.request(message, replyTimeoutMs);
      const { headers } = fromDelivered(reply, { routeId, fromEndpoint: endpoint.uri }).message;
      // The reply's delivery facts must not look like a redelivery of the exchange being routed.
      delete headers[DeliveryProperties.redeliveryCounter];
      delete headers[DeliveryProperties.redelivered];
      exchange.message.body = decodeBody(reply);
      exchange.message.headers = { ...exchange.message.headers, ...headers };
    },
  };
}
