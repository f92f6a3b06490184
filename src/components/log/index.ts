import type { ComponentSpec, Producer } from '../../runtime/component.js';
import type { Exchange } from '../../runtime/exchange.js';
import { exchangeFields } from '../../observability/logger.js';

export interface LogOptions {
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'OFF';
  showAll: boolean;
  showBody: boolean;
  showBodyType: boolean;
  showHeaders: boolean;
  showProperties: boolean;
  showExchangePattern: boolean;
  showExchangeId: boolean;
  maxChars: number;
  marker?: string;
}

/** Camel's levels on winston's. */
const WINSTON_LEVEL: Record<LogOptions['level'], string | undefined> = {
  TRACE: 'silly',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  OFF: undefined,
};

export const logComponent: ComponentSpec<LogOptions> = {
  scheme: 'log',
  syntax: 'log:loggerName',
  pathParameter: 'loggerName',
  pathRequired: true,
  summary: 'Logs a summary of each exchange (Camel\'s "Exchange[...]" line) under a logger name.',
  options: {
    level: { type: 'string', enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'], default: 'INFO' },
    showAll: {
      type: 'boolean',
      default: false,
      description: 'Show body, body type, headers, properties and ids.',
    },
    showBody: { type: 'boolean', default: true },
    showBodyType: { type: 'boolean', default: true },
    showHeaders: { type: 'boolean', default: false },
    showProperties: { type: 'boolean', default: false },
    showExchangePattern: { type: 'boolean', default: true },
    showExchangeId: { type: 'boolean', default: false },
    maxChars: {
      type: 'integer',
      minimum: 0,
      default: 10_000,
      description: 'Longest body text logged; 0 = no limit.',
    },
    marker: { type: 'string' },
  },

  createProducer(endpoint, context): Producer {
    const options = endpoint.options;
    const level = WINSTON_LEVEL[options.level];
    const logger = context.logger.child({ logger: endpoint.path });
    const all = options.showAll;
    return {
      // eslint-disable-next-line @typescript-eslint/require-await -- a processor reports failure by rejecting, never by throwing
      async process(exchange) {
        if (!level || !logger.isLevelEnabled(level)) return;
        // Headers and properties go in structured fields, where the logger's redaction of secrets applies.
        logger.log(level, summary(exchange, options), {
          ...exchangeFields(exchange),
          ...(options.marker ? { marker: options.marker } : {}),
          ...(all || options.showHeaders ? { headers: exchange.message.headers } : {}),
          ...(all || options.showProperties ? { properties: exchange.properties } : {}),
        });
      },
    };
  },
};

function summary(exchange: Exchange, options: LogOptions): string {
  const all = options.showAll;
  const parts: string[] = [];
  if (all || options.showExchangeId) parts.push(`Id: ${exchange.exchangeId}`);
  if (all || options.showExchangePattern) parts.push(`ExchangePattern: ${exchange.pattern}`);
  if (all || options.showBodyType) parts.push(`BodyType: ${bodyType(exchange.message.body)}`);
  if (all || options.showBody) parts.push(`Body: ${bodyText(exchange.message.body, options.maxChars)}`);
  return `Exchange[${parts.join(', ')}]`;
}

function bodyType(body: unknown): string {
  if (body === null || body === undefined) return 'null';
  if (Buffer.isBuffer(body)) return 'byte[]';
  if (Array.isArray(body)) return 'Array';
  return typeof body === 'object' ? 'Object' : typeof body === 'string' ? 'String' : typeof body;
}

function bodyText(body: unknown, maxChars: number): string {
  let text: string;
  if (body === null || body === undefined) text = '[Body is null]';
  else if (Buffer.isBuffer(body)) text = body.toString('utf8');
  else if (typeof body === 'string') text = body;
  else {
    try {
      text = JSON.stringify(body) ?? typeof body;
    } catch {
      text = `[${typeof body}]`;
    }
  }
  return maxChars > 0 && text.length > maxChars
    ? `${text.slice(0, maxChars)}... [Body clipped after ${maxChars} chars, total length is ${text.length}]`
    : text;
}
