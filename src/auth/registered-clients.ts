/**
 * SMART clients registered at run time (issue 12, item 7: the portal vendors' apps), beside the
 * static clients of the configuration. The module owns the table `smart_client` (migration 11).
 *
 * - A row holds the registration (`metadata`, in the shape of a configured client) and, for a
 *   confidential-symmetric client, only the scrypt hash of its secret, in the form
 *   `smart.clients[].secretHash` uses: the secret is made here (32 random bytes), handed back once
 *   by `registerClient` or `rotateClientSecret`, and never stored or logged.
 * - The rules are those of configured clients (src/config/load.ts), and a little stricter where a
 *   registration comes from a form instead of an operator's file: redirect URIs are https (or http on
 *   localhost / 127.0.0.1), without a fragment; a backend client names its organisation and keys.
 * - Every change notifies SMART_CLIENT_CHANNEL (in its transaction), so that each instance's
 *   ClientDirectory follows at once. The decisions that must count on the very next request do
 *   not wait for that: oidc-provider's Client lookup (`registeredClientAdapter`) and the access
 *   token check (access-tokens.ts) read the row every time.
 */
import { randomBytes } from 'node:crypto';
import { importJWK } from 'jose';
import type { Adapter, AdapterPayload, ClientMetadata } from 'oidc-provider';
import type { ClientJwk, SmartClientConfig } from '../config';
import { Conflict, InvalidInput, NotFound } from '../errors';
import type { Queryable, Store } from '../store';
import { hashPassword } from './accounts';
import { clientMetadata } from './clients';
import { malformedScopes } from './scopes';

/** NOTIFY channel of registration changes; the payload is the client id. */
export const SMART_CLIENT_CHANNEL = 'inzage_smart_client';

/** How a registered client authenticates (SMART App Launch 2.2 client types, and Backend Services). */
export const APP_TYPES = ['public', 'confidential-symmetric', 'confidential-asymmetric', 'backend'] as const;
export type AppType = (typeof APP_TYPES)[number];

/** The registration as stored in `smart_client.metadata`. */
interface StoredMetadata {
  name: string;
  type: AppType;
  redirectUris: string[];
  launchUri?: string;
  scopes: string[];
  jwks?: { keys: ClientJwk[] };
  jwksUrl?: string;
  /** The organisation whose staff registered and manage it; for a backend client, its organisation. */
  organisation: string;
  mayLaunch: boolean;
}

/** A registered client as staff see it: never its secret or the secret's hash. */
export interface RegisteredClient extends StoredMetadata {
  readonly id: string;
  readonly hasSecret: boolean;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly disabledAt?: Date;
}

export interface NewRegisteredClient {
  /** Default: `app-` and random letters. */
  id?: string;
  name: string;
  type: AppType;
  redirectUris?: string[];
  launchUri?: string;
  /** SMART scopes, as a list or separated by spaces. */
  scopes: string[] | string;
  /** A JWKS (`{ keys: [...] }`) or a list of JWKs: public keys only. */
  jwks?: { keys: ClientJwk[] } | ClientJwk[];
  jwksUrl?: string;
  organisation: string;
  mayLaunch?: boolean;
  /** Who registers it ('staff:<id>'). */
  createdBy: string;
}

/** What an update may change; the type cannot change (register another client instead). */
export interface RegisteredClientChanges {
  name?: string;
  redirectUris?: string[];
  /** Empty text removes it. */
  launchUri?: string;
  scopes?: string[] | string;
  jwks?: { keys: ClientJwk[] } | ClientJwk[];
  jwksUrl?: string;
  mayLaunch?: boolean;
}

/** The answer of a registration or a rotation: the secret, when there is one, this once. */
export interface ClientWithSecret {
  readonly client: RegisteredClient;
  readonly secret?: string;
}

interface Row {
  [column: string]: unknown;
  id: string;
  metadata: StoredMetadata;
  secret_hash: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  disabled_at: Date | null;
}

