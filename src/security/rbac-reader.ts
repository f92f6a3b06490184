import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { JSONWebKeySet, JWSAlgorithm } from 'jose';
import { pointerChild } from '../dsl/json-pointer.js';
import { schemaDiagnostics } from '../dsl/schema-diagnostics.js';
import { parseSource, type LocationIndex } from '../dsl/yaml-source.js';
import type { LoadDiagnostic, SourceLocation } from '../runtime/definitions.js';
import { didYouMean } from '../runtime/did-you-mean.js';
import { isParsedPermission, parsePermission } from './permissions.js';
import { RBAC_SCHEMA } from './rbac-schema.js';
import {
  denyAllRbac,
  type ApiKeySource,
  type JwtKeySource,
  type JwtSettings,
  type RbacFile,
  type RbacPrincipal,
  type RbacRole,
} from './rbac-model.js';
import { SecretBytes } from './secret-bytes.js';
import { createHash, timingSafeEqual } from 'node:crypto';

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
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@\-/]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEY_SOURCES = ['secret', 'secretEnv', 'jwksFile', 'jwksUrl'] as const;

/** Compiled once: the shape of every RBAC file the router reads. */
let shape: ValidateFunction | undefined;
function shapeOf(): ValidateFunction {
  // `coerceTypes`: `health: "false"` means false, as the route loader coerces unquoted scalars.
  shape ??= new Ajv({ allErrors: true, verbose: true, coerceTypes: true, strict: false }).compile(
    RBAC_SCHEMA,
  );
  return shape;
}

type Data = Record<string, unknown>;

/**
 * Reads an RBAC file in two passes, as route files are read: the YAML into plain data with the position of
 * every node (parseSource), its shape against RBAC_SCHEMA with the route loader's diagnostics, then what
 * only code can check. Never throws: every problem is a LoadDiagnostic with file:line:col and the YAML path.
 */
export function readRbac(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
): { rbac: RbacFile; diagnostics: LoadDiagnostic[] } {
  const rbac: RbacFile = denyAllRbac(file);
  const source = parseSource(file, text);
  const diagnostics: LoadDiagnostic[] = [...source.diagnostics];
  if (source.data === undefined || diagnostics.some((d) => d.severity === 'error'))
    return { rbac, diagnostics };
  const reader = new RbacReader(source.locations, file, env, diagnostics);
  const data = source.data;
  if (data === null || data === '') {
    reader.error('The RBAC file is empty', '', {
      hint: 'An empty file would deny everything; write at least the roles and principals (docs/security.md).',
    });
    return { rbac, diagnostics };
  }
  if (!isObject(data)) {
    reader.error('The RBAC file must be a mapping', '', {
      expected: 'key: value entries (roles, principals, jwt, ...)',
    });
    return { rbac, diagnostics };
  }
  const validate = shapeOf();
  const checked = schemaDiagnostics(validate(data) ? [] : [...(validate.errors ?? [])], {
    root: RBAC_SCHEMA,
    data,
    locations: source.locations,
  });
  diagnostics.push(...checked.diagnostics);
  reader.skip = checked.pointers;
  reader.read(data, rbac);
  return { rbac, diagnostics };
}

class RbacReader {
  /** Nodes the shape check already reported. */
  skip: ReadonlySet<string> = new Set();

  constructor(
    private readonly locations: LocationIndex,
    private readonly file: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly diagnostics: LoadDiagnostic[],
  ) {}

  read(data: Data, rbac: RbacFile): void {
    if ('version' in data && data.version !== 1 && data.version !== '1')
      this.error('Unsupported RBAC file version', '/version', { expected: 'version: 1' }, 'value');
    if (!('roles' in data)) {
      this.error("The RBAC file has no 'roles'", '', {
        snippet: 'roles:\n  payments-writer:\n    permissions: [route:payments-*]',
      });
    } else if (this.fits('/roles', data.roles)) {
      this.readRoles(data.roles as Data, rbac);
    }
    if (this.fits('/principals', data.principals)) this.readPrincipals(data.principals as unknown[], rbac);
    if (this.fits('/jwt', data.jwt)) rbac.jwt = this.readJwt(data.jwt as Data);
    if (this.fits('/anonymous', data.anonymous))
      rbac.anonymousRoles = this.readAnonymous((data.anonymous as Data).roles, rbac);
    if (this.fits('/open', data.open)) {
      const open = data.open as Data;
      for (const key of ['health', 'metrics'] as const)
        if (typeof open[key] === 'boolean') rbac.open[key] = open[key];
    }
    if (this.fits('/amqp', data.amqp) && typeof (data.amqp as Data).requireUserId === 'boolean') {
      rbac.amqp.requireUserId = (data.amqp as Data).requireUserId as boolean;
    }
    this.checkDuplicateKeys(rbac);
  }

