import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface PartnerRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Which TCP connection carried it (1-based, in accept order). */
  connection: number;
}

/** What the partner does with one request: answer, or hold it (never answer) until the test says so. */
export type PartnerReply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hold: true };

/**
 * A real HTTP partner on 127.0.0.1:<free port>, answering from a script (one reply per request, the last
 * repeated), recording what it received and noticing when a client closes a connection mid-request.
 */
export class Partner {
  readonly requests: PartnerRequest[] = [];
  /** Requests whose connection the client closed before an answer was sent. */
  abandoned = 0;
  private server: Server | undefined;
  private script: PartnerReply[] = [{ status: 200, body: { ok: true } }];
  private readonly sockets = new Map<Socket, number>();
  private readonly held: ServerResponse[] = [];
  private waiters: { test: () => boolean; resolve: () => void }[] = [];
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** TCP connections accepted so far. */
  get connections(): number {
    return this.connectionCount;
  }
  private connectionCount = 0;

  /** Replies for the next requests, in order; the last one repeats. */
  reply(...script: PartnerReply[]): this {
    this.script = script;
    return this;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.set(socket, ++this.connectionCount);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Stops listening and cuts every connection: calls now fail to connect. */
  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    for (const socket of this.sockets.keys()) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Answers every held request with `reply`. */
  release(reply: { status: number; body?: unknown }): void {
    for (const response of this.held.splice(0)) send(response, reply);
  }

  /** Resolves once `test` holds (checked after every request and every abandoned request). */
  until(test: () => boolean, timeoutMs = 5000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`partner: condition not met within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.test());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: this.sockets.get(request.socket) ?? 0,
      });
      const reply = this.script[Math.min(this.requests.length - 1, this.script.length - 1)]!;
      if ('hold' in reply) {
        this.held.push(response);
        response.on('close', () => {
          if (!response.writableEnded) {
            this.abandoned++;
            this.notify();
          }
        });
      } else {
        send(response, reply);
      }
      this.notify();
    });
  }
}

function send(response: ServerResponse, reply: { status: number; body?: unknown; headers?: Record<string, string> }): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    if (typeof reply.body === 'string') {
      payload = reply.body;
      headers['content-type'] ??= 'text/plain';
    } else {
      payload = JSON.stringify(reply.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  response.writeHead(reply.status, headers);
  response.end(payload);
}

export async function startPartner(...script: PartnerReply[]): Promise<Partner> {
  const partner = new Partner();
  if (script.length > 0) partner.reply(...script);
  return partner.start();
}
