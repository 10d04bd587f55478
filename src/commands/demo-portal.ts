import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import express, { type Request, type Response } from 'express';
import type * as OpenIdClient from 'openid-client';
import { hashPassword } from '../auth';
import type { ConfigFile } from '../config';
import type { Logger } from '../http';

/**
 * The demo's portal apps, served from an origin of their own (127.0.0.1:<app port>), as a portal
 * vendor's would be: so the browser applies CORS to the public app's token request exactly as it
 * will for a real one.
 *
 * - The public app (`/`): static pages with fhirclient in the browser, a standalone launch. After
 *   the login it reads the dossier's sections through the gateway's FHIR API (callback.html) and
 *   files requests of the request channel, M-9 and M-10 (verzoek.html), and shows the client's
 *   access log, "Wie heeft mijn dossier ingezien" (inzage.html).
 * - The confidential app (`/server/`): the same flow server-side with openid-client and a client
 *   secret made at start (only its scrypt hash goes into the gateway's configuration). It shows who
 *   logged in and what the token grants.
 */

export const PUBLIC_APP_ID = 'demo-portaal';
export const CONFIDENTIAL_APP_ID = 'demo-portaal-server';
/**
 * What the apps ask for (and are registered for): a patient context, the user's identity, a refresh
 * token, reads and searches, creating the request channel's Tasks (M-9, M-10), and reading the
 * client's access log (AuditEvent, named on its own so that an app that narrows `*` keeps it).
 */
export const DEMO_APP_SCOPE =
  'launch/patient openid fhirUser offline_access patient/*.rs patient/Task.c patient/AuditEvent.rs';

type ClientEntry = NonNullable<NonNullable<ConfigFile['smart']>['clients']>[number];

export interface DemoPortalOptions {
  /** 0 picks any free port. */
  port: number;
  host?: string;
}

/** Where the apps find the gateway, once it listens. */
export interface DemoPortalGateway {
  /** `<publicUrl>/fhir` */
  fhirBase: string;
  /** `<publicUrl>/auth` */
  issuer: string;
}

export interface DemoPortal {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly publicAppUrl: string;
  readonly confidentialAppUrl: string;
  /** Both apps' registrations, for `smart.clients` of the gateway's configuration. */
  readonly clients: readonly ClientEntry[];
  /** Starts answering, against the gateway that now listens. */
  connect(gateway: DemoPortalGateway, log: Logger): void;
  close(): Promise<void>;
}

