import net from 'node:net';

/** One answer read off the socket, headers as sent (repeats kept), body as text. */
export interface RawAnswer {
  status: number;
  /** The response head as it came over the wire (status line and header lines). */
  head: string;
  headers: [string, string][];
  body: string;
  json(): unknown;
  header(name: string): string | undefined;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given: no URL parsing, no dot-segment removal, no percent-encoding. */
  target: string;
  /** Name/value pairs in order; a name given twice is sent twice. */
  headers?: [string, string][];
  body?: string | Buffer;
  /** Bytes written as they are after the request line (for malformed header tests). */
  rawHead?: string;
}

/**
 * An HTTP/1.1 request written byte for byte to a socket, the way `curl --path-as-is` sends it: clients
 * such as fetch would resolve `..`, turn `\` into `/` or merge repeated headers before sending.
 */
export function rawRequest(port: number, request: RawRequest): Promise<RawAnswer> {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const lines = [`${request.method ?? 'GET'} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  if (body.length > 0 || request.method === 'POST') lines.push(`Content-Length: ${body.length}`);
  const head = `${lines.join('\r\n')}\r\n${request.rawHead ?? ''}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${request.target}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on('connect', () => {
      // Not end(): a half-closed socket reads as a caller that went away; the server closes (Connection: close).
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  });
}

function parse(bytes: Buffer): RawAnswer {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`);
  const head = text.slice(0, end);
  const [statusLine, ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
  let raw = bytes.subarray(Buffer.byteLength(head, 'latin1') + 4);
  if (headers.some(([name, value]) => name === 'transfer-encoding' && /chunked/i.test(value))) raw = unchunk(raw);
  const body = raw.toString('utf8');
  return {
    status,
    head,
    headers,
    body,
    json: () => JSON.parse(body) as unknown,
    header: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1],
  };
}

function unchunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
