/**
 * The command-line AMQP clients of Debian's amqp-tools (`amqp-publish`), run as a publisher outside the
 * router would run them: their own connection, no message-id, no user_id, the properties given only.
 */
import { execFile } from 'node:child_process';
import { brokerUrl } from './broker.js';

export interface CliPublish {
  exchange: string;
  routingKey: string;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Publishes one persistent message with `amqp-publish`; rejects with its stderr when it fails. */
export function amqpPublish(message: CliPublish): Promise<void> {
  const args = ['--url', brokerUrl(), '-e', message.exchange, '-r', message.routingKey, '-p', '-b', message.body];
  if (message.contentType) args.push('-C', message.contentType);
  for (const [name, value] of Object.entries(message.headers ?? {})) args.push('-H', `${name}: ${value}`);
  return new Promise((resolve, reject) => {
    execFile('amqp-publish', args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`amqp-publish failed (is amqp-tools installed?): ${stderr || error.message}`));
      else resolve();
    });
  });
}
