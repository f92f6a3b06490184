/**
 * The deployment files agree with the routes: rabbitmq/definitions.json holds exactly the topology the
 * router declares for routes/ (so a broker booted from it lets the router start), docker-compose.yml wires
 * the router to the broker with health checks, and the management plugin is enabled.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { createRegistry } from '../../src/app/catalog.js';
import { defaultConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createServices } from '../../src/runtime/services.js';
import { loadAndBuild } from '../../src/app/load-and-build.js';
import {
  consumerTopology,
  producerTopology,
  type SpringRabbitOptions,
} from '../../src/components/spring-rabbitmq/index.js';
import { DEFAULT_QUEUE_DEFAULTS, resolveQueue } from '../../src/transport/topology.js';
import type { Topology } from '../../src/transport/transport.js';
import { brokerUrl, requireBrokerOrSkip } from '../helpers/broker.js';
import { amqpClient, eventually } from './rabbitmq-support.js';
import { createRouter } from '../../src/app/create-router.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Definitions {
  users: { name: string; password_hash: string; hashing_algorithm: string; tags: string[] }[];
  exchanges: {
    name: string;
    type: string;
    durable: boolean;
    auto_delete: boolean;
    arguments: Record<string, unknown>;
  }[];
  queues: { name: string; durable: boolean; auto_delete: boolean; arguments: Record<string, unknown> }[];
  bindings: {
    source: string;
    destination: string;
    destination_type: string;
    routing_key: string;
    arguments: Record<string, unknown>;
  }[];
}

const definitions = (): Definitions =>
  JSON.parse(readFileSync(path.join(ROOT, 'rabbitmq/definitions.json'), 'utf8')) as Definitions;
const quiet = (): ReturnType<typeof createLogger> =>
  createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) });
const exampleConfig = (rabbitmqUrl?: string): ReturnType<typeof defaultConfig> => ({
  ...defaultConfig({}),
  port: 0,
  host: '127.0.0.1',
  routes: [path.join(ROOT, 'routes')],
  schemasDir: path.join(ROOT, 'schemas'),
  rabbitmqUrl,
  security: 'disabled',
});

/** The topology the router declares for routes/, from the built routes' spring-rabbitmq endpoints. */
async function routesTopology(): Promise<Required<Topology>> {
  const services = createServices({ config: exampleConfig(), registry: createRegistry(), logger: quiet() });
  const { routes, diagnostics } = await loadAndBuild(services);
  expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  const all: Required<Topology> = { exchanges: [], queues: [], bindings: [] };
  const add = (topology: Topology): void => {
    for (const exchange of topology.exchanges ?? [])
      if (!all.exchanges.some((e) => e.name === exchange.name)) all.exchanges.push(exchange);
    for (const queue of topology.queues ?? [])
      if (!all.queues.some((q) => q.name === queue.name)) all.queues.push(queue);
    all.bindings.push(...(topology.bindings ?? []));
  };
  for (const route of routes) {
    if (route.from.scheme === 'spring-rabbitmq')
      add(consumerTopology(route.from.path, route.from.options as unknown as SpringRabbitOptions));
  }
  // Producers declare only their exchange, with the same type the consumers give it.
  const yaml = readFileSync(path.join(ROOT, 'routes/payments-intake.yaml'), 'utf8');
  expect(yaml).to.contain('spring-rabbitmq:payments');
  add(producerTopology('payments', { exchangeType: 'topic', autoDeclare: true } as SpringRabbitOptions));
  return all;
}

/** `rabbitmqctl import_definitions` with the JSON on stdin (the broker may not see this process's files). */
function importDefinitions(json: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.env.RABBITMQCTL || 'rabbitmqctl',
      ['import_definitions'],
      { timeout: 60_000 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`rabbitmqctl import_definitions failed: ${stderr || error.message}`));
        else resolve();
      },
    );
    child.stdin?.end(json);
  });
}

