/**
 * Everything the authorization server answers: SMART discovery under the FHIR base, the login
 * interaction, EHR launches, and oidc-provider itself under /auth. Mounted by app.ts before any
 * body parser: oidc-provider reads its own bodies.
 */
import express, { type Router } from 'express';
import { sendError } from '../http';
import type { Store } from '../store';
import { bearerToken } from './access-tokens';
import type { AuthorizationServer } from './authorization-server';
import { smartConfiguration } from './discovery';
import { InvalidInput, Forbidden, NotFound } from '../errors';
import type { MessageSender } from './accounts';
import { federationRouter, identityProviderChoices } from './federation';
import { tokenEndpointsRouter } from './introspection';
import { interactionRouter } from './pages';
import { Unavailable } from '../errors';
import { createLaunch } from './launch';
import { grantableScopes, parseScope, scopeList } from './scopes';
import { publicJwks } from './signing-keys';

export interface AuthRouterOptions {
  /** Overrides the authorization server's `messageSender`. */
  messageSender?: MessageSender;
}

/** Without a configured sender no code can be sent: the page says so (503) instead of failing later. */
const NO_SENDER: MessageSender = {
  async send() {
    throw new Unavailable('no message sender is configured', undefined, { code: 'ERR_NO_MESSAGE_SENDER' });
  },
};

export function authRouter(
  server: AuthorizationServer,
  store: Store,
  options: AuthRouterOptions = {},
): Router {
  const router = express.Router();
  const discovery = smartConfiguration(server.issuer);

  // SMART: discovery allows any origin, and is JSON whatever the Accept header says.
  router.get('/fhir/.well-known/smart-configuration', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(JSON.stringify(discovery));
  });
  router.options('/fhir/.well-known/smart-configuration', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Access-Control-Allow-Methods', 'GET');
    res.status(204).end();
  });

  router.use(
    interactionRouter({
      store,
      server,
      config: server.config,
      messageSender: options.messageSender ?? server.messageSender ?? NO_SENDER,
      accountSecret: server.accountSecret,
      loginProviders: (uid) => identityProviderChoices(server.identityProviders, uid),
    }),
  );
  router.use(federationRouter({ store, server }));

  /**
   * EHR launch: a portal app allowed to launch (`mayLaunch`) asks, with its user's access token, for a
   * launch of another registered app for the same user and patient. Answer: the handle and the URL
   * to open.
   */
  router.post('/auth/launch', express.json({ limit: '4kb' }), async (req, res) => {
    try {
      const token = await server.tokens.verify(bearerToken(req.get('authorization')));
      const launcher = await server.findClient(token.clientId);
      if (token.kind !== 'user' || !launcher?.mayLaunch) {
        throw new Forbidden('this app may not launch other apps', { code: 'ERR_LAUNCH_NOT_ALLOWED' });
      }
      const clientId = typeof req.body?.client_id === 'string' ? req.body.client_id : '';
      const target = await server.findClient(clientId);
      if (!target || target.type === 'backend') {
        throw new NotFound(`no app '${clientId}' is registered`, { code: 'ERR_UNKNOWN_CLIENT' });
      }
      if (!target.launchUri) {
        throw new InvalidInput(`app '${clientId}' has no launch URI`, { code: 'ERR_NO_LAUNCH_URI' });
      }
      const launch = await createLaunch(store, {
        clientId,
        linkId: token.subject,
        launchedBy: token.clientId,
      });
      const url = new URL(target.launchUri);
      url.searchParams.set('iss', server.fhirBase);
      url.searchParams.set('launch', launch);
      res.status(201).json({ launch, url: url.href });
    } catch (err) {
      sendError(req, res, err);
    }
  });

  router.get('/auth/authorize', (req, _res, next) => {
    const url = new URL(req.url, 'http://x');
    smartAuthorizeParams(url.searchParams, server);
    req.url = `${url.pathname}${url.search}`;
    next();
  });
  // SMART authorize-post: the form's parameters are handed to oidc-provider as the GET request they
  // stand for. (oidc-provider's own POST support wants SameSite=None session cookies, which browsers
  // refuse over http and which would let any site post into a session; a cross-site POST here simply
  // carries no session cookie, so the person logs in.)
  router.post(
    '/auth/authorize',
    express.urlencoded({ extended: false, limit: '56kb' }),
    (req, _res, next) => {
      const body = (req.body ?? {}) as Record<string, string | string[]>;
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(body)) {
        for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
      }
      smartAuthorizeParams(params, server);
      req.method = 'GET';
      req.url = `/auth/authorize?${params.toString()}`;
      next();
    },
  );

  // fhirclient refreshes a public app without client_id (the refresh token names the client), and
  // SMART lets it: oidc-provider would refuse it for want of client authentication, so the client of
  // the refresh token is named for it. Only for public clients: a confidential one still authenticates.
  router.post(
    '/auth/token',
    express.urlencoded({ extended: false, limit: '56kb' }),
    async (req, _res, next) => {
      try {
        const body = req.body as Record<string, unknown> | undefined;
        if (
          body?.grant_type === 'refresh_token' &&
          typeof body.refresh_token === 'string' &&
          body.client_id === undefined &&
          body.client_assertion === undefined &&
          req.get('authorization') === undefined
        ) {
          const refreshToken = await server.provider.RefreshToken.find(body.refresh_token);
          const clientId = refreshToken?.clientId;
          if (clientId !== undefined && server.client(clientId)?.type === 'public') body.client_id = clientId;
        }
        next();
      } catch (err) {
        next(err);
      }
    },
  );

  // The JWKS from the store, not oidc-provider's start-up copy: keys rotated out still verify the
  // tokens they signed until those expire, and every instance publishes the same set.
  router.get('/auth/jwks', async (req, res) => {
    try {
      res.set('Cache-Control', 'public, max-age=300');
      res.set('Access-Control-Allow-Origin', '*');
      res.type('application/jwk-set+json').send(JSON.stringify(await publicJwks(store)));
    } catch (err) {
      sendError(req, res, err);
    }
  });

  // Our access tokens are JWTs, which oidc-provider will not introspect or revoke: see introspection.ts.
  router.use(tokenEndpointsRouter(server));
  router.use('/auth', server.callback);
  return router;
}

