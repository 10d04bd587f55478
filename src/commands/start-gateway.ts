import type { Server } from 'node:http';
import type { Express } from 'express';
import { createApp } from '../app';
import type { GatewayConfig } from '../config';
import { createPolicyEngine } from '../consent';
import { administratorRegistrationsOf } from '../ecd';
import { Drain, createLogger, type Logger, type ReadinessCheck } from '../http';
import type { Store } from '../store';
import { openConfiguredStore } from './open-store';

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
    const stopListening = await engine.listenForChanges(store);
    const drain = new Drain();
    const app = createApp({ config, store, log, drain, engine, readinessChecks: options.readinessChecks });
    const server = await listen(app, config.server.host, config.server.port).catch(async (err: unknown) => {
      await stopListening();
      throw err;
    });
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
