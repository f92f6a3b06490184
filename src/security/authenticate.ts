import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { RbacFile, RbacPrincipal } from './rbac-file.js';
import { sha256 } from './rbac-file.js';

/**
 * Who is calling. Plain data with no key, token or secret in it: it is put on the exchange
 * (property {@link PRINCIPAL_PROPERTY}) and written to audit lines.
 */
export interface Principal {
  id: string;
  roles: string[];
  via: 'api-key' | 'jwt' | 'anonymous' | 'amqp';
}

/** Exchange property that carries the caller's {@link Principal} (Camel keeps it in `CamelAuthentication`). */
export const PRINCIPAL_PROPERTY = 'ServicePipesPrincipal';

export const ANONYMOUS_ID = 'anonymous';

/**
 * Why credentials were refused. Safe to log; never sent to the caller.
 * `key-source-unavailable`: a remote JWKS could not be fetched (not the caller's fault → 503).
 */
export type InvalidCredentials =
  | 'malformed-credentials'
  | 'multiple-credentials'
  | 'unsupported-scheme'
  | 'unknown-api-key'
  | 'jwt-not-accepted'
  | 'token-malformed'
  | 'token-algorithm-not-allowed'
  | 'token-signature-invalid'
  | 'token-expired'
  | 'token-not-yet-valid'
  | 'token-claim-invalid';

export type AuthenticationResult =
  | { outcome: 'authenticated'; principal: Principal }
  /** No credentials were presented; the principal carries the file's `anonymous` roles (maybe none). */
  | { outcome: 'anonymous'; principal: Principal }
  | { outcome: 'invalid'; reason: InvalidCredentials }
  | { outcome: 'unavailable'; reason: 'key-source-unavailable' };

export const API_KEY_HEADER = 'x-api-key';
/** Longer headers are refused before any parsing or hashing. */
const MAX_CREDENTIAL_LENGTH = 8192;

interface KeyedPrincipal {
  principal: RbacPrincipal;
  sha256: Buffer;
}

/**
 * Turns request headers into a principal: `X-API-Key` (compared as SHA-256 digests in constant time,
 * against every key so the time does not depend on which one matched) or `Authorization: Bearer <JWT>`
 * (verified with jose: signature, allowed algorithms only, issuer, audience, exp required, nbf, with the
 * file's clock tolerance). Presenting both is refused rather than guessing which one counts.
 */
export class Authenticator {
  private readonly keyed: KeyedPrincipal[];
  private readonly verifyKey?: Uint8Array | JWTVerifyGetKey;
  private readonly anonymousRoles: string[];

  constructor(private readonly rbac: RbacFile) {
    this.keyed = rbac.principals
      .filter((principal) => principal.apiKey)
      .map((principal) => ({ principal, sha256: principal.apiKey!.sha256.bytes() }));
    this.anonymousRoles = [...rbac.anonymousRoles];
    const key = rbac.jwt?.key;
    if (key?.kind === 'secret') this.verifyKey = new Uint8Array(key.secret.bytes());
    else if (key?.kind === 'jwks-file') this.verifyKey = createLocalJWKSet(key.jwks);
    else if (key?.kind === 'jwks-url')
      this.verifyKey = createRemoteJWKSet(key.url, { timeoutDuration: 5000, cooldownDuration: 30_000 });
  }

  /** Which challenges a 401 should offer, from what the file configures. */
  get challenges(): string[] {
    const challenges: string[] = [];
    if (this.rbac.jwt) challenges.push('Bearer realm="service-pipes"');
    if (this.keyed.length > 0) challenges.push('ApiKey');
    return challenges.length ? challenges : ['ApiKey'];
  }

  /**
   * `headers` as Node gives them; `distinct` (a request's `headersDistinct`) with every value of each
   * header. Node keeps only the first `Authorization` and joins repeated `X-API-Key` values with `, `, so
   * a repeated credential header is only visible in `distinct`: it is refused, never resolved to one.
   */
  async authenticate(
    headers: IncomingHttpHeaders,
    distinct?: Partial<Record<string, string[]>>,
  ): Promise<AuthenticationResult> {
    const apiKey = single(distinct?.[API_KEY_HEADER] ?? headers[API_KEY_HEADER]);
    const authorization = single(distinct?.authorization ?? headers.authorization);
    if (apiKey === null || authorization === null)
      return { outcome: 'invalid', reason: 'multiple-credentials' };
    if (apiKey !== undefined && authorization !== undefined)
      return { outcome: 'invalid', reason: 'multiple-credentials' };
    if (apiKey !== undefined) return this.byApiKey(apiKey);
    if (authorization !== undefined) return this.byAuthorization(authorization);
    return {
      outcome: 'anonymous',
      principal: { id: ANONYMOUS_ID, roles: [...this.anonymousRoles], via: 'anonymous' },
    };
  }