/**
 * What a SMART authorize request means, said the way oidc-provider understands it (in place):
 * - identity and launch scopes the client may not be granted are left out of `scope`, and so is
 *   `launch` without a `launch` parameter (SMART-E4): oidc-provider would otherwise ask for consent
 *   to them again after every consent, a redirect loop, since the gateway never grants them;
 * - OpenID Connect drops offline_access unless prompt=consent is asked; SMART apps never ask it, and
 *   the consent step is the gateway's own decision (pages/flow.ts `grant`), so it is added for them.
 * Resource scopes are left as asked: the resource server's scope (grantableScopes) narrows them.
 */
function smartAuthorizeParams(params: URLSearchParams, server: AuthorizationServer): void {
  const registration = server.client(params.get('client_id') ?? '');
  const scope = params.get('scope');
  if (registration !== undefined && scope !== null) {
    const asked = scopeList(scope);
    const kept = asked.filter((s) => {
      if (parseScope(s)?.kind !== 'context') return true;
      if (s === 'launch' && (params.get('launch') ?? '') === '') return false;
      return grantableScopes([s], registration.scopes).length === 1;
    });
    if (kept.length !== asked.length) params.set('scope', kept.join(' '));
  }
  const prompted = withConsentPrompt(params.get('scope'), params.get('prompt'));
  if (prompted !== undefined) params.set('prompt', prompted);
}

/** The prompt value with `consent` added when offline_access is asked for; undefined when unchanged. */
function withConsentPrompt(scope: string | null, prompt: string | null): string | undefined {
  if (!(scope ?? '').split(/\s+/).includes('offline_access')) return undefined;
  const prompts = (prompt ?? '').split(/\s+/).filter((p) => p !== '');
  if (prompts.includes('consent') || prompts.includes('none')) return undefined;
  return [...prompts, 'consent'].join(' ');
}