/** Listens first (with port 0 the origin, and so the redirect URIs, are known only then). */
export async function startDemoPortal(options: DemoPortalOptions): Promise<DemoPortal> {
  const host = options.host ?? '127.0.0.1';
  const server = await listen(host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const origin = `http://${host}:${port}`;
  // Made now, never written anywhere: the gateway gets its hash, the confidential app the secret.
  const secret = randomBytes(32).toString('base64url');
  const clients: ClientEntry[] = [
    {
      id: PUBLIC_APP_ID,
      name: 'Demo-portaal (public, in the browser)',
      type: 'public',
      redirectUris: [`${origin}/callback.html`],
      scopes: DEMO_APP_SCOPE,
    },
    {
      id: CONFIDENTIAL_APP_ID,
      name: 'Demo-portaal (confidential, on a server)',
      type: 'confidential',
      redirectUris: [`${origin}/server/callback`],
      scopes: DEMO_APP_SCOPE,
      secretHash: await hashPassword(secret),
    },
  ];
  let gateway: DemoPortalGateway | undefined;
  let log: Logger | undefined;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((_req, res, next) => {
    if (gateway === undefined) return void res.status(503).type('text').send('The demo is starting.');
    res.set('Content-Security-Policy', contentSecurityPolicy(new URL(gateway.fhirBase).origin));
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    next();
  });
  app.get('/settings.json', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ fhirBase: gateway!.fhirBase, clientId: PUBLIC_APP_ID, scope: DEMO_APP_SCOPE });
  });
  app.get('/fhir-client.js', (_req, res) => res.sendFile(fhirClientBuild()));
  app.use('/server', confidentialApp({ origin, secret, gateway: () => gateway!, log: () => log }));
  app.use(express.static(staticDirectory(), { index: 'index.html', etag: false }));
  server.on('request', app);

  return {
    origin,
    publicAppUrl: `${origin}/`,
    confidentialAppUrl: `${origin}/server/`,
    clients,
    connect(to, logger) {
      gateway = to;
      log = logger;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function contentSecurityPolicy(gatewayOrigin: string): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${gatewayOrigin}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The pages of the public app: static/demo-portal in the package (found from src/ and dist/src/). */
function staticDirectory(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'static/demo-portal');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find the package's static/demo-portal above ${__dirname}`);
}

/** fhirclient's browser build (the one with its polyfills), from node_modules. */
function fhirClientBuild(): string {
  return join(dirname(require.resolve('fhirclient/package.json')), 'build/fhir-client.min.js');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page of the confidential app: Dutch first, English second. */
function page(title: string, titleEn: string, body: string): string {
  return `<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Demo-portaal (server)</title><link rel="stylesheet" href="/style.css"></head>
<body>
<header><p class="brand">Demo-portaal <span lang="en">(confidential app, on a server)</span></p></header>
<main>
<h1>${escapeHtml(title)} <span lang="en" class="en">${escapeHtml(titleEn)}</span></h1>
${body}
</main>
<footer><p>Synthetische gegevens, alleen op deze computer. <span lang="en">Synthetic data, on this machine only.</span>
<a href="/">Naar de publieke app <span lang="en">(public app)</span></a></p></footer>
</body></html>`;
}

interface LoginAttempt {
  verifier: string;
  state: string;
}

const SESSION_COOKIE = 'demo_portaal_server';
/** Logins in progress kept at most (the oldest go first): a demo, not a session store. */
const MAX_ATTEMPTS = 200;

/** The confidential app: authorization code flow with PKCE and a client secret, through openid-client. */
function confidentialApp(options: {
  origin: string;
  secret: string;
  gateway: () => DemoPortalGateway;
  log: () => Logger | undefined;
}): express.Router {
  const router = express.Router();
  const attempts = new Map<string, LoginAttempt>();
  const redirectUri = `${options.origin}/server/callback`;
  let discovered: Promise<{ client: typeof OpenIdClient; config: OpenIdClient.Configuration }> | undefined;

  /** Discovery at the gateway's issuer, once (again after a failure). */
  function openId() {
    discovered ??= (async () => {
      // ESM-only: a dynamic import loads it from the CommonJS build and under jest's VM modules.
      const client = await import('openid-client');
      const config = await client.discovery(
        new URL(options.gateway().issuer),
        CONFIDENTIAL_APP_ID,
        { redirect_uris: [redirectUri] },
        client.ClientSecretBasic(options.secret),
        // The demo's gateway is plain http on 127.0.0.1.
        { execute: [client.allowInsecureRequests] },
      );
      return { client, config };
    })().catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  }

  router.get('/', (_req, res) => {
    res.type('html').send(
      page(
        'Inloggen bij het demo-portaal',
        'Log in to the demo portal',
        `<p>Deze app draait op een server: de server haalt het token op met een clientgeheim, uw browser ziet het niet.</p>
<p lang="en">This app runs on a server: the server gets the token with a client secret; your browser never sees it.</p>
<p><a class="button" href="/server/login">Inloggen met Inzage <span lang="en">/ Log in with Inzage</span></a></p>`,
      ),
    );
  });

  router.get('/login', async (_req, res) => {
    try {
      const { client, config } = await openId();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const id = randomBytes(16).toString('base64url');
      attempts.set(id, { verifier, state });
      if (attempts.size > MAX_ATTEMPTS) attempts.delete(attempts.keys().next().value!);
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: DEMO_APP_SCOPE,
        aud: options.gateway().fhirBase,
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'lax', path: '/server' });
      res.redirect(303, url.href);
    } catch (err) {
      failure(res, err);
    }
  });

  router.get('/callback', async (req, res) => {
    const id = cookieValue(req, SESSION_COOKIE);
    const attempt = id === undefined ? undefined : attempts.get(id);
    if (id !== undefined) attempts.delete(id);
    res.clearCookie(SESSION_COOKIE, { path: '/server' });
    try {
      if (attempt === undefined) throw new Error('no login in progress: start again');
      const { client, config } = await openId();
      const tokens = await client.authorizationCodeGrant(config, new URL(req.originalUrl, options.origin), {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
      });
      const claims = tokens.claims();
      const expiresIn = tokens.expiresIn();
      res.type('html').send(
        tokenFactsPage({
          fhirUser: typeof claims?.fhirUser === 'string' ? claims.fhirUser : undefined,
          patient: typeof tokens.patient === 'string' ? tokens.patient : undefined,
          scope: tokens.scope ?? '',
          expiresAt: expiresIn === undefined ? undefined : new Date(Date.now() + expiresIn * 1000),
          refreshToken: tokens.refresh_token !== undefined,
        }),
      );
    } catch (err) {
      failure(res, err);
    }
  });

  function failure(res: Response, err: unknown): void {
    options.log()?.warn({ err }, 'demo portal: login failed');
    const text = err instanceof Error ? err.message : String(err);
    res
      .status(502)
      .type('html')
      .send(
        page(
          'Inloggen is niet gelukt',
          'Login failed',
          `<p role="alert">${escapeHtml(text)}</p><p><a href="/server/">Opnieuw <span lang="en">/ Again</span></a></p>`,
        ),
      );
  }

  return router;
}

/** What the confidential app shows after the login. */
function tokenFactsPage(facts: {
  fhirUser: string | undefined;
  patient: string | undefined;
  scope: string;
  expiresAt: Date | undefined;
  refreshToken: boolean;
}): string {
  const row = (nl: string, en: string, value: string, id: string) =>
    `<dt>${escapeHtml(nl)} <span lang="en">${escapeHtml(en)}</span></dt><dd id="${id}">${escapeHtml(value)}</dd>`;
  return page(
    'U bent ingelogd',
    'You are logged in',
    `<dl>
${row('Ingelogd als (fhirUser)', 'Logged in as', facts.fhirUser ?? '–', 'fhir-user')}
${row('Dossier van (patient)', 'Record of', facts.patient ? `Patient/${facts.patient}` : '–', 'patient')}
${row('Toegekende scopes', 'Granted scopes', facts.scope, 'scopes')}
${row('Token geldig tot', 'Token valid until', facts.expiresAt?.toISOString() ?? '–', 'expires')}
${row('Vernieuwingstoken', 'Refresh token', facts.refreshToken ? 'ja / yes' : 'nee / no', 'refresh')}
</dl>
<p>Deze app laat alleen zien wat het token toekent. Het dossier zelf, en verzoeken indienen, ziet u in de <a href="/">publieke app</a>.</p>
<p lang="en">This app shows only what the token grants. The record itself, and filing requests, are in the <a href="/">public app</a>.</p>
<p><a href="/server/">Opnieuw inloggen <span lang="en">/ Log in again</span></a></p>`,
  );
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new Error(`port ${port} on ${host} is already in use (choose another with --app-port)`));
      else reject(err);
    });
  });
}
