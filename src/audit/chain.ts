import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical';
import type { AuditEntry, ChainAlgorithm } from './entry';

/** The link before the first record of a new trail. */
export const GENESIS_HASH = '0'.repeat(64);

/** What one link of the chain covers: its place, its identity, when it was written, and the entry. */
export interface ChainedContent {
  readonly seq: number;
  readonly id: string;
  readonly recorded: Date;
  readonly entry: AuditEntry | StoredEntry;
}

/** An entry as it comes back from the database: `at` is the ISO string it was stored as. */
export type StoredEntry = Omit<AuditEntry, 'at'> & { readonly at: string };

/**
 * How the trail hashes its links. With a key (INZAGE_AUDIT_KEY) the link is an HMAC: whoever can
 * write to the database but does not hold the key cannot forge a chain that verifies. Without one it
 * is SHA-256, which still shows every change, deletion and reordering made without rewriting all
 * later links.
 */
export class ChainHasher {
  readonly algorithm: ChainAlgorithm;
  readonly #key: Buffer | undefined;

  constructor(key?: Buffer) {
    if (key !== undefined && key.length < 32) throw new TypeError('an audit chain key has at least 32 bytes');
    this.#key = key;
    this.algorithm = key === undefined ? 'sha256' : 'hmac-sha256';
  }

  /** The hash of a link, from the previous link's hash and this link's content. */
  link(prevHash: string, content: ChainedContent, algorithm: ChainAlgorithm = this.algorithm): string {
    const text = `${prevHash}\n${canonicalJson({
      seq: content.seq,
      id: content.id,
      recorded: content.recorded.toISOString(),
      entry: content.entry,
    })}`;
    if (algorithm === 'sha256') return createHash('sha256').update(text, 'utf8').digest('hex');
    if (this.#key === undefined)
      throw new ChainKeyMissing('this record is keyed (hmac-sha256): set INZAGE_AUDIT_KEY to check it');
    return createHmac('sha256', this.#key).update(text, 'utf8').digest('hex');
  }

  /** Constant-time comparison of two link hashes. */
  static same(a: string, b: string): boolean {
    const x = Buffer.from(a, 'utf8');
    const y = Buffer.from(b, 'utf8');
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

/** A keyed record checked without the key. */
export class ChainKeyMissing extends Error {
  override readonly name = 'ChainKeyMissing';
}

/** The audit key from its environment variable (32+ bytes as hex or base64), or undefined when unset. */
export function auditKeyFromEnvironment(env: NodeJS.ProcessEnv): Buffer | undefined {
  const text = env[AUDIT_KEY_VARIABLE]?.trim();
  if (text === undefined || text === '') return undefined;
  const key = /^(?:[0-9a-fA-F]{2}){32,}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined;
  if (key === undefined || key.length < 32)
    throw new TypeError(`${AUDIT_KEY_VARIABLE} must be at least 32 bytes, as hex digits or in base64`);
  return key;
}

export const AUDIT_KEY_VARIABLE = 'INZAGE_AUDIT_KEY';
