/**
 * The bench's fixed-rate load: every request is due at start + i / rate (not in per-second bursts), all of
 * them are sent and answered, at most `connections` are open at once, and a non-2xx answer counts as failed.
 * A real local server takes the requests; nothing here depends on how fast the machine is.
 */
import { expect } from 'chai';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pacedLoad } from '../../bench/workers/paced-load.js';

describe('bench paced load', function () {
  let server: Server;
  let url: string;
  let open = 0;
  let mostOpen = 0;
  const bodies: string[] = [];

  before(async function () {
    server = http.createServer((request, response) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        bodies.push(body);
        // Every tenth request (by its due time's index) is refused, to see it counted as failed.
        const { index } = JSON.parse(body) as { index: number };
        setTimeout(() => {
          open -= 1;
          response.writeHead(index % 10 === 9 ? 503 : 202, { 'content-type': 'application/json' }).end('{}');
        }, 5);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/load`;
  });

  after(function () {
    server.close();
  });

  it('sends rate × duration requests due at even intervals, on at most the given connections', async function () {
    const dueTimes: number[] = [];
    const result = await pacedLoad({
      url,
      connections: 2,
      rate: 200,
      durationSeconds: 0.5,
      body: (dueAt) => {
        dueTimes.push(dueAt);
        return JSON.stringify({ index: dueTimes.length - 1 });
      },
    });
    expect(result.requests).to.equal(100);
    expect(result.ok + result.failed).to.equal(100);
    expect(result.failed).to.equal(10);
    expect(bodies).to.have.length(100);
    expect(mostOpen).to.be.at.most(2);
    // Due times are start + i × 5 ms: the schedule, not when the timer happened to fire.
    dueTimes.forEach((dueAt, index) => expect(dueAt - dueTimes[0]!).to.be.closeTo(index * 5, 1e-6));
    expect(result.endedAt - result.startedAt).to.be.closeTo(500, 1e-6);
    expect(result.latency.p50).to.be.greaterThan(0);
    expect(result.latency.max).to.be.at.least(result.latency.p99);
  });
});
