/**
 * Three things the router needs from rabbitmq-client 5.0.8 that it has no switch for. The first two wrap
 * one private method (`Channel#_onBody`, which completes an incoming message) for the connections
 * registered here only; the third wraps the connection's socket. Each fails loudly if the internals
 * change; re-check all three on any upgrade of the library.
 *
 * 1. Byte-exact bodies. The library decodes bodies by content type before handing them over:
 *    `application/json` is JSON.parse'd and `text/plain` becomes a string. Re-encoding that is lossy (large
 *    integers, `1.10`, key order of duplicates, invalid UTF-8), and a router that forwards money amounts and
 *    signed payloads must hand on the exact bytes it received. A body is marked as encoded before the
 *    decoding step, which then leaves it a Buffer; the mark is removed again when the message is mapped.
 * 2. Returns before confirms. A mandatory message nobody can route comes back as `basic.return`, which the
 *    broker sends before the message's ack; the library emits the return one macrotask later than it
 *    resolves the ack. Told synchronously, the moment the returned message is complete, a publisher knows
 *    whether its acked message was returned without waiting a turn of the event loop after every publish.
 * 3. One write per turn of the event loop ({@link coalesceWrites}), which wraps the connection's sockets
 *    and its `ready`.
 */
import { Channel } from 'rabbitmq-client/lib/Channel.js';
import { Cmd } from 'rabbitmq-client/lib/codec.js';
import * as clientUtil from 'rabbitmq-client/lib/util.js';
import type { Connection } from 'rabbitmq-client';

const RAW_MARK = '\u0000service-pipes:raw-body';

/** What a returned message says about itself: enough to find the publish it belongs to. */
export interface ReturnNotice {
  messageId?: string;
  exchange: string;
  routingKey: string;
  replyCode: number;
  replyText: string;
}

interface Incoming {
  methodFrame?: {
    methodId?: number;
    params?: { exchange?: string; routingKey?: string; replyCode?: number; replyText?: string };
  };
  headerFrame?: { fields?: { contentEncoding?: string; messageId?: string } };
}

interface ChannelInternals {
  _conn: unknown;
  _state: { incoming?: Incoming };
  _onBody: (this: ChannelInternals, frame?: unknown) => void;
}

const connections = new WeakMap<object, { onReturn?: (notice: ReturnNotice) => void }>();
let installed = false;

function install(): void {
  if (installed) return;
  const prototype = Channel.prototype as unknown as ChannelInternals;
  const complete = prototype._onBody;
  if (typeof complete !== 'function' || typeof Cmd?.BasicReturn !== 'number') {
    throw new Error(
      'rabbitmq-client internals changed (Channel#_onBody or Cmd.BasicReturn is gone): message bodies ' +
        'cannot be kept byte-exact',
    );
  }
  prototype._onBody = function patchedOnBody(this: ChannelInternals, frame?: unknown): void {
    const hooks = connections.get(this._conn as object);
    if (!hooks) return complete.call(this, frame);
    const incoming = this._state.incoming;
    const fields = incoming?.headerFrame?.fields;
    if (fields && !fields.contentEncoding) fields.contentEncoding = RAW_MARK;
    complete.call(this, frame);
    // `incoming` is cleared once its last body frame arrived: the message is complete.
    if (
      hooks.onReturn &&
      incoming &&
      this._state.incoming !== incoming &&
      incoming.methodFrame?.methodId === Cmd.BasicReturn
    ) {
      const params = incoming.methodFrame.params ?? {};
      hooks.onReturn({
        messageId: incoming.headerFrame?.fields?.messageId,
        exchange: params.exchange ?? '',
        routingKey: params.routingKey ?? '',
        replyCode: params.replyCode ?? 0,
        replyText: params.replyText ?? '',
      });
    }
  };
  installed = true;
}

/** Messages arriving on this connection keep their bodies as Buffers. */
export function keepRawBodies(connection: Connection): void {
  install();
  if (!connections.has(connection)) connections.set(connection, {});
}

/**
 * `listener` hears of every message returned on this connection's channels as soon as it is complete,
 * before the ack of the same publish resolves. Bodies of this connection are kept raw as well.
 */
