/**
 * Soak: a long stream through S2's route with never more than a few thousand messages on their way, the
 * router's resident memory read at every 100,000 (or, in a quick run, every 20,000) messages. It must level
 * off: RSS at the end within 10 % of RSS after the first step.
 */
import type { SoakResult } from '../lib/report.js';
import type { ArrivalReport } from '../workers/arrivals.js';
import type { BenchContext } from './context.js';
import { cleanUpS2, S2, setUpS2, startS2Router } from './s2-amqp.js';

export async function runSoak(context: BenchContext, total: number, every: number): Promise<SoakResult> {
  await setUpS2(context);
  const router = await startS2Router(context, 'router (soak)');
  const series: { messages: number; rssMiB: number }[] = [];
  context.amqp.onEvent((event) => {
    const arrived = event.soakArrived;
    if (typeof arrived !== 'number') return;
    const rssMiB = context.sampler.rssNow(router.pid);
    if (rssMiB !== undefined) series.push({ messages: arrived, rssMiB });
    context.log(`soak: ${arrived} messages, router RSS ${rssMiB?.toFixed(1)} MiB`);
  });
  let report: ArrivalReport;
  try {
    report = await context.amqp.call<ArrivalReport>('soak', { queue: S2.routerQueue, total, window: 4000, every });
  } finally {
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
      ...(every === 100_000 ? [] : [`quick soak: ${total} messages, reference point after ${every} (not the 1,000,000 / 100,000 of the target)`]),
      ...(laterGrowth === undefined
        ? []
        : [`RSS after ${2 * every} messages ${second!.toFixed(1)} MiB, at the end ${last!.toFixed(1)} MiB (${laterGrowth >= 0 ? '+' : ''}${laterGrowth.toFixed(1)} %)`]),
    ],
  };
}
