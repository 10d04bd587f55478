import type { StoreError } from './errors';

export type StoreDriver = 'pglite' | 'postgres';

export type Row = Record<string, unknown>;

export interface Queryable {
  /**
   * Parameterised SQL ($1, $2 …), one statement. Returns the rows.
   *
   * Both drivers map column types the same way: int4/float8 → number, int8 and numeric → string
   * (lossless), date → 'YYYY-MM-DD', timestamp without time zone and interval → their text form,
   * timestamptz → Date, json/jsonb → parsed value, bytea → Uint8Array. For json parameters pass
   * `JSON.stringify(value)` and cast (`$1::jsonb`): the drivers serialise raw arrays differently.
   * Database errors are passed through as the driver raised them, with the SQLSTATE in `code`.
   */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface ListenOptions {
  /**
   * Called after a dropped LISTEN connection was re-established (PostgreSQL only). Notifications
   * sent in between are lost, so anything cached on the strength of them must be thrown away.
   */
  onResubscribe?: () => void;
}

export interface Store extends Queryable {
  readonly driver: StoreDriver;
  /**
   * Runs work in one transaction: commit on success, rollback on throw (the error is rethrown).
   * Inside `work`, use `tx` only: calling the store itself from there is refused with
   * ERR_STORE_REENTRANT, because on PGlite (one connection) it could never run and would hang.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribe to a PostgreSQL NOTIFY channel; resolves to an unsubscribe function once the
   * subscription is active. Callbacks run on their own tick, outside any transaction.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    options?: ListenOptions,
  ): Promise<() => Promise<void>>;
  /** Sends at once. To notify only if a transaction commits, run `SELECT pg_notify($1, $2)` on its `tx`. */
  notify(channel: string, payload: string): Promise<void>;
  /** Cheap liveness check of the database (used by /readyz); throws when unreachable. */
  ping(): Promise<void>;
  /** Closes the connection(s) cleanly, after work already under way; idempotent. */
  close(): Promise<void>;
}

/** Problems that happen away from any call (a dropped connection, a throwing callback). */
export type StoreErrorHandler = (error: StoreError) => void;

export type StoreOptions =
  | {
      driver: 'postgres';
      /** postgres://user:password@host:port/database; never echoed in errors. */
      databaseUrl: string;
      /** Connections in the pool (default 10); LISTEN uses one more, dedicated connection. */
      poolSize?: number;
      /** Give up connecting after this long (default 10 000 ms). */
      connectTimeoutMs?: number;
      onError?: StoreErrorHandler;
    }
  | {
      driver: 'pglite';
      /** Directory for the database files, created if missing; absent = in memory. */
      dataDir?: string;
      onError?: StoreErrorHandler;
    };

/** One schema change. `up` may hold several statements; it runs in a transaction of its own. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}