const COLUMNS = 'id, metadata, secret_hash, created_at, created_by, updated_at, disabled_at';
const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Members of a JWK that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function invalid(field: string, message: string): InvalidInput {
  return new InvalidInput(`${field}: ${message}`, { code: 'ERR_APP_INVALID' });
}

function clientOf(row: Row): RegisteredClient {
  return {
    ...row.metadata,
    id: row.id,
    hasSecret: row.secret_hash !== null,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    ...(row.disabled_at ? { disabledAt: row.disabled_at } : {}),
  };
}

/** The registration as a configured client, the shape the rest of src/auth works with. */
function configOf(row: Pick<Row, 'id' | 'metadata' | 'secret_hash'>): SmartClientConfig {
  const m = row.metadata;
  return {
    id: row.id,
    name: m.name,
    type: m.type === 'public' || m.type === 'backend' ? m.type : 'confidential',
    redirectUris: m.redirectUris,
    ...(m.launchUri ? { launchUri: m.launchUri } : {}),
    scopes: m.scopes,
    ...(m.type === 'confidential-symmetric' && row.secret_hash ? { secretHash: row.secret_hash } : {}),
    ...(m.jwks ? { jwks: m.jwks } : {}),
    ...(m.jwksUrl ? { jwksUrl: m.jwksUrl } : {}),
    // As in the configuration, only a backend client names an organisation (ecdPusher, systemCaller).
    ...(m.type === 'backend' ? { organisation: m.organisation } : {}),
    mayLaunch: m.mayLaunch,
  };
}

function scopesOf(scopes: string[] | string): string[] {
  const list = Array.isArray(scopes) ? scopes : scopes.split(/\s+/);
  return [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))];
}

function jwksOf(jwks: { keys: ClientJwk[] } | ClientJwk[]): { keys: ClientJwk[] } {
  return Array.isArray(jwks) ? { keys: jwks } : jwks;
}

/** An app's address: absolute https, or http on the loopback host; no fragment, no user info. */
function checkAppUrl(field: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(field, `'${text}' is not an absolute URL`);
  }
  if (text.includes('#')) throw invalid(field, `'${text}' has a fragment (#…), which OAuth forbids`);
  if (url.username !== '' || url.password !== '') throw invalid(field, `'${text}' has user info`);
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw invalid(field, `'${text}' must be https (http only on localhost or 127.0.0.1)`);
  return text;
}

async function checkJwks(jwks: { keys: ClientJwk[] }): Promise<void> {
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw invalid('jwks', 'needs at least one key');
  const kids = new Set<string>();
  for (const [i, key] of jwks.keys.entries()) {
    const field = `jwks.keys[${i}]`;
    if (typeof key !== 'object' || key === null) throw invalid(field, 'is not a JSON Web Key');
    const secretParts = PRIVATE_MEMBERS.filter((m) => m in key);
    if (secretParts.length > 0)
      throw invalid(
        field,
        `holds private key material (${secretParts.join(', ')}): register the public key only`,
      );
    if (typeof key.kid !== 'string' || key.kid === '') throw invalid(field, 'needs a kid');
    if (kids.has(key.kid)) throw invalid(field, `kid '${key.kid}' is used twice`);
    kids.add(key.kid);
    const alg = key.kty === 'RSA' ? 'RS384' : key.kty === 'EC' ? 'ES384' : undefined;
    if (alg === undefined) throw invalid(field, 'must be an RSA or EC key (RS384 or ES384)');
    if (key.alg !== undefined && key.alg !== alg)
      throw invalid(field, `alg must be ${alg} for a ${key.kty} key`);
    if (key.kty === 'EC' && key.crv !== 'P-384') throw invalid(field, 'an EC key must be on P-384 (ES384)');
    try {
      await importJWK(key as never, alg);
    } catch {
      throw invalid(field, 'is not a usable public key');
    }
  }
}

