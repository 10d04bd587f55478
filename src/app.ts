import express, { type Express, type Request } from 'express';
import type { AdminApi } from './admin';
import { authRouter, bearerToken, grantableScopes, type AuthorizationServer } from './auth';
import type { GatewayConfig } from './config';
import type { PolicyEngine } from './consent';
import {
  ECD_SYNC_SCOPES,
  EcdPushClientRefused,
  EcdPushTokenRefused,
  ecdSyncRouter,
  type EcdAuditTrail,
  type EcdPushIdentity,
} from './ecd';
import {
  READINESS_TIMEOUT_MS,
  bodyParsers,
  databaseCheck,
  errorHandler,
  healthRoutes,
  notFoundHandler,
  requestContextMiddleware,
  requestTimeout,
  securityHeaders,
  upstreamCheck,
  type Drain,
  type Logger,
  type ReadinessCheck,
} from './http';
import { Unauthenticated } from './errors';
import type { FhirApi } from './fhir';
import type { Store } from './store';

export interface AppDependencies {
  config: GatewayConfig;
  store: Store;
  log: Logger;
  drain: Drain;
  /** The one policy engine of this instance, listening for changes; for the modules that decide. */
  engine: PolicyEngine;
  /** The SMART authorization server (oidc-provider), made before the app because it reads its keys. */
  auth: AuthorizationServer;
  /** The consent-enforcing FHIR API at /fhir, made before the app because it listens for changes. */
  fhir: FhirApi;
  /** The audit trail of this instance: every ECD push is recorded in it. */
  audit: EcdAuditTrail;
  /** The audit trail for staff and reviewers at /admin (Backend Services tokens). */
  admin: AdminApi;
  /** Defaults to the database and the configured upstream. */
  readinessChecks?: ReadinessCheck[];
}

/**
 * Composes the express app from the modules' routers, in order. Every route is mounted here and
 * nowhere else; nothing here answers a request itself.
 */
export function createApp(deps: AppDependencies): Express {
  const { config, log, drain } = deps;
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
  // Before the timeout and the body parsers: the push streams its export and may take long to commit.
  app.use(
    ecdSyncRouter({
      store: deps.store,
      organisations: config.organisations,
      authenticate: ecdPusher(deps.auth),
      maxBytes: config.ecd.maxPushBytes,
      audit: deps.audit,
    }),
  );
  // Before the body parsers: oidc-provider reads its own request bodies.
  app.use(authRouter(deps.auth, deps.store));
  // Before the timeout: a long export streams, and a chain check reads every record.
  app.use(deps.admin.router);
  app.use(requestTimeout(config.server.requestTimeoutMs));
  app.use(bodyParsers(config.server.bodyLimitBytes));
  app.use(healthRoutes({ checks, drain }));
  app.use(deps.fhir.router);
  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}

/**
 * Who pushes to /ecd/sync: the organisation of the registered backend client whose Backend Services
 * token the request carries, when the token holds every ECD link scope. Any other valid token (a
 * portal app's, a backend client without an organisation or without the scopes) is refused 403.
 */
export function ecdPusher(auth: AuthorizationServer): (req: Request) => Promise<EcdPushIdentity> {
  return async (req) => {
    let token;
    try {
      token = await auth.tokens.verify(bearerToken(req.get('authorization')));
    } catch (err) {
      // Only a refused token is the pusher's fault; the database failing underneath stays a 5xx.
      if (!(err instanceof Unauthenticated)) throw err;
      throw new EcdPushTokenRefused(err.message);
    }
    const client = await auth.findClient(token.clientId);
    if (token.kind !== 'system' || client?.type !== 'backend' || client.organisation === undefined) {
      throw new EcdPushClientRefused(
        `client '${token.clientId}' is not an organisation's ECD backend client`,
      );
    }
    const missing = ECD_SYNC_SCOPES.filter((scope) => grantableScopes([scope], token.scopes).length === 0);
    if (missing.length > 0) {
      throw new EcdPushClientRefused(`the access token lacks the ECD link scopes: ${missing.join(' ')}`);
    }
    return { organisationId: client.organisation, clientId: client.id };
  };
}
