import { parseDuration } from './units/duration.js';
import { parseQuorumGroupSize, rabbitMqUrlFromEnv } from './config/rabbitmq-urls.js';

/** Router configuration: environment variables and CLI flags, with documented defaults. */
export interface RouterConfig {
  /** HTTP port (`PORT`, `--port`); 0 picks a free one. Default 8080. */
  port: number;
  /** Host to bind (`HOST`). Default 0.0.0.0. */
  host: string;
  /** Route folders or files (`ROUTES_DIR`, `--routes`). Default `routes`. */
  routes: string[];
  /** Extra resource roots for `json-validator:` / `jsonata:` (`--resources`), searched after the route file's folder and `schemas/`. */
  resources: string[];
  /** JSON Schema folder (`SCHEMAS_DIR`). Default `schemas`. */
  schemasDir: string;
  /**
   * `RABBITMQ_URL` or `RABBITMQ_URLS`: one AMQP URL, or the nodes of a cluster separated by commas (tried
   * in order; same user, password and vhost). Unset → the embedded in-memory transport.
   */
  rabbitmqUrl?: string;
  /**
   * `RABBITMQ_QUORUM_GROUP_SIZE`: replicas a router-owned quorum queue is created with
   * (`x-quorum-initial-group-size`). Unset → RabbitMQ's default (every cluster node). RabbitMQ only.
   */
  quorumGroupSize?: number;
  /** `REDIS_URL`; unset → in-memory stores. */
  redisUrl?: string;
  /**
   * `RBAC_FILE`: who may call what (docs/security.md). Unset → `rbac.yaml` in the working directory when
   * it exists; a router with HTTP entries and no RBAC file at all refuses to start.
   */
  rbacFile?: string;
  /**
   * Access control. Unset or `enforced`: every HTTP entry, admin and async endpoint is guarded by the
   * RBAC file (deny by default). `disabled` turns the guard off; only tests and the `--no-auth` flag of
   * `pipes run` set it, never an environment variable, it is refused under NODE_ENV=production and it is
   * logged loudly at start.
   */
  security?: 'enforced' | 'disabled';
  /** `LOG_LEVEL`. Default info. */
  logLevel: string;
  /** Largest accepted HTTP body (`BODY_LIMIT`, bytes). Default 1 MiB. */
  bodyLimitBytes: number;
  /** How long a graceful stop waits for in-flight exchanges (`DRAIN_TIMEOUT_MS`). Default 30 s. */
  drainTimeoutMs: number;
  /**
   * `EGRESS_ALLOW`: hosts (`partner.example`, `*.partner.example`), addresses and CIDRs (`10.20.0.0/16`, `::1`)
   * the egress policy lets through although they are loopback, private, link-local or otherwise refused
   * (docs/security.md, "Egress policy"). Default none.
   */
  egressAllow?: string[];
  /**
   * How long a finished async run (and its idempotency key) is kept (`ASYNC_RUN_RETENTION`, a duration such
   * as `168h`, or milliseconds). Default 7 days.
   */
  runRetentionMs?: number;
  /** Property placeholders `{{key}}` in route files resolve from here (then from the environment). */
  properties: Record<string, string>;
}

/** The RBAC file used when `RBAC_FILE` is unset, if it exists in the working directory. */
export const DEFAULT_RBAC_FILE = 'rbac.yaml';

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  return {
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '0.0.0.0',
    routes: env.ROUTES_DIR ? env.ROUTES_DIR.split(',') : ['routes'],
    resources: [],
    schemasDir: env.SCHEMAS_DIR ?? 'schemas',
    rabbitmqUrl: rabbitMqUrlFromEnv(env),
    quorumGroupSize: parseQuorumGroupSize(env.RABBITMQ_QUORUM_GROUP_SIZE),
    redisUrl: env.REDIS_URL || undefined,
    rbacFile: env.RBAC_FILE || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: env.BODY_LIMIT ? Number(env.BODY_LIMIT) : 1024 * 1024,
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS ? Number(env.DRAIN_TIMEOUT_MS) : 30_000,
    egressAllow: parseEgressAllow(env.EGRESS_ALLOW),
    ...(env.ASYNC_RUN_RETENTION ? { runRetentionMs: parseDuration(env.ASYNC_RUN_RETENTION) } : {}),
    properties: {},
  };
}

/** Parses `EGRESS_ALLOW` (`host,*.domain,10.0.0.0/8,::1`); entries are checked when the policy is built. */
export function parseEgressAllow(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
