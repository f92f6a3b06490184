/**
 * Request/response over the IPC channel of a forked child: the bench process drives its load generators,
 * baselines and stub partner with small commands, while each of them has an event loop of its own.
 */

export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

interface Request {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
}

/** Child side: answers commands, then tells the parent it is ready. */
export function serve(handlers: Handlers): void {
  if (!process.send) throw new Error('this script is started by the bench (bench/run.ts), with an IPC channel');
  process.on('message', (request: Request) => {
    const handler = handlers[request.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${request.cmd}`);
        return handler(request.args ?? {});
      })
      .then(
        (result) => process.send!({ id: request.id, ok: true, result }),
        (error: unknown) => process.send!({ id: request.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
      );
  });
  // The parent going away must not leave a load generator running.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

/** Child side: an unsolicited event for the parent (progress of a long run). */
export function emitEvent(event: Record<string, unknown>): void {
  process.send?.({ event });
}
