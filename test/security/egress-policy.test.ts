/**
 * The egress policy on its own: every spelling of a refused address is refused before any lookup or
 * connection; names are resolved once through an injected resolver (no DNS query, no packet leaves this
 * machine); the allow-list lets operators through; refusals read like any failed connection.
 */
import http from 'node:http';
import net from 'node:net';
import { sendUnpooled } from '../../src/components/http/http-client.js';
import { expect } from 'chai';
import fc from 'fast-check';
import { EgressPolicy, EgressRefusedError, type ResolvedAddress } from '../../src/security/egress-policy.js';
import { ConnectError } from '../../src/errors/index.js';
import { watchSockets } from './egress-sockets.js';

/** A resolver that answers from a table and records what it was asked. */
function fakeResolver(table: Record<string, string[]>): { resolve: (host: string) => Promise<ResolvedAddress[]>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: (host) => {
      asked.push(host);
      const addresses = table[host];
      if (!addresses) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
      return Promise.resolve(addresses.map((address) => ({ address, family: net.isIP(address) === 6 ? (6 as const) : (4 as const) })));
    },
  };
}

/** Refused however written: the URL parser normalises the spelling, the policy judges the address. */
const REFUSED_URLS: [string, string][] = [
  ['http://127.0.0.1:6379/', 'loopback'],
  ['http://127.255.255.254/', 'loopback'],
  ['http://2130706433/', 'loopback, decimal'],
  ['http://0177.0.0.1/', 'loopback, octal'],
  ['http://0x7f000001/', 'loopback, hex'],
  ['http://0x7f.0.0.1/', 'loopback, hex first part'],
  ['http://127.1/', 'loopback, short'],
  ['http://%31%32%37.0.0.1/', 'loopback, percent-encoded'],
  ['http://[::1]/', 'IPv6 loopback'],
  ['http://[0:0:0:0:0:0:0:1]:15672/', 'IPv6 loopback, long'],
  ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped loopback'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped loopback, hex'],
  ['http://[::127.0.0.1]/', 'IPv4-compatible loopback'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://0/', 'unspecified, short'],
  ['http://[::]/', 'IPv6 unspecified'],
  ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
  ['http://[::ffff:169.254.169.254]/', 'cloud metadata, mapped'],
  ['http://2852039166/', 'cloud metadata, decimal'],
  ['http://[fe80::1]/', 'IPv6 link-local'],
  ['http://10.0.0.1/', 'private 10/8'],
  ['http://012.0.0.1/', 'private 10/8, octal'],
  ['http://172.16.0.1/', 'private 172.16/12'],
  ['http://172.31.255.255/', 'private 172.16/12, top'],
  ['http://192.168.1.1/', 'private 192.168/16'],
  ['http://[::ffff:192.168.1.1]/', 'private, mapped'],
  ['http://100.64.0.1/', 'CGNAT'],
  ['http://100.127.255.255/', 'CGNAT, top'],
  ['http://[fc00::1]/', 'ULA fc'],
  ['http://[fd12:3456::1]/', 'ULA fd'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://[ff02::1]/', 'IPv6 multicast'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://192.0.2.10/', 'documentation TEST-NET-1'],
  ['http://198.51.100.10/', 'documentation TEST-NET-2'],
  ['http://203.0.113.10/', 'documentation TEST-NET-3'],
  ['http://[2001:db8::1]/', 'IPv6 documentation'],
  ['http://198.18.0.1/', 'benchmarking'],
  ['http://[64:ff9b::7f00:1]/', 'NAT64 of loopback'],
  ['http://[2002:7f00:1::]/', '6to4 of loopback'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'Teredo'],
  ['http://[100::1]/', 'discard'],
  ['http://[fec0::1]/', 'site-local'],
  ['http://[4000::1]/', 'IPv6 outside global unicast'],
  ['http://localhost:8080/', 'localhost'],
  ['http://LOCALHOST/', 'localhost, upper case'],
  ['http://localhost./', 'localhost, trailing dot'],
  ['http://localhost../', 'localhost, two trailing dots'],
  ['http://api.localhost/', '*.localhost'],
  ['http://ip6-localhost/', 'ip6-localhost'],
  ['ftp://partner.example/', 'not http(s)'],
  ['file:///etc/passwd', 'file scheme'],
  ['http://user:pw@partner.example/', 'credentials in the URL'],
  ['not a url', 'not a URL'],
];

/** Public addresses (never connected to: the policy only judges them). */
const ALLOWED_ADDRESSES = ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '2606:4700:4700::1111', '::ffff:8.8.8.8'];

