import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { Logger } from '../observability/logger.js';
import { ConnectError } from '../errors/index.js';
import type { RouterServices } from '../runtime/services.js';
import { defineState } from '../state/index.js';

/**
 * The egress policy: where the router may connect when a caller or a message chose the address (a run's
 * `callbackUrl`, a `toD` whose scheme or host is computed, a `CamelHttpUri` moving a call to another origin,
 * a redirect to another origin). Constant endpoint URIs written in a route file are the operator's own and
 * are not checked.
 *
 * Addresses are compared as addresses, never as text: the WHATWG URL parser has already turned every
 * numeric spelling of an IPv4 host (`2130706433`, `0177.0.0.1`, `0x7f000001`, `127.1`) into dotted
 * decimal and IPv6 into its canonical form, and `net.BlockList` matches IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) against the IPv4 ranges. A host name is resolved once, every address it resolves
 * to must pass, and the connection is then made to the address that was checked (never resolved again),
 * so a DNS answer that changes between the check and the connect (rebinding) cannot move the call.
 */

/** A range refused unless allow-listed, with the name the router's log gives it. */
export interface RefusedRange {
  cidr: string;
  what: string;
}

/** IANA special-purpose ranges (RFC 6890 and successors): nothing here is a partner on the internet. */
export const REFUSED_RANGES: readonly RefusedRange[] = [
  { cidr: '0.0.0.0/8', what: 'unspecified / this network' },
  { cidr: '10.0.0.0/8', what: 'private' },
  { cidr: '100.64.0.0/10', what: 'carrier-grade NAT' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local (cloud metadata)' },
  { cidr: '172.16.0.0/12', what: 'private' },
  { cidr: '192.0.0.0/24', what: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', what: 'documentation' },
  { cidr: '192.88.99.0/24', what: '6to4 relay' },
  { cidr: '192.168.0.0/16', what: 'private' },
  { cidr: '198.18.0.0/15', what: 'benchmarking' },
  { cidr: '198.51.100.0/24', what: 'documentation' },
  { cidr: '203.0.113.0/24', what: 'documentation' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved / broadcast' },
  // ::/96 holds the unspecified address, loopback and the deprecated IPv4-compatible addresses (::127.0.0.1).
  { cidr: '::/96', what: 'unspecified / loopback / IPv4-compatible' },
  { cidr: '64:ff9b::/96', what: 'NAT64 (embeds an IPv4 address)' },
  { cidr: '64:ff9b:1::/48', what: 'local NAT64' },
  { cidr: '100::/64', what: 'discard' },
  { cidr: '2001::/23', what: 'IETF protocol assignments (Teredo, ORCHID)' },
  { cidr: '2001:db8::/32', what: 'documentation' },
  { cidr: '2002::/16', what: '6to4 (embeds an IPv4 address)' },
  { cidr: '3fff::/20', what: 'documentation' },
  { cidr: 'fc00::/7', what: 'unique local' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: 'fec0::/10', what: 'site-local' },
  { cidr: 'ff00::/8', what: 'multicast' },
];

/** IPv6 outside global unicast (2000::/3) is reserved by IANA; IPv4-mapped addresses are judged as IPv4. */
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');
const IPV4_MAPPED = new BlockList();
IPV4_MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/** Names that mean this machine whatever DNS says (RFC 6761), refused before any lookup. */
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution: every address of a host (tests inject one, so no query leaves the machine). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));

/** Where to connect: the URL as given, and the checked address its host stood for. */
export interface EgressTarget {
  url: URL;
  /** Host name without brackets or trailing dot (Host header and TLS server name). */
  hostname: string;
  address: string;
  family: 4 | 6;
}

export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

/** What the router tells about a call it refused: why, in its log only. */
export interface EgressRefusal {
  /** What asked (`callback`, `toD`, `redirect`, ...). */
  purpose: string;
  host: string;
  address?: string;
  reason: string;
}

export interface EgressPolicyOptions {
  /**
   * Let through despite the ranges: host names (`partner.example`, `*.partner.example` for its subdomains),
   * addresses and CIDRs (`10.20.0.0/16`, `127.0.0.1`, `::1`). From `EGRESS_ALLOW`.
   */
  allow?: readonly string[];
  resolve?: Resolver;
  /** Told of every refusal (the router logs it); the caller learns nothing more than "could not connect". */
  onRefused?: (refusal: EgressRefusal) => void;
}

/**
 * A refusal by the egress policy. For the caller it reads like any failed connection (`CONNECT_FAILED`,
 * "Connection to <host> failed"), so refusals are no oracle of what is inside; the reason is in `reason`
 * (and the router's log). Not retryable: the same address is refused again.
 */
export class EgressRefusedError extends ConnectError {
  constructor(
    host: string,
    readonly reason: string,
  ) {
    super(`Connection to ${host} failed`, { retryable: false });
  }
}

export class EgressPolicy {
  private readonly allowedAddresses = new BlockList();
  private readonly allowedNames = new Set<string>();
  private readonly allowedSuffixes: string[] = [];
  private readonly refused = new BlockList();
  private readonly resolve: Resolver;

  constructor(private readonly options: EgressPolicyOptions = {}) {
    this.resolve = options.resolve ?? systemResolver;
    for (const range of REFUSED_RANGES) addCidr(this.refused, range.cidr);
    for (const entry of options.allow ?? []) this.allowEntry(entry);
  }

  private allowEntry(raw: string): void {
    const entry = raw.trim().toLowerCase();
    if (!entry) return;
    const bare = entry.replace(/[[\]]/g, '');
    if (isIP(bare.split('/')[0]!)) {
      addCidr(this.allowedAddresses, bare);
      return;
    }
    const name = entry.replace(/\.+$/, '');
    if (name.startsWith('*.') && isHostName(name.slice(2))) {
      this.allowedSuffixes.push(name.slice(1));
      return;
    }
    if (!isHostName(name)) {
      throw new Error(`EGRESS_ALLOW: '${raw}' is neither a host name (partner.example, *.partner.example) nor an address or CIDR (10.0.0.0/8, ::1)`);
    }
    this.allowedNames.add(name);
  }

  private nameAllowed(hostname: string): boolean {
    return this.allowedNames.has(hostname) || this.allowedSuffixes.some((suffix) => hostname.endsWith(suffix));
  }

  /** Judges one address in canonical form (as URL or DNS give it). */
  checkAddress(address: string): EgressDecision {
    const family = isIP(address);
    if (family === 0) return { allowed: false, reason: 'not an IP address' };
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowedAddresses.check(address, type)) return { allowed: true };
    if (this.refused.check(address, type)) return { allowed: false, reason: `${rangeOf(address, type)} address` };
    if (type === 'ipv6' && !IPV4_MAPPED.check(address, 'ipv6') && !GLOBAL_UNICAST_V6.check(address, 'ipv6')) {
      return { allowed: false, reason: 'reserved IPv6 address (outside 2000::/3)' };
    }
    return { allowed: true };
  }

  /**
   * Checks what can be checked without a lookup: the scheme, the host's spelling, an address literal and
   * the names of this machine. `needsLookup` is set when the host is a name to resolve.
   */
  precheck(input: URL | string): { allowed: false; host: string; reason: string } | { allowed: true; url: URL; hostname: string; literal?: ResolvedAddress } {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      return { allowed: false, host: '?', reason: 'not an absolute URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { allowed: false, host: url.host, reason: `scheme ${url.protocol} is not http(s)` };
    if (url.username || url.password) return { allowed: false, host: url.host, reason: 'credentials in the URL' };
    const hostname = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
    if (!hostname) return { allowed: false, host: url.host, reason: 'no host' };
    const family = isIP(hostname);
    if (family !== 0) {
      const decision = this.checkAddress(hostname);
      if (!decision.allowed) return { allowed: false, host: hostname, reason: decision.reason };
      return { allowed: true, url, hostname, literal: { address: hostname, family: family === 6 ? 6 : 4 } };
    }
    if (this.nameAllowed(hostname)) return { allowed: true, url, hostname };
    if (LOCAL_NAMES.has(hostname) || hostname.endsWith('.localhost')) return { allowed: false, host: hostname, reason: 'a name of this machine' };
    if (!isHostName(hostname)) return { allowed: false, host: hostname, reason: 'not a host name' };
    return { allowed: true, url, hostname };
  }

  /**
   * The address to connect to for `input`, checked: resolves the host once (all its addresses), refuses
   * when any of them is refused, and returns the first. Throws EgressRefusedError (refused) or ConnectError
   * (the name does not resolve); both read "Connection to <host> failed".
   */
  async target(input: URL | string, purpose: string): Promise<EgressTarget> {
    const checked = this.precheck(input);
    if (!checked.allowed) throw this.refuse(purpose, checked.host, checked.reason);
    const { url, hostname } = checked;
    if (checked.literal) return { url, hostname, ...checked.literal };
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EAI_FAIL';
      throw new ConnectError(`Connection to ${hostname} failed`, { cause: error, details: { code }, retryable: code !== 'ENOTFOUND' });
    }
    if (addresses.length === 0) throw new ConnectError(`Connection to ${hostname} failed`, { details: { code: 'ENOTFOUND' } });
    if (!this.nameAllowed(hostname)) {
      for (const { address } of addresses) {
        const decision = this.checkAddress(address);
        if (!decision.allowed) throw this.refuse(purpose, hostname, `resolves to ${decision.reason}`, address);
      }
    }
    const [first] = addresses as [ResolvedAddress];
    return { url, hostname, address: first.address, family: first.family };
  }

  private refuse(purpose: string, host: string, reason: string, address?: string): EgressRefusedError {
    this.options.onRefused?.({ purpose, host, reason, ...(address ? { address } : {}) });
    return new EgressRefusedError(host, reason);
  }
}

