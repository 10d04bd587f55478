// Pieces both drivers share, so that they behave the same in the ways callers can observe.
import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreError, errorMessage } from './errors';
import type { Queryable, Row, StoreErrorHandler } from './types';

const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Channel names end up inside LISTEN/UNLISTEN statements, which take no parameters. */
export function assertChannel(channel: string): void {
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) {
    throw new StoreError(
      'ERR_STORE_CHANNEL',
      `invalid notification channel ${JSON.stringify(channel)}: use lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    );
  }
}

/**
 * Type OIDs whose default JavaScript form differs between the drivers (or loses information), mapped
 * to their text form in both: int8 would overflow a number, and a date or a timestamp without time
 * zone turned into a Date silently picks up the time zone of the Node process.
 */
export const TEXT_FORM_TYPES = {
  scalars: [20 /* int8 */, 1082 /* date */, 1114 /* timestamp */, 1186 /* interval */],
  arrays: [1016 /* int8[] */, 1182 /* date[] */, 1115 /* timestamp[] */, 1187 /* interval[] */],
} as const;

interface Scope {
  readonly owner: object;
  active: boolean;
}

const transactionScope = new AsyncLocalStorage<Scope>();

/** Throws when called from inside a transaction of the same store (see Store.transaction). */
export function assertOutsideTransaction(owner: object): void {
  const scope = transactionScope.getStore();
  if (scope !== undefined && scope.owner === owner && scope.active) {
    throw new StoreError(
      'ERR_STORE_REENTRANT',
      'the store was called from inside its own transaction: use the transaction handle (tx) instead',
    );
  }
}

/** Runs a transaction body so that reentrant calls can be told apart from later, unrelated ones. */
export async function inTransactionScope<T>(owner: object, work: () => Promise<T>): Promise<T> {
  const scope: Scope = { owner, active: true };
  try {
    return await transactionScope.run(scope, work);
  } finally {
    // Work started inside but still running afterwards keeps this scope; it is no longer reentrant.
    scope.active = false;
  }
}

/**
 * Hands a notification to its callback on a later tick and outside any transaction scope, so that
 * the callback may use the store freely and cannot disturb the driver that received the message.
 */
export function deliver(callback: () => void, onError: StoreErrorHandler | undefined): void {
  transactionScope.exit(() => {
    setImmediate(() => {
      try {
        callback();
      } catch (error) {
        if (onError === undefined) throw error;
        onError(
          new StoreError('ERR_STORE_CALLBACK', `a notification callback threw: ${errorMessage(error)}`, {
            cause: error,
          }),
        );
      }
    });
  });
}

/** Migrations hold several statements; only the store's own transaction handles can run those. */
export const runScript = Symbol('inzage.store.runScript');

export interface ScriptQueryable extends Queryable {
  [runScript](sql: string): Promise<void>;
}

export function canRunScripts(tx: Queryable): tx is ScriptQueryable {
  return typeof (tx as Partial<ScriptQueryable>)[runScript] === 'function';
}

/** A transaction handle that refuses use once its transaction is over. */
export function transactionHandle(
  query: (sql: string, params: readonly unknown[]) => Promise<Row[]>,
  script: (sql: string) => Promise<void>,
): { handle: ScriptQueryable; end(): void } {
  let ended = false;
  const check = (): void => {
    if (ended) {
      throw new StoreError(
        'ERR_STORE_TRANSACTION_ENDED',
        'this transaction has already ended; its handle cannot be used any more',
      );
    }
  };
  const handle: ScriptQueryable = {
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      check();
      return (await query(sql, params)) as R[];
    },
    async [runScript](sql: string): Promise<void> {
      check();
      await script(sql);
    },
  };
  return {
    handle,
    end() {
      ended = true;
    },
  };
}

/** Queues async work so that each piece runs alone, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function abortedCommit(): StoreError {
  return new StoreError(
    'ERR_STORE_TRANSACTION_ABORTED',
    'the transaction was rolled back because a statement in it failed; nothing was committed',
  );
}
