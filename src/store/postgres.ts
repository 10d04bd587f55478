import pg from 'pg';
import { Redactor, StoreError } from './errors';
import { isConnectionFailure, translatePgError } from './postgres-errors';
import { PgListener } from './postgres-listener';
import {
  Mutex,
  TEXT_FORM_TYPES,
  abortedCommit,
  assertChannel,
  assertOutsideTransaction,
  inTransactionScope,
  transactionHandle,
} from './shared';
import type { ListenOptions, Queryable, Row, Store, StoreErrorHandler } from './types';

export interface PostgresStoreOptions {
  databaseUrl: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  onError?: StoreErrorHandler;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;

function parseDatabaseUrl(databaseUrl: string): Redactor {
  let url: URL | undefined;
  try {
    url = typeof databaseUrl === 'string' ? new URL(databaseUrl) : undefined;
  } catch {
    url = undefined;
  }
  // The message must not quote the input: a URL that failed to parse may still hold a password.
  if (url === undefined || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new StoreError('ERR_STORE_CONFIG', 'databaseUrl must be a postgres:// or postgresql:// URL');
  }
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(url.password);
  } catch {
    decoded = undefined;
  }
  return new Redactor([databaseUrl, url.password, decoded]);
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new StoreError('ERR_STORE_CONFIG', `${name} must be a positive integer`);
  }
  return value;
}

/** pg's own parsers, except that the types listed in TEXT_FORM_TYPES keep their text form. */
function typeParsers(): pg.CustomTypesConfig {
  // pg's typings only accept the OIDs of its enum; arrays are not in it.
  const builtIn = pg.types.getTypeParser as (oid: number, format: 'text' | 'binary') => unknown;
  const keepText = (text: string): string => text;
  const textArray = builtIn(1009 /* text[] */, 'text');
  const overrides = new Map<number, unknown>();
  for (const oid of TEXT_FORM_TYPES.scalars) overrides.set(oid, keepText);
  for (const oid of TEXT_FORM_TYPES.arrays) overrides.set(oid, textArray);
  const getTypeParser = (oid: number, format: 'text' | 'binary' = 'text'): unknown =>
    format === 'text' && overrides.has(oid) ? overrides.get(oid) : builtIn(oid, format);
  return { getTypeParser } as pg.CustomTypesConfig;
}

export function openPostgresStore(options: PostgresStoreOptions): Store {
  const redactor = parseDatabaseUrl(options.databaseUrl);
  const poolSize = positiveInteger(options.poolSize, DEFAULT_POOL_SIZE, 'poolSize');
  const connectTimeoutMs = positiveInteger(
    options.connectTimeoutMs,
    DEFAULT_CONNECT_TIMEOUT_MS,
    'connectTimeoutMs',
  );
  const clientConfig: pg.ClientConfig = {
    connectionString: options.databaseUrl,
    application_name: 'inzage',
    connectionTimeoutMillis: connectTimeoutMs,
    // PGlite always runs in UTC; the same here keeps now()::date and friends driver-independent.
    options: '-c TimeZone=UTC',
    types: typeParsers(),
    keepAlive: true,
  };
  return new PostgresStore(clientConfig, poolSize, redactor, options.onError);
}

class PostgresStore implements Store {
  readonly driver = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly listener: PgListener;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(
    clientConfig: pg.ClientConfig,
    poolSize: number,
    private readonly redactor: Redactor,
    private readonly onError: StoreErrorHandler | undefined,
  ) {
    this.pool = new pg.Pool({ ...clientConfig, max: poolSize, idleTimeoutMillis: 30_000 });
    // Without a listener an idle connection that breaks would crash the process.
    this.pool.on('error', (error) => {
      const translated = translatePgError(error, redactor, 'idle pooled connection');
      this.onError?.(
        translated instanceof StoreError
          ? translated
          : new StoreError('ERR_STORE_UNREACHABLE', 'an idle pooled connection failed', {
              cause: redactor.cause(error),
            }),
      );
    });
    this.listener = new PgListener(clientConfig, redactor, onError);
  }

  query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.track(async () => {
      try {
        const result = await this.pool.query<R>(extended(sql, params));
        return result.rows;
      } catch (error) {
        throw translatePgError(error, this.redactor, 'query');
      }
    });
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.track(async () => {
      const client = await this.connect();
      // A connection whose state is unknown must not go back into the pool.
      let discard = false;
      // pg is phasing out queueing on a busy client, so concurrent tx.query calls queue here.
      const serial = new Mutex();
      const control = async (statement: 'BEGIN' | 'COMMIT' | 'ROLLBACK'): Promise<pg.QueryResult> => {
        try {
          return await serial.run(() => client.query(statement));
        } catch (error) {
          if (isConnectionFailure(error)) discard = true;
          throw translatePgError(error, this.redactor, statement);
        }
      };
      try {
        await control('BEGIN');
        const tx = transactionHandle(
          async (sql, params) => {
            try {
              return (await serial.run(() => client.query<Row>(extended(sql, params)))).rows;
            } catch (error) {
              throw translatePgError(error, this.redactor, 'transaction');
            }
          },
          async (sql) => {
            await serial.run(() => client.query(sql));
          },
        );
        let result: T;
        try {
          result = await inTransactionScope(this, () => work(tx.handle));
        } catch (error) {
          tx.end();
          await control('ROLLBACK').catch(() => {
            discard = true;
          });
          throw error;
        }
        tx.end();
        const commit = await control('COMMIT');
        if (commit.command === 'ROLLBACK') throw abortedCommit();
        return result;
      } finally {
        client.release(discard);
      }
    });
  }

  async listen(
    channel: string,
    onMessage: (payload: string) => void,
    options: ListenOptions = {},
  ): Promise<() => Promise<void>> {
    assertChannel(channel);
    return this.track(() => this.listener.subscribe(channel, onMessage, options.onResubscribe));
  }

  async notify(channel: string, payload: string): Promise<void> {
    assertChannel(channel);
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  ping(): Promise<void> {
    return this.track(async () => {
      try {
        await this.pool.query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as pg.QueryConfig);
      } catch (error) {
        const translated = translatePgError(error, this.redactor, 'ping');
        if (translated instanceof StoreError) throw translated;
        throw new StoreError('ERR_STORE_UNREACHABLE', 'PostgreSQL did not answer the ping', {
          cause: this.redactor.cause(error),
        });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closing === undefined) {
      assertOutsideTransaction(this);
      this.closing = (async () => {
        // pg's pool strands callers still waiting for a connection once it ends: let them finish.
        await Promise.allSettled([...this.inFlight]);
        await this.listener.close();
        await this.pool.end();
      })();
    }
    await this.closing;
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) {
      return Promise.reject(new StoreError('ERR_STORE_CLOSED', 'the store is closed'));
    }
    try {
      assertOutsideTransaction(this);
    } catch (error) {
      return Promise.reject(error);
    }
    const running = work();
    this.inFlight.add(running);
    void running.then(
      () => this.inFlight.delete(running),
      () => this.inFlight.delete(running),
    );
    return running;
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      const translated = translatePgError(error, this.redactor, 'connect');
      throw translated instanceof StoreError
        ? translated
        : new StoreError('ERR_STORE_UNREACHABLE', 'cannot get a PostgreSQL connection', {
            cause: this.redactor.cause(error),
          });
    }
  }
}

/** The extended protocol takes one statement only, exactly as PGlite's query() does. */
function extended(sql: string, params: readonly unknown[]): pg.QueryConfig {
  return { text: sql, values: [...params], queryMode: 'extended' } as pg.QueryConfig;
}
