/**
 * The cluster deployment files agree with each other: docker-compose.cluster.yml runs three RabbitMQ nodes
 * named as rabbitmq/cluster/rabbitmq.conf's classic peer discovery lists them, sharing one Erlang cookie,
 * each with its management UI and a health check; two routers are given every node (in different orders),
 * quorum queues of three and Redis, with the credentials of the user the cluster's definitions create.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseQuorumGroupSize, parseRabbitMqUrls } from '../../src/config/rabbitmq-urls.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  hostname?: string;
  entrypoint?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}

const compose = (): { services: Record<string, Service> } =>
  parseYaml(read('docker-compose.cluster.yml'), { merge: true }) as { services: Record<string, Service> };

describe('cluster deployment files', () => {
  const conf = read('rabbitmq/cluster/rabbitmq.conf');
  const setting = (key: string): string[] =>
    [...conf.matchAll(new RegExp(`^${key.replace(/\./g, '\\.')} = (.+)$`, 'gm'))].map((match) => match[1]!.trim());

  it('three RabbitMQ nodes with the management UI, named as the classic peer discovery lists them', () => {
    const { services } = compose();
    const nodes = Object.entries(services).filter(([, service]) => String(service.image).startsWith('rabbitmq:'));
    expect(nodes.map(([name]) => name)).to.deep.equal(['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3']);
    expect(setting('cluster_formation.peer_discovery_backend')).to.deep.equal(['classic_config']);
    const listed = [1, 2, 3].flatMap((i) => setting(`cluster_formation.classic_config.nodes.${i}`));
    expect(listed).to.deep.equal(nodes.map(([, service]) => `rabbit@${service.hostname}`));
    expect(setting('cluster_partition_handling')).to.deep.equal(['pause_minority']);
    expect(setting('load_definitions')).to.deep.equal(['/etc/rabbitmq/definitions.json']);
    expect(read('rabbitmq/cluster/enabled_plugins')).to.contain('rabbitmq_management');
    const managementPorts = new Set<string>();
    for (const [name, service] of nodes) {
      expect(String(service.image), name).to.match(/management/);
      expect(service.healthcheck?.test, name).to.include('rabbitmq-diagnostics');
      const mounts = (service.volumes ?? []).map((volume) => volume.split(':').slice(0, 2).join(':'));
      expect(mounts, name).to.include.members([
        './rabbitmq/cluster/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf',
        './rabbitmq/cluster/enabled_plugins:/etc/rabbitmq/enabled_plugins',
        './rabbitmq/cluster/definitions.json:/etc/rabbitmq/definitions.json',
        './rabbitmq/cluster/erlang.cookie:/run/rabbitmq-cluster/erlang.cookie',
      ]);
      // A data volume of its own: the node keeps its replicas and its identity across restarts.
      expect(mounts.filter((mount) => mount.endsWith(':/var/lib/rabbitmq')), name).to.have.length(1);
      // The shared cookie becomes the server's own file, mode 400, before the server starts.
      expect(service.entrypoint?.join(' '), name).to.match(
        /install -m 0400 -o rabbitmq -g rabbitmq \/run\/rabbitmq-cluster\/erlang\.cookie \/var\/lib\/rabbitmq\/\.erlang\.cookie.*docker-entrypoint\.sh rabbitmq-server/,
      );
      const management = (service.ports ?? []).find((port) => port.endsWith(':15672'));
      expect(management, `${name} publishes its management UI`).to.not.equal(undefined);
      managementPorts.add(management!);
    }
    expect(managementPorts.size).to.equal(3);
    // The nodes that join wait for the one that forms the cluster.
    expect(services['rabbitmq-2']!.depends_on).to.deep.equal({ 'rabbitmq-1': { condition: 'service_healthy' } });
    expect(services['rabbitmq-3']!.depends_on).to.deep.equal({ 'rabbitmq-1': { condition: 'service_healthy' } });
    expect(read('rabbitmq/cluster/erlang.cookie').trim()).to.match(/^[A-Za-z0-9]{20,255}$/);
  });

  it('two routers given every node in different orders, quorum queues of three, Redis, the definitions user', () => {
    const { services } = compose();
    const routers = Object.entries(services).filter(([, service]) => service.build !== undefined);
    expect(routers.map(([name]) => name)).to.deep.equal(['router-1', 'router-2']);
    const nodeHosts = ['rabbitmq-1:5672', 'rabbitmq-2:5672', 'rabbitmq-3:5672'];
    const firsts = new Set<string>();
    const definitions = JSON.parse(read('rabbitmq/cluster/definitions.json')) as {
      users: { name: string; password_hash: string }[];
      queues: unknown[];
    };
    // The routers declare their queues (with the group size); queues in the definitions would differ.
    expect(definitions.queues).to.deep.equal([]);
    for (const [name, router] of routers) {
      const env = router.environment!;
      const addresses = parseRabbitMqUrls(env.RABBITMQ_URL!);
      expect(addresses.hosts, name).to.have.members(nodeHosts);
      firsts.add(addresses.hosts[0]!);
      expect(parseQuorumGroupSize(env.RABBITMQ_QUORUM_GROUP_SIZE), name).to.equal(3);
      expect(new URL(env.REDIS_URL!).hostname, name).to.equal('redis');
      expect(Object.keys(router.depends_on ?? {}), name).to.have.members(['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3', 'redis']);
      for (const dependency of Object.values(router.depends_on ?? {})) expect(dependency.condition).to.equal('service_healthy');
      const url = new URL(addresses.url);
      const user = definitions.users.find((candidate) => candidate.name === url.username);
      expect(user, `user ${url.username} in rabbitmq/cluster/definitions.json`).to.not.equal(undefined);
      const hash = Buffer.from(user!.password_hash, 'base64');
      expect(
        createHash('sha256')
          .update(Buffer.concat([hash.subarray(0, 4), Buffer.from(decodeURIComponent(url.password))]))
          .digest(),
      ).to.deep.equal(hash.subarray(4));
    }
    expect(firsts.size, 'the routers start on different nodes').to.equal(2);
    expect(services.redis!.healthcheck?.test).to.include('redis-cli');
  });
});