  private readRoles(roles: Data, rbac: RbacFile): void {
    for (const [name, value] of Object.entries(roles)) {
      const pointer = pointerChild('/roles', name);
      const keyLoc = this.locate(pointer);
      if (!NAME.test(name))
        this.error(`Role name '${name}' is not usable`, pointer, {
          expected: 'letters, digits, and . _ - : @ /',
        });
      const role: RbacRole = { name, permissions: [], permissionLocs: [], loc: keyLoc };
      let list: unknown = value;
      let listPointer = pointer;
      // `role: [perm, ...]` is the short form of `role: {permissions: [perm, ...]}`.
      if (isObject(value)) {
        if (typeof value.description === 'string' || typeof value.description === 'number')
          role.description = String(value.description).trim();
        list = value.permissions;
        listPointer = `${pointer}/permissions`;
        if (!('permissions' in value))
          this.error(`Role '${name}' has no permissions`, pointer, {
            snippet: `${name}:\n  permissions: [route:my-route]`,
          });
      }
      if (Array.isArray(list) && !this.skip.has(listPointer)) {
        list.forEach((item, index) => this.readPermission(role, item, `${listPointer}/${index}`));
      }
      rbac.roles.set(name, role);
    }
  }

  private readPermission(role: RbacRole, item: unknown, pointer: string): void {
    const text = this.text(item, pointer);
    if (text === undefined) return;
    const parsed = parsePermission(text);
    if (!isParsedPermission(parsed)) {
      const [kind = text, ...rest] = text.split(':');
      this.error(
        parsed.problem,
        pointer,
        {
          expected: 'route:<route id>, flow:<flow name>, admin:<area>, or *',
          suggestions: didYouMean(kind, ['route', 'flow', 'admin']).map((k) => `${k}:${rest.join(':')}`),
        },
        'value',
      );
      return;
    }
    role.permissions.push(text);
    role.permissionLocs.push(this.locate(pointer, 'value'));
  }

  private readPrincipals(items: unknown[], rbac: RbacFile): void {
    const ids = new Map<string, SourceLocation>();
    items.forEach((item, index) => {
      const pointer = `/principals/${index}`;
      if (!isObject(item) || this.skip.has(pointer)) return;
      if (!('id' in item)) {
        this.error(
          'A principal needs an id',
          pointer,
          { snippet: '- id: ledger-service\n  roles: [payments-writer]\n  apiKeyEnv: LEDGER_API_KEY' },
          'value',
        );
        return;
      }
      const id = this.text(item.id, `${pointer}/id`);
      if (id === undefined) return;
      const loc = this.locate(`${pointer}/id`, 'value');
      if (!NAME.test(id))
        this.error(
          `Principal id '${id}' is not usable`,
          `${pointer}/id`,
          { expected: 'letters, digits, and . _ - : @ /' },
          'value',
        );
      const previous = ids.get(id);
      if (previous)
        this.error(
          `Principal '${id}' is declared twice (first at line ${previous.line})`,
          `${pointer}/id`,
          {},
          'value',
        );
      ids.set(id, loc);
      const roles = this.roleList(item.roles, `${pointer}/roles`, rbac) ?? [];
      if (!('roles' in item))
        this.warning(
          `Principal '${id}' has no roles: it can authenticate but is allowed nothing`,
          `${pointer}/id`,
        );
      const principal: RbacPrincipal = { id, roles, loc };
      if (typeof item.description === 'string' || typeof item.description === 'number')
        principal.description = String(item.description).trim();
      principal.apiKey = this.readApiKey(item, pointer, id);
      rbac.principals.push(principal);
    });
  }

