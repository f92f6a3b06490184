/** Camel's `okStatusCodeRange`: `200-299`, or several ranges and codes such as `200-204,209,301-304`. */
export const STATUS_RANGE_PATTERN = '^\\s*\\d{3}(\\s*-\\s*\\d{3})?(\\s*,\\s*\\d{3}(\\s*-\\s*\\d{3})?)*\\s*$';

export type StatusTest = (status: number) => boolean;

export function parseStatusRange(text: string): StatusTest {
  const ranges = text.split(',').map((part) => {
    const [from, to] = part.split('-').map((n) => Number(n.trim()));
    return [from!, to ?? from!] as const;
  });
  return (status) => ranges.some(([from, to]) => status >= from && status <= to);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
