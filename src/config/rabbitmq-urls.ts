/**
 * `RABBITMQ_URL` / `RABBITMQ_URLS` as one AMQP URL or a list of them (the nodes of a cluster). The client
 * keeps one set of credentials, one vhost and one protocol for every node it tries, so a list whose URLs
 * disagree on those is refused here, at start, rather than working on some nodes only.
 */
import { ServicePipesError } from '../errors/index.js';

export interface RabbitMqAddresses {
  /** The first URL, whole: credentials, vhost, protocol and query options for every node. */
  url: string;
  /** `host:port` of every node, in the order they are tried. */
  hosts: string[];
  /** The URLs without their passwords, for logs. */
  shown: string[];
}

function configError(message: string): ServicePipesError {
  return new ServicePipesError('INVALID_CONFIG', message, { retryable: false });
}

/** The URL with its password replaced, for messages and logs. */
export function withoutPassword(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

/** Splits a list on commas and whitespace (a password with either must be percent-encoded). */
export function splitRabbitMqUrls(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Parses one URL or a list. Throws `INVALID_CONFIG` naming the entry and what is wrong: not a URL, not
 * amqp:/amqps:, or another user, password, vhost, protocol or query than the first URL.
 */
export function parseRabbitMqUrls(text: string, variable = 'RABBITMQ_URL'): RabbitMqAddresses {
  const entries = splitRabbitMqUrls(text);
  if (entries.length === 0)
    throw configError(`${variable} is empty; give one AMQP URL or several separated by commas`);
  const parsed = entries.map((entry, index) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw configError(
        `${variable} entry ${index + 1} is not a URL (expected amqp://user:password@host:5672/vhost)`,
      );
    }
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
      throw configError(
        `${variable} entry ${index + 1} (${withoutPassword(url)}) must start with amqp:// or amqps://`,
      );
    }
    if (!url.hostname)
      throw configError(`${variable} entry ${index + 1} (${withoutPassword(url)}) has no host`);
    return url;
  });
  const first = parsed[0]!;
  const vhost = (url: URL): string => decodeURIComponent(url.pathname.split('/')[1] || '/');
  const facets: [string, (url: URL) => string][] = [
    ['protocol', (url) => url.protocol],
    ['user', (url) => decodeURIComponent(url.username)],
    ['password', (url) => decodeURIComponent(url.password)],
    ['vhost', vhost],
    ['query options', (url) => url.search],
  ];
  parsed.slice(1).forEach((url, index) => {
    for (const [facet, read] of facets) {
      if (read(url) !== read(first)) {
        throw configError(
          `${variable} entry ${index + 2} (${withoutPassword(url)}) has another ${facet} than the first ` +
            `(${withoutPassword(first)}); every node of a list is reached with the first URL's ` +
            'user, password, vhost, protocol and options',
        );
      }
    }
  });
  const defaultPort = first.protocol === 'amqps:' ? '5671' : '5672';
  return {
    url: first.href,
    hosts: parsed.map((url) => `${url.hostname}:${url.port || defaultPort}`),
    shown: parsed.map(withoutPassword),
  };
}

/** `RABBITMQ_URLS` wins over `RABBITMQ_URL`; both set to different lists is refused (which one is meant?). */
export function rabbitMqUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const single = env.RABBITMQ_URL?.trim() || undefined;
  const list = env.RABBITMQ_URLS?.trim() || undefined;
  if (single && list) {
    const same = splitRabbitMqUrls(single).join(',') === splitRabbitMqUrls(list).join(',');
    if (!same) throw configError('RABBITMQ_URL and RABBITMQ_URLS are both set and differ; set one of them');
  }
  const chosen = list ?? single;
  if (chosen) parseRabbitMqUrls(chosen, list ? 'RABBITMQ_URLS' : 'RABBITMQ_URL');
  return chosen;
}

/** `RABBITMQ_QUORUM_GROUP_SIZE`: replicas a new quorum queue starts with; unset → the broker's default. */
export function parseQuorumGroupSize(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > 255) {
    throw configError(
      `RABBITMQ_QUORUM_GROUP_SIZE must be a whole number from 1 to 255 (replicas per quorum queue), not '${text}'`,
    );
  }
  return size;
}
