/**
 * A partner API the router delivers to: a real node:http server the test starts, with moods a scenario
 * switches at will. It records every message it processed (by number, with its Idempotency-Key), which
 * is the "delivered" of partner scenarios.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { Tally } from './downstream.js';

export type Mood =
  | { kind: 'up' }
  /** Not listening at all: connections are refused. */
  | { kind: 'down' }
  /** Processes the message, then answers only after `delayMs` (past the router's timeout). */
  | { kind: 'slow'; delayMs: number }
  /** Alternates 503 and 200 by request. */
  | { kind: 'flapping' }
  /** 429 with Retry-After, processing nothing. */
  | { kind: 'throttling'; retryAfterSeconds: number }
  /** 503, processing nothing. */
  | { kind: 'failing' };

export class Partner {
  readonly tally = new Tally();
  /** Answers by status, to show in a failure. */
  readonly answers = new Map<number, number>();
  private mood: Mood = { kind: 'up' };
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private requests = 0;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.answer(request, Buffer.concat(chunks), response));
    });
    server.keepAliveTimeout = 1000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async set(mood: Mood): Promise<void> {
    if (mood.kind === 'down' && this.server) {
      const server = this.server;
      this.server = undefined;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    } else if (mood.kind !== 'down' && !this.server) {
      await this.start();
    }
    this.mood = mood;
  }

  async stop(): Promise<void> {
    await this.set({ kind: 'down' });
  }

  private answer(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
    const index = this.requests++;
    const reply = (status: number, headers: Record<string, string> = {}): void => {
      this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(status < 300 ? { received: true } : { error: 'partner says no' }));
    };
    const processed = (): void => {
      const parsed = JSON.parse(body.toString('utf8')) as { n: number };
      const key = request.headers['idempotency-key'];
      this.tally.add({ n: parsed.n, at: Date.now(), key: Array.isArray(key) ? key[0] : key });
    };
    const mood = this.mood;
    switch (mood.kind) {
      case 'slow':
        processed();
        setTimeout(() => reply(200), mood.delayMs);
        return;
      case 'flapping':
        if (index % 2 === 0) return reply(503);
        processed();
        return reply(200);
      case 'throttling':
        return reply(429, { 'retry-after': String(mood.retryAfterSeconds) });
      case 'failing':
        return reply(503);
      default:
        processed();
        return reply(200);
    }
  }
}