  private readApiKey(fields: Data, pointer: string, id: string): ApiKeySource | undefined {
    let fileHash: Buffer | undefined;
    if (fields.apiKeySha256 !== undefined) {
      const hex = this.text(fields.apiKeySha256, `${pointer}/apiKeySha256`);
      if (hex !== undefined && !/^[0-9a-fA-F]{64}$/.test(hex)) {
        this.error(
          `apiKeySha256 of '${id}' is not a SHA-256 hex digest`,
          `${pointer}/apiKeySha256`,
          {
            expected: '64 hexadecimal characters',
            hint: 'Compute it with: printf %s "$KEY" | sha256sum',
          },
          'value',
        );
      } else if (hex !== undefined) {
        fileHash = Buffer.from(hex, 'hex');
      }
    }
    if (fields.apiKeyEnv === undefined)
      return fileHash ? { sha256: new SecretBytes(fileHash), origin: 'file' } : undefined;
    const envPointer = `${pointer}/apiKeyEnv`;
    const envName = this.text(fields.apiKeyEnv, envPointer);
    if (envName === undefined) return undefined;
    if (!ENV_NAME.test(envName)) {
      this.error(
        `apiKeyEnv of '${id}' is not an environment variable name`,
        envPointer,
        { expected: 'e.g. LEDGER_API_KEY' },
        'value',
      );
      return undefined;
    }
    const key = this.env[envName];
    if (key !== undefined && key !== '') {
      if (key.length < MIN_API_KEY_LENGTH) {
        this.error(
          `The API key in ${envName} is shorter than ${MIN_API_KEY_LENGTH} characters`,
          envPointer,
          {
            hint: 'Use a long random key, e.g. `openssl rand -hex 32`.',
          },
          'value',
        );
        return undefined;
      }
      const hash = sha256(key);
      // The documented default passed in through the variable (a compose file or .env copied from the docs)
      // is still the public key: in production it is refused like the default itself.
      if (this.env.NODE_ENV === 'production' && fileHash && timingSafeEqual(hash, fileHash)) {
        this.error(
          `${envName} holds the documented default key of '${id}', and NODE_ENV=production refuses it`,
          envPointer,
          { hint: `Set ${envName} to a key of your own, e.g. \`openssl rand -hex 32\`.` },
          'value',
        );
        return undefined;
      }
      return { sha256: new SecretBytes(hash), origin: 'env', env: envName };
    }
    if (!fileHash) {
      this.error(
        `Environment variable ${envName} (API key of '${id}') is not set`,
        envPointer,
        {
          hint: `Set ${envName}, or add apiKeySha256 as a default for local use.`,
        },
        'value',
      );
      return undefined;
    }
    // A default key in a shipped file is a local convenience; in production it would be a known secret.
    if (this.env.NODE_ENV === 'production') {
      this.error(
        `${envName} is not set and NODE_ENV=production: the default key of '${id}' is refused`,
        envPointer,
        {
          hint: `Set ${envName}; the apiKeySha256 default is for local use only.`,
        },
        'value',
      );
      return undefined;
    }
    this.warning(
      `${envName} is not set: principal '${id}' accepts its documented default key (local use only)`,
      envPointer,
      'value',
    );
    return { sha256: new SecretBytes(fileHash), origin: 'default', env: envName };
  }

  private readJwt(fields: Data): JwtSettings | undefined {
    const sources = KEY_SOURCES.filter((key) => key in fields);
    if (sources.length !== 1) {
      this.error(
        sources.length === 0
          ? 'jwt needs a key: one of secret, secretEnv, jwksFile, jwksUrl'
          : `jwt has several keys (${sources.join(', ')}); give exactly one`,
        '/jwt',
        {
          snippet:
            'jwt:\n  jwksUrl: https://idp.example.com/.well-known/jwks.json\n  issuer: https://idp.example.com/\n  audience: service-pipes',
        },
        'value',
      );
      return undefined;
    }
    const source = sources[0]!;
    const symmetric = source === 'secret' || source === 'secretEnv';
    const algorithms = this.jwtAlgorithms(fields, symmetric);
    const key = symmetric
      ? this.jwtSecret(fields, source, algorithms)
      : source === 'jwksFile'
        ? this.jwksFile(fields)
        : this.jwksUrl(fields);
    const issuer = this.requiredTexts(fields, 'issuer', 'issuer: https://idp.example.com/');
    const audience = this.requiredTexts(fields, 'audience', 'audience: service-pipes');
    const rolesClaim =
      fields.rolesClaim === undefined ? 'roles' : this.text(fields.rolesClaim, '/jwt/rolesClaim');
    const principalClaim =
      fields.principalClaim === undefined ? 'sub' : this.text(fields.principalClaim, '/jwt/principalClaim');
    const clockToleranceSeconds = this.clockTolerance(fields.clockToleranceSeconds);
    if (
      !key ||
      !issuer ||
      !audience ||
      !rolesClaim ||
      !principalClaim ||
      algorithms.length === 0 ||
      clockToleranceSeconds === undefined
    )
      return undefined;
    return {
      key,
      issuer,
      audience,
      algorithms,
      rolesClaim,
      principalClaim,
      clockToleranceSeconds,
      loc: this.locate('/jwt', 'value'),
    };
  }

