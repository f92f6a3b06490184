import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import type { JSONWebKeySet, JWSAlgorithm } from 'jose';
import type { LoadDiagnostic, SourceLocation } from '../dsl/model.js';
import { didYouMean } from '../runtime/did-you-mean.js';
import { compileGrant, isParsedPermission, parsePermission } from './permissions.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * The RBAC file (`rbac.yaml`, path from `RBAC_FILE`): who the callers are (API-key principals, JWT
 * settings, anonymous roles) and what each role may do (permissions). See docs/security.md for the format.
 * Parsing never throws: every problem becomes a LoadDiagnostic with file:line:col and the YAML path.
 */

export interface RbacRole {
  name: string;
  description?: string;
  /** Grants as written (`route:payments-*`, `flow:kyc-check`, `admin:*`, `*`). */
  permissions: string[];
  /** Location of each permission, same order, for reference checks. */
  permissionLocs: SourceLocation[];
  loc: SourceLocation;
}

export interface ApiKeySource {
  /** SHA-256 of the key. Never the key itself. */
  sha256: SecretBytes;
  /** `file`: apiKeySha256; `env`: read from apiKeyEnv; `default`: apiKeyEnv unset, the file's hash is used. */
  origin: 'file' | 'env' | 'default';
  env?: string;
}

export interface RbacPrincipal {
  /** Appears in audit lines; for AMQP entries it is matched against the message's `user_id`. */
  id: string;
  description?: string;
  roles: string[];
  apiKey?: ApiKeySource;
  loc: SourceLocation;
}

export type JwtKeySource =
  | { kind: 'secret'; secret: SecretBytes }
  | { kind: 'jwks-file'; file: string; jwks: JSONWebKeySet }
  | { kind: 'jwks-url'; url: URL };

export interface JwtSettings {
  key: JwtKeySource;
  issuer: string[];
  audience: string[];
  algorithms: JWSAlgorithm[];
  /** Dot path to the roles claim (`roles`, `realm_access.roles`); a claim whose own name has dots wins. */
  rolesClaim: string;
  /** Claim that names the caller in audit lines. */
  principalClaim: string;
  /** Allowed clock skew for exp / nbf / iat. */
  clockToleranceSeconds: number;
  loc: SourceLocation;
}

export interface RbacFile {
  file: string;
  roles: Map<string, RbacRole>;
  principals: RbacPrincipal[];
  jwt?: JwtSettings;
  /** Roles of callers that present no credentials at all. Empty by default: no credentials, no access. */
  anonymousRoles: string[];
  /** Whether health and metrics answer without credentials (both default true, for probes and scrapers). */
  open: { health: boolean; metrics: boolean };
  amqp: { requireUserId: boolean };
}

export interface RbacParseOptions {
  /** Where `apiKeyEnv` / `secretEnv` are read. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RbacParseResult {
  /** Undefined when the file has errors. */
  rbac?: RbacFile;
  diagnostics: LoadDiagnostic[];
}

export const SYMMETRIC_ALGORITHMS: readonly JWSAlgorithm[] = ['HS256', 'HS384', 'HS512'];
export const ASYMMETRIC_ALGORITHMS: readonly JWSAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
/** RFC 7518 §3.2: an HMAC key at least as long as the hash output. */
const MIN_SECRET_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };
const MIN_API_KEY_LENGTH = 16;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

const TOP_KEYS = ['version', 'roles', 'principals', 'jwt', 'anonymous', 'open', 'amqp'];
const ROLE_KEYS = ['description', 'permissions'];
const PRINCIPAL_KEYS = ['id', 'description', 'roles', 'apiKeySha256', 'apiKeyEnv'];
const JWT_KEYS = [
  'secret',
  'secretEnv',
  'jwksFile',
  'jwksUrl',
  'issuer',
  'audience',
  'algorithms',
  'rolesClaim',
  'principalClaim',
  'clockToleranceSeconds',
];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@\-/]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The file that grants nothing: what the router enforces when it runs without an RBAC file (deny by
 * default). Probes stay open, as in any file that does not close them.
 */
export function denyAllRbac(file = '(no RBAC file)'): RbacFile {
  return {
    file,
    roles: new Map(),
    principals: [],
    anonymousRoles: [],
    open: { health: true, metrics: true },
    amqp: { requireUserId: false },
  };
}

