/**
 * The stub partner of S3 and S4, in a process of its own: answers every POST with 200 at once and counts
 * what arrived, with each request's latency from the send time it carries (the `x-bench-sent-at` header,
 * or `sentAt` in a JSON body when a flow carries it in its payload).
 */
import http from 'node:http';
import { serve } from '../lib/ipc.js';
import { SENT_AT_HEADER } from '../lib/payload.js';
import { Arrivals } from './arrivals.js';

const arrivals = new Arrivals();
const answer = Buffer.from('{"received":true}');

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let sentAt: unknown = request.headers[SENT_AT_HEADER];
    if (sentAt === undefined && process.env.SENT_AT_IN_BODY) {
      try {
        sentAt = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sentAt?: unknown }).sentAt;
      } catch {
        sentAt = undefined;
      }
    }
    arrivals.add(sentAt);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    response.end(answer);
  });
});
server.keepAliveTimeout = 60_000;

await new Promise<void>((resolve) => server.listen(Number(process.env.PORT), '127.0.0.1', () => resolve()));
serve({
  reset: (args) => arrivals.reset(Number(args.warmup ?? 0)),
  arrivals: (args) => arrivals.wait(Number(args.count ?? 0), Number(args.timeoutMs ?? 0)),
});
