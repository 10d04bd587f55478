import { randomUUID } from 'node:crypto';
import type { Queryable, Store } from '../store';
import { ChainHasher } from './chain';
import type { AuditEntry, AuditRecord } from './entry';
import { columnsOf, storedEntry } from './rows';

export interface AuditTrailOptions {
  /** Keys the chain (HMAC-SHA-256); see ChainHasher. */
  readonly key?: Buffer;
  /** The most records one transaction writes (default 512); the rest wait for the next. */
  readonly maxBatch?: number;
  /** The clock of `recorded` (tests). */
  readonly now?: () => Date;
}

interface Pending {
  readonly entry: AuditEntry;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The writer of the audit trail. `record` resolves once the record is committed, so a caller that
 * awaits it before answering never sends an answer whose record could be lost (NEN 7513, issue 11).
 *
 * Group commit: while one batch is being written, the records that arrive wait, and go together in
 * the next transaction: one flush for all of them, however many requests are in flight. Each batch
 * holds the chain head's row lock until it commits, so several instances on one database append to
 * one chain, in one order, without gaps.
 */
export class AuditTrail {
  readonly #store: Store;
  readonly #hasher: ChainHasher;
  readonly #maxBatch: number;
  readonly #now: () => Date;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  #batches = 0;
  #written = 0;

  constructor(store: Store, options: AuditTrailOptions = {}) {
    this.#store = store;
    this.#hasher = new ChainHasher(options.key);
    this.#maxBatch = options.maxBatch ?? 512;
    this.#now = options.now ?? (() => new Date());
  }

  /** Transactions and records written by this writer so far (group commit: batches ≤ records). */
  get stats(): { readonly batches: number; readonly records: number } {
    return { batches: this.#batches, records: this.#written };
  }

  /** sha256 or hmac-sha256: whether this writer keys its links. */
  get algorithm(): AuditRecord['alg'] {
    return this.#hasher.algorithm;
  }

  /** Writes one record; resolves when it is durable, rejects when it could not be written. */
  record(entry: AuditEntry): Promise<AuditRecord> {
    if (this.#closed) return Promise.reject(new Error('the audit trail is closed'));
    return new Promise<AuditRecord>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      this.#flushing ??= this.#drain();
    });
  }

  /**
   * Writes one record inside the caller's transaction, so that a change and its record commit
   * together or not at all (a grant, a suspension). Takes the chain head's lock until that
   * transaction ends: keep such transactions short.
   */
  async recordIn(tx: Queryable, entry: AuditEntry): Promise<AuditRecord> {
    if (this.#closed) throw new Error('the audit trail is closed');
    const [record] = await this.#append(tx, [{ entry }]);
    return record!;
  }

  /**
   * Writes several records inside the caller's transaction, in the order given, with one insert (an
   * ECD sync: its own record and one for each client whose Consents it changed).
   */
  async recordAllIn(tx: Queryable, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (this.#closed) throw new Error('the audit trail is closed');
    if (entries.length === 0) return [];
    return this.#append(
      tx,
      entries.map((entry) => ({ entry })),
    );
  }

  /** Writes what is queued, then refuses new records. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          const records = await this.#store.transaction((tx) => this.#append(tx, batch));
          this.#batches += 1;
          this.#written += records.length;
          batch.forEach((pending, i) => pending.resolve(records[i]!));
        } catch (err) {
          for (const pending of batch) pending.reject(err);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #append(tx: Queryable, batch: readonly Pick<Pending, 'entry'>[]): Promise<AuditRecord[]> {
    // A trail emptied by hand (the tests' TRUNCATE) starts again at the genesis link; a head missing
    // beside kept records is not recreated: the insert below then fails on seq, and nothing is written.
    for (const table of ['audit_chain_head', 'audit_chain_start'])
      await tx.query(
        `INSERT INTO ${table} (id, seq, hash)
         SELECT 1, 0, repeat('0', 64) WHERE NOT EXISTS (SELECT 1 FROM audit_event)
         ON CONFLICT (id) DO NOTHING`,
      );
    const [head] = await tx.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE',
    );
    if (!head) throw new Error('the audit chain head is missing: run `inzage audit verify`');
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const recorded = this.#now();
    const records: AuditRecord[] = [];
    for (const { entry } of batch) {
      seq += 1;
      const id = randomUUID();
      const hash = this.#hasher.link(prevHash, { seq, id, recorded, entry: storedEntry(entry) });
      records.push({ id, seq, recorded, entry, alg: this.#hasher.algorithm, prevHash, hash });
      prevHash = hash;
    }
    await tx.query(
      `INSERT INTO audit_event
         (seq, id, recorded, kind, patient_id, account_id, client_app, token_id, request_id, entry, alg, prev_hash, hash)
       SELECT r.seq, r.id, r.recorded, r.kind, r.patient_id, r.account_id, r.client_app, r.token_id,
              r.request_id, r.entry, r.alg, r.prev_hash, r.hash
       FROM jsonb_to_recordset($1::jsonb) AS r(
         seq bigint, id uuid, recorded timestamptz, kind text, patient_id text, account_id text,
         client_app text, token_id text, request_id text, entry jsonb, alg text, prev_hash text, hash text)`,
      [
        JSON.stringify(
          records.map((r) => ({
            seq: r.seq,
            id: r.id,
            recorded: r.recorded.toISOString(),
            ...columnsOf(r.entry),
            entry: storedEntry(r.entry),
            alg: r.alg,
            prev_hash: r.prevHash,
            hash: r.hash,
          })),
        ),
      ],
    );
    await tx.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1', [seq, prevHash]);
    return records;
  }
}
