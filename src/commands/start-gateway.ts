import { createServer, type Server } from 'node:http';
import { createAdministration } from '../admin';
import { createApp } from '../app';
import { AUDIT_KEY_VARIABLE, AuditTrail, auditKeyFromEnvironment, pruneAuditEvery } from '../audit';
import { createFhirApi, requestDesk, trailAuditSink, type FhirApi, type FhirAuditSink } from '../fhir';
import {
  createAuthorizationServer,
  type AuthorizationServer,
  keyEncryptionKeyFromEnvironment,
  pruneExpired,
  type AccountSecret,
  type MessageSender,
  type PortalAccessCheck,
} from '../auth';
import type { GatewayConfig } from '../config';
import { createPolicyEngine, type PolicyEngine } from '../consent';
import { administratorRegistrationsOf } from '../ecd';
import { Drain, createLogger, type Logger, type ReadinessCheck } from '../http';
import type { Store } from '../store';
import { openConfiguredStore } from './open-store';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly server: Server;
  /** The audit trail this instance writes (shared by every instance on the same database). */
  readonly audit: AuditTrail;
  /** Graceful stop: stop accepting, let requests in flight finish, then close the database. */
  close(): Promise<void>;
}

/** Opens the database, migrates it, and listens. The caller decides when to close (SIGTERM). */
export async function startGateway(
  config: GatewayConfig,
  options: {
    log?: Logger;
    readinessChecks?: ReadinessCheck[];
    /** How often expired sessions, codes, tokens and replay records are removed (default 5 min). */
    pruneIntervalMs?: number;
    /** Sends the login pages' codes (the demo: an OutboxFileSender). */
    messageSender?: MessageSender;
    accountSecret?: AccountSecret;
    /**
     * Where the FHIR API's step 8 writes instead of the audit trail. Only the benchmark's "audit off"
     * run sets it, to price the trail; a gateway that serves portals never does.
     */
    fhirAuditSink?: FhirAuditSink;
    /** How often audit records past their retention are deleted (default once a day). */
    auditPruneIntervalMs?: number;
  } = {},
): Promise<RunningGateway> {
  const log = options.log ?? createLogger(config.log.level);
  const { store, schema } = await openConfiguredStore(config);
  try {
    log.info(
      { driver: store.driver, schemaVersion: schema.current, applied: schema.applied },
      'database ready',
    );
    // Loads and checks every organisation's policy preset now: a broken preset stops start-up, not a request.
    const engine = createPolicyEngine(config.organisations, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
    const auditKey = auditKeyFromEnvironment(process.env);
    if (auditKey === undefined)
      log.warn(
        `${AUDIT_KEY_VARIABLE} is not set: the audit chain is unkeyed SHA-256, which shows changes but can be rewritten by whoever can write to the database`,
      );
    const audit = new AuditTrail(store, { key: auditKey });
    const stopListening = await engine.listenForChanges(store);
    const drain = new Drain();
    // Listen first: with port 0 the port, and so the issuer and the FHIR base, are known only then.
    const server = await listen(config.server.host, config.server.port).catch(async (err: unknown) => {
      await stopListening();
      throw err;
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const displayHost =
      config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
    const url = `http://${displayHost}:${port}`;
    const resolved = withListeningPort(config, port);
    const keyEncryptionKey = keyEncryptionKeyFromEnvironment(process.env);
    if (keyEncryptionKey === undefined) {
      log.warn(
        'INZAGE_KEY_ENCRYPTION_KEY is not set: the signing keys are stored unencrypted in the database',
      );
    }
    let fhir: FhirApi | undefined;
    let auth: AuthorizationServer | undefined;
    try {
      auth = await createAuthorizationServer({
        config: resolved,
        store,
        log,
        portalAccess: portalAccessOf(engine),
        keyEncryptionKey,
        messageSender: options.messageSender,
        accountSecret: options.accountSecret,
        audit,
      });
      fhir = await createFhirApi({
        config: resolved,
        store,
        engine,
        auth,
        log,
        audit: options.fhirAuditSink ?? trailAuditSink(audit),
        changes: audit,
      });
      const app = createApp({
        config: resolved,
        store,
        log,
        drain,
        engine,
        auth,
        fhir,
        audit,
        admin: createAdministration({
          services: {
            store,
            config: resolved,
            engine,
            trail: audit,
            publicUrl: resolved.server.publicUrl.replace(/\/+$/, ''),
            tokens: auth.tokens,
            auth,
            ...(auth.accountSecret ? { accountSecret: auth.accountSecret } : {}),
            ...(auth.messageSender ? { messageSender: auth.messageSender } : {}),
            ...(auditKey ? { auditKey } : {}),
            requestDesk: requestDesk(store, audit),
          },
          cookieKeys: auth.cookieKeys,
        }),
        readinessChecks: options.readinessChecks,
      });
      server.removeAllListeners('request');
      server.on('request', app);
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fhir?.close();
      await auth?.close();
      await audit.close();
      await stopListening();
      throw err;
    }
    log.info({ url, fhirBase: `${resolved.server.publicUrl}${config.fhirBasePath}` }, 'gateway listening');
    const stopPruning = pruneEvery(store, log, options.pruneIntervalMs ?? PRUNE_INTERVAL_MS);
    const stopAuditPruning = pruneAuditEvery(store, audit, {
      retentionYears: config.audit.retentionYears,
      key: auditKey,
      by: 'gateway retention',
      intervalMs: options.auditPruneIntervalMs ?? 24 * 60 * 60 * 1000,
      onPruned: (results) =>
        log.info(
          { deleted: results.reduce((n, r) => n + r.count, 0) },
          'audit records past retention deleted',
        ),
      onError: (err) => log.error({ err }, 'deleting audit records past retention failed'),
    });

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      store,
      server,
      audit,
      close() {
        closing ??= (async () => {
          log.info({ inFlight: drain.inFlight }, 'shutting down');
          const { cutConnections } = await drain.close(server, config.server.shutdownGraceMs);
          if (cutConnections) log.warn('grace period over: remaining connections were cut');
          await stopPruning();
          await stopAuditPruning();
          await fhir?.close();
          await auth?.close();
          // After the drain: the records of the last answers are written before the database closes.
          await audit.close();
          await stopListening();
          await store.close();
          log.info('stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Expired auth_model rows (sessions, codes, tokens, assertion jtis) go every five minutes. */
const PRUNE_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Removes expired authorization-server rows now and then (reads already ignore them; this keeps the
 * table small). Every instance runs it; the DELETE is safe to run concurrently. The returned stop
 * waits for a run in progress, so that the store is not closed under it.
 */
function pruneEvery(store: Store, log: Logger, intervalMs: number): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = pruneExpired(store)
      .then((removed) => {
        if (removed > 0) log.debug({ removed }, 'expired authorization rows removed');
      })
      .catch((err: unknown) => log.warn({ err }, 'removing expired authorization rows failed'))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * With port 0 ("any free port") the public URL takes the port chosen, and so do the registered
 * client URLs on the gateway's own address (the demo's apps are served by the gateway itself).
 */
function withListeningPort(config: GatewayConfig, port: number): GatewayConfig {
  const publicUrl = new URL(config.server.publicUrl);
  if (publicUrl.port !== '0') return config;
  const before = publicUrl.origin;
  publicUrl.port = String(port);
  const after = publicUrl.origin;
  const follow = (uri: string) =>
    uri.startsWith(`${before}/`) ? `${after}${uri.slice(before.length)}` : uri;
  return {
    ...config,
    server: { ...config.server, publicUrl: publicUrl.href.replace(/\/+$/, '') },
    smart: {
      ...config.smart,
      clients: config.smart.clients.map((client) => ({
        ...client,
        redirectUris: client.redirectUris.map(follow),
        ...(client.launchUri ? { launchUri: follow(client.launchUri) } : {}),
        ...(client.jwksUrl ? { jwksUrl: follow(client.jwksUrl) } : {}),
      })),
    },
  };
}

/**
 * A link gets tokens while the policy engine lets its user see any section of its patient's dossier:
 * a relative an administrator admitted to some sections only (not to the basic details, where the
 * Patient resource is) still logs in. What each request may see is decided again per request.
 */
function portalAccessOf(engine: PolicyEngine): PortalAccessCheck {
  return async (link, at) =>
    (await engine.decide({ principal: link.person, patient: link.patient, at })).permit;
}

const STARTING = JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [
    { severity: 'error', code: 'transient', diagnostics: 'the gateway is starting; try again shortly' },
  ],
});

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // The port opens before the routes exist (with port 0 the URLs depend on it): until they are
    // attached, a request gets a plain 503 to retry, rather than no answer at all.
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/fhir+json; charset=utf-8' });
      res.end(STARTING);
    });
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new Error(`port ${port} on ${host} is already in use (set PORT to choose another)`));
      else reject(err);
    });
  });
}