/** Reads and parses an RBAC file; a missing or unreadable file is a diagnostic too. */
export function loadRbacFile(file: string, options: RbacParseOptions = {}): RbacParseResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `Cannot read the RBAC file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          loc: { file, line: 1, col: 1, path: '' },
          hint: 'Set RBAC_FILE to the path of your rbac.yaml (see docs/security.md).',
        },
      ],
    };
  }
  return parseRbacFile(text, file, options);
}

export function parseRbacFile(text: string, file: string, options: RbacParseOptions = {}): RbacParseResult {
  const reader = new Reader(text, file, options.env ?? process.env);
  const rbac = reader.read();
  const failed = reader.diagnostics.some((d) => d.severity === 'error');
  return { rbac: failed ? undefined : rbac, diagnostics: reader.diagnostics };
}

/** Walks the YAML tree with locations; each `read*` reports what it cannot accept and returns undefined. */
class Reader {
  readonly diagnostics: LoadDiagnostic[] = [];
  private readonly lines = new LineCounter();
  private readonly doc;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: false });
  }

  read(): RbacFile {
    const rbac: RbacFile = {
      file: this.file,
      roles: new Map(),
      principals: [],
      anonymousRoles: [],
      open: { health: true, metrics: true },
      amqp: { requireUserId: false },
    };
    for (const error of this.doc.errors) {
      const { line, col } = this.lines.linePos(error.pos[0]);
      this.error(error.message.split(/ at line \d+/)[0]!, { file: this.file, line, col, path: '' });
    }
    if (this.doc.errors.length > 0) return rbac;
    const root = this.doc.contents;
    if (!root || (isScalar(root) && (root.value === null || root.value === ''))) {
      this.error('The RBAC file is empty', this.at(undefined, ''), {
        hint: 'An empty file would deny everything; write at least the roles and principals (docs/security.md).',
      });
      return rbac;
    }
    const top = this.map(root, '', TOP_KEYS);
    if (!top) return rbac;

    const version = top.get('version');
    if (version && this.scalar(version.value) !== 1 && this.scalar(version.value) !== '1') {
      this.error('Unsupported RBAC file version', this.at(version.value, 'version'), {
        expected: 'version: 1',
      });
    }
    if (top.has('roles')) this.readRoles(top.get('roles')!.value, rbac);
    else
      this.error("The RBAC file has no 'roles'", this.at(root, ''), {
        snippet: 'roles:\n  payments-writer:\n    permissions: [route:payments-*]',
      });
    if (top.has('principals')) this.readPrincipals(top.get('principals')!.value, rbac);
    if (top.has('jwt')) rbac.jwt = this.readJwt(top.get('jwt')!.value);
    if (top.has('anonymous')) rbac.anonymousRoles = this.readAnonymous(top.get('anonymous')!.value, rbac);
    if (top.has('open')) {
      const open = this.map(top.get('open')!.value, 'open', ['health', 'metrics']);
      for (const key of ['health', 'metrics'] as const) {
        const entry = open?.get(key);
        if (entry) rbac.open[key] = this.bool(entry.value, `open.${key}`) ?? true;
      }
    }
    if (top.has('amqp')) {
      const amqp = this.map(top.get('amqp')!.value, 'amqp', ['requireUserId']);
      const entry = amqp?.get('requireUserId');
      if (entry) rbac.amqp.requireUserId = this.bool(entry.value, 'amqp.requireUserId') ?? false;
    }
    this.checkDuplicateKeys(rbac);
    return rbac;
  }

  private readRoles(node: unknown, rbac: RbacFile): void {
    const roles = this.map(node, 'roles', undefined);
    if (!roles) return;
    for (const [name, pair] of roles) {
      const where = `roles.${name}`;
      const keyLoc = this.at(pair.key, where);
      if (!NAME.test(name))
        this.error(`Role name '${name}' is not usable`, keyLoc, {
          expected: 'letters, digits, and . _ - : @ /',
        });
      const role: RbacRole = { name, permissions: [], permissionLocs: [], loc: keyLoc };
      let list: YamlNode | null = pair.value as YamlNode | null;
      // `role: [perm, ...]` is the short form of `role: {permissions: [perm, ...]}`.
      if (isMap(list)) {
        const fields = this.map(list, where, ROLE_KEYS);
        role.description = fields?.get('description')
          ? this.string(fields.get('description')!.value, `${where}.description`)
          : undefined;
        list = (fields?.get('permissions')?.value as YamlNode | null | undefined) ?? null;
        if (!fields?.has('permissions')) {
          this.error(`Role '${name}' has no permissions`, keyLoc, {
            snippet: `${name}:\n  permissions: [route:my-route]`,
          });
        }
      }
      const permissions = this.seq(list, `${where}.permissions`);
      permissions?.forEach((item, index) => {
        const itemPath = `${where}.permissions[${index}]`;
        const text = this.string(item, itemPath);
        if (text === undefined) return;
        const parsed = parsePermission(text);
        if (!isParsedPermission(parsed)) {
          this.error(parsed.problem, this.at(item, itemPath), {
            expected: 'route:<route id>, flow:<flow name>, admin:<area>, or *',
            suggestions: didYouMean(text.split(':')[0] ?? text, ['route', 'flow', 'admin']).map(
              (kind) => `${kind}:${text.split(':').slice(1).join(':')}`,
            ),
          });
          return;
        }
        role.permissions.push(text);
        role.permissionLocs.push(this.at(item, itemPath));
      });
      rbac.roles.set(name, role);
    }
  }

  private readPrincipals(node: unknown, rbac: RbacFile): void {
    const items = this.seq(node, 'principals');
    if (!items) return;
    const ids = new Map<string, SourceLocation>();
    items.forEach((item, index) => {
      const where = `principals[${index}]`;
      const fields = this.map(item, where, PRINCIPAL_KEYS);
      if (!fields) return;
      const idPair = fields.get('id');
      const id = idPair ? this.string(idPair.value, `${where}.id`) : undefined;
      if (!idPair)
        this.error('A principal needs an id', this.at(item, where), {
          snippet: '- id: ledger-service\n  roles: [payments-writer]\n  apiKeyEnv: LEDGER_API_KEY',
        });
      if (id === undefined) return;
      const loc = this.at(idPair!.value, `${where}.id`);
      if (!NAME.test(id))
        this.error(`Principal id '${id}' is not usable`, loc, {
          expected: 'letters, digits, and . _ - : @ /',
        });
      const previous = ids.get(id);
      if (previous) this.error(`Principal '${id}' is declared twice (first at line ${previous.line})`, loc);
      ids.set(id, loc);
      const roles = this.roleList(fields.get('roles'), `${where}.roles`, rbac) ?? [];
      if (!fields.has('roles'))
        this.warning(`Principal '${id}' has no roles: it can authenticate but is allowed nothing`, loc);
      const principal: RbacPrincipal = { id, roles, loc };
      const description = fields.get('description');
      if (description) principal.description = this.string(description.value, `${where}.description`);
      principal.apiKey = this.readApiKey(fields, where, id);
      rbac.principals.push(principal);
    });
  }

  private readApiKey(fields: Map<string, Pair>, where: string, id: string): ApiKeySource | undefined {
    const hashPair = fields.get('apiKeySha256');
    const envPair = fields.get('apiKeyEnv');
    let fileHash: Buffer | undefined;
    if (hashPair) {
      const hex = this.string(hashPair.value, `${where}.apiKeySha256`);
      if (hex !== undefined && !/^[0-9a-fA-F]{64}$/.test(hex)) {
        this.error(
          `apiKeySha256 of '${id}' is not a SHA-256 hex digest`,
          this.at(hashPair.value, `${where}.apiKeySha256`),
          {
            expected: '64 hexadecimal characters',
            hint: 'Compute it with: printf %s "$KEY" | sha256sum',
          },
        );
      } else if (hex !== undefined) {
        fileHash = Buffer.from(hex, 'hex');
      }
    }
    if (!envPair) return fileHash ? { sha256: new SecretBytes(fileHash), origin: 'file' } : undefined;
    const envName = this.string(envPair.value, `${where}.apiKeyEnv`);
    const envLoc = this.at(envPair.value, `${where}.apiKeyEnv`);
    if (envName === undefined) return undefined;
    if (!ENV_NAME.test(envName)) {
      this.error(`apiKeyEnv of '${id}' is not an environment variable name`, envLoc, {
        expected: 'e.g. LEDGER_API_KEY',
      });
      return undefined;
    }
    const key = this.env[envName];
    if (key !== undefined && key !== '') {
      if (key.length < MIN_API_KEY_LENGTH) {
        this.error(`The API key in ${envName} is shorter than ${MIN_API_KEY_LENGTH} characters`, envLoc, {
          hint: 'Use a long random key, e.g. `openssl rand -hex 32`.',
        });
        return undefined;
      }
      return { sha256: new SecretBytes(sha256(key)), origin: 'env', env: envName };
    }
    if (!fileHash) {
      this.error(`Environment variable ${envName} (API key of '${id}') is not set`, envLoc, {
        hint: `Set ${envName}, or add apiKeySha256 as a default for local use.`,
      });
      return undefined;
    }
    // A default key in a shipped file is a local convenience; in production it would be a known secret.
    if (this.env.NODE_ENV === 'production') {
      this.error(
        `${envName} is not set and NODE_ENV=production: the default key of '${id}' is refused`,
        envLoc,
        {
          hint: `Set ${envName}; the apiKeySha256 default is for local use only.`,
        },
      );
      return undefined;
    }
    this.warning(
      `${envName} is not set: principal '${id}' accepts its documented default key (local use only)`,
      envLoc,
    );
    return { sha256: new SecretBytes(fileHash), origin: 'default', env: envName };
  }

  private readJwt(node: unknown): JwtSettings | undefined {
    const fields = this.map(node, 'jwt', JWT_KEYS);
    if (!fields) return undefined;
    const loc = this.at(node, 'jwt');
    const sources = ['secret', 'secretEnv', 'jwksFile', 'jwksUrl'].filter((key) => fields.has(key));
    if (sources.length !== 1) {
      this.error(
        sources.length === 0
          ? 'jwt needs a key: one of secret, secretEnv, jwksFile, jwksUrl'
          : `jwt has several keys (${sources.join(', ')}); give exactly one`,
        loc,
        {
          snippet:
            'jwt:\n  jwksUrl: https://idp.example.com/.well-known/jwks.json\n  issuer: https://idp.example.com/\n  audience: service-pipes',
        },
      );
      return undefined;
    }
    const source = sources[0]!;
    const sourcePair = fields.get(source)!;
    const sourceLoc = this.at(sourcePair.value, `jwt.${source}`);
    const symmetric = source === 'secret' || source === 'secretEnv';

    let algorithms: JWSAlgorithm[] = symmetric ? ['HS256'] : ['RS256', 'ES256'];
    const algPair = fields.get('algorithms');
    if (algPair) {
      const allowed = symmetric ? SYMMETRIC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
      const list = this.stringList(algPair.value, 'jwt.algorithms') ?? [];
      const accepted: JWSAlgorithm[] = [];
      list.forEach((alg, index) => {
        const at = this.at(this.seqItem(algPair.value, index), `jwt.algorithms[${index}]`);
        if (alg.toLowerCase() === 'none') {
          this.error("jwt.algorithms must not contain 'none': unsigned tokens are never accepted", at);
        } else if (!allowed.includes(alg)) {
          const other = symmetric ? ASYMMETRIC_ALGORITHMS : SYMMETRIC_ALGORITHMS;
          this.error(
            other.includes(alg)
              ? `Algorithm ${alg} does not fit a ${symmetric ? 'shared secret' : 'JWKS'}: mixing them lets a public key be used as an HMAC secret`
              : `Unknown JWT algorithm '${alg}'`,
            at,
            { expected: allowed.join(', '), suggestions: didYouMean(alg, allowed) },
          );
        } else {
          accepted.push(alg);
        }
      });
      if (list.length === 0)
        this.error('jwt.algorithms is empty', this.at(algPair.value, 'jwt.algorithms'), {
          expected: allowed.join(', '),
        });
      algorithms = accepted;
    }

    let key: JwtKeySource | undefined;
    if (symmetric) {
      let secret: string | undefined;
      if (source === 'secret') {
        secret = this.string(sourcePair.value, 'jwt.secret');
        this.warning(
          'jwt.secret is written in the RBAC file; prefer secretEnv so the secret stays out of version control',
          sourceLoc,
        );
      } else {
        const envName = this.string(sourcePair.value, 'jwt.secretEnv');
        if (envName !== undefined && !ENV_NAME.test(envName)) {
          this.error('jwt.secretEnv is not an environment variable name', sourceLoc, {
            expected: 'e.g. JWT_SECRET',
          });
        } else if (envName !== undefined) {
          secret = this.env[envName] || undefined;
          if (secret === undefined)
            this.error(`Environment variable ${envName} (the JWT secret) is not set`, sourceLoc);
        }
      }
      if (secret !== undefined) {
        const bytes = Buffer.from(secret, 'utf8');
        const needed = Math.max(32, ...algorithms.map((alg) => MIN_SECRET_BYTES[alg] ?? 32));
        if (bytes.length < needed) {
          this.error(
            `The JWT secret is ${bytes.length} bytes; ${algorithms.join('/')} needs at least ${needed}`,
            sourceLoc,
            {
              hint: 'Use a random secret, e.g. `openssl rand -base64 48`.',
            },
          );
        } else {
          key = { kind: 'secret', secret: new SecretBytes(bytes) };
        }
      }
    } else if (source === 'jwksFile') {
      const name = this.string(sourcePair.value, 'jwt.jwksFile');
      if (name !== undefined) {
        const resolved = path.resolve(path.dirname(this.file), name);
        try {
          const jwks = JSON.parse(readFileSync(resolved, 'utf8')) as JSONWebKeySet;
          if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
            this.error(`JWKS file ${resolved} has no keys`, sourceLoc, {
              expected: '{"keys": [{"kty": "RSA", ...}]}',
            });
          } else {
            key = { kind: 'jwks-file', file: resolved, jwks };
          }
        } catch (error) {
          this.error(
            `Cannot read JWKS file ${resolved}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            sourceLoc,
          );
        }
      }
    } else {
      const text = this.string(sourcePair.value, 'jwt.jwksUrl');
      if (text !== undefined) {
        let url: URL | undefined;
        try {
          url = new URL(text);
        } catch {
          this.error(`jwt.jwksUrl '${text}' is not a URL`, sourceLoc);
        }
        const local = url && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
        if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
          this.error('jwt.jwksUrl must use https (plain http only for localhost)', sourceLoc);
        } else if (url) {
          key = { kind: 'jwks-url', url };
        }
      }
    }

    const issuer = this.requiredStrings(fields, 'issuer', loc, 'issuer: https://idp.example.com/');
    const audience = this.requiredStrings(fields, 'audience', loc, 'audience: service-pipes');
    const rolesClaim = fields.get('rolesClaim')
      ? this.string(fields.get('rolesClaim')!.value, 'jwt.rolesClaim')
      : 'roles';
    const principalClaim = fields.get('principalClaim')
      ? this.string(fields.get('principalClaim')!.value, 'jwt.principalClaim')
      : 'sub';
    let clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS;
    const tolerance = fields.get('clockToleranceSeconds');
    if (tolerance) {
      const value = this.scalar(tolerance.value);
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > MAX_CLOCK_TOLERANCE_SECONDS
      ) {
        this.error(
          `jwt.clockToleranceSeconds must be a whole number from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`,
          this.at(tolerance.value, 'jwt.clockToleranceSeconds'),
        );
      } else {
        clockToleranceSeconds = value;
      }
    }
    if (!key || !issuer || !audience || !rolesClaim || !principalClaim || algorithms.length === 0)
      return undefined;
    return { key, issuer, audience, algorithms, rolesClaim, principalClaim, clockToleranceSeconds, loc };
  }

  private readAnonymous(node: unknown, rbac: RbacFile): string[] {
    const fields = this.map(node, 'anonymous', ['roles']);
    const pair = fields?.get('roles');
    const names = this.roleList(pair, 'anonymous.roles', rbac) ?? [];
    // A caller without credentials must never reach the admin API (dead letters hold payment bodies and
    // can be redriven): `*` or any `admin:` grant to anonymous is a load error, not a warning.
    const given = pair && isSeq(pair.value) ? pair.value.items.map((item) => this.scalar(item)) : [];
    for (const name of names) {
      const role = rbac.roles.get(name)!;
      role.permissions.forEach((permission, index) => {
        const parsed = parsePermission(permission);
        if (!isParsedPermission(parsed) || (parsed.kind !== '*' && parsed.kind !== 'admin')) return;
        const granted = role.permissionLocs[index]!;
        this.error(
          `Role '${name}' grants '${permission}' to anonymous callers: the admin API would answer anyone without credentials`,
          this.at(this.seqItem(pair!.value, given.indexOf(name)), `anonymous.roles[${given.indexOf(name)}]`),
          {
            hint:
              `Grant '${permission}' (at ${granted.file}:${granted.line}:${granted.col}) only to principals with a key or token; ` +
              'for probes and scrapers without credentials use open.health / open.metrics.',
          },
        );
      });
    }
    return names;
  }

  /** A list of role names that must exist in `roles` (which is read before everything that names roles). */
  private roleList(pair: Pair | undefined, where: string, rbac: RbacFile): string[] | undefined {
    if (!pair) return undefined;
    const names = this.stringList(pair.value, where);
    if (!names) return undefined;
    const known: string[] = [];
    names.forEach((name, index) => {
      if (rbac.roles.has(name)) {
        known.push(name);
        return;
      }
      this.error(`Unknown role '${name}'`, this.at(this.seqItem(pair.value, index), `${where}[${index}]`), {
        suggestions: didYouMean(name, rbac.roles.keys()),
        expected: rbac.roles.size
          ? `one of the roles defined under 'roles': ${[...rbac.roles.keys()].sort().join(', ')}`
          : "a role defined under 'roles'",
      });
    });
    return known;
  }

  /** Two principals with one key would make the caller's identity depend on file order. */
  private checkDuplicateKeys(rbac: RbacFile): void {
    const seen = new Map<string, string>();
    for (const principal of rbac.principals) {
      if (!principal.apiKey) continue;
      const digest = principal.apiKey.sha256.bytes().toString('hex');
      const first = seen.get(digest);
      if (first)
        this.error(`Principals '${first}' and '${principal.id}' have the same API key`, principal.loc, {
          hint: 'Give every caller its own key.',
        });
      else seen.set(digest, principal.id);
    }
  }

  private requiredStrings(
    fields: Map<string, Pair>,
    key: string,
    loc: SourceLocation,
    snippet: string,
  ): string[] | undefined {
    const pair = fields.get(key);
    if (!pair) {
      this.error(
        `jwt.${key} is required: without it a token minted for another service would be accepted`,
        loc,
        { snippet: `jwt:\n  ${snippet}` },
      );
      return undefined;
    }
    const node = pair.value as YamlNode | null;
    const list = isSeq(node)
      ? this.stringList(node, `jwt.${key}`)
      : [this.string(node, `jwt.${key}`)].filter((v): v is string => v !== undefined);
    if (list && list.length === 0) this.error(`jwt.${key} is empty`, this.at(node, `jwt.${key}`));
    return list && list.length > 0 ? list : undefined;
  }

  // ---- node readers ----

  /** A mapping's entries by key; unknown keys (when `allowed` is given) are reported with a did-you-mean. */
  private map(node: unknown, where: string, allowed: string[] | undefined): Map<string, Pair> | undefined {
    if (!isMap(node)) {
      this.error(`${where || 'The RBAC file'} must be a mapping`, this.at(node, where), {
        expected: 'key: value entries',
      });
      return undefined;
    }
    const entries = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const keyPath = where ? `${where}.${key}` : String(key);
      if (key === undefined) {
        this.error('Keys must be plain names', this.at(pair.key, where));
        continue;
      }
      if (allowed && !allowed.includes(key)) {
        this.error(`Unknown key '${key}'${where ? ` in ${where}` : ''}`, this.at(pair.key, keyPath), {
          suggestions: didYouMean(key, allowed),
          expected: `one of: ${allowed.join(', ')}`,
        });
        continue;
      }
      entries.set(key, pair);
    }
    return entries;
  }

  private seq(node: unknown, where: string): YamlNode[] | undefined {
    if (!isSeq(node)) {
      this.error(`${where} must be a list`, this.at(node, where), {
        expected: '[a, b] or one "- item" per line',
      });
      return undefined;
    }
    return node.items as YamlNode[];
  }

  private seqItem(node: unknown, index: number): YamlNode | undefined {
    return isSeq(node) ? (node.items[index] as YamlNode | undefined) : undefined;
  }

  private stringList(node: unknown, where: string): string[] | undefined {
    const items = this.seq(node, where);
    if (!items) return undefined;
    const values: string[] = [];
    items.forEach((item, index) => {
      const value = this.string(item, `${where}[${index}]`);
      if (value !== undefined) values.push(value);
    });
    return values;
  }

  private scalar(node: unknown): unknown {
    return isScalar(node) ? node.value : undefined;
  }

  private string(node: unknown, where: string): string | undefined {
    const value = this.scalar(node);
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
    this.error(`${where} must be a non-empty text`, this.at(node, where));
    return undefined;
  }

  private bool(node: unknown, where: string): boolean | undefined {
    const value = this.scalar(node);
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.error(`${where} must be true or false`, this.at(node, where));
    return undefined;
  }

  // ---- reporting ----

  private at(node: unknown, where: string): SourceLocation {
    const offset = (node as YamlNode | null | undefined)?.range?.[0];
    if (offset === undefined) return { file: this.file, line: 1, col: 1, path: where };
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, path: where };
  }

  private error(message: string, loc: SourceLocation, extra: Partial<LoadDiagnostic> = {}): void {
    this.diagnostics.push({ severity: 'error', message, loc, ...withoutEmptySuggestions(extra) });
  }

  private warning(message: string, loc: SourceLocation, extra: Partial<LoadDiagnostic> = {}): void {
    this.diagnostics.push({ severity: 'warning', message, loc, ...withoutEmptySuggestions(extra) });
  }
}