  /** The algorithms accepted: only those that fit the key kind, never `none`. */
  private jwtAlgorithms(fields: Data, symmetric: boolean): JWSAlgorithm[] {
    if (fields.algorithms === undefined) return symmetric ? ['HS256'] : ['RS256', 'ES256'];
    const allowed = symmetric ? SYMMETRIC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
    const list = Array.isArray(fields.algorithms) ? fields.algorithms : [];
    const accepted: JWSAlgorithm[] = [];
    list.forEach((item, index) => {
      const pointer = `/jwt/algorithms/${index}`;
      const alg = this.text(item, pointer);
      if (alg === undefined) return;
      if (alg.toLowerCase() === 'none') {
        this.error(
          "jwt.algorithms must not contain 'none': unsigned tokens are never accepted",
          pointer,
          {},
          'value',
        );
      } else if (!allowed.includes(alg)) {
        const other = symmetric ? ASYMMETRIC_ALGORITHMS : SYMMETRIC_ALGORITHMS;
        this.error(
          other.includes(alg)
            ? `Algorithm ${alg} does not fit a ${symmetric ? 'shared secret' : 'JWKS'}: mixing them lets a public key be used as an HMAC secret`
            : `Unknown JWT algorithm '${alg}'`,
          pointer,
          { expected: allowed.join(', '), suggestions: didYouMean(alg, allowed) },
          'value',
        );
      } else {
        accepted.push(alg);
      }
    });
    if (list.length === 0)
      this.error('jwt.algorithms is empty', '/jwt/algorithms', { expected: allowed.join(', ') }, 'value');
    return accepted;
  }

  private jwtSecret(
    fields: Data,
    source: 'secret' | 'secretEnv',
    algorithms: readonly JWSAlgorithm[],
  ): JwtKeySource | undefined {
    const pointer = `/jwt/${source}`;
    let secret: string | undefined;
    if (source === 'secret') {
      secret = this.text(fields.secret, pointer);
      this.warning(
        'jwt.secret is written in the RBAC file; prefer secretEnv so the secret stays out of version control',
        pointer,
        'value',
      );
    } else {
      const envName = this.text(fields.secretEnv, pointer);
      if (envName !== undefined && !ENV_NAME.test(envName)) {
        this.error(
          'jwt.secretEnv is not an environment variable name',
          pointer,
          { expected: 'e.g. JWT_SECRET' },
          'value',
        );
      } else if (envName !== undefined) {
        secret = this.env[envName] || undefined;
        if (secret === undefined)
          this.error(`Environment variable ${envName} (the JWT secret) is not set`, pointer, {}, 'value');
      }
    }
    if (secret === undefined) return undefined;
    const bytes = Buffer.from(secret, 'utf8');
    const needed = Math.max(32, ...algorithms.map((alg) => MIN_SECRET_BYTES[alg] ?? 32));
    if (bytes.length < needed) {
      this.error(
        `The JWT secret is ${bytes.length} bytes; ${algorithms.join('/')} needs at least ${needed}`,
        pointer,
        {
          hint: 'Use a random secret, e.g. `openssl rand -base64 48`.',
        },
        'value',
      );
      return undefined;
    }
    return { kind: 'secret', secret: new SecretBytes(bytes) };
  }

