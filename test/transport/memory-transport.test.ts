import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { TransportError } from '../../src/errors/index.js';
import { MemoryTransport } from '../../src/transport/memory/memory-transport.js';
import { createTransport } from '../../src/transport/index.js';
import { defaultConfig } from '../../src/config.js';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', stream }), lines };
}

describe('memory transport', function () {
  it('says loudly at start that nothing survives a restart', async function () {
    const { logger, lines } = capturingLogger();
    const transport = new MemoryTransport({ logger });
    await transport.close();
    const warning = lines.find((line) => line.level === 'warn');
    expect(warning?.message).to.match(/NOTHING survives a restart/);
  });

  it('bounds a queue declared without maxLength by its default cap (reject-publish)', async function () {
    const transport = new MemoryTransport({ logger: capturingLogger().logger, defaultMaxLength: 2 });
    try {
      await transport.declare({ queues: [{ name: 'unbounded' }] });
      await transport.publish({ exchange: '', routingKey: 'unbounded', body: Buffer.from('1') });
      await transport.publish({ exchange: '', routingKey: 'unbounded', body: Buffer.from('2') });
      const error = await transport
        .publish({ exchange: '', routingKey: 'unbounded', body: Buffer.from('3') })
        .catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(TransportError);
      expect((error as TransportError).code).to.equal('QUEUE_FULL');
      expect((await transport.queueInfo('unbounded')).messageCount).to.equal(2);
    } finally {
      await transport.close();
    }
  });

  it('drops a dead letter that would cycle back without ever being rejected', async function () {
    const transport = new MemoryTransport({ logger: capturingLogger().logger });
    try {
      // a expires into b, b expires into a: RabbitMQ drops the message instead of looping forever.
      await transport.declare({
        queues: [
          { name: 'a', messageTtlMs: 5, deadLetterExchange: '', deadLetterRoutingKey: 'b' },
          { name: 'b', messageTtlMs: 5, deadLetterExchange: '', deadLetterRoutingKey: 'a' },
        ],
      });
      await transport.publish({ exchange: '', routingKey: 'a', body: Buffer.from('loop') });
      const deadline = Date.now() + 5000;
      let info = { a: 1, b: 1 };
      while ((info.a > 0 || info.b > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        info = {
          a: (await transport.queueInfo('a')).messageCount,
          b: (await transport.queueInfo('b')).messageCount,
        };
      }
      expect(info).to.deep.equal({ a: 0, b: 0 });
    } finally {
      await transport.close();
    }
  });

  it('is what createTransport gives without RABBITMQ_URL', async function () {
    const transport = createTransport(
      { ...defaultConfig({}), rabbitmqUrl: undefined },
      capturingLogger().logger,
    );
    expect(transport.kind).to.equal('memory');
    await transport.close();
  });
});
