/**
 * Soak: a long stream through S2's route with never more than a few thousand messages on their way, the
 * router's resident memory read at every 100,000 (or, in a quick run, every 20,000) messages. It must level
 * off: RSS at the end within 10 % of RSS after the first step.
 */
import type { SoakPoint, SoakResult } from '../lib/report.js';
import type { ArrivalReport } from '../workers/arrivals.js';
import type { BenchContext } from './context.js';
import { cleanUpS2, S2, setUpS2, startS2Router } from './s2-amqp.js';

export async function runSoak(context: BenchContext, total: number, every: number): Promise<SoakResult> {
  await setUpS2(context);
  const router = await startS2Router(context, 'router (soak)');
  const series: SoakPoint[] = [];
  const heapReads: Promise<void>[] = [];
  context.amqp.onEvent((event) => {
    const arrived = event.soakArrived;
    if (typeof arrived !== 'number') return;
    const rssMiB = context.sampler.rssNow(router.pid);
    if (rssMiB === undefined) return;
    const point: SoakPoint = { messages: arrived, rssMiB };
    series.push(point);
    // Where the resident memory is: V8's heap (live and reserved) and memory outside it (Buffers), read
    // from the router's own /metrics right after RSS.
    heapReads.push(
      readHeap(router.baseUrl).then((heap) => {
        Object.assign(point, heap);
        context.log(
          `soak: ${arrived} messages, router RSS ${rssMiB.toFixed(1)} MiB` +
            (heap
              ? `, heap ${heap.heapUsedMiB.toFixed(1)} used / ${heap.heapTotalMiB.toFixed(1)} reserved, external ${heap.externalMiB.toFixed(1)} MiB`
              : ''),
        );
      }),
    );
  });
  let report: ArrivalReport;
  try {
    report = await context.amqp.call<ArrivalReport>('soak', {
      queue: S2.routerQueue,
      total,
      window: 4000,
      every,
    });
  } finally {
    await Promise.all(heapReads);
    await router.stop();
    await cleanUpS2(context);
  }
  const first = series.find((point) => point.messages === every)?.rssMiB;
  const last = series.at(-1)?.rssMiB;
  const growthPercent = first && last !== undefined ? ((last - first) / first) * 100 : undefined;
  // Whether it levelled off later, when the first step fell inside a warm-up (a bounded cache filling):
  // the growth from the second reference point to the end, reported beside the target's figure.
  const second = series.find((point) => point.messages === 2 * every)?.rssMiB;
  const laterGrowth = second && last !== undefined ? ((last - second) / second) * 100 : undefined;
  return {
    messages: report.count,
    rate: report.count / ((report.lastAt - report.firstAt) / 1000),
    rssAt100kMiB: first,
    rssAtEndMiB: last,
    growthPercent,
    series,
    met: growthPercent === undefined ? undefined : growthPercent <= 10,
    notes: [
      ...(every === 100_000
        ? []
        : [
            `quick soak: ${total} messages, reference point after ${every} (not the 1,000,000 / 100,000 of the target)`,
          ]),
      ...(laterGrowth === undefined
        ? []
        : [
            `RSS after ${2 * every} messages ${second!.toFixed(1)} MiB, at the end ${last!.toFixed(1)} MiB (${laterGrowth >= 0 ? '+' : ''}${laterGrowth.toFixed(1)} %)`,
          ]),
    ],
  };
}

/** prom-client's default Node.js metrics, in MiB; undefined when the endpoint did not answer. */
async function readHeap(
  baseUrl: string,
): Promise<Required<Pick<SoakPoint, 'heapUsedMiB' | 'heapTotalMiB' | 'externalMiB'>> | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]) / 2 ** 20;
    const heap = {
      heapUsedMiB: read('nodejs_heap_size_used_bytes'),
      heapTotalMiB: read('nodejs_heap_size_total_bytes'),
      externalMiB: read('nodejs_external_memory_bytes'),
    };
    return Object.values(heap).every(Number.isFinite) ? heap : undefined;
  } catch {
    return undefined;
  }
}
