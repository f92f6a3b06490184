/** `scheme:path?k=v&k2=v2` split into its parts. Values are URL-decoded; Camel's `RAW(...)` is kept verbatim. */
export interface ParsedUri {
  scheme: string;
  path: string;
  query: Record<string, string>;
}

export function parseEndpointUri(uri: string): ParsedUri {
  const trimmed = uri.trim();
  const colon = trimmed.indexOf(':');
  const scheme = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const rest = colon < 0 ? '' : trimmed.slice(colon + 1);
  const questionMark = rest.indexOf('?');
  const path = questionMark < 0 ? rest : rest.slice(0, questionMark);
  const query: Record<string, string> = {};
  if (questionMark >= 0) {
    for (const pair of splitQuery(rest.slice(questionMark + 1))) {
      if (!pair) continue;
      const equals = pair.indexOf('=');
      const key = decode(equals < 0 ? pair : pair.slice(0, equals));
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      const raw = /^RAW\((.*)\)$/s.exec(value) ?? /^RAW\{(.*)\}$/s.exec(value);
      query[key] = raw ? raw[1]! : decode(value);
    }
  }
  return { scheme, path, query };
}

/** Splits on `&` but not inside `RAW(...)`, where a password may contain one. */
function splitQuery(query: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < query.length; i++) {
    const char = query[i]!;
    if (query.startsWith('RAW(', i)) depth++;
    if (char === ')' && depth > 0) depth--;
    if (char === '&' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Option names whose values never appear in logs or metrics labels. */
const SECRET_OPTION = /(password|secret|token|apikey|api-key|authorization|credentials)/i;

/** `scheme:path?k=v` for logs and metrics; secret-looking option values are masked. */
export function displayUri(scheme: string, path: string, options: Record<string, unknown>): string {
  const query = Object.entries(options)
    .filter(([, value]) => value !== undefined && typeof value !== 'object')
    .map(([key, value]) => `${key}=${SECRET_OPTION.test(key) ? 'xxxxxx' : String(value as string)}`)
    .join('&');
  return `${scheme}:${path}${query ? `?${query}` : ''}`;
}

/** `scheme://host:port` of an http(s) endpoint URI, or undefined when it is not one (circuit breaker names). */
export function httpOrigin(uri: string): string | undefined {
  const match = /^(https?):(?:\/\/)?([^/?#]+)/i.exec(uri.trim());
  if (!match || match[2]!.includes('${') || match[2]!.includes('@')) return undefined;
  try {
    return new URL(`${match[1]!.toLowerCase()}://${match[2]!}`).origin;
  } catch {
    return undefined;
  }
}

/** The HTTP methods the router knows, for the http producer and (all but TRACE) for HTTP entries. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const;