/** Checks a whole registration (new or updated) and returns it in its stored form. */
async function checkedMetadata(m: StoredMetadata): Promise<StoredMetadata> {
  const name = m.name.trim();
  if (name === '' || name.length > 200) throw invalid('name', 'must be 1 to 200 characters');
  if (!APP_TYPES.includes(m.type)) throw invalid('type', `must be one of ${APP_TYPES.join(', ')}`);
  const portal = m.type !== 'backend';
  const redirectUris = [...new Set(m.redirectUris)];
  if (portal && redirectUris.length === 0) throw invalid('redirectUris', 'a portal app needs at least one');
  if (!portal && redirectUris.length > 0) throw invalid('redirectUris', 'a backend client has none');
  redirectUris.forEach((uri, i) => checkAppUrl(`redirectUris[${i}]`, uri));
  if (m.launchUri !== undefined) {
    if (!portal) throw invalid('launchUri', 'a backend client is not launched');
    checkAppUrl('launchUri', m.launchUri);
  }
  if (m.mayLaunch && !portal) throw invalid('mayLaunch', 'only a portal app may launch other apps');
  if (m.scopes.length === 0) throw invalid('scopes', 'at least one SMART scope is needed');
  const malformed = malformedScopes(m.scopes);
  if (malformed.length > 0) throw invalid('scopes', `these are not SMART scopes: ${malformed.join(' ')}`);
  if (portal && m.scopes.some((s) => s.startsWith('system/')))
    throw invalid('scopes', 'system scopes are for backend clients (client credentials), not portal apps');
  const keyed = m.type === 'confidential-asymmetric' || m.type === 'backend';
  const keys = (m.jwks ? 1 : 0) + (m.jwksUrl ? 1 : 0);
  if (keyed && keys !== 1) throw invalid('jwks', `a ${m.type} client needs exactly one of jwks and jwksUrl`);
  if (!keyed && keys > 0)
    throw invalid(
      'jwks',
      `a ${m.type} client has no keys (${m.type === 'public' ? 'PKCE only' : 'it has a secret'})`,
    );
  if (m.jwks) await checkJwks(m.jwks);
  if (m.jwksUrl) checkAppUrl('jwksUrl', m.jwksUrl);
  if (!portal && !m.organisation)
    throw invalid('organisation', 'a backend client must name its organisation');
  const checked: StoredMetadata = {
    name,
    type: m.type,
    redirectUris,
    ...(m.launchUri ? { launchUri: m.launchUri } : {}),
    scopes: m.scopes,
    ...(m.jwks ? { jwks: m.jwks } : {}),
    ...(m.jwksUrl ? { jwksUrl: m.jwksUrl } : {}),
    organisation: m.organisation,
    mayLaunch: m.mayLaunch,
  };
  // What oidc-provider will be given must be makeable too (clientMetadata checks the scopes again).
  clientMetadata(
    configOf({
      id: 'check',
      metadata: checked,
      secret_hash: m.type === 'confidential-symmetric' ? 'x' : null,
    }),
  );
  return checked;
}

/** A fresh client secret (32 random bytes) and its hash, in the form of `secretHash`. */
async function newSecret(): Promise<{ secret: string; hash: string }> {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: await hashPassword(secret) };
}

async function notify(tx: Queryable, id: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [SMART_CLIENT_CHANNEL, id]);
}

/**
 * Registers a client. `configuredIds` are the configuration's clients: a registered id never
 * shadows (or is shadowed by) one of them. Conflict (409) for a taken id.
 */
