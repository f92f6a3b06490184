import { ServicePipesError } from '../errors/index.js';
/**
 * `pipes dlq list | show <id> | redrive`: dead letters of a running router, through its admin API (so the
 * RBAC file decides who may read or redrive them: `admin:dead-letters`).
 */
import type { Command } from 'commander';
import type { DeadLetterView, RedriveReport } from './route-dead-letters.js';

interface ConnectionFlags {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

interface FilterFlags {
  route?: string;
  queue?: string;
  correlationId?: string;
  errorClass?: string;
  since?: string;
  until?: string;
}

function baseUrl(flags: ConnectionFlags): string {
  const url = flags.url ?? process.env.PIPES_URL ?? `http://127.0.0.1:${process.env.PORT || 8080}`;
  return url.replace(/\/+$/, '');
}

async function call(flags: ConnectionFlags, path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const apiKey = flags.apiKey ?? process.env.PIPES_API_KEY;
  if (apiKey) headers['X-API-Key'] = apiKey;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${baseUrl(flags)}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    throw new CliError(`cannot reach the router at ${baseUrl(flags)}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // not JSON: shown as it came
  }
  if (!response.ok) {
    const detail = body && typeof body === 'object' ? (body as { error?: string; message?: string }) : undefined;
    throw new CliError(
      `${response.status} ${detail?.error ?? ''}: ${detail?.message ?? text}`.replace(/ {2,}/g, ' ') +
        (response.status === 401 ? ' (give --api-key or set PIPES_API_KEY)' : ''),
      { status: response.status, body },
    );
  }
  return body;
}

class CliError extends ServicePipesError {
  /** The router's answer, when it refused the request. */
  readonly answer?: { status: number; body: unknown };

  constructor(message: string, answer?: { status: number; body: unknown }) {
    super('CLI_USAGE', message);
    if (answer) this.answer = answer;
  }
}

/** Where a message-id was found, from the router's 409 answer to `show`. */
interface DeadLetterPlace {
  id: string;
  routeId: string;
  queue: string;
  deadLetterQueue: string;
}

/** The places of an ambiguous `show`, when `error` is the router's DEAD_LETTER_AMBIGUOUS answer. */
function ambiguousPlaces(error: CliError): DeadLetterPlace[] | undefined {
  const body = error.answer?.body as { error?: unknown; matches?: unknown } | undefined;
  if (error.answer?.status !== 409 || body?.error !== 'DEAD_LETTER_AMBIGUOUS' || !Array.isArray(body.matches)) return undefined;
  return body.matches as DeadLetterPlace[];
}

/** A header value on one line: text as it is, anything else as JSON. */
function headerText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function filterQuery(flags: FilterFlags & { limit?: string }): string {
  const query = new URLSearchParams();
  if (flags.route) query.set('route', flags.route);
  if (flags.queue) query.set('queue', flags.queue);
  if (flags.correlationId) query.set('correlationId', flags.correlationId);
  if (flags.errorClass) query.set('errorClass', flags.errorClass);
  if (flags.since) query.set('since', flags.since);
  if (flags.until) query.set('until', flags.until);
  if (flags.limit) query.set('limit', flags.limit);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** A plain text table: one header line, one line per row, columns padded to their widest cell. */
export function table(columns: string[], rows: string[][]): string {
  const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)].join('\n');
}

function shortClass(name: string | undefined): string {
  return name ? (name.split('.').pop() ?? name) : '';
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function print(flags: ConnectionFlags, value: unknown, text: () => string): void {
  process.stdout.write(`${flags.json ? JSON.stringify(value, null, 2) : text()}\n`);
}

function withFilterOptions(command: Command): Command {
  return command
    .option('--route <id>', 'only dead letters of this route')
    .option('--queue <name>', 'only dead letters of this work queue (or dead-letter queue)')
    .option('--correlation-id <id>', 'only dead letters with this correlation id')
    .option('--error-class <name>', 'only this error class (full Camel name or its last part)')
    .option('--since <time>', 'only failures at or after this ISO time')
    .option('--until <time>', 'only failures before this ISO time');
}

function withConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the router (default: $PIPES_URL or http://127.0.0.1:$PORT, port 8080)')
    .option('--api-key <key>', 'API key with admin:dead-letters (default: $PIPES_API_KEY)')
    .option('--json', 'print JSON instead of a table');
}

/** Runs a command action; a CliError prints one line and exits 1. */
function action<A extends unknown[]>(work: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await work(...args);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      process.stderr.write(`pipes dlq: ${error.message}\n`);
      process.exitCode = 1;
    }
  };
}

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description("dead letters of a running router's routes: list, show, redrive (through its admin API)");

  withConnectionOptions(withFilterOptions(dlq.command('list').description('list dead letters, oldest failure first')))
    .option('--limit <n>', 'at most this many (default 100)')
    .action(
      action(async (flags: ConnectionFlags & FilterFlags & { limit?: string }) => {
        const answer = (await call(flags, `/admin/dead-letters${filterQuery(flags)}`)) as {
          deadLetters: DeadLetterView[];
          queues: { routeId: string; queue: string; deadLetterQueue: string; messages: number }[];
        };
        print(flags, answer, () => {
          const rows = answer.deadLetters.map((d) => [
            d.id,
            d.routeId,
            d.queue,
            String(d.attempts ?? ''),
            shortClass(d.errorClass) || d.brokerReason || '',
            d.httpStatus === undefined ? '' : String(d.httpStatus),
            d.lastFailureAt ?? '',
            d.correlationId ?? '',
            clip(d.errorMessage ?? '', 60),
          ]);
          const total = answer.queues.reduce((sum, q) => sum + q.messages, 0);
          return (
            table(['ID', 'ROUTE', 'QUEUE', 'ATTEMPTS', 'ERROR', 'HTTP', 'LAST FAILURE', 'CORRELATION', 'MESSAGE'], rows) +
            `\n${answer.deadLetters.length} shown; ${total} dead letter(s) in ${answer.queues.length} queue(s)`
          );
        });
      }),
    );

  withConnectionOptions(dlq.command('show').description('one dead letter with its provenance, headers and body'))
    .argument('<id>', 'the message-id (the ID column of `pipes dlq list`)')
    .option('--route <id>', 'look only in the dead letters of this route')
    .option('--queue <name>', 'look only in the dead letters of this work queue (or dead-letter queue)')
    .action(
      action(async (id: string, flags: ConnectionFlags & FilterFlags) => {
        let found: DeadLetterView;
        try {
          found = (await call(flags, `/admin/dead-letters/${encodeURIComponent(id)}${filterQuery({ route: flags.route, queue: flags.queue })}`)) as DeadLetterView;
        } catch (error) {
          const places = error instanceof CliError ? ambiguousPlaces(error) : undefined;
          if (!places) throw error;
          // One message that failed in several routes: which dead letter is meant is the caller's to say.
          throw new CliError(
            `message-id '${id}' is in ${places.length} dead-letter queues; give --queue <queue> (or --route <id>) to show one:\n` +
              table(['ROUTE', 'QUEUE', 'DEAD-LETTER QUEUE'], places.map((p) => [p.routeId, p.queue, p.deadLetterQueue])),
          );
        }
        print(flags, found, () => {
          const facts: [string, unknown][] = [
            ['id', found.id],
            ['route', found.routeId],
            ['queue', found.queue],
            ['dead-letter queue', found.deadLetterQueue],
            ['original exchange', found.originalExchange],
            ['original routing key', found.originalRoutingKey],
            ['attempts', found.attempts],
            ['error class', found.errorClass ?? found.brokerReason],
            ['error message', found.errorMessage],
            ['error code', found.errorCode],
            ['http status', found.httpStatus],
            ['failed step', found.failedStep],
            ['first failure', found.firstFailureAt],
            ['last failure', found.lastFailureAt],
            ['correlation id', found.correlationId],
            ['redriven before', found.redriveCount],
            ['content type', found.contentType],
            ['copies in this queue', found.copies],
          ];
          const lines = facts.filter(([, value]) => value !== undefined && value !== '').map(([name, value]) => `${`${name}:`.padEnd(22)}${String(value)}`);
          const headers = Object.entries(found.headers ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => `  ${name}: ${headerText(value)}`);
          const body = typeof found.body === 'string' ? found.body : JSON.stringify(found.body, null, 2);
          return `${lines.join('\n')}\nheaders:${headers.length ? `\n${headers.join('\n')}` : ' (none)'}\nbody (${found.bodyEncoding ?? 'none'}, ${found.bodyBytes} bytes):\n${body ?? ''}`;
        });
      }),
    );

  withConnectionOptions(withFilterOptions(dlq.command('redrive').description('put matching dead letters back on their work queues')))
    .option('--id <message-id...>', 'only these dead letters')
    .option('--dry-run', 'show what would be redriven, change nothing')
    .option('--limit <n>', 'redrive at most this many')
    .option('--rate <n>', 'redrive at most this many a second')
    .action(
      action(async (flags: ConnectionFlags & FilterFlags & { id?: string[]; dryRun?: boolean; limit?: string; rate?: string }) => {
        const limit = flags.limit === undefined ? undefined : Number(flags.limit);
        const rate = flags.rate === undefined ? undefined : Number(flags.rate);
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new CliError('--limit is a whole number ≥ 1');
        if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new CliError('--rate is a number above 0');
        const report = (await call(flags, '/admin/dead-letters/redrive', {
          method: 'POST',
          body: {
            ...(flags.route ? { route: flags.route } : {}),
            ...(flags.queue ? { queue: flags.queue } : {}),
            ...(flags.correlationId ? { correlationId: flags.correlationId } : {}),
            ...(flags.errorClass ? { errorClass: flags.errorClass } : {}),
            ...(flags.since ? { since: flags.since } : {}),
            ...(flags.until ? { until: flags.until } : {}),
            ...(flags.id?.length ? { ids: flags.id } : {}),
            dryRun: flags.dryRun === true,
            ...(limit !== undefined ? { limit } : {}),
            ...(rate !== undefined ? { ratePerSecond: rate } : {}),
          },
        })) as RedriveReport;
        print(flags, report, () => {
          const rows = report.redriven.map((r) => [r.id, r.routeId, r.queue, r.correlationId ?? '']);
          const verb = report.dryRun ? 'would be redriven (dry run, nothing changed)' : 'redriven';
          return `${rows.length > 0 ? `${table(['ID', 'ROUTE', 'QUEUE', 'CORRELATION'], rows)}\n` : ''}${rows.length} dead letter(s) ${verb}`;
        });
      }),
    );
}
