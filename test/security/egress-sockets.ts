/**
 * Records every outgoing TCP connection this process starts (net.Socket#connect), so a test can assert
 * that a refusal opened no socket at all and that nothing was sent anywhere but 127.0.0.1 / ::1.
 */
import net from 'node:net';

export interface SocketWatch {
  /** `host:port` of every connect since the watch started. */
  opened: string[];
  /** Connects to anything other than the loopback partners a test starts. */
  notLoopback(): string[];
  stop(): void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function watchSockets(): SocketWatch {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored as it was, called with its socket
  const original = net.Socket.prototype.connect;
  const opened: string[] = [];
  const hosts: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: any[]): net.Socket {
    const first: unknown = args[0];
    const options = (Array.isArray(first) ? first[0] : first) as { host?: string; port?: number; path?: string | null } | number | string;
    if (typeof options === 'object' && options !== null && (options.path === undefined || options.path === null)) {
      opened.push(`${options.host ?? 'localhost'}:${options.port ?? ''}`);
      hosts.push(options.host ?? 'localhost');
    } else if (typeof options === 'number') {
      opened.push(`${typeof args[1] === 'string' ? args[1] : 'localhost'}:${options}`);
      hosts.push(typeof args[1] === 'string' ? args[1] : 'localhost');
    }
    return original.apply(this, args as Parameters<typeof original>);
  } as typeof original;
  return {
    opened,
    notLoopback: () => opened.filter((_, index) => !LOOPBACK.has(hosts[index]!)),
    stop: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