describe('deployment files', function () {
  this.timeout(60_000);

  it('rabbitmq/definitions.json declares exactly what the router declares for routes/', async function () {
    const expected = await routesTopology();
    const defs = definitions();
    expect(
      defs.exchanges.map((e) => ({ name: e.name, type: e.type, durable: e.durable })),
    ).to.have.deep.members(
      expected.exchanges.map((e) => ({ name: e.name, type: e.type, durable: e.durable ?? true })),
    );
    expect(
      defs.queues.map((q) => ({ name: q.name, durable: q.durable, arguments: q.arguments })),
    ).to.have.deep.members(
      expected.queues.map((q) => {
        const resolved = resolveQueue(q, DEFAULT_QUEUE_DEFAULTS);
        return { name: resolved.name, durable: resolved.durable, arguments: resolved.arguments };
      }),
    );
    expect(
      defs.bindings.map((b) => ({ exchange: b.source, queue: b.destination, routingKey: b.routing_key })),
    ).to.have.deep.members(
      expected.bindings.map((b) => ({
        exchange: b.exchange,
        queue: b.queue,
        routingKey: b.routingKey ?? '',
      })),
    );
  });

  it('docker-compose.yml starts RabbitMQ with its management UI and the router wired to it, health-checked', function () {
    const compose = parseYaml(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
    };
    const { rabbitmq, router } = compose.services;
    expect(String(rabbitmq!.image)).to.match(/^rabbitmq:.*management/);
    expect(rabbitmq!.ports).to.include('15672:15672');
    expect(rabbitmq!.healthcheck).to.have.property('test');
    expect(router!.depends_on).to.deep.equal({ rabbitmq: { condition: 'service_healthy' } });
    const url = new URL(String((router!.environment as Record<string, string>).RABBITMQ_URL));
    expect(url.hostname).to.equal('rabbitmq');
    // The router's credentials are those of the user the definitions create.
    const user = definitions().users.find((u) => u.name === url.username)!;
    expect(user, `user ${url.username} in definitions.json`).to.not.equal(undefined);
    const hash = Buffer.from(user.password_hash, 'base64');
    const salt = hash.subarray(0, 4);
    expect(
      createHash('sha256')
        .update(Buffer.concat([salt, Buffer.from(decodeURIComponent(url.password))]))
        .digest(),
    ).to.deep.equal(hash.subarray(4));
    expect(readFileSync(path.join(ROOT, 'rabbitmq/enabled_plugins'), 'utf8')).to.contain(
      'rabbitmq_management',
    );
    expect(readFileSync(path.join(ROOT, 'rabbitmq/rabbitmq.conf'), 'utf8')).to.match(
      /^load_definitions = \/etc\/rabbitmq\/definitions\.json$/m,
    );
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).to.match(/HEALTHCHECK[\s\S]*\/health\/ready/);
  });

  describe('against the broker', function () {
    const names = () => [...definitions().queues.map((q) => q.name)];

    let imported = false;

    before(async function () {
      await requireBrokerOrSkip(this);
    });

    after(async function () {
      if (!imported) return;
      const amqp = amqpClient('e2e deployment clean-up');
      for (const queue of names()) await amqp.queueDelete({ queue }).catch(() => undefined);
      for (const { name } of definitions().exchanges)
        await amqp.exchangeDelete({ exchange: name }).catch(() => undefined);
      await amqp.close();
    });

    it('a broker booted from the definitions lets the router start on routes/', async function () {
      // Users and permissions stay out: the shared test broker keeps its own.
      const { users, ...topology } = definitions() as Definitions & Record<string, unknown>;
      void users;
      delete topology.permissions;
      imported = true;
      await importDefinitions(JSON.stringify(topology));
      // The import finishes in the background: wait until every queue of the file exists.
      const amqp = amqpClient('e2e deployment check');
      try {
        await eventually(async () => {
          for (const queue of names())
            if (
              !(await amqp.queueDeclare({ queue, passive: true }).then(
                () => true,
                () => false,
              ))
            )
              return false;
          return true;
        }, 'the imported queues');
      } finally {
        await amqp.close();
      }
      const router = await createRouter({
        config: exampleConfig(brokerUrl()),
        registry: createRegistry(),
        logger: quiet(),
      });
      try {
        await router.start({ open: false });
      } finally {
        await router.stop();
      }
    });
  });
});
