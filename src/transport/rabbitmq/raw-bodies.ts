/**
 * rabbitmq-client decodes bodies by content type before handing them over: `application/json` is
 * JSON.parse'd and `text/plain` becomes a string. Re-encoding that is lossy (large integers, `1.10`,
 * key order of duplicates, invalid UTF-8), and a router that forwards money amounts and signed payloads
 * must hand on the exact bytes it received.
 *
 * The library has no switch for this, so for channels of connections registered here (and only those)
 * a body is marked as encoded before the decoding step, which then leaves it a Buffer; the mark is
 * removed again when the message is mapped. Pinned to rabbitmq-client 5.0.8; `assertRawBodySupport`
 * fails loudly if its internals change.
 */
import { Channel } from 'rabbitmq-client/lib/Channel.js';
import type { Connection } from 'rabbitmq-client';

const RAW_MARK = '\u0000service-pipes:raw-body';

interface ChannelInternals {
  _conn: unknown;
  _state: { incoming?: { headerFrame?: { fields?: { contentEncoding?: string } } } };
  _onBody: (this: ChannelInternals, frame?: unknown) => void;
}

const connections = new WeakSet<object>();
let installed = false;

function install(): void {
  if (installed) return;
  const prototype = Channel.prototype as unknown as ChannelInternals;
  const decode = prototype._onBody;
  if (typeof decode !== 'function') {
    throw new Error(
      'rabbitmq-client internals changed (Channel#_onBody is gone): message bodies cannot be kept byte-exact',
    );
  }
  prototype._onBody = function keepRawBody(this: ChannelInternals, frame?: unknown): void {
    const fields = this._state.incoming?.headerFrame?.fields;
    if (fields && !fields.contentEncoding && connections.has(this._conn as object))
      fields.contentEncoding = RAW_MARK;
    decode.call(this, frame);
  };
  installed = true;
}

/** Messages arriving on this connection keep their bodies as Buffers. */
export function keepRawBodies(connection: Connection): void {
  install();
  connections.add(connection);
}

export function originalContentEncoding(contentEncoding: string | undefined): string | undefined {
  return contentEncoding === RAW_MARK ? undefined : contentEncoding;
}

/** The body as bytes (defensive: a body that escaped the mark is re-encoded the way it was decoded). */
export function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body) ?? '', 'utf8');
}
