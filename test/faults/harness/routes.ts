/**
 * The route files the scenarios run: an HTTP intake that publishes (202 once confirmed), then either a
 * route that forwards to the `out` exchange, a connector route that delivers to a partner, or a flow.
 */
import type { Names } from './scenario.js';

function intake(names: Names): string {
  return `
- route:
    id: faults-intake
    from:
      uri: platform-http:/faults/in
      parameters: {httpMethodRestrict: POST, consumes: application/json}
      steps:
        - to: {uri: "spring-rabbitmq:${names.entry}?routingKey=in", pattern: InOnly}
        - setBody: {constant: accepted}
        - setHeader: {name: CamelHttpResponseCode, constant: "202"}
`;
}

/** HTTP → entry exchange → work queue → forward route (optionally crashing on poison) → out exchange. */
export function pipelineRoutes(names: Names, options: { poison?: boolean } = {}): Record<string, string> {
  const poison = options.poison
    ? `
        - filter:
            simple: "\${body.poison} == true"
            steps:
              - throwException:
                  exceptionType: java.lang.IllegalStateException
                  message: "poison payment \${body.n} cannot be booked"`
    : '';
  return {
    'routes/faults.yaml': `${intake(names)}
- route:
    id: faults-forward
    from:
      uri: "spring-rabbitmq:${names.entry}?queues=${names.work}&routingKey=in&concurrentConsumers=4"
      steps:${poison}
        - to: {uri: "spring-rabbitmq:${names.out}?routingKey=out"}
`,
  };
}

/**
 * HTTP → work queue → connector route → partner. Retries are held by the broker; `retry` is Camel's
 * redelivery policy of the route, `breaker` puts the call behind a circuit breaker.
 */
export function partnerRoutes(
  names: Names,
  partnerUrl: string,
  options: { retry: string; breaker?: string; responseTimeout?: string },
): Record<string, string> {
  const call = `- to: {uri: "${partnerUrl}/payments?httpMethod=POST&responseTimeout=${options.responseTimeout ?? '1000'}&connectTimeout=1000"}`;
  const steps = options.breaker
    ? `
        - circuitBreaker:
            resilience4jConfiguration: ${options.breaker}
            steps:
              ${call}`
    : `
        ${call}`;
  return {
    'routes/faults.yaml': `${intake(names)}
- route:
    id: faults-deliver
    errorHandler:
      defaultErrorHandler:
        redeliveryPolicy: ${options.retry}
    from:
      uri: "spring-rabbitmq:${names.entry}?queues=${names.work}&routingKey=in&concurrentConsumers=4"
      steps:${steps}
`,
  };
}

/** POST /async/api/start → flow: a check step that crashes on poison payloads, then a publish to `out`. */
export function flowRoutes(names: Names): Record<string, string> {
  return {
    'routes/flow.yaml': `
- flow:
    name: ${names.flow}
    steps:
      - name: check
        uri: "script:scripts/check.mjs"
        concurrency: 4
        retry: {maxAttempts: 8, initialDelay: 200ms, multiplier: 2, maxDelay: 2s}
      - name: publish
        uri: "direct:${names.flow}-publish"
        concurrency: 4
        retry: {maxAttempts: 8, initialDelay: 200ms, multiplier: 2, maxDelay: 2s}
- route:
    id: ${names.flow}-publish
    from:
      uri: "direct:${names.flow}-publish"
      steps:
        - to: {uri: "spring-rabbitmq:${names.out}?routingKey=out"}
`,
    // A bug that only some payloads reach: reading a field that poison payloads lack.
    'routes/scripts/check.mjs': `
export default async function check(payload) {
  const account = payload.poison ? payload.account.iban.toUpperCase() : 'ok';
  return { ...payload, account };
}
`,
  };
}

/** The queues of a flow: every step queue, its retry levels and dead-letter queue, and the callbacks queue. */
export function flowQueues(flow: string, steps: string[], levels = 8): string[] {
  return [...steps, '_callbacks'].flatMap((step) => {
    const queue = `pipes.flow.${flow}.${step}`;
    return [queue, `${queue}.dlq`, ...Array.from({ length: levels }, (_, i) => `${queue}.retry.${i + 1}`)];
  });
}
