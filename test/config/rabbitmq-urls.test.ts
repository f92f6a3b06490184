/** RABBITMQ_URL / RABBITMQ_URLS as one URL or a cluster's list, and RABBITMQ_QUORUM_GROUP_SIZE. */
import { expect } from 'chai';
import { defaultConfig } from '../../src/config.js';
import { parseQuorumGroupSize, parseRabbitMqUrls } from '../../src/config/rabbitmq-urls.js';
import { ServicePipesError } from '../../src/errors/index.js';

function refusal(run: () => unknown): ServicePipesError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ServicePipesError);
    expect((error as ServicePipesError).code).to.equal('INVALID_CONFIG');
    return error as ServicePipesError;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('RabbitMQ URLs in the configuration', () => {
  it('takes one URL as before', () => {
    const parsed = parseRabbitMqUrls('amqp://guest:guest@127.0.0.1:5672');
    expect(parsed.hosts).to.deep.equal(['127.0.0.1:5672']);
    expect(parsed.url).to.equal('amqp://guest:guest@127.0.0.1:5672');
  });

  it('takes a list separated by commas or spaces, in order, default ports by protocol', () => {
    const parsed = parseRabbitMqUrls(
      'amqp://u:p@rabbit-1:5672/pay, amqp://u:p@rabbit-2/pay amqp://u:p@rabbit-3:5673/pay',
    );
    expect(parsed.hosts).to.deep.equal(['rabbit-1:5672', 'rabbit-2:5672', 'rabbit-3:5673']);
    expect(parsed.url).to.equal('amqp://u:p@rabbit-1:5672/pay');
    expect(parsed.shown).to.deep.equal([
      'amqp://u:***@rabbit-1:5672/pay',
      'amqp://u:***@rabbit-2/pay',
      'amqp://u:***@rabbit-3:5673/pay',
    ]);
    expect(parseRabbitMqUrls('amqps://u:p@a,amqps://u:p@b').hosts).to.deep.equal(['a:5671', 'b:5671']);
  });

  it('refuses a list whose nodes would need other credentials, vhost or protocol, without showing the password', () => {
    const password = refusal(() => parseRabbitMqUrls('amqp://u:secret@a,amqp://u:hunter2@b'));
    expect(password.message).to.match(/entry 2 .* another password/);
    expect(password.message).not.to.include('secret');
    expect(password.message).not.to.include('hunter2');
    expect(refusal(() => parseRabbitMqUrls('amqp://u:p@a/x,amqp://u:p@b/y')).message).to.match(
      /another vhost/,
    );
    expect(refusal(() => parseRabbitMqUrls('amqp://u:p@a,amqps://u:p@b')).message).to.match(
      /another protocol/,
    );
    expect(refusal(() => parseRabbitMqUrls('amqp://u:p@a,amqp://v:p@b')).message).to.match(/another user/);
    expect(refusal(() => parseRabbitMqUrls('amqp://a?heartbeat=5,amqp://b')).message).to.match(
      /another query options/,
    );
  });

  it('refuses entries that are not AMQP URLs, naming the entry', () => {
    expect(refusal(() => parseRabbitMqUrls('amqp://a,rabbit-2:5672')).message).to.match(
      /entry 2 .*amqp:\/\//,
    );
    expect(refusal(() => parseRabbitMqUrls('amqp://a,http://b')).message).to.match(
      /entry 2 .*must start with amqp/,
    );
    expect(refusal(() => parseRabbitMqUrls(' , ')).message).to.match(/empty/);
  });

  it('reads RABBITMQ_URLS or a list in RABBITMQ_URL; both set to different lists is refused', () => {
    expect(defaultConfig({ RABBITMQ_URLS: 'amqp://a,amqp://b' }).rabbitmqUrl).to.equal('amqp://a,amqp://b');
    expect(defaultConfig({ RABBITMQ_URL: 'amqp://a,amqp://b' }).rabbitmqUrl).to.equal('amqp://a,amqp://b');
    expect(defaultConfig({ RABBITMQ_URL: 'amqp://a', RABBITMQ_URLS: 'amqp://a' }).rabbitmqUrl).to.equal(
      'amqp://a',
    );
    expect(
      refusal(() => defaultConfig({ RABBITMQ_URL: 'amqp://a', RABBITMQ_URLS: 'amqp://b' })).message,
    ).to.match(/both set/);
    expect(refusal(() => defaultConfig({ RABBITMQ_URLS: 'amqp://a,nonsense' })).message).to.match(
      /RABBITMQ_URLS entry 2/,
    );
    expect(defaultConfig({}).rabbitmqUrl).to.equal(undefined);
  });

  it('reads RABBITMQ_QUORUM_GROUP_SIZE as a replica count', () => {
    expect(defaultConfig({ RABBITMQ_QUORUM_GROUP_SIZE: '3' }).quorumGroupSize).to.equal(3);
    expect(defaultConfig({}).quorumGroupSize).to.equal(undefined);
    expect(parseQuorumGroupSize('')).to.equal(undefined);
    for (const bad of ['0', '-1', '2.5', 'three', '256']) {
      expect(refusal(() => parseQuorumGroupSize(bad)).message).to.match(/RABBITMQ_QUORUM_GROUP_SIZE/);
    }
  });
});