export async function registerClient(
  store: Store,
  input: NewRegisteredClient,
  options: { configuredIds: ReadonlySet<string>; now?: Date },
): Promise<ClientWithSecret> {
  const id =
    input.id ??
    `app-${randomBytes(9)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')}`;
  if (!ID_PATTERN.test(id)) throw invalid('id', 'letters, digits, ., _ and - only (at most 128)');
  if (options.configuredIds.has(id))
    throw new Conflict(`id: '${id}' is a client of the configuration`, { code: 'ERR_APP_ID_TAKEN' });
  const metadata = await checkedMetadata({
    name: input.name,
    type: input.type,
    redirectUris: input.redirectUris ?? [],
    ...(input.launchUri ? { launchUri: input.launchUri } : {}),
    scopes: scopesOf(input.scopes),
    ...(input.jwks ? { jwks: jwksOf(input.jwks) } : {}),
    ...(input.jwksUrl ? { jwksUrl: input.jwksUrl } : {}),
    organisation: input.organisation,
    mayLaunch: input.mayLaunch ?? false,
  });
  const made = metadata.type === 'confidential-symmetric' ? await newSecret() : undefined;
  const now = options.now ?? new Date();
  const row = await store.transaction(async (tx) => {
    const [inserted] = await tx.query<Row>(
      `INSERT INTO smart_client (id, metadata, secret_hash, created_at, created_by, updated_at)
       VALUES ($1, $2::jsonb, $3, $4, $5, $4) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [id, JSON.stringify(metadata), made?.hash ?? null, now, input.createdBy],
    );
    if (inserted === undefined)
      throw new Conflict(`id: a client '${id}' is registered already`, { code: 'ERR_APP_ID_TAKEN' });
    await notify(tx, id);
    return inserted;
  });
  return { client: clientOf(row), ...(made ? { secret: made.secret } : {}) };
}

/** One registered client (disabled ones too), or undefined. */
export async function registeredClient(store: Queryable, id: string): Promise<RegisteredClient | undefined> {
  const [row] = await store.query<Row>(`SELECT ${COLUMNS} FROM smart_client WHERE id = $1`, [id]);
  return row ? clientOf(row) : undefined;
}

/** The registered clients (of one organisation when given), by id. */
export async function registeredClients(
  store: Queryable,
  organisation?: string,
): Promise<RegisteredClient[]> {
  const rows = await store.query<Row>(
    `SELECT ${COLUMNS} FROM smart_client
     WHERE $1::text IS NULL OR metadata->>'organisation' = $1 ORDER BY id`,
    [organisation ?? null],
  );
  return rows.map(clientOf);
}

/** Changes and checks a registration in one transaction (the row locked); NotFound without one. */
async function change(
  store: Store,
  id: string,
  now: Date,
  work: (row: Row) => Promise<{ metadata?: StoredMetadata; secretHash?: string; disabledAt?: Date | null }>,
  after?: (tx: Queryable) => Promise<void>,
): Promise<RegisteredClient> {
  const row = await store.transaction(async (tx) => {
    const [current] = await tx.query<Row>(`SELECT ${COLUMNS} FROM smart_client WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (current === undefined)
      throw new NotFound(`no app '${id}' is registered`, { code: 'ERR_APP_NOT_FOUND' });
    const next = await work(current);
    const [updated] = await tx.query<Row>(
      `UPDATE smart_client SET metadata = $2::jsonb, secret_hash = $3, updated_at = $4, disabled_at = $5
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        JSON.stringify(next.metadata ?? current.metadata),
        next.secretHash ?? current.secret_hash,
        now,
        next.disabledAt === undefined ? current.disabled_at : next.disabledAt,
      ],
    );
    await after?.(tx);
    await notify(tx, id);
    return updated!;
  });
  return clientOf(row);
}

/** Changes name, redirect URIs, launch URI, scopes, keys or mayLaunch, checked as a whole. */
export async function updateClient(
  store: Store,
  id: string,
  changes: RegisteredClientChanges,
  options: { now?: Date } = {},
): Promise<RegisteredClient> {
  return change(store, id, options.now ?? new Date(), async (row) => {
    const m = row.metadata;
    const newKeys = changes.jwks !== undefined || changes.jwksUrl !== undefined;
    const { launchUri: _launch, jwks: _jwks, jwksUrl: _url, ...kept } = m;
    void _launch;
    void _jwks;
    void _url;
    const launchUri = changes.launchUri === undefined ? m.launchUri : changes.launchUri || undefined;
    const metadata = await checkedMetadata({
      ...kept,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.redirectUris !== undefined ? { redirectUris: changes.redirectUris } : {}),
      ...(launchUri ? { launchUri } : {}),
      ...(changes.scopes !== undefined ? { scopes: scopesOf(changes.scopes) } : {}),
      // New keys replace the old ones (a JWKS by a URL or the other way round).
      ...(newKeys
        ? {
            ...(changes.jwks ? { jwks: jwksOf(changes.jwks) } : {}),
            ...(changes.jwksUrl ? { jwksUrl: changes.jwksUrl } : {}),
          }
        : { ...(m.jwks ? { jwks: m.jwks } : {}), ...(m.jwksUrl ? { jwksUrl: m.jwksUrl } : {}) }),
      ...(changes.mayLaunch !== undefined ? { mayLaunch: changes.mayLaunch } : {}),
    });
    return { metadata };
  });
}

/** A new secret for a confidential-symmetric client: the old one stops working at once. */
export async function rotateClientSecret(
  store: Store,
  id: string,
  options: { now?: Date } = {},
): Promise<ClientWithSecret> {
  let secret: string | undefined;
  const client = await change(store, id, options.now ?? new Date(), async (row) => {
    if (row.metadata.type !== 'confidential-symmetric')
      throw new Conflict(`a ${row.metadata.type} client has no secret`, { code: 'ERR_APP_NO_SECRET' });
    const made = await newSecret();
    secret = made.secret;
    return { secretHash: made.hash };
  });
  return { client, secret: secret! };
}

/** The token models a client's grants live in (a session spans clients and stays). */
const CLIENT_TOKEN_MODELS = [
  'Grant',
  'AuthorizationCode',
  'AccessToken',
  'RefreshToken',
  'ClientCredentials',
];

/**
 * Disables (or enables again) a client. Disabling takes effect on the very next request on every
 * instance: oidc-provider no longer finds the client (no authorization, no token, no refresh), its
 * grants, codes and tokens are deleted in the same transaction, and the access token check refuses
 * any token of a disabled client that a request in flight may still have made. Enabling brings
 * none of them back.
 */
export async function setClientDisabled(
  store: Store,
  id: string,
  disabled: boolean,
  options: { now?: Date } = {},
): Promise<{ client: RegisteredClient; revoked: number }> {
  const now = options.now ?? new Date();
  let revoked = 0;
  const client = await change(
    store,
    id,
    now,
    async (row) => ({ disabledAt: disabled ? (row.disabled_at ?? now) : null }),
    disabled
      ? async (tx) => {
          const [gone] = await tx.query<{ removed: number }>(
            `WITH gone AS (DELETE FROM auth_model WHERE model = ANY($1::text[]) AND payload->>'clientId' = $2
               RETURNING 1) SELECT count(*)::int AS removed FROM gone`,
            [CLIENT_TOKEN_MODELS, id],
          );
          revoked = gone?.removed ?? 0;
        }
      : undefined,
  );
  return { client, revoked };
}

/** The enabled registration of this id as oidc-provider's metadata, read from the store. */
async function enabledConfig(store: Queryable, id: string): Promise<SmartClientConfig | undefined> {
  const [row] = await store.query<Row>(
    `SELECT ${COLUMNS} FROM smart_client WHERE id = $1 AND disabled_at IS NULL`,
    [id],
  );
  return row ? configOf(row) : undefined;
}

/**
 * oidc-provider's 'Client' model: it asks for the ids its static (configured) clients do not have,
 * on every use (a disabled client is not found at once). Read-only: clients are registered through
 * the admin operations, never by dynamic registration.
 */
export function registeredClientAdapter(store: Queryable): Adapter {
  const readOnly = async (): Promise<never> => {
    throw new Error('registered clients are changed through the admin operations only');
  };
  return {
    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = await enabledConfig(store, id);
      return found ? (clientMetadata(found) as ClientMetadata as AdapterPayload) : undefined;
    },
    upsert: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  };
}

/** The web origins of a portal app: of its redirect and launch URIs (the CORS allow-list). */
export function appOrigins(client: SmartClientConfig): string[] {
  if (client.type === 'backend') return [];
  const origins = new Set<string>();
  for (const uri of [...client.redirectUris, ...(client.launchUri ? [client.launchUri] : [])]) {
    try {
      const origin = new URL(uri).origin;
      if (origin !== 'null') origins.add(origin);
    } catch {
      // Checked when registered or configured.
    }
  }
  return [...origins];
}

/**
 * Every client this instance knows: the configured ones, and the enabled registered ones, kept
 * in memory and followed through SMART_CLIENT_CHANNEL (a lost channel reloads all). For what may be
 * a moment behind (a page's app name and CSP, the CORS allow-list); `find` reads the store for the
 * decisions that must not be.
 */
export class ClientDirectory {
  readonly #store: Store;
  readonly #configured: ReadonlyMap<string, SmartClientConfig>;
  readonly #registered = new Map<string, SmartClientConfig>();
  /** The browser origins of every portal app, configured and registered: one Set, changed in place. */
  readonly origins = new Set<string>();
  /** Per id, the latest read started: an older read that ends later does not overwrite it. */
  readonly #reads = new Map<string, number>();
  #sequence = 0;
  readonly #onError: (err: unknown) => void;

  constructor(
    store: Store,
    configured: readonly SmartClientConfig[],
    onError: (err: unknown) => void = () => {},
  ) {
    this.#store = store;
    this.#configured = new Map(configured.map((c) => [c.id, c]));
    this.#onError = onError;
    this.#recompute();
  }

  /** Loads the registered clients and follows their changes; resolves to the unsubscribe. */
  async start(): Promise<() => Promise<void>> {
    const stop = await this.#store.listen(
      SMART_CLIENT_CHANNEL,
      (id) => void this.refresh(id).catch(this.#onError),
      {
        onResubscribe: () => void this.reload().catch(this.#onError),
      },
    );
    await this.reload();
    return stop;
  }

  isConfigured(id: string): boolean {
    return this.#configured.has(id);
  }

  get configuredIds(): ReadonlySet<string> {
    return new Set(this.#configured.keys());
  }

  /** A configured client, or a registered one as this instance last heard of it (enabled only). */
  get(id: string): SmartClientConfig | undefined {
    return this.#configured.get(id) ?? this.#registered.get(id);
  }

  /** A configured client, or the registered one as the store has it now (enabled only). */
  async find(id: string): Promise<SmartClientConfig | undefined> {
    const configured = this.#configured.get(id);
    if (configured !== undefined) return configured;
    return this.refresh(id);
  }

  /** Reads one registration again (after a notification, or for `find`). */
  async refresh(id: string): Promise<SmartClientConfig | undefined> {
    const read = ++this.#sequence;
    this.#reads.set(id, read);
    const found = await enabledConfig(this.#store, id);
    if (this.#reads.get(id) === read) {
      this.#reads.delete(id);
      if (found) this.#registered.set(id, found);
      else this.#registered.delete(id);
      this.#recompute();
    }
    return found;
  }

  async reload(): Promise<void> {
    const rows = await this.#store.query<Row>(
      `SELECT ${COLUMNS} FROM smart_client WHERE disabled_at IS NULL`,
    );
    this.#registered.clear();
    for (const row of rows) {
      // Registration refuses a configured id; one configured later wins, and is worth a word.
      if (this.#configured.has(row.id))
        this.#onError(
          new Error(`registered client '${row.id}' is shadowed by a configured client of that id`),
        );
      else this.#registered.set(row.id, configOf(row));
    }
    this.#recompute();
  }

  #recompute(): void {
    const next = new Set<string>();
    for (const client of [...this.#configured.values(), ...this.#registered.values()])
      for (const origin of appOrigins(client)) next.add(origin);
    // In place, synchronously: a reader holding the Set sees the old or the new list, never half.
    this.origins.clear();
    for (const origin of next) this.origins.add(origin);
  }
}
