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
 * the next transaction: one flush for all of them, however many requests are in flight. A batch is
 * one statement (its own transaction) that inserts the records and moves the chain head only if the
 * head is still where this writer last left it; when another instance moved it, the batch is written
 * again under the head's row lock, read afresh. So several instances on one database append to one
 * chain, in one order, without gaps.
 */
export class AuditTrail {
  readonly #store: Store;
  readonly #hasher: ChainHasher;
  readonly #maxBatch: number;
  readonly #now: () => Date;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  /** The head as this writer last left it (a guess: another instance may have moved it since). */
  #head: ChainHead | undefined;
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
    const [record] = await this.#append(tx, () => [{ entry }]);
    return record!;
  }

  /**
   * Writes several records inside the caller's transaction, in the order given, with one insert (an
   * ECD sync: its own record and one for each client whose Consents it changed).
   */
  async recordAllIn(tx: Queryable, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (this.#closed) throw new Error('the audit trail is closed');
    if (entries.length === 0) return [];
    return this.#append(tx, () => entries.map((entry) => ({ entry })));
  }

  /** Writes what is queued, then refuses new records. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
  }

  async #drain(): Promise<void> {
    const take = () => this.#queue.splice(0, this.#maxBatch);
    try {
      while (this.#queue.length > 0) {
        // On PGlite a statement holds the thread, so nothing arrives while it runs: one turn of the
        // event loop first lets the requests that are about to record join this batch. (PostgreSQL
        // answers over the network; records arrive during every flush.)
        if (this.#store.driver === 'pglite') await new Promise((resolve) => setImmediate(resolve));
        let batch: Pending[] | undefined;
        try {
          // One statement, its own transaction, when this writer knows the head: the usual case.
          let records =
            this.#head === undefined ? undefined : await this.#appendAt(this.#head, (batch = take()));
          // Otherwise (the first batch, another instance wrote in between, a trail emptied by hand),
          // under the head's row lock; a batch not yet taken takes what arrived while it waited.
          records ??= await this.#store.transaction((tx) => this.#append(tx, () => (batch ??= take())));
          this.#batches += 1;
          this.#written += records.length;
          const written = batch ?? [];
          written.forEach((pending, i) => pending.resolve(records[i]!));
        } catch (err) {
          for (const pending of batch ?? take()) pending.reject(err);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /**
   * Appends after the head this writer last wrote or read, in one statement that moves the head only
   * if it is still there: undefined, with nothing written, when another writer moved it since.
   */
  async #appendAt(
    head: ChainHead,
    batch: readonly Pick<Pending, 'entry'>[],
  ): Promise<AuditRecord[] | undefined> {
    const linked = this.#link(head, batch);
    const written = await this.#store.query(APPEND_IF_HEAD, [
      linked.rows,
      linked.head.seq,
      linked.head.hash,
      head.seq,
      head.hash,
    ]);
    if (written.length !== batch.length) return undefined;
    this.#head = linked.head;
    return linked.records;
  }

  /** Appends under the head's row lock, inside `tx`; `take` gives the entries once the lock is held. */
  async #append(tx: Queryable, take: () => readonly Pick<Pending, 'entry'>[]): Promise<AuditRecord[]> {
    let head = await lockHead(tx);
    if (head === undefined) {
      // A trail emptied by hand (the tests' TRUNCATE) starts again at the genesis link; a head missing
      // beside kept records is not recreated: the insert below then fails on seq, and nothing is written.
      await tx.query(
        `WITH genesis AS (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM audit_event)),
           head AS (
             INSERT INTO audit_chain_head (id, seq, hash) SELECT 1, 0, repeat('0', 64) FROM genesis
             ON CONFLICT (id) DO NOTHING)
         INSERT INTO audit_chain_start (id, seq, hash) SELECT 1, 0, repeat('0', 64) FROM genesis
         ON CONFLICT (id) DO NOTHING`,
      );
      head = await lockHead(tx);
      if (head === undefined) throw new Error('the audit chain head is missing: run `inzage audit verify`');
    }
    const batch = take();
    const linked = this.#link(head, batch);
    const written = await tx.query(APPEND_IF_HEAD, [
      linked.rows,
      linked.head.seq,
      linked.head.hash,
      head.seq,
      head.hash,
    ]);
    // The lock is held, so the head is where it was read; anything else is a broken database.
    if (written.length !== batch.length) throw new Error('the audit chain head moved under its lock');
    // Kept even before the commit: a wrong guess costs one statement that writes nothing (#appendAt).
    this.#head = linked.head;
    return linked.records;
  }

  /** The batch's records chained after `head`, the rows to insert (JSON), and the new head. */
  #link(
    head: ChainHead,
    batch: readonly Pick<Pending, 'entry'>[],
  ): { records: AuditRecord[]; rows: string; head: ChainHead } {
    let seq = head.seq;
    let prevHash = head.hash;
    const recorded = this.#now();
    const records: AuditRecord[] = [];
    const rows: object[] = [];
    for (const { entry } of batch) {
      seq += 1;
      const id = randomUUID();
      const stored = storedEntry(entry);
      const hash = this.#hasher.link(prevHash, { seq, id, recorded, entry: stored });
      records.push({ id, seq, recorded, entry, alg: this.#hasher.algorithm, prevHash, hash });
      rows.push({
        seq,
        id,
        recorded: recorded.toISOString(),
        ...columnsOf(entry),
        entry: stored,
        alg: this.#hasher.algorithm,
        prev_hash: prevHash,
        hash,
      });
      prevHash = hash;
    }
    return { records, rows: JSON.stringify(rows), head: { seq, hash: prevHash } };
  }
}

interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

async function lockHead(tx: Queryable): Promise<ChainHead | undefined> {
  const [row] = await tx.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE',
  );
  return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash };
}

/**
 * Inserts the records ($1, a JSON array) and moves the head from ($4, $5) to ($2, $3), in one
 * statement, only if the head is still at ($4, $5); returns one row per record written, or none.
 */
const APPEND_IF_HEAD = `
  WITH moved AS (
    UPDATE audit_chain_head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $4 AND hash = $5 RETURNING id)
  INSERT INTO audit_event
    (seq, id, recorded, kind, patient_id, account_id, client_app, token_id, request_id, entry, alg, prev_hash, hash)
  SELECT r.seq, r.id, r.recorded, r.kind, r.patient_id, r.account_id, r.client_app, r.token_id,
         r.request_id, r.entry, r.alg, r.prev_hash, r.hash
  FROM jsonb_to_recordset($1::jsonb) AS r(
    seq bigint, id uuid, recorded timestamptz, kind text, patient_id text, account_id text,
    client_app text, token_id text, request_id text, entry jsonb, alg text, prev_hash text, hash text)
  WHERE EXISTS (SELECT 1 FROM moved)
  RETURNING seq`;
