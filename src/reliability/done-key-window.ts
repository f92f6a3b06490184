import { hash } from 'node:crypto';

/**
 * The keys of the last N adds, each until its expiry, held in typed arrays allocated once. A key added again
 * takes a new place as the newest (its old place stays empty until the ring comes round), so the window is
 * exactly "added by one of the last N adds": never more than N keys, fewer when some were added twice.
 *
 * A consuming route remembers the message-ids it finished (100,000 by default) so a redelivered duplicate is
 * acked without running again. Kept as JS objects, every message left a key string, a record and a map entry
 * that lived long enough to reach V8's old generation and then died there when a newer id pushed it out: a
 * steady flow of old-space garbage, for which V8 sized the heap about 150 MiB larger than the same route
 * without de-duplication (soak, 1,000,000 messages). Here a key is a 128-bit digest (SHA-256, truncated) in a
 * ring of slots with an open-addressing index beside it: ~34 bytes per key, no allocation per key beyond the
 * digest itself, constant time for add and lookup.
 *
 * A digest match stands for a key match. Two different message-ids sharing 128 bits of SHA-256 is not a
 * practical event (about 1 in 10^28 per lookup in a full window), and choosing an id to collide with a
 * future one would take a second preimage of SHA-256.
 */
const FINGERPRINT = /^[0-9a-f]{16}$/;

export class DoneKeyWindow {
  /** 4 words of digest per slot. */
  private readonly digests: Uint32Array;
  /**
   * 2 words of fingerprint per slot: what the key was used for (a consuming route: a digest of the message
   * body), so the same message-id arriving with another body shows as a conflict, not as a duplicate.
   */
  private readonly fingerprints: Uint32Array;
  /** 1 where the slot's key was added with a fingerprint. */
  private readonly fingerprinted: Uint8Array;
  /** Expiry per slot (ms since the epoch); 0 marks a free slot. */
  private readonly expiries: Float64Array;
  /** Linear-probing index: slot + 1, 0 = empty. At most half full. */
  private readonly index: Int32Array;
  private readonly mask: number;
  /** The ring's write position: the next slot written, holding the oldest key once the ring is full. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer: ${capacity}`);
    this.digests = new Uint32Array(capacity * 4);
    this.expiries = new Float64Array(capacity);
    this.fingerprints = new Uint32Array(capacity * 2);
    this.fingerprinted = new Uint8Array(capacity);
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The digest of a key, for the calls below (computed once per key by callers that need it twice). */
  static digest(key: string): Uint32Array {
    // The digest as a 'binary' (latin1) string (one char per byte), read little-endian: a Buffer result costs a
    // backing store per call, about twice the hash itself for a key this short (once or twice per message).
    const bytes = hash('sha256', key, 'binary');
    const digest = new Uint32Array(4);
    for (let word = 0; word < 4; word++) {
      const at = word * 4;
      digest[word] =
        bytes.charCodeAt(at) | (bytes.charCodeAt(at + 1) << 8) | (bytes.charCodeAt(at + 2) << 16) | (bytes.charCodeAt(at + 3) << 24);
    }
    return digest;
  }

  get size(): number {
    return this.count;
  }

  /** A fingerprint the window can hold: 16 hex digits (64 bits), or '' for none. */
  static holds(fingerprint: string): boolean {
    return fingerprint === '' || FINGERPRINT.test(fingerprint);
  }

  /** Whether the key is in the window and not expired at `now`. */
  has(digest: Uint32Array, now: number): boolean {
    const slot = this.find(digest);
    return slot >= 0 && this.expiries[slot]! > now;
  }

  /** The fingerprint the key was added with ('' for none), or undefined when the key is not in the window. */
  fingerprintOf(digest: Uint32Array, now: number): string | undefined {
    const slot = this.find(digest);
    if (slot < 0 || this.expiries[slot]! <= now) return undefined;
    if (this.fingerprinted[slot] === 0) return '';
    const high = this.fingerprints[slot * 2]!.toString(16).padStart(8, '0');
    return high + this.fingerprints[slot * 2 + 1]!.toString(16).padStart(8, '0');
  }

  /**
   * Adds the key (again) as the newest, until `expiresAt`, with a fingerprint {@link holds} accepts; the key
   * of the add N adds ago goes.
   */
  add(digest: Uint32Array, expiresAt: number, fingerprint = ''): void {
    const existing = this.find(digest);
    if (existing >= 0) this.free(existing);
    const slot = this.head;
    if (this.expiries[slot] !== 0) this.free(slot);
    const base = slot * 4;
    for (let word = 0; word < 4; word++) this.digests[base + word] = digest[word]!;
    if (fingerprint === '') this.fingerprinted[slot] = 0;
    else {
      this.fingerprinted[slot] = 1;
      this.fingerprints[slot * 2] = Number.parseInt(fingerprint.slice(0, 8), 16);
      this.fingerprints[slot * 2 + 1] = Number.parseInt(fingerprint.slice(8, 16), 16);
    }
    // A free slot is 0: an expiry of 0 (or less) would read as free.
    this.expiries[slot] = Math.max(1, expiresAt);
    let position = digest[0]! & this.mask;
    while (this.index[position] !== 0) position = (position + 1) & this.mask;
    this.index[position] = slot + 1;
    this.count++;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  clear(): void {
    this.digests.fill(0);
    this.expiries.fill(0);
    this.index.fill(0);
    this.head = 0;
    this.count = 0;
  }

  private find(digest: Uint32Array): number {
    let position = digest[0]! & this.mask;
    for (;;) {
      const entry = this.index[position]!;
      if (entry === 0) return -1;
      const base = (entry - 1) * 4;
      if (
        this.digests[base] === digest[0] &&
        this.digests[base + 1] === digest[1] &&
        this.digests[base + 2] === digest[2] &&
        this.digests[base + 3] === digest[3]
      )
        return entry - 1;
      position = (position + 1) & this.mask;
    }
  }

  /** Takes an occupied slot out of the index (backward-shift deletion: no tombstones) and marks it free. */
  private free(slot: number): void {
    let hole = this.digests[slot * 4]! & this.mask;
    while (this.index[hole] !== slot + 1) hole = (hole + 1) & this.mask;
    this.index[hole] = 0;
    let next = hole;
    for (;;) {
      next = (next + 1) & this.mask;
      const entry = this.index[next]!;
      if (entry === 0) break;
      const home = this.digests[(entry - 1) * 4]! & this.mask;
      // The entry at `next` may move back into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!stays) {
        this.index[hole] = entry;
        this.index[next] = 0;
        hole = next;
      }
    }
    this.expiries[slot] = 0;
    this.count--;
  }
}
