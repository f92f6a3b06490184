/** Camel durations: plain milliseconds (`1500`) or units (`500ms`, `1s`, `2m`, `1h`, `1m30s`). */
export const DURATION_TEXT = /^(?:\d+|(?:\d+(?:\.\d+)?(?:ms|s|m|h))+)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration option value; throws on text that is not a duration. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value);
  const text = typeof value === 'string' ? value.trim() : '';
  if (!DURATION_TEXT.test(text))
    throw new Error(`'${String(value)}' is not a duration (e.g. 1000, 500ms, 1s, 2m)`);
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return Math.round(total);
}