  /** The principal an AMQP `user_id` stands for, by principal id. */
  principalById(id: string): Principal | undefined {
    const found = this.rbac.principals.find((principal) => principal.id === id);
    return found ? { id: found.id, roles: [...found.roles], via: 'amqp' } : undefined;
  }

  private byApiKey(key: string): AuthenticationResult {
    if (key.length === 0 || key.length > MAX_CREDENTIAL_LENGTH)
      return { outcome: 'invalid', reason: 'malformed-credentials' };
    const digest = sha256(key);
    let match: RbacPrincipal | undefined;
    for (const candidate of this.keyed) {
      // No early exit: every stored digest is compared, whatever matched.
      if (timingSafeEqual(digest, candidate.sha256) && !match) match = candidate.principal;
    }
    if (!match) return { outcome: 'invalid', reason: 'unknown-api-key' };
    return { outcome: 'authenticated', principal: { id: match.id, roles: [...match.roles], via: 'api-key' } };
  }

  private async byAuthorization(header: string): Promise<AuthenticationResult> {
    if (header.length > MAX_CREDENTIAL_LENGTH) return { outcome: 'invalid', reason: 'malformed-credentials' };
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
    if (!match)
      return {
        outcome: 'invalid',
        reason: /^Bearer\b/i.test(header) ? 'malformed-credentials' : 'unsupported-scheme',
      };
    const jwt = this.rbac.jwt;
    if (!jwt || !this.verifyKey) return { outcome: 'invalid', reason: 'jwt-not-accepted' };
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: jwt.algorithms,
        issuer: jwt.issuer,
        audience: jwt.audience,
        clockTolerance: jwt.clockToleranceSeconds,
        requiredClaims: ['exp'],
      };
      const result =
        this.verifyKey instanceof Uint8Array
          ? await jwtVerify(match[1]!, this.verifyKey, options)
          : await jwtVerify(match[1]!, this.verifyKey, options);
      payload = result.payload;
    } catch (error) {
      return classifyJoseError(error);
    }
    const id = claimAt(payload, jwt.principalClaim);
    if (typeof id !== 'string' || id === '') return { outcome: 'invalid', reason: 'token-claim-invalid' };
    return {
      outcome: 'authenticated',
      principal: { id, roles: rolesFrom(claimAt(payload, jwt.rolesClaim)), via: 'jwt' },
    };
  }
}

/** undefined: absent; null: sent more than once (ambiguous, refused). */
function single(value: string | string[] | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 1 ? value[0]!.trim() : null;
  return value.trim();
}

function classifyJoseError(error: unknown): AuthenticationResult {
  if (error instanceof joseErrors.JWTExpired) return { outcome: 'invalid', reason: 'token-expired' };
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return {
      outcome: 'invalid',
      reason: error.claim === 'nbf' ? 'token-not-yet-valid' : 'token-claim-invalid',
    };
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return { outcome: 'invalid', reason: 'token-algorithm-not-allowed' };
  }
  if (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JWKSNoMatchingKey ||
    error instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return { outcome: 'invalid', reason: 'token-signature-invalid' };
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return { outcome: 'unavailable', reason: 'key-source-unavailable' };
  }
  if (error instanceof joseErrors.JOSEError) return { outcome: 'invalid', reason: 'token-malformed' };
  // A network failure while fetching a remote JWKS is not the caller's fault.
  return { outcome: 'unavailable', reason: 'key-source-unavailable' };
}

/** A claim by exact name first (URLs as claim names have dots), then by dot path (`realm_access.roles`). */
export function claimAt(payload: Record<string, unknown>, claim: string): unknown {
  if (Object.prototype.hasOwnProperty.call(payload, claim)) return payload[claim];
  let value: unknown = payload;
  for (const part of claim.split('.')) {
    if (
      !value ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.prototype.hasOwnProperty.call(value, part)
    )
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Roles as an array of names, or as one text separated by blanks or commas (OAuth's `scope`). */
function rolesFrom(value: unknown): string[] {
  if (Array.isArray(value))
    return value.filter((role): role is string => typeof role === 'string' && role !== '');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}
