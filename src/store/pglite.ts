import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { StoreError, errorMessage } from './errors';
import {
  Mutex,
  TEXT_FORM_TYPES,
  abortedCommit,
  assertChannel,
  assertOutsideTransaction,
  deliver,
  inTransactionScope,
  transactionHandle,
} from './shared';
import type { ListenOptions, Queryable, Row, Store, StoreErrorHandler } from './types';

export interface PgliteStoreOptions {
  dataDir?: string;
  onError?: StoreErrorHandler;
}

/**
 * A new database costs an initdb run of a few seconds. A process that creates several (a test
 * suite does; a gateway creates at most one) starts the later ones from a compressed copy of a
 * pristine one instead, which takes well under half the time.
 */
let freshClusters = 0;
let pristineSnapshot: Promise<Blob | undefined> = Promise.resolve(undefined);

export async function openPgliteStore(options: PgliteStoreOptions): Promise<Store> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) {
    try {
      await mkdir(dataDir, { recursive: true });
    } catch (error) {
      throw new StoreError(
        'ERR_STORE_CONFIG',
        `cannot create the PGlite data directory ${dataDir}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
  // Held until close(); taken before anything reads the directory, even to see whether it is fresh.
  const lock = dataDir === undefined ? undefined : await lockDataDir(dataDir);
  try {
    return await openLocked(dataDir, lock, options.onError);
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

async function openLocked(
  dataDir: string | undefined,
  lock: DataDirLock | undefined,
  onError: StoreErrorHandler | undefined,
): Promise<Store> {
  const keepText = (text: string): string => text;
  const parsers: Record<number, (text: string) => unknown> = {};
  // PGlite derives array parsers from the element parsers, so the scalars are enough here.
  for (const oid of TEXT_FORM_TYPES.scalars) parsers[oid] = keepText;
  const fresh = dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
  const snapshot = fresh ? await pristineSnapshot : undefined;
  const db = new PGlite({ dataDir, parsers, loadDataDir: snapshot });
  try {
    await db.waitReady;
    if (fresh && snapshot === undefined && ++freshClusters === 2) {
      // Taken before the store is handed out, so nothing but initdb's work is in it (and, from a data
      // directory, this process's lock file: loaded into another directory it names the same holder).
      pristineSnapshot = db.dumpDataDir('gzip').catch(() => undefined);
      await pristineSnapshot;
    }
  } catch (error) {
    await db.close().catch(() => undefined);
    const where = dataDir === undefined ? 'in memory' : `in ${dataDir}`;
    throw new StoreError(
      'ERR_STORE_UNREACHABLE',
      `cannot open the PGlite database ${where}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return new PgliteStore(db, onError, lock);
}

/**
 * PGlite is one PostgreSQL backend, i.e. one connection. Everything goes through one queue so that
 * a query from outside a transaction waits for it instead of running inside it.
 */
class PgliteStore implements Store {
  readonly driver = 'pglite' as const;
  private readonly queue = new Mutex();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly onError: StoreErrorHandler | undefined,
    private readonly lock: DataDirLock | undefined,
  ) {}

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.assertUsable();
    return this.queue.run(async () => (await this.db.query<R>(sql, [...params])).rows);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable();
    return this.queue.run(async () => {
      const db = this.db;
      await db.query('BEGIN');
      const tx = transactionHandle(
        async (sql, params) => (await db.query<Row>(sql, [...params])).rows,
        async (sql) => {
          await db.exec(sql);
        },
      );
      let result: T;
      try {
        result = await inTransactionScope(this, () => work(tx.handle));
      } catch (error) {
        tx.end();
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      tx.end();
      const commit = await db.query('COMMIT');
      if (commit.command === 'ROLLBACK') throw abortedCommit();
      return result;
    });
  }

  async listen(
    channel: string,
    onMessage: (payload: string) => void,
    // Never called: there is no connection that could drop.
    _options?: ListenOptions,
  ): Promise<() => Promise<void>> {
    assertChannel(channel);
    this.assertUsable();
    let active = true;
    const callback = (payload: string): void =>
      deliver(() => {
        if (active) onMessage(payload);
      }, this.onError);
    const unlisten = await this.queue.run(() => this.db.listen(channel, callback));
    let unsubscribing: Promise<void> | undefined;
    return async () => {
      active = false;
      // Closing the database ends every subscription anyway.
      if (this.closing !== undefined) return;
      if (unsubscribing === undefined) {
        assertOutsideTransaction(this);
        unsubscribing = this.queue.run(() => unlisten());
      }
      await unsubscribing;
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    assertChannel(channel);
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async ping(): Promise<void> {
    this.assertUsable();
    try {
      await this.queue.run(() => this.db.query('SELECT 1'));
    } catch (error) {
      throw new StoreError('ERR_STORE_UNREACHABLE', `PGlite did not answer: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.closing === undefined) {
      assertOutsideTransaction(this);
      this.closing = this.queue.run(async () => {
        try {
          await this.db.close();
        } finally {
          await this.lock?.release();
        }
      });
    }
    await this.closing;
  }

  private assertUsable(): void {
    if (this.closing !== undefined) throw new StoreError('ERR_STORE_CLOSED', 'the store is closed');
    assertOutsideTransaction(this);
  }
}
