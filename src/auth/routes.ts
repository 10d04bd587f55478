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
import { interactionRouter } from './pages';
import { Unavailable } from '../errors';
import { createLaunch } from './launch';

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
    }),
  );

  /**
   * EHR launch: a portal app allowed to launch (`mayLaunch`) asks, with its user's access token, for a
   * launch of another registered app for the same user and patient. Answer: the handle and the URL
   * to open.
   */
  router.post('/auth/launch', express.json({ limit: '4kb' }), async (req, res) => {
    try {
      const token = await server.tokens.verify(bearerToken(req.get('authorization')));
      const launcher = server.client(token.clientId);
      if (token.kind !== 'user' || !launcher?.mayLaunch) {
        throw new Forbidden('this app may not launch other apps', { code: 'ERR_LAUNCH_NOT_ALLOWED' });
      }
      const clientId = typeof req.body?.client_id === 'string' ? req.body.client_id : '';
      const target = server.client(clientId);
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

  // OpenID Connect drops offline_access unless prompt=consent is asked; SMART apps never ask it, and
  // the consent step here is the gateway's own decision (interactions.ts), so it is added for them.
  router.get('/auth/authorize', (req, _res, next) => {
    const url = new URL(req.url, 'http://x');
    const prompted = withConsentPrompt(url.searchParams.get('scope'), url.searchParams.get('prompt'));
    if (prompted !== undefined) {
      url.searchParams.set('prompt', prompted);
      req.url = `${url.pathname}${url.search}`;
    }
    next();
  });
  router.post(
    '/auth/authorize',
    express.urlencoded({ extended: false, limit: '56kb' }),
    (req, _res, next) => {
      const body = req.body as Record<string, unknown> | undefined;
      if (body && typeof body.scope === 'string') {
        const prompted = withConsentPrompt(body.scope, typeof body.prompt === 'string' ? body.prompt : null);
        if (prompted !== undefined) body.prompt = prompted;
      }
      next();
    },
  );

  router.use('/auth', server.callback);
  return router;
}

/** The prompt value with `consent` added when offline_access is asked for; undefined when unchanged. */
function withConsentPrompt(scope: string | null, prompt: string | null): string | undefined {
  if (!(scope ?? '').split(/\s+/).includes('offline_access')) return undefined;
  const prompts = (prompt ?? '').split(/\s+/).filter((p) => p !== '');
  if (prompts.includes('consent') || prompts.includes('none')) return undefined;
  return [...prompts, 'consent'].join(' ');
}
