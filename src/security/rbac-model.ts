/**
 * The model of an RBAC file as the reader builds it and the rest of security reads it: roles, principals,
 * JWT settings. Its own module so the reader (rbac-reader.ts) and the loader (rbac-file.ts) both depend on it
 * rather than on each other.
 */
import type { JSONWebKeySet, JWSAlgorithm } from 'jose';
import type { SourceLocation } from '../runtime/definitions.js';
import type { SecretBytes } from './secret-bytes.js';

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

/**
 * The file that grants nothing: what the router enforces when it runs without an RBAC file (deny by
 * default). Probes stay open, as in any file that does not close them. The reader starts from it, so a
 * file grants only what it says.
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
