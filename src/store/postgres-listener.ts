import pg from 'pg';
import { StoreError, errorLike } from './errors';
import type { Redactor } from './errors';
import { translatePgError } from './postgres-errors';
import { Mutex, deliver } from './shared';
import type { StoreErrorHandler } from './types';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
// A connection that died silently (a NAT or firewall dropping it) raises no error by itself, and a
// listener that misses invalidations is worse than none: probe it now and then.
const HEARTBEAT_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;

interface Subscription {
  active: boolean;
  readonly onMessage: (payload: string) => void;
  readonly onResubscribe: (() => void) | undefined;
}

interface Channel {
  readonly subscriptions: Set<Subscription>;
  /** Settles once LISTEN has run for this channel on the current connection. */
  ready: Promise<void>;
}

/**
 * All LISTENs of one store share one dedicated connection outside the pool (a pooled connection
 * would be handed to other work). When it drops, a new one is opened with growing delays and every
 * channel is listened to again.
 */
export class PgListener {
  private client: pg.Client | undefined;
  /** Statements on the current connection, one at a time (pg is phasing out its own queueing). */
  private serial = new Mutex();
  private connecting: Promise<pg.Client> | undefined;
  private readonly channels = new Map<string, Channel>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = FIRST_RETRY_MS;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly redactor: Redactor,
    private readonly onError: StoreErrorHandler | undefined,
  ) {}

  async subscribe(
    name: string,
    onMessage: (payload: string) => void,
    onResubscribe: (() => void) | undefined,
  ): Promise<() => Promise<void>> {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      const created: Channel = { subscriptions: new Set(), ready: this.run(`LISTEN "${name}"`) };
      // Callers await it below; this only keeps an unawaited failure from being reported twice.
      created.ready.catch(() => undefined);
      this.channels.set(name, created);
      channel = created;
    }
    const subscription: Subscription = { active: true, onMessage, onResubscribe };
    channel.subscriptions.add(subscription);
    try {
      await channel.ready;
    } catch (error) {
      this.drop(name, channel, subscription);
      throw error;
    }
    const subscribed = channel;
    let unsubscribing: Promise<void> | undefined;
    return () => {
      unsubscribing ??= this.unsubscribe(name, subscribed, subscription);
      return unsubscribing;
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    for (const channel of this.channels.values()) {
      for (const subscription of channel.subscriptions) subscription.active = false;
    }
    this.channels.clear();
    const connecting = this.connecting;
    const client = this.client;
    this.client = undefined;
    if (connecting !== undefined) await connecting.catch(() => undefined);
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  private async unsubscribe(name: string, channel: Channel, subscription: Subscription): Promise<void> {
    const wasLast = this.drop(name, channel, subscription);
    const client = this.client;
    // Without a connection there is nothing to undo: a new connection only listens to what is left.
    if (!wasLast || client === undefined) return;
    await this.serial.run(() => client.query(`UNLISTEN "${name}"`)).catch(() => undefined);
  }

  /** Removes one subscription; true when it was the channel's last one. */
  private drop(name: string, channel: Channel, subscription: Subscription): boolean {
    subscription.active = false;
    channel.subscriptions.delete(subscription);
    if (channel.subscriptions.size > 0 || this.channels.get(name) !== channel) return false;
    this.channels.delete(name);
    return true;
  }

  /** Runs a statement on the listening connection, opening it first if needed. */
  private async run(sql: string): Promise<void> {
    const client = await this.connection();
    try {
      await this.serial.run(() => client.query(sql));
    } catch (error) {
      throw translatePgError(error, this.redactor, 'listen');
    }
  }

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new StoreError('ERR_STORE_CLOSED', 'the store is closed'));
    if (this.client !== undefined) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
    } catch (error) {
      const translated = translatePgError(error, this.redactor, 'listen');
      throw translated instanceof StoreError
        ? translated
        : new StoreError('ERR_STORE_UNREACHABLE', 'cannot open the LISTEN connection', {
            cause: this.redactor.cause(error),
          });
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new StoreError('ERR_STORE_CLOSED', 'the store is closed');
    }
    this.client = client;
    this.serial = new Mutex();
    this.startHeartbeat(client);
    return client;
  }

  private startHeartbeat(client: pg.Client): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      const probe = { text: 'SELECT 1', query_timeout: HEARTBEAT_TIMEOUT_MS } as pg.QueryConfig;
      this.serial
        .run(() => client.query(probe))
        .catch((error: unknown) => {
          this.lost(client, error);
        });
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private dispatch(name: string, payload: string): void {
    const channel = this.channels.get(name);
    if (channel === undefined) return;
    for (const subscription of channel.subscriptions) {
      deliver(() => {
        if (subscription.active) subscription.onMessage(payload);
      }, this.onError);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    if (this.closed) return;
    const message = errorLike(error)?.message;
    const detail = message === undefined ? '' : `: ${this.redactor.text(message)}`;
    this.onError?.(
      new StoreError(
        'ERR_STORE_LISTEN_LOST',
        `the LISTEN connection to PostgreSQL dropped${detail}; reconnecting (notifications in between are lost)`,
        { cause: error === undefined ? undefined : this.redactor.cause(error) },
      ),
    );
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer !== undefined || this.channels.size === 0) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.resubscribe();
    }, delay);
    this.retryTimer.unref();
  }

  private async resubscribe(): Promise<void> {
    const names = [...this.channels.keys()];
    try {
      const client = await this.connection();
      for (const name of names) await this.serial.run(() => client.query(`LISTEN "${name}"`));
    } catch {
      // Reported once when the connection was lost; repeating it per attempt would only add noise.
      this.scheduleReconnect();
      return;
    }
    this.retryDelay = FIRST_RETRY_MS;
    for (const name of names) {
      const channel = this.channels.get(name);
      if (channel === undefined) continue;
      for (const subscription of channel.subscriptions) {
        const callback = subscription.onResubscribe;
        if (callback !== undefined) {
          deliver(() => {
            if (subscription.active) callback();
          }, this.onError);
        }
      }
    }
  }
}
