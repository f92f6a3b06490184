/**
 * The user a RabbitMQ URL logs in as (what rabbitmq-client reads from it). RabbitMQ refuses a publish whose
 * `user_id` differs from the connection's user, so this is the one `user_id` the router can put on the
 * messages it publishes. Undefined when the URL names no user or does not parse.
 */
export function brokerUserOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).username) || undefined;
  } catch {
    return undefined;
  }
}
