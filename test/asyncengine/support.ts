/**
 * What the async-engine tests share: Redis reachability (skip loudly, or fail under REQUIRE_RABBITMQ=1),
 * unique flow names, polling a run, a local partner server, and removing a flow's queues afterwards.
 */
import http from 'node:http';
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Connection } from 'rabbitmq-client';
import { brokerUrl } from '../helpers/broker.js';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

let redisUp: Promise<boolean> | undefined;
let announced = false;

export async function requireRedisOrSkip(context: Mocha.Context): Promise<void> {
  redisUp ??= new Promise((resolve) => {
    const url = new URL(REDIS_URL);
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (await redisUp) return;
  if (process.env.REQUIRE_RABBITMQ === '1') throw new Error(`Redis is required (REQUIRE_RABBITMQ=1) but nothing answers at ${REDIS_URL}`);
  if (!announced) {
    announced = true;
    console.warn(`\n!!!!! Redis not reachable at ${REDIS_URL}: SKIPPING REDIS RUN-STORE TESTS (set REQUIRE_RABBITMQ=1 to fail instead) !!!!!\n`);
  }
  context.skip();
}

export function uniqueFlow(prefix: string): string {
  return `t-${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface RunView {
  correlationId: string;
  flowName: string;
  state: string;
  currentStep?: string;
  history: { step: string; attempt: number; outcome: string; chunk?: number; counts?: Record<string, number>; error?: Record<string, unknown>; instance?: string }[];
  output?: unknown;
  counts?: Record<string, number>;
  error?: Record<string, unknown>;
  redrives: number;
  callback?: { state: string; attempts: number };
}

/** Polls the status API until the run is in one of `states`; returns it. */
export async function waitForRun(
  baseUrl: string,
  correlationId: string,
  states: string[],
  options: { timeoutMs?: number; headers?: Record<string, string>; until?: (run: RunView) => boolean; query?: string } = {},
): Promise<RunView> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: RunView | undefined;
  for (;;) {
    const response = await fetch(`${baseUrl}/async/api/runs/${correlationId}${options.query ?? ''}`, { headers: options.headers });
    if (response.status === 200) {
      last = (await response.json()) as RunView;
      if (states.includes(last.state) && (!options.until || options.until(last))) return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`Run ${correlationId} did not reach ${states.join('/')}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRun(baseUrl: string, flowName: string, payload: unknown, headers: Record<string, string> = {}, query = ''): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${baseUrl}/async/api/start?flowName=${encodeURIComponent(flowName)}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

export interface Partner {
  url: string;
  requests: { path: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** Answers the next request; default 200 `{"received":true}`. */
  answer: (request: { path: string; body: string; index: number }) => { status: number; body?: unknown };
  close(): Promise<void>;
}

/** A real local HTTP server standing in for a partner (or a callback receiver). */
export async function startPartner(): Promise<Partner> {
  const partner: Partner = {
    url: '',
    requests: [],
    answer: () => ({ status: 200, body: { received: true } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index = partner.requests.length;
      partner.requests.push({ path: request.url ?? '', headers: request.headers, body });
      const { status, body: answer } = partner.answer({ path: request.url ?? '', body, index });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer ?? {}));
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  partner.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return partner;
}

/** Deletes queues (the flows' step, retry, dead-letter and callback queues) with a client of the test's own. */
export async function deleteQueues(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const connection = new Connection({ url: brokerUrl(), connectionName: 'asyncengine test cleanup' });
  try {
    for (const queue of names) await connection.queueDelete({ queue }).catch(() => undefined);
  } finally {
    await connection.close();
  }
}

/** Every queue whose name starts with `pipes.flow.<flow>.`, listed through the management-free route: the names the engine declares. */
export function flowQueueNames(topology: { queues?: { name: string }[] }): string[] {
  return (topology.queues ?? []).map((queue) => queue.name);
}
