import express, { type Express, type Request, type Response } from 'express';
import type { AdminApi } from './admin';
import { authRouter, bearerToken, grantableScopes, maintenancePage, type AuthorizationServer } from './auth';
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
  maintenanceGuard,
  MaintenanceSwitch,
  notFoundHandler,
  requestContextMiddleware,
  requestTimeout,
  securityHeaders,
  sendError,
  upstreamCheck,
  type ActiveMaintenance,
  type Drain,
  type Logger,
  type MaintenanceRule,
  type ReadinessCheck,
} from './http';
import { Unauthenticated, Unavailable } from './errors';
import { fhirCors, portalOrigins, type FhirApi } from './fhir';
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
  /** Maintenance mode (M-8, A-12); defaults to the switch in the store, at the real clock. */
  maintenance?: Pick<MaintenanceSwitch, 'current'>;
}

/**
 * Composes the express app from the modules' routers, in order. Every route is mounted here and
 * nowhere else; nothing here answers a request itself (the maintenance rules below only pick the
 * answer of the module that owns the path).
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
  // Maintenance mode closes the FHIR API and the login before anything that would answer them;
  // /admin, the health routes and the ECD push stay open (see maintenanceRules).
  app.use(urlencodedTokenBody);
  app.use(maintenanceGuard(deps.maintenance ?? new MaintenanceSwitch(deps.store), maintenanceRules(config)));
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

/** The token endpoint's form, read before the maintenance guard (the grant type decides). */
const tokenBody = express.urlencoded({ extended: false, limit: '56kb' });
function urlencodedTokenBody(req: Request, res: Response, next: (err?: unknown) => void): void {
  if (req.method === 'POST' && pathOf(req) === '/auth/token') tokenBody(req, res, next);
  else next();
}

/** The path as express routes it: without regard to case (its routers' default). */
const pathOf = (req: Request): string => req.path.toLowerCase();
const FHIR_OPEN = new Set(['/fhir/metadata', '/fhir/.well-known/smart-configuration']);
const LOGIN_PATHS = /^\/auth\/(authorize|interaction|federation)(\/|$)/;
const USER_API_PATHS = /^\/auth\/(launch|userinfo)(\/|$)/;

/**
 * What maintenance mode closes (M-8, A-12), and how each answers: 503 with Retry-After.
 * - /fhir: an OperationOutcome, with the portal apps' CORS headers so a browser app can read it.
 *   The CapabilityStatement and SMART discovery stay up (no one's data; an app that finds the
 *   server goes on to the login, which shows the maintenance page), and so do CORS preflights.
 * - The login (authorize, the interaction pages, federated login): the Dutch maintenance page.
 * - The token endpoint: OAuth `temporarily_unavailable`, for user tokens (codes and refreshes).
 *   Client credentials stay: the ECD push and the admin API's systems keep working.
 * - EHR launch and userinfo: JSON 503.
 * Open: /admin (API and console, to end it), /healthz and /readyz (an instance in maintenance is
 * ready: the load balancer keeps sending users to it for the maintenance answer), /ecd/sync (a
 * withdrawal or a care end from the ECD must not wait for the window to end), revocation,
 * introspection, JWKS, logout.
 */
function maintenanceRules(config: GatewayConfig): MaintenanceRule[] {
  const cors = fhirCors(portalOrigins(config.smart.clients));
  return [
    {
      applies: (req) =>
        (pathOf(req) === '/fhir' || pathOf(req).startsWith('/fhir/')) &&
        req.method !== 'OPTIONS' &&
        !FHIR_OPEN.has(pathOf(req)),
      answer: (req, res, active) => cors(req, res, () => sendError(req, res, maintenanceError(active))),
    },
    {
      applies: (req) => LOGIN_PATHS.test(pathOf(req)),
      answer: (req, res, active) => {
        const page = maintenancePage({
          path: req.originalUrl,
          asked: req.query.lang,
          cookieHeader: req.get('cookie'),
          ...(active.until ? { until: active.until } : {}),
          ...(active.window.message ? { message: active.window.message } : {}),
        });
        res.status(503).type('html').send(page.html);
      },
    },
    {
      applies: (req) =>
        req.method === 'POST' &&
        pathOf(req) === '/auth/token' &&
        (req.body as { grant_type?: unknown } | undefined)?.grant_type !== 'client_credentials',
      answer: (_req, res) => {
        res.status(503).json({
          error: 'temporarily_unavailable',
          error_description: 'the portal is closed for maintenance; try again later',
        });
      },
    },
    {
      applies: (req) => USER_API_PATHS.test(pathOf(req)),
      answer: (req, res, active) => sendError(req, res, maintenanceError(active)),
    },
  ];
}

function maintenanceError(active: ActiveMaintenance): Unavailable {
  const until = active.until ? ` until ${active.until.toISOString()}` : '';
  const said = active.window.message?.en ?? active.window.message?.nl;
  return new Unavailable(
    `the portal is closed for maintenance${until}; try again later${said ? `: ${said}` : ''}`,
    active.retryAfterSeconds,
    { code: 'ERR_MAINTENANCE' },
  );
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
