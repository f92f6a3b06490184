import winston from 'winston';
import type { Writable } from 'node:stream';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read the log back. */
  stream?: Writable;
  /** Fixed fields on every line (e.g. `instance`). */
  defaultMeta?: Record<string, unknown>;
}

/** Field names that must never be logged with their value (API keys, tokens, secrets). */
const SECRET_FIELD = /(authorization|api[-_]?key|password|secret|token|cookie)/i;

/** Replaces values of secret-looking fields anywhere in a log entry with "[redacted]". */
const redact = winston.format((info) => {
  redactInPlace(info, 0);
  return info;
});

function redactInPlace(value: Record<string, unknown>, depth: number): void {
  if (depth > 4) return;
  for (const key of Object.keys(value)) {
    const field = value[key];
    if (SECRET_FIELD.test(key) && field !== undefined && field !== null && typeof field !== 'object') {
      value[key] = '[redacted]';
    } else if (field && typeof field === 'object' && !Array.isArray(field) && !Buffer.isBuffer(field)) {
      redactInPlace(field as Record<string, unknown>, depth + 1);
    }
  }
}

/** winston JSON logs, one object per line, timestamped. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    defaultMeta: options.defaultMeta,
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
}

/** The fields every line about an exchange carries. */
export function exchangeFields(exchange: { routeId?: string; exchangeId: string; correlationId?: string }): Record<string, unknown> {
  return { routeId: exchange.routeId, exchangeId: exchange.exchangeId, correlationId: exchange.correlationId };
}
