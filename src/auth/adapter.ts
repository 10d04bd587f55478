/**
 * oidc-provider's storage (its "Adapter"), on the gateway's store, so that several gateway instances
 * share sessions, grants, codes and tokens. Every call is one SQL statement and nothing is cached in
 * the process: a token issued by one instance is found, consumed or revoked by any other at once.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Queryable, Store } from '../store';

/** How a model adapter is made: oidc-provider calls this once per model name (Session, AccessToken …). */
export type AuthAdapterFactory = (model: string) => Adapter;

export interface AuthAdapterOptions {
  /** The clock for expiry and consumption (default: the system clock). Tests pass a fixed one. */
  now?: () => Date;
  /**
   * Told of every token row written or removed, inside the transaction that writes or removes it
   * (the audit trail's record commits with the token, or neither does). Needs a store that can
   * open transactions.
   */
  events?: TokenEvents;
}

/** The models whose rows are tokens, or (AuthorizationCode) a grant's source, for `events`. */
export const TOKEN_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'ClientCredentials',
  'RefreshToken',
  'AuthorizationCode',
]);

/** A removed token row: its id (the `jti`, or the value of an opaque token) and its payload. */
export interface RemovedToken {
  readonly id: string;
  readonly payload: AdapterPayload;
}

export interface TokenEvents {
  /** A token row was inserted (not replaced): issued. A rejection undoes the insert. */
  issued(tx: Queryable, model: string, id: string, payload: AdapterPayload): Promise<void>;
  /**
   * Token rows were removed: one token (`destroy`) or all of a grant's (`grant`, called even when
   * none was left). A rejection undoes the removal.
   */
  removed(
    tx: Queryable,
    model: string,
    how: 'destroy' | 'grant',
    removed: readonly RemovedToken[],
    grantId?: string,
  ): Promise<void>;
}

interface ModelRow {
  payload: AdapterPayload;
  consumed_at: Date | null;
  [column: string]: unknown;
}

/** The payload as the library expects it back: `consumed` (epoch seconds) when it was consumed. */
function revived(row: ModelRow | undefined): AdapterPayload | undefined {
  if (row === undefined) return undefined;
  if (row.consumed_at === null) return row.payload;
  return { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) };
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

const LIVE = '(expires_at IS NULL OR expires_at > $3)';

const UPSERT = `INSERT INTO auth_model (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at,
         consumed_at = EXCLUDED.consumed_at
       RETURNING (xmax = 0) AS inserted`;

class StoreAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: Queryable,
    private readonly now: () => Date,
    private readonly events?: TokenEvents,
  ) {}

  /** The work in a transaction with the events, when this model's rows are tokens; else as is. */
  private async withEvents<T>(work: (q: Queryable, events?: TokenEvents) => Promise<T>): Promise<T> {
    if (this.events === undefined || !TOKEN_MODELS.has(this.model)) return work(this.store);
    const events = this.events;
    return (this.store as Store).transaction((tx) => work(tx, events));
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const now = this.now();
    const expiresAt = typeof expiresIn === 'number' ? new Date(now.getTime() + expiresIn * 1000) : null;
    // `consumed` lives in its own column, so that consume() is one UPDATE; a payload saved with it
    // (a model that was read, consumed and saved again) keeps it.
    const { consumed, ...rest } = payload;
    const consumedAt = typeof consumed === 'number' ? new Date(consumed * 1000) : null;
    await this.withEvents(async (q, events) => {
      const [row] = await q.query<{ inserted: boolean }>(UPSERT, [
        this.model,
        id,
        JSON.stringify(rest),
        textOrNull(payload.grantId),
        textOrNull(payload.userCode),
        textOrNull(payload.uid),
        expiresAt,
        consumedAt,
      ]);
      if (events && row?.inserted) await events.issued(q, this.model, id, payload);
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id = $2', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid = $2', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code = $2', userCode);
  }

  async consume(id: string): Promise<void> {
    // The first consumption counts: a second one (a replayed code) must not move the moment.
    await this.store.query(
      `UPDATE auth_model SET consumed_at = COALESCE(consumed_at, $3) WHERE model = $1 AND id = $2`,
      [this.model, id, this.now()],
    );
  }

  async destroy(id: string): Promise<void> {
    await this.withEvents(async (q, events) => {
      const rows = await q.query<RemovedToken & Record<string, unknown>>(
        `DELETE FROM auth_model WHERE model = $1 AND id = $2 RETURNING id, payload`,
        [this.model, id],
      );
      if (events && rows.length > 0) await events.removed(q, this.model, 'destroy', rows);
    });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Per model: oidc-provider calls this on each token model, and destroys the Grant itself only
    // when its revokeGrantPolicy says so.
    await this.withEvents(async (q, events) => {
      const rows = await q.query<RemovedToken & Record<string, unknown>>(
        `DELETE FROM auth_model WHERE model = $1 AND grant_id = $2 RETURNING id, payload`,
        [this.model, grantId],
      );
      if (events) await events.removed(q, this.model, 'grant', rows, grantId);
    });
  }

  private async findWhere(condition: string, value: string): Promise<AdapterPayload | undefined> {
    const rows = await this.store.query<ModelRow>(
      `SELECT payload, consumed_at FROM auth_model
       WHERE model = $1 AND ${condition} AND ${LIVE} LIMIT 1`,
      [this.model, value, this.now()],
    );
    return revived(rows[0]);
  }
}

/**
 * The `adapter` option for oidc-provider, bound to a store. The auth module is the only writer of
 * auth_model; nothing else reads it either.
 */
export function authAdapter(store: Queryable, options: AuthAdapterOptions = {}): AuthAdapterFactory {
  const now = options.now ?? (() => new Date());
  return (model) => new StoreAdapter(model, store, now, options.events);
}

/**
 * Removes the rows whose expiry has passed (the reads already ignore them). Returns how many went.
 * Meant for a periodic job; any instance may run it, at any time.
 */
export async function pruneExpired(store: Queryable, now: Date = new Date()): Promise<number> {
  const rows = await store.query<{ removed: number }>(
    `WITH gone AS (DELETE FROM auth_model WHERE expires_at <= $1 RETURNING 1)
     SELECT count(*)::int AS removed FROM gone`,
    [now],
  );
  return rows[0]?.removed ?? 0;
}

/** The oidc-provider models that belong to a signed-in person and die with their access. */
const ACCOUNT_MODELS = ['Session', 'Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken'];

/**
 * Deletes the sessions, grants, codes and tokens of these accountIds (account link ids), or only
 * those for one client when `clientId` is given (a session spans clients, so it stays then). Every
 * instance sees it at once: tokens are checked against the store on every use. Returns the count.
 */
export async function revokeByAccountIds(
  store: Queryable,
  accountIds: readonly string[],
  clientId?: string,
): Promise<number> {
  if (accountIds.length === 0) return 0;
  const models = clientId === undefined ? ACCOUNT_MODELS : ACCOUNT_MODELS.filter((m) => m !== 'Session');
  const rows = await store.query<{ removed: number }>(
    `WITH gone AS (
       DELETE FROM auth_model
       WHERE payload ? 'accountId' AND payload->>'accountId' = ANY($1::text[]) AND model = ANY($2::text[])
         AND ($3::text IS NULL OR payload->>'clientId' = $3)
       RETURNING 1)
     SELECT count(*)::int AS removed FROM gone`,
    [accountIds, models, clientId ?? null],
  );
  return rows[0]?.removed ?? 0;
}
