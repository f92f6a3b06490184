/**
 * What the connector tests share: a connector route (RabbitMQ queue → circuitBreaker → HTTP partner) with
 * the test's own names and settings, the test's AMQP client, queue depths, and cleanup of every queue a connector route declares.
 */
import type { Connection } from 'rabbitmq-client';
import type { CapturedLog } from '../helpers/router.js';
import { amqpClient } from './rabbitmq-support.js';

export interface ConnectorRouteOptions {
  routeId: string;
  exchange: string;
  queue: string;
  partnerUrl: string;
  maximumRedeliveries: number;
  redeliveryDelayMs: number;
  /** Calls in the window before the breaker may open (default: more than any test makes, so it stays closed). */
  minimumNumberOfCalls?: number;
  /** Seconds the breaker stays open before a trial call. */
  waitDurationInOpenState?: number;
  concurrentConsumers?: number;
}

/** The test's own AMQP client; a dropped connection reconnects by itself and is not a test failure. */
export function testClient(name: string): Connection {
  const connection = amqpClient(name);
  connection.on('error', () => undefined);
  return connection;
}

/** The shape of routes/partner-delivery.yaml, with the test's names and short delays. */
export function connectorRoute(options: ConnectorRouteOptions): string {
  return `
- route:
    id: ${options.routeId}
    errorHandler:
      defaultErrorHandler:
        redeliveryPolicy:
          maximumRedeliveries: ${options.maximumRedeliveries}
          redeliveryDelay: ${options.redeliveryDelayMs}
          useExponentialBackOff: true
          backOffMultiplier: 2
          useCollisionAvoidance: true
          retryAttemptedLogLevel: WARN
    from:
      uri: spring-rabbitmq:${options.exchange}
      parameters:
        queues: ${options.queue}
        routingKey: payment.accepted
        exchangeType: topic
        maximumRetryAttempts: ${options.maximumRedeliveries}
        concurrentConsumers: ${options.concurrentConsumers ?? 1}
      steps:
        - setHeader:
            name: Idempotency-Key
            expression:
              simple:
                expression: "\${header.CamelSpringRabbitmqMessageId}"
        - circuitBreaker:
            id: ${options.routeId}-partner
            resilience4jConfiguration:
              failureRateThreshold: 50
              minimumNumberOfCalls: ${options.minimumNumberOfCalls ?? 1000}
              slidingWindowSize: 10
              waitDurationInOpenState: ${options.waitDurationInOpenState ?? 60}
              timeoutEnabled: true
              timeoutDuration: 5000
            steps:
              - to:
                  uri: ${options.partnerUrl}
        - log:
            message: "delivered \${header.Idempotency-Key}"
`;
}

/** The queues a connector route on `queue` declares. */
export function connectorQueues(queue: string, levels: number): string[] {
  return [queue, `${queue}.dlq`, ...Array.from({ length: levels }, (_, i) => `${queue}.retry.${i + 1}`)];
}

export async function deleteQueues(connection: Connection, queues: string[], exchange?: string): Promise<void> {
  for (const queue of queues) await connection.queueDelete({ queue }).catch(() => undefined);
  if (exchange) await connection.exchangeDelete({ exchange }).catch(() => undefined);
}

export async function depth(connection: Connection, queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  const { messageCount, consumerCount } = await connection.queueDeclare({ queue, passive: true });
  return { messageCount, consumerCount };
}

/** Publishes a payment to the route's exchange, confirmed, with the message-id given. */
export async function publishPayment(
  connection: Connection,
  exchange: string,
  messageId: string,
  body: Record<string, unknown> = { entryId: messageId, amount: '10.00', currency: 'EUR' },
): Promise<void> {
  const publisher = connection.createPublisher({ confirm: true, maxAttempts: 2 });
  try {
    await publisher.send(
      { exchange, routingKey: 'payment.accepted', messageId, contentType: 'application/json', durable: true, correlationId: `corr-${messageId}` },
      body,
    );
  } finally {
    await publisher.close();
  }
}

/** Log lines with this message. */
export function logLines(log: CapturedLog, message: string): Record<string, unknown>[] {
  return log.lines.filter((line) => line.message === message);
}