  private jwksFile(fields: Data): JwtKeySource | undefined {
    const name = this.text(fields.jwksFile, '/jwt/jwksFile');
    if (name === undefined) return undefined;
    const resolved = path.resolve(path.dirname(this.file), name);
    try {
      const jwks = JSON.parse(readFileSync(resolved, 'utf8')) as JSONWebKeySet;
      if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
        this.error(
          `JWKS file ${resolved} has no keys`,
          '/jwt/jwksFile',
          { expected: '{"keys": [{"kty": "RSA", ...}]}' },
          'value',
        );
        return undefined;
      }
      return { kind: 'jwks-file', file: resolved, jwks };
    } catch (error) {
      this.error(
        `Cannot read JWKS file ${resolved}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        '/jwt/jwksFile',
        {},
        'value',
      );
      return undefined;
    }
  }

  private jwksUrl(fields: Data): JwtKeySource | undefined {
    const text = this.text(fields.jwksUrl, '/jwt/jwksUrl');
    if (text === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.error(`jwt.jwksUrl '${text}' is not a URL`, '/jwt/jwksUrl', {}, 'value');
      return undefined;
    }
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
      this.error('jwt.jwksUrl must use https (plain http only for localhost)', '/jwt/jwksUrl', {}, 'value');
      return undefined;
    }
    return { kind: 'jwks-url', url };
  }

  private clockTolerance(value: unknown): number | undefined {
    if (value === undefined) return DEFAULT_CLOCK_TOLERANCE_SECONDS;
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 0 &&
      value <= MAX_CLOCK_TOLERANCE_SECONDS
    )
      return value;
    this.error(
      `jwt.clockToleranceSeconds must be a whole number from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`,
      '/jwt/clockToleranceSeconds',
      {},
      'value',
    );
    return undefined;
  }

  private requiredTexts(fields: Data, key: 'issuer' | 'audience', snippet: string): string[] | undefined {
    const pointer = `/jwt/${key}`;
    if (fields[key] === undefined) {
      this.error(
        `jwt.${key} is required: without it a token minted for another service would be accepted`,
        '/jwt',
        { snippet: `jwt:\n  ${snippet}` },
        'value',
      );
      return undefined;
    }
    const value = fields[key];
    const list = (
      Array.isArray(value)
        ? value.map((item, index) => this.text(item, `${pointer}/${index}`))
        : [this.text(value, pointer)]
    ).filter((v): v is string => v !== undefined);
    if (Array.isArray(value) && value.length === 0) this.error(`jwt.${key} is empty`, pointer, {}, 'value');
    return list.length > 0 ? list : undefined;
  }

  private readAnonymous(value: unknown, rbac: RbacFile): string[] {
    const names = this.roleList(value, '/anonymous/roles', rbac) ?? [];
    // A caller without credentials must never reach the admin API (dead letters hold payment bodies and
    // can be redriven): `*` or any `admin:` grant to anonymous is a load error, not a warning.
    const given: unknown[] = Array.isArray(value)
      ? (value as unknown[]).map((item) => (typeof item === 'number' ? String(item) : item))
      : [];
    for (const name of names) {
      const role = rbac.roles.get(name)!;
      const index = given.indexOf(name);
      role.permissions.forEach((permission, at) => {
        const parsed = parsePermission(permission);
        if (!isParsedPermission(parsed) || (parsed.kind !== '*' && parsed.kind !== 'admin')) return;
        const granted = role.permissionLocs[at]!;
        this.error(
          `Role '${name}' grants '${permission}' to anonymous callers: the admin API would answer anyone without credentials`,
          `/anonymous/roles/${index}`,
          {
            hint:
              `Grant '${permission}' (at ${granted.file}:${granted.line}:${granted.col}) only to principals with a key or token; ` +
              'for probes and scrapers without credentials use open.health / open.metrics.',
          },
          'value',
        );
      });
    }
    return names;
  }

  /** A list of role names that must exist in `roles` (which is read before everything that names roles). */
  private roleList(value: unknown, pointer: string, rbac: RbacFile): string[] | undefined {
    if (!Array.isArray(value) || this.skip.has(pointer)) return undefined;
    const known: string[] = [];
    value.forEach((item, index) => {
      const name = this.text(item, `${pointer}/${index}`);
      if (name === undefined) return;
      if (rbac.roles.has(name)) {
        known.push(name);
        return;
      }
      this.error(
        `Unknown role '${name}'`,
        `${pointer}/${index}`,
        {
          suggestions: didYouMean(name, rbac.roles.keys()),
          expected: rbac.roles.size
            ? `one of the roles defined under 'roles': ${[...rbac.roles.keys()].sort().join(', ')}`
            : "a role defined under 'roles'",
        },
        'value',
      );
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
        this.diagnostics.push({
          severity: 'error',
          message: `Principals '${first}' and '${principal.id}' have the same API key`,
          loc: principal.loc,
          hint: 'Give every caller its own key.',
        });
      else seen.set(digest, principal.id);
    }
  }

  // ---- reading values ----

  /** Whether a present node can be read: present, and not already reported by the shape check. */
  private fits(pointer: string, value: unknown): boolean {
    return value !== undefined && !this.skip.has(pointer);
  }

  /** A non-empty text (numbers are read as their text), trimmed; anything else is reported. */
  private text(value: unknown, pointer: string): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
    if (!this.skip.has(pointer))
      this.error(`${this.locate(pointer).path} must be a non-empty text`, pointer, {}, 'value');
    return undefined;
  }

  locate(pointer: string, prefer: 'key' | 'value' = 'key'): SourceLocation {
    return this.locations.locate(pointer, prefer);
  }

  error(
    message: string,
    pointer: string,
    extra: Partial<LoadDiagnostic> = {},
    prefer: 'key' | 'value' = 'key',
  ): void {
    this.diagnostics.push({
      severity: 'error',
      message,
      loc: this.locate(pointer, prefer),
      ...withoutEmptySuggestions(extra),
    });
  }

  private warning(message: string, pointer: string, prefer: 'key' | 'value' = 'key'): void {
    this.diagnostics.push({ severity: 'warning', message, loc: this.locate(pointer, prefer) });
  }
}

function isObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
