import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { GatewayConfig } from './config';
import {
  Drain,
  FailureLimit,
  createLogger,
  errorHandler,
  notFoundHandler,
  requestContextMiddleware,
  requestTimeout,
  securityHeaders,
  contextOf,
  type Logger,
} from './http';
import { createPolicyEngine } from './consent';
import { administratorRegistrationsOf, handleEcdPush } from './ecd';
import { assessReadiness, databaseCheck, upstreamCheck, type ReadinessCheck } from './readiness';
import { migrate, openStore, type Store } from './store';

/** How long /readyz waits for one dependency: short, because load balancers poll it. */
const READINESS_TIMEOUT_MS = 2_000;

export interface AppDependencies {
  config: GatewayConfig;
  store: Store;
  log: Logger;
  drain: Drain;
  /** Defaults to the database and the configured upstream. */
  readinessChecks?: ReadinessCheck[];
}

/** Composes the express app. Every module's routes are mounted here and nowhere else. */
export function createApp(deps: AppDependencies): Express {
  const { config, log, drain } = deps;
  const fhirBase = config.fhirBasePath;
  const checks = deps.readinessChecks ?? [
    databaseCheck(deps.store),
    upstreamCheck(config.upstream.url, READINESS_TIMEOUT_MS),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', config.server.trustProxy);
  app.use(requestContextMiddleware(log));
  app.use(drain.middleware());
  app.use(securityHeaders());
  // Ten wrong push keys a minute from one address, then 429: a brake on guessing keys.
  const pushFailures = new FailureLimit(10, 60_000);
  // Before the body parsers: the export is streamed into the import, never buffered whole. And
  // before the request timeout: a long import must not be answered 503 while it goes on to commit.
  app.post('/ecd/sync', async (req, res, next) => {
    try {
      const address = req.ip ?? 'unknown';
      const wait = pushFailures.retryAfter(address);
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        res.status(429).json({
          error: 'ERR_TOO_MANY_FAILURES',
          message: `too many failed attempts; try again in ${wait} s`,
        });
        req.resume();
        return;
      }
      const answer = await handleEcdPush(
        {
          store: deps.store,
          organisations: config.organisations,
          keys: config.ecd.pushKeys,
          maxBytes: config.ecd.maxPushBytes,
        },
        {
          authorization: req.get('authorization'),
          contentType: req.get('content-type'),
          dryRun: req.query.dryRun === 'true',
          body: req,
        },
      );
      if (answer.challenge) res.setHeader('WWW-Authenticate', answer.challenge);
      if (answer.status === 401) {
        pushFailures.fail(address);
        req.resume();
      } else {
        pushFailures.succeed(address);
      }
      const log = contextOf(req).log;
      log.info(
        { status: answer.status, organisation: answer.body.organisation, counts: answer.body.counts },
        'ecd push',
      );
      res.status(answer.status).json(answer.body);
    } catch (err) {
      next(err);
    }
  });

  app.use(requestTimeout(config.server.requestTimeoutMs, fhirBase));
  app.use(
    express.json({
      limit: config.server.bodyLimitBytes,
      type: ['application/json', 'application/fhir+json'],
    }),
  );
  app.use(express.urlencoded({ limit: config.server.bodyLimitBytes, extended: false }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });

  app.get('/readyz', async (req, res) => {
    if (drain.draining) {
      res.status(503).json({ status: 'shutting-down', checks: {} });
      return;
    }
    const { report, failures } = await assessReadiness(checks, READINESS_TIMEOUT_MS);
    for (const f of failures)
      contextOf(req).log.warn({ check: f.name, err: f.error }, 'readiness check failed');
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks });
  });

  app.use(notFoundHandler(fhirBase));
  app.use(errorHandler(fhirBase));
  return app;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly server: Server;
  /** Graceful stop: stop accepting, let requests in flight finish, then close the database. */
  close(): Promise<void>;
}

/** Opens the database, migrates it, and listens. The caller decides when to close (SIGTERM). */
export async function startGateway(
  config: GatewayConfig,
  options: { log?: Logger; readinessChecks?: ReadinessCheck[] } = {},
): Promise<RunningGateway> {
  const log = options.log ?? createLogger(config.log.level);
  const store = await openStore(
    config.database.driver === 'postgres'
      ? { driver: 'postgres', databaseUrl: config.database.url, poolSize: config.database.poolSize }
      : { driver: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    const migrated = await migrate(store);
    log.info(
      { driver: store.driver, schemaVersion: migrated.current, applied: migrated.applied },
      'database ready',
    );
    // Loads and checks every organisation's policy preset now: a broken preset stops start-up, not a request.
    const engine = createPolicyEngine(config.organisations, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
    const stopListening = await engine.listenForChanges(store);
    const drain = new Drain();
    const app = createApp({ config, store, log, drain, readinessChecks: options.readinessChecks });
    const server = await listen(app, config.server.host, config.server.port);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const displayHost =
      config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
    const url = `http://${displayHost}:${port}`;
    log.info({ url, fhirBase: `${url}${config.fhirBasePath}` }, 'gateway listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      store,
      server,
      close() {
        closing ??= (async () => {
          log.info({ inFlight: drain.inFlight }, 'shutting down');
          const { cutConnections } = await drain.close(server, config.server.shutdownGraceMs);
          if (cutConnections) log.warn('grace period over: remaining connections were cut');
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

function listen(app: Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new Error(`port ${port} on ${host} is already in use (set PORT to choose another)`));
      else reject(err);
    });
  });
}