describe('security: egress policy', () => {
  describe('refuses every spelling of a refused address before any lookup', () => {
    for (const [url, what] of REFUSED_URLS) {
      it(`${what}: ${url}`, async () => {
        const resolver = fakeResolver({});
        const policy = new EgressPolicy({ resolve: resolver.resolve });
        const sockets = watchSockets();
        try {
          const error = await policy.target(url, 'test').then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error, url).to.be.instanceOf(EgressRefusedError);
        } finally {
          sockets.stop();
        }
        expect(resolver.asked, 'no lookup').to.deep.equal([]);
        expect(sockets.opened, 'no socket').to.deep.equal([]);
      });
    }
  });

  it('lets public addresses through (judged only, never connected to)', () => {
    const policy = new EgressPolicy();
    for (const address of ALLOWED_ADDRESSES) expect(policy.checkAddress(address), address).to.deep.equal({ allowed: true });
  });

  it('refuses a name when ANY address it resolves to is refused, and pins the checked address', async () => {
    const resolver = fakeResolver({
      'partner.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      'rebind.example': ['93.184.215.14', '10.0.0.5'],
      'metadata.example': ['169.254.169.254'],
      'mapped.example': ['::ffff:127.0.0.1'],
      '127.0.0.1.nip.example': ['127.0.0.1'],
    });
    const policy = new EgressPolicy({ resolve: resolver.resolve });
    const target = await policy.target('https://partner.example./pay', 'test');
    expect(target).to.include({ hostname: 'partner.example', address: '93.184.215.14', family: 4 });
    for (const host of ['rebind.example', 'metadata.example', 'mapped.example', '127.0.0.1.nip.example']) {
      const error = await policy.target(`http://${host}/x`, 'test').catch((caught: unknown) => caught);
      expect(error, host).to.be.instanceOf(EgressRefusedError);
    }
    // Resolved once per target, never again.
    expect(resolver.asked.filter((host) => host === 'partner.example')).to.have.length(1);
  });

  it('gives no oracle: a refused host and one that does not resolve fail with the same public code and wording', async () => {
    const refusals: unknown[] = [];
    const policy = new EgressPolicy({ resolve: fakeResolver({ 'inside.example': ['10.1.2.3'] }).resolve, onRefused: (r) => refusals.push(r) });
    const refused = (await policy.target('http://inside.example/', 'callback').catch((e: unknown) => e)) as ConnectError;
    const missing = (await policy.target('http://nowhere.example/', 'callback').catch((e: unknown) => e)) as ConnectError;
    expect(refused).to.be.instanceOf(ConnectError);
    expect(missing).to.be.instanceOf(ConnectError);
    expect(refused.code).to.equal(missing.code);
    expect(refused.message).to.equal('Connection to inside.example failed');
    expect(missing.message).to.equal('Connection to nowhere.example failed');
    // The reason is for the router's log only.
    expect(refusals).to.deep.equal([{ purpose: 'callback', host: 'inside.example', address: '10.1.2.3', reason: 'resolves to private address' }]);
  });

  it('allow-lists addresses, CIDRs and host names from configuration', async () => {
    const resolver = fakeResolver({ 'partner.internal': ['10.9.0.7'], 'api.corp.example': ['10.9.0.8'], 'other.example': ['10.9.1.1'], 'corp.example.evil': ['10.9.0.9'] });
    const policy = new EgressPolicy({ allow: ['127.0.0.1', '::1', '10.20.0.0/16', 'partner.internal', '*.corp.example'], resolve: resolver.resolve });
    expect(await policy.target('http://127.0.0.1:9/', 't')).to.include({ address: '127.0.0.1' });
    expect(await policy.target('http://[::1]:9/', 't')).to.include({ address: '::1', family: 6 });
    expect(await policy.target('http://[::ffff:127.0.0.1]:9/', 't')).to.include({ address: '::ffff:7f00:1' });
    expect(await policy.target('http://10.20.3.4/', 't')).to.include({ address: '10.20.3.4' });
    expect(await policy.target('http://partner.internal/', 't')).to.include({ address: '10.9.0.7' });
    expect(await policy.target('http://api.corp.example/', 't')).to.include({ address: '10.9.0.8' });
    // Not allow-listed: still refused.
    for (const url of ['http://127.0.0.2/', 'http://10.21.0.1/', 'http://other.example/', 'http://corp.example.evil/', 'http://localhost/']) {
      expect(await policy.target(url, 't').catch((e: unknown) => e), url).to.be.instanceOf(EgressRefusedError);
    }
    expect(() => new EgressPolicy({ allow: ['not a host!'] })).to.throw(/EGRESS_ALLOW/);
    expect(() => new EgressPolicy({ allow: ['10.0.0.0/99'] })).to.throw(/prefix/);
  });

  it('connects to the checked address (IPv4 and IPv6 loopback, allow-listed), keeping the name in Host', async () => {
    const servers: http.Server[] = [];
    const seen: { host?: string; local?: string }[] = [];
    const listen = (address: string): Promise<number> =>
      new Promise((resolve) => {
        const server = http.createServer((request, response) => {
          seen.push({ host: request.headers.host, local: request.socket.localAddress });
          response.end('ok');
        });
        servers.push(server);
        server.listen(0, address, () => resolve((server.address() as net.AddressInfo).port));
      });
    const [v4, v6] = [await listen('127.0.0.1'), await listen('::1')];
    // A name that would resolve elsewhere the second time: the call uses the first, checked answer.
    let answers = 0;
    const policy = new EgressPolicy({
      allow: ['127.0.0.1', '::1'],
      resolve: (host) => {
        answers++;
        if (host === 'four.example') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
        return Promise.resolve([{ address: '::1', family: 6 }]);
      },
    });
    const sockets = watchSockets();
    try {
      for (const [name, port] of [['four.example', v4], ['six.example', v6]] as const) {
        const target = await policy.target(`http://${name}:${port}/hello`, 'test');
        const answer = await sendUnpooled({
          url: target.url,
          method: 'GET',
          headers: {},
          connectTimeoutMs: 2000,
          responseTimeoutMs: 2000,
          displayUrl: 'test',
          connectTo: { address: target.address, family: target.family },
        });
        expect(answer.body.toString()).to.equal('ok');
      }
    } finally {
      sockets.stop();
      for (const server of servers) server.close();
    }
    expect(answers).to.equal(2);
    expect(seen).to.deep.equal([
      { host: `four.example:${v4}`, local: '127.0.0.1' },
      { host: `six.example:${v6}`, local: '::1' },
    ]);
    expect(sockets.opened).to.deep.equal([`127.0.0.1:${v4}`, `::1:${v6}`]);
  });

  describe('property: any address of a refused range, in any spelling', () => {
    const v4 = (base: number[], bits: number) =>
      fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => ((((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) >>> 0) + offset) >>> 0);
    const refusedV4 = fc.oneof(
      v4([127, 0, 0, 0], 8),
      v4([10, 0, 0, 0], 8),
      v4([172, 16, 0, 0], 12),
      v4([192, 168, 0, 0], 16),
      v4([169, 254, 0, 0], 16),
      v4([100, 64, 0, 0], 10),
      v4([0, 0, 0, 0], 8),
      v4([224, 0, 0, 0], 4),
      v4([240, 0, 0, 0], 4),
    );
    const octets = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const spellings: ((n: number) => string)[] = [
      (n) => octets(n).join('.'),
      (n) => String(n),
      (n) => `0x${n.toString(16)}`,
      (n) => octets(n).map((o) => `0${o.toString(8)}`).join('.'),
      (n) => octets(n).map((o) => `0x${o.toString(16)}`).join('.'),
      (n) => `${octets(n)[0]}.${n & 0xffffff}`,
      (n) => `${octets(n)[0]}.${octets(n)[1]}.${n & 0xffff}`,
      (n) => `[::ffff:${octets(n).join('.')}]`,
      (n) => `${octets(n).join('.')}.`,
    ];

    it('is refused with no lookup and no socket', async () => {
      const resolver = fakeResolver({});
      const policy = new EgressPolicy({ resolve: resolver.resolve });
      const sockets = watchSockets();
      try {
        await fc.assert(
          fc.asyncProperty(refusedV4, fc.integer({ min: 0, max: spellings.length - 1 }), fc.constantFrom('http', 'https'), async (n, spelling, scheme) => {
            const url = `${scheme}://${spellings[spelling]!(n)}:8080/x`;
            const error = await policy.target(url, 'property').catch((caught: unknown) => caught);
            expect(error, url).to.be.instanceOf(EgressRefusedError);
          }),
          { numRuns: 500 },
        );
      } finally {
        sockets.stop();
      }
      expect(resolver.asked).to.deep.equal([]);
      expect(sockets.opened).to.deep.equal([]);
    });

    it('refuses every address of fc00::/7, fe80::/10 and ff00::/8', () => {
      const policy = new EgressPolicy();
      const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
      const v6 = fc.tuple(fc.constantFrom(0xfc00, 0xfd00, 0xfe80, 0xfebf, 0xff02), fc.array(group, { minLength: 7, maxLength: 7 }));
      fc.assert(
        fc.property(v6, ([head, rest]) => {
          const first = head === 0xfe80 || head === 0xfebf ? head : head | (Number.parseInt(rest[0]!, 16) & 0xff);
          const address = [first.toString(16), ...rest].join(':');
          expect(policy.checkAddress(address).allowed, address).to.equal(false);
        }),
        { numRuns: 300 },
      );
    });
  });
});
