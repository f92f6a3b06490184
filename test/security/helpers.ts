import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import express, { type Request } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { expect } from 'chai';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import {
  createSecurity,
  httpGuard,
  parseRbacFile,
  permissionForProbe,
  requestPrincipal,
  securityHeaders,
  type RbacFile,
  type Security,
} from '../../src/security/index.js';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every log line written, raw and parsed. */
export interface CapturedLog {
  logger: Logger;
  text(): string;
  lines(): Record<string, unknown>[];
  access(): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', stream });
  const text = (): string => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, lines, access: () => lines().filter((line) => line.event === 'access') };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'service-pipes-security-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses an RBAC text that must load without errors. */
export function rbacFrom(text: string, file: string, env: NodeJS.ProcessEnv = {}): RbacFile {
  const { rbac, diagnostics } = parseRbacFile(text, file, { env });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors, JSON.stringify(errors, null, 2)).to.deep.equal([]);
  return rbac!;
}

export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk, privateJwk: await exportJWK(privateKey) };
}

export function writeJwks(dir: string, keys: SigningKey[]): string {
  const file = path.join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
  return file;
}

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  subject?: string;
  expiresIn?: string | number;
  notBefore?: string | number;
  claims?: JWTPayload;
  noExpiry?: boolean;
}

export async function sign(key: SigningKey | Uint8Array, options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ ...(options.claims ?? {}) })
    .setProtectedHeader(key instanceof Uint8Array ? { alg: 'HS256' } : { alg: key.alg, kid: key.kid })
    .setIssuedAt()
    .setIssuer(options.issuer ?? 'https://idp.test/')
    .setAudience(options.audience ?? 'service-pipes')
    .setSubject(options.subject ?? 'back-office-user');
  if (!options.noExpiry) jwt.setExpirationTime(options.expiresIn ?? '5m');
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(key instanceof Uint8Array ? key : key.privateKey);
}

export interface GuardedApp {
  url: string;
  security: Security;
  log: CapturedLog;
  close(): Promise<void>;
}

/**
 * A real express app with the guard in front of a few endpoints, the way the server mounts it:
 * entries by route id, flow starts by flow name, the admin API, health and metrics.
 */
export async function startGuardedApp(
  rbac: RbacFile,
  options: { requiredRolesFor?: (req: Request) => string[][] | undefined } = {},
): Promise<GuardedApp> {
  const log = captureLog();
  const security = createSecurity(rbac, log.logger);
  const entries: Record<string, string> = {
    '/payments': 'route:payments-in',
    '/payments/refunds': 'route:payments-refunds',
    '/reports': 'route:reports-in',
    '/unguarded-nobody': 'route:orphan-entry',
  };
  const app = express();
  app.use(securityHeaders());
  app.use(
    httpGuard<Request>({
      authenticator: security.authenticator,
      authorizer: security.authorizer,
      requiredRolesFor: options.requiredRolesFor,
      permissionFor(req) {
        if (req.path === '/health/live') return permissionForProbe(rbac, 'health');
        if (req.path === '/metrics') return permissionForProbe(rbac, 'metrics');
        if (req.path.startsWith('/admin/')) return `admin:${req.path.split('/')[2]}`;
        if (req.path === '/async/api/start')
          return `flow:${typeof req.query.flowName === 'string' ? req.query.flowName : ''}`;
        return entries[req.path];
      },
    }),
  );
  app.use(express.json({ limit: '64kb' }));
  const answer = (req: Request, res: express.Response): void => {
    res.json({
      ok: true,
      principal: requestPrincipal(req) ?? null,
      correlationId: req.headers['x-correlation-id'] ?? null,
    });
  };
  app.all('/payments', answer);
  app.all('/payments/refunds', answer);
  app.all('/reports', answer);
  app.all('/unguarded-nobody', answer);
  app.all('/admin/:area', answer);
  app.post('/async/api/start', answer);
  app.get('/health/live', answer);
  app.get('/metrics', answer);
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    security,
    log,
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function call(
  url: string,
  headers: Record<string, string> = {},
  method = 'POST',
  body: unknown = { amount: 12 },
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'GET' ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  };
}

export const UNAUTHORIZED_BODY = { error: 'unauthorized', message: 'Authentication required' };
export const FORBIDDEN_BODY = { error: 'forbidden', message: 'Access denied' };