export function onReturnedSync(connection: Connection, listener: (notice: ReturnNotice) => void): void {
  keepRawBodies(connection);
  connections.get(connection)!.onReturn = listener;
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

type Socket = import('node:net').Socket;

interface ConnectionInternals {
  _socket?: Socket;
  _connect?: () => Socket;
  _state?: { readyState?: number };
}

/** Per coalesced socket: whether a turn's frames are being held (our one cork on it). */
const holds = new WeakMap<Socket, { holding: boolean }>();

/**
 * Frames written to the connection in one turn of the event loop leave in one writev. rabbitmq-client
 * writes every frame set (an ack, a publish) with its own socket write: a system call each and, often, a
 * wake-up of the broker. A consumer whose handlers finish in the same turn (their partners' answers arrived
 * together) or a publisher with several publishes in one turn pays that once instead: measured on the S3
 * route (queue → HTTP partner → ack) it took ~48 µs of router CPU and ~67 µs of broker CPU off every message
 * (bench/README.md).
 *
 * The socket is corked at the first write of a turn and uncorked by a setImmediate: in the check phase that
 * follows the callbacks of the current phase, or in the next pass for a frame written in a check phase
 * itself. While an immediate is pending the poll phase does not wait for I/O, so a frame is never held for
 * the network. Order is kept (a corked stream writes in order); `end()` flushes whatever is held, and so does
 * `destroy()` here, as the frames would have left before it without the hold. The library's own cork while
 * the broker blocks publishing counts on top of ours, and its `ready` (which reads any cork as "blocked") is
 * made to look past ours. The reconnect test in test/transport/rabbitmq-write-coalescing.test.ts fails if
 * a new version of the library stops making its sockets through `_connect`.
 */
export function coalesceWrites(connection: Connection): void {
  const internals = connection as unknown as ConnectionInternals;
  const connect = internals._connect;
  const ready = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(connection) as object, 'ready');
  // Not in the library's type declarations: the connection states are an internal enum.
  const OPEN = (clientUtil as unknown as { READY_STATE?: { OPEN?: unknown } }).READY_STATE?.OPEN;
  if (
    typeof connect !== 'function' ||
    !internals._socket ||
    !internals._state ||
    typeof ready?.get !== 'function' ||
    typeof OPEN !== 'number'
  ) {
    throw new Error(
      'rabbitmq-client internals changed (Connection#_connect, #_socket, #_state, #ready or READY_STATE is gone): writes cannot be coalesced',
    );
  }
  holdPerTurn(internals._socket);
  // A reconnect calls the instance's own bound _connect from a timer; it makes and keeps the new socket.
  internals._connect = () => {
    const socket = connect();
    holdPerTurn(socket);
    return socket;
  };
  // The library's `ready` is "open and not corked"; the transport asks it whether an error means a lost
  // connection, and onConnect() would wait for a reconnect that never comes if our cork counted.
  Object.defineProperty(connection, 'ready', {
    configurable: true,
    get(): boolean {
      const socket = internals._socket;
      const ours = socket && holds.get(socket)?.holding ? 1 : 0;
      return internals._state?.readyState === OPEN && !!socket && socket.writableCorked - ours <= 0;
    },
  });
}

/** Whether this socket's writes are held until the end of the turn (for tests). */
export function isCoalesced(socket: Socket): boolean {
  return holds.has(socket);
}

function holdPerTurn(socket: Socket): void {
  if (holds.has(socket)) return;
  const hold = { holding: false };
  holds.set(socket, hold);
  const write = socket.write.bind(socket);
  const destroy = socket.destroy.bind(socket);
  // `holding` goes false before the uncork: a write error during the flush re-enters destroy().
  const flush = (): void => {
    if (!hold.holding) return;
    hold.holding = false;
    // end() may have flushed and zeroed the count already.
    if (socket.writableCorked > 0) socket.uncork();
  };
  socket.write = ((...args: Parameters<Socket['write']>): boolean => {
    if (!hold.holding && socket.writable) {
      hold.holding = true;
      socket.cork();
      setImmediate(flush);
    }
    return write(...args);
  }) as Socket['write'];
  socket.destroy = (error?: Error): Socket => {
    if (!socket.destroyed) flush();
    return destroy(error);
  };
}

/**
 * `host:port` of the node the connection is on now (with several addresses, logs say which node the
 * client failed over to); undefined when there is no open socket.
 */
export function connectedAddress(connection: Connection): string | undefined {
  const socket = (connection as unknown as ConnectionInternals)._socket;
  if (!socket?.remoteAddress || !socket.remotePort) return undefined;
  return `${socket.remoteAddress}:${socket.remotePort}`;
}
