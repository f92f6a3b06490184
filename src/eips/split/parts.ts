/**
 * What a split expression yields, turned into parts the way Camel's ObjectHelper.createIterator does:
 * null → no parts; an array or any (async) iterable → its elements; text → pieces between delimiters
 * (empty pieces dropped; delimiter `false` keeps the text whole); anything else → one part.
 */
export function partsOf(value: unknown, delimiter: string): Iterable<unknown> | AsyncIterable<unknown> {
  if (value === null || value === undefined) return [];
  if (Buffer.isBuffer(value)) return splitText(value.toString('utf8'), delimiter);
  if (typeof value === 'string') return splitText(value, delimiter);
  if (typeof value === 'object' && (Symbol.iterator in value || Symbol.asyncIterator in value)) {
    return value as Iterable<unknown> | AsyncIterable<unknown>;
  }
  return [value];
}

function splitText(text: string, delimiter: string): string[] {
  if (delimiter === 'false') return text === '' ? [] : [text];
  if (delimiter === '') return [...text];
  return text.split(delimiter).filter((piece) => piece !== '');
}

/** One part, and whether it is the last; iterables are read one part ahead so the last one is known. */
export interface Part {
  value: unknown;
  index: number;
  last: boolean;
}

export async function* withLookahead(
  parts: Iterable<unknown> | AsyncIterable<unknown>,
): AsyncGenerator<Part> {
  const iterator =
    Symbol.asyncIterator in parts ? parts[Symbol.asyncIterator]() : toAsync(parts[Symbol.iterator]());
  let finished = false;
  try {
    let next = await iterator.next();
    for (let index = 0; !next.done; index++) {
      const value = next.value;
      next = await iterator.next();
      yield { value, index, last: next.done === true };
    }
    finished = true;
  } finally {
    // Stopped early (stopOnException): let a lazy source release what it holds.
    if (!finished) await iterator.return?.();
  }
}

function toAsync(iterator: Iterator<unknown>): AsyncIterator<unknown> {
  return {
    next: () => Promise.resolve(iterator.next()),
    return: () => Promise.resolve(iterator.return?.() ?? { done: true, value: undefined }),
  };
}
