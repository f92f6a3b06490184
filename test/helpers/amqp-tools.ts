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

/**
 * Takes one message off `queue` with `amqp-get` and returns its body exactly as the broker holds it, or
 * undefined when the queue is empty (amqp-get exits 2 then).
 */
export function amqpGet(queue: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'amqp-get',
      ['--url', brokerUrl(), '-q', queue],
      { timeout: 30_000, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (!error) resolve(stdout);
        else if (error.code === 2) resolve(undefined);
        else reject(new Error(`amqp-get failed (is amqp-tools installed?): ${stderr.toString() || error.message}`));
      },
    );
  });
}
