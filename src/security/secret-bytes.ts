import { inspect } from 'node:util';

/**
 * Key material (API key hashes, JWT secrets) wrapped so that logging, JSON-encoding or inspecting the
 * parsed RBAC file can never print it: only code that asks for `.bytes()` sees the value.
 */
export class SecretBytes {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = Buffer.from(bytes);
  }

  bytes(): Buffer {
    return this.#bytes;
  }

  get length(): number {
    return this.#bytes.length;
  }

  toJSON(): string {
    return '[secret]';
  }

  toString(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return 'SecretBytes([secret])';
  }
}