function withoutEmptySuggestions(extra: Partial<LoadDiagnostic>): Partial<LoadDiagnostic> {
  if (extra.suggestions?.length !== 0) return extra;
  const rest = { ...extra };
  delete rest.suggestions;
  return rest;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export interface RbacReferenceTargets {
  routeIds: Iterable<string>;
  flowNames: Iterable<string>;
  /** Admin areas the server serves; when given, unknown `admin:<area>` grants are errors too. */
  adminAreas?: Iterable<string>;
  /** Routes reached over HTTP: one that no grant covers gets a warning (it will answer 403 to everyone). */
  httpEntryRouteIds?: Iterable<string>;
}

/**
 * Cross-checks the RBAC file against the loaded routes and flows, as the loader does for route files:
 * a grant naming a route, flow or admin area that does not exist is an error (with did-you-mean); a
 * wildcard grant that matches nothing is a warning; an HTTP entry nobody is granted is a warning.
 */
export function checkRbacReferences(rbac: RbacFile, targets: RbacReferenceTargets): LoadDiagnostic[] {
  const known: Record<string, string[] | undefined> = {
    route: [...targets.routeIds],
    flow: [...targets.flowNames],
    admin: targets.adminAreas ? [...targets.adminAreas] : undefined,
  };
  const what: Record<string, string> = { route: 'route', flow: 'flow', admin: 'admin area' };
  const diagnostics: LoadDiagnostic[] = [];
  const grants: string[] = [];
  for (const role of rbac.roles.values()) {
    role.permissions.forEach((permission, index) => {
      grants.push(permission);
      const parsed = parsePermission(permission);
      if (!isParsedPermission(parsed) || parsed.kind === '*') return;
      const names = known[parsed.kind];
      if (!names) return;
      const loc = role.permissionLocs[index];
      if (parsed.hasWildcard) {
        const matches = compileGrant(permission);
        if (parsed.name !== '*' && !names.some((name) => matches(`${parsed.kind}:${name}`))) {
          diagnostics.push({
            severity: 'warning',
            message: `Grant '${permission}' of role '${role.name}' matches no ${what[parsed.kind]}`,
            loc,
          });
        }
        return;
      }
      if (!names.includes(parsed.name)) {
        const suggestions = didYouMean(parsed.name, names).map((name) => `${parsed.kind}:${name}`);
        diagnostics.push({
          severity: 'error',
          message: `Role '${role.name}' grants '${permission}', but there is no ${what[parsed.kind]} '${parsed.name}'`,
          loc,
          ...(suggestions.length ? { suggestions } : {}),
          expected: names.length
            ? `one of the loaded ${what[parsed.kind]}s: ${[...names].sort().join(', ')}`
            : `no ${what[parsed.kind]}s are loaded`,
        });
      }
    });
  }
  if (targets.httpEntryRouteIds) {
    const matchers = grants.map(compileGrant);
    for (const routeId of targets.httpEntryRouteIds) {
      if (!matchers.some((matches) => matches(`route:${routeId}`))) {
        diagnostics.push({
          severity: 'warning',
          message: `No role grants 'route:${routeId}': this HTTP entry answers 403 to every caller`,
          loc: { file: rbac.file, line: 1, col: 1, path: 'roles' },
          hint: `Add route:${routeId} to a role's permissions to open it.`,
        });
      }
    }
  }
  return diagnostics;
}
