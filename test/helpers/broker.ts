/**
 * Shared by every test that needs the real broker: where it is, whether it is up, and `rabbitmqctl`.
 * Without a reachable broker those tests skip with one loud line, unless REQUIRE_RABBITMQ=1 (CI), where
 * they fail.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

export function brokerUrl(): string {
  return process.env.RABBITMQ_URL || DEFAULT_URL;
}

export function brokerAddress(url = brokerUrl()): { host: string; port: number } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'amqps:' ? 5671 : 5672,
  };
}

/** Whether something accepts TCP connections at the broker's address (one attempt, bounded). */
export function isBrokerReachable(url = brokerUrl(), timeoutMs = 1500): Promise<boolean> {
  const { host, port } = brokerAddress(url);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reachable: boolean): void => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

let reachability: Promise<boolean> | undefined;
let announced = false;

/**
 * Call from a `before` hook: `before(async function () { await requireBrokerOrSkip(this); })`.
 * Skips the suite (one loud line per run) when the broker is down, or fails it when REQUIRE_RABBITMQ=1.
 */
export async function requireBrokerOrSkip(context: Mocha.Context): Promise<void> {
  reachability ??= isBrokerReachable();
  if (await reachability) return;
  const { host, port } = brokerAddress();
  if (process.env.REQUIRE_RABBITMQ === '1') {
    throw new Error(`RabbitMQ is required (REQUIRE_RABBITMQ=1) but nothing answers at ${host}:${port}`);
  }
  if (!announced) {
    announced = true;
    console.warn(
      `\n!!!!! RabbitMQ not reachable at ${host}:${port}: SKIPPING ALL BROKER TESTS (set REQUIRE_RABBITMQ=1 to fail instead) !!!!!\n`,
    );
  }
  context.skip();
}

/** Runs `rabbitmqctl` (or $RABBITMQCTL) with the given arguments; resolves with its stdout. */
export function rabbitmqctl(...args: string[]): Promise<string> {
  const command = process.env.RABBITMQCTL || 'rabbitmqctl';
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`rabbitmqctl ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}
