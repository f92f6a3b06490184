/**
 * The message of a consumed JSON body that no step has read yet.
 *
 * A route that only forwards what it consumes (queue → breaker → partner, queue → queue) never looks at the
 * body: parsing it and encoding it again cost more than the rest of the hop, and the bytes that left
 * differed from those that came (number spellings such as `1.10`, integers beyond 2^53, key order, white
 * space). So a consumer hands the route this message instead of a parsed value: the body is parsed the
 * first time a step reads it, with the same checks as before (UTF-8, nesting depth, valid JSON), and a
 * producer that finds it still unread sends the delivered bytes unchanged.
 *
 * Once a step has read the body, what is sent is the value it saw, encoded again: forwarding the bytes then
 * would let a partner whose parser reads a duplicate key differently see another document than the one the
 * route checked.
 */

/** Parses delivered JSON bytes, throwing the consumer's error for a body that is not what it says. */
export type JsonBytesParser = (bytes: Buffer, contentType: string | undefined) => unknown;

export class UnreadJsonMessage {
  headers: Record<string, unknown>;
  /** The delivered bytes while no step has read or replaced the body. */
  private bytes: Buffer | undefined;
  private value: unknown = null;
  /** Why the body could not be read: every later read fails the same way. */
  private failure: Error | undefined = undefined;

  constructor(
    headers: Record<string, unknown>,
    bytes: Buffer,
    private readonly contentType: string | undefined,
    private readonly parse: JsonBytesParser,
  ) {
    this.headers = headers;
    this.bytes = bytes;
  }

  get body(): unknown {
    const bytes = this.bytes;
    if (bytes !== undefined) {
      this.bytes = undefined;
      try {
        this.value = this.parse(bytes, this.contentType);
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
      }
    }
    if (this.failure !== undefined) throw this.failure;
    return this.value;
  }

  set body(value: unknown) {
    this.bytes = undefined;
    this.failure = undefined;
    this.value = value;
  }

  /** The delivered bytes, as long as no step has read or replaced the body. */
  get unreadBytes(): Buffer | undefined {
    return this.bytes;
  }

  /**
   * A message with other headers and this one's unread body (copies for breakers, split parts, taps). The
   * bytes are shared: they are never handed to a step, so nothing writes into them.
   */
  withHeaders(headers: Record<string, unknown>): UnreadJsonMessage {
    return new UnreadJsonMessage(headers, this.bytes!, this.contentType, this.parse);
  }
}

/** The delivered bytes of a message whose JSON body no step has read or replaced, else undefined. */
export function unreadJsonBytes(message: object): Buffer | undefined {
  return message instanceof UnreadJsonMessage ? message.unreadBytes : undefined;
}
