/**
 * A tiny partner API to deliver payments to, answering from a script, so the retries, the circuit
 * breaker and the dead-letter queue of routes/partner-delivery.yaml can be watched on one machine.
 *
 *   npx tsx examples/stub-partner.ts                      # always 200
 *   npx tsx examples/stub-partner.ts --fail 503,503       # 503, 503, then 200 for every later call
 *   npx tsx examples/stub-partner.ts --fail 400           # the first call is refused for good (dead letter)
 *   npx tsx examples/stub-partner.ts --always 503 --port 9090
 *
 * Every call is logged on one line: its number, method, path, Idempotency-Key / message id, and the answer.
 * Also used by the tests (startStubPartner), so what the README shows is what is tested.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface StubCall {
  n: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** ms since the epoch when the request was complete. */
  at: number;
  status: number;
}

export interface StubPartnerOptions {
  /** Statuses for the first calls, in order; after them `then` (default 200). */
  script?: number[];
  then?: number;
  port?: number;
  host?: string;
  /** Called for every call, after it was answered (the command line logs it). */
  onCall?: (call: StubCall) => void;
}

export interface StubPartner {
  readonly url: string;
  readonly port: number;
  readonly calls: StubCall[];
  /** Replaces the script: the next calls get these statuses, then `then`. */
  answer(script: number[], then?: number): void;
  /** Resolves once `test` holds (checked after every call). */
  until(test: (calls: readonly StubCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStubPartner(options: StubPartnerOptions = {}): Promise<StubPartner> {
  let script = [...(options.script ?? [])];
  let then = options.then ?? 200;
  const calls: StubCall[] = [];
  let waiters: { test: (calls: readonly StubCall[]) => boolean; resolve: () => void }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = script.length > 0 ? script.shift()! : then;
      const call: StubCall = {
        n: calls.length + 1,
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        status,
      };
      calls.push(call);
      const ok = status >= 200 && status < 300;
      const body = ok
        ? { status: 'received', call: call.n }
        : { error: status >= 500 ? 'partner unavailable' : 'payment refused by the partner', call: call.n };
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      options.onCall?.(call);
      const ready = waiters.filter((waiter) => waiter.test(calls));
      waiters = waiters.filter((waiter) => !ready.includes(waiter));
      for (const waiter of ready) waiter.resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    calls,
    answer(next, nextThen) {
      script = [...next];
      if (nextThen !== undefined) then = nextThen;
    },
    until(test, timeoutMs = 20_000) {
      if (test(calls)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stub partner: condition not met within ${timeoutMs} ms (${calls.length} calls)`)), timeoutMs);
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function statuses(text: string | undefined, flag: string): number[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const status = Number(part.trim());
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`${flag}: '${part}' is not an HTTP status`);
    return status;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fail: { type: 'string' },
      always: { type: 'string' },
      port: { type: 'string', default: '9090' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const always = statuses(values.always, '--always');
  const partner = await startStubPartner({
    script: statuses(values.fail, '--fail'),
    then: always[0] ?? 200,
    port: Number(values.port),
    host: values.host,
    onCall: (call) => {
      const id = call.headers['idempotency-key'] ?? call.headers['x-correlation-id'] ?? '';
      process.stdout.write(`${new Date(call.at).toISOString()} #${call.n} ${call.method} ${call.path} ${String(id)} -> ${call.status}\n`);
    },
  });
  process.stdout.write(`stub partner listening on ${partner.url} (POST ${partner.url}/payments); Ctrl-C to stop\n`);
  const stop = (): void => {
    void partner.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