/** The router's egress policy, built from `config.egressAllow` on first use (a test may set one with its own resolver). */
export const EGRESS_POLICY = defineState('egress-policy', { scope: 'router' }, (services: RouterServices) => createEgressPolicy(services));

/** The router's egress policy. */
export function egressPolicy(services: RouterServices): EgressPolicy {
  return EGRESS_POLICY.of(services);
}

/**
 * A policy for a router: its allow-list from `config.egressAllow`, refusals logged as warnings
 * (`egress refused`, with host, address and reason). `resolve` replaces the system resolver (tests).
 */
export function createEgressPolicy(services: Pick<RouterServices, 'config' | 'logger'>, options: { resolve?: Resolver } = {}): EgressPolicy {
  const logger: Logger = services.logger.child({ component: 'egress' });
  return new EgressPolicy({
    allow: services.config.egressAllow ?? [],
    ...(options.resolve ? { resolve: options.resolve } : {}),
    onRefused: (refusal) => logger.warn('egress refused', { ...refusal }),
  });
}

function addCidr(list: BlockList, cidr: string): void {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIP(address);
  if (family === 0) throw new Error(`'${cidr}' is not an address or CIDR`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(cidr.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`'${cidr}' has no valid prefix length`);
  list.addSubnet(address, prefix, type);
}

function rangeOf(address: string, type: 'ipv4' | 'ipv6'): string {
  for (const range of REFUSED_RANGES) {
    const single = new BlockList();
    addCidr(single, range.cidr);
    if (single.check(address, type)) return range.what;
  }
  return 'refused';
}

/** Letters, digits, hyphens and underscores in dot-separated labels (what DNS and /etc/hosts hold). */
function isHostName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(name);
}
