/**
 * Federated login, black box (issue 9, item 5): a second oidc-provider instance plays the external
 * identity provider (a DigiD broker, an organisation's own provider), with a tiny interaction of
 * this test's own that logs in whichever `sub` the test names. The whole flow runs through HTTP
 * with a cookie jar per origin: the app's authorize request, the gateway's login page, the
 * provider, the callback, the link-code page, and the token.
 */
import { findAuditRecords } from '../../src/audit';
import { formsOf } from './support/login';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { default as ProviderType } from 'oidc-provider';
import { Secret, TOTP } from 'otpauth';
import {
  AccountSecret,
  createTotpSecret,
  issueLinkCode,
  registerAccount,
  setTotpSecret,
} from '../../src/auth';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { importEcdExport, patientId, readEcdJsonStream } from '../../src/ecd';
import { createLogger } from '../../src/http';
import { generateSandboxData } from '../../src/sandbox';
import { Browser } from './support/browser';

const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
const SECRET_TEXT = 'a link code secret of at least thirty-two bytes';
const SECRET = AccountSecret.fromText(SECRET_TEXT);
const PASSWORD = 'correct horse battery staple';
const APP_REDIRECT = 'http://127.0.0.1:7777/cb';
const ORG_CLIENT_SECRET = 'the gateway client secret at the organisation provider';

/** The external provider: oidc-provider with static clients for the gateway. */
class ExternalProvider {
  provider: ProviderType | undefined;
  readonly server: Server;
  issuer = '';

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Starts oidc-provider once the gateway's address (its redirect URIs) is known. */
  async start(gatewayUrl: string): Promise<void> {
    const { default: Provider } = await import('oidc-provider');
    this.provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: 'inzage-public',
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${gatewayUrl}/auth/federation/digid/callback`],
        },
        {
          client_id: 'inzage-org',
          client_secret: ORG_CLIENT_SECRET,
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [`${gatewayUrl}/auth/federation/org/callback`],
        },
      ],
      pkce: { required: () => true },
      cookies: { keys: ['external provider cookie key'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
      // The test's provider asks no consent of its own: the login is what is tested.
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client!.clientId,
          accountId: ctx.oidc.session!.accountId!,
        });
        grant.addOIDCScope('openid');
        await grant.save();
        return grant;
      },
    });
  }

  /** `/interaction/<uid>?sub=alice` logs alice in; `?deny=1` answers access_denied. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const provider = this.provider;
    if (!provider) return void res.writeHead(503).end();
    const url = new URL(req.url ?? '/', this.issuer);
    if (!url.pathname.startsWith('/interaction/')) return provider.callback()(req, res);
    try {
      if (url.searchParams.has('deny')) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'the person cancelled' },
          { mergeWithLastSubmission: false },
        );
      } else {
        const sub = url.searchParams.get('sub') ?? 'nobody';
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: sub } },
          { mergeWithLastSubmission: false },
        );
      }
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('federated login through an external OpenID Connect provider', () => {
  const external = new ExternalProvider();
  let gateway: RunningGateway;
  let base: string;
  let patients: `Patient/${string}`[];
  let organisationId: string;
  let daveTotp: string;
  let erinTotp: string;

  /** Posts a step of the gateway's login with the page's hidden fields (its CSRF token). */
  async function postStep(
    browser: Browser,
    interaction: string,
    step: string,
    fields: Record<string, string>,
  ): Promise<Response> {
    const page = await (await browser.go(interaction)).text();
    const hidden: Record<string, string> = {};
    for (const form of formsOf(page))
      for (const f of form.fields) if (f.type === 'hidden') hidden[f.name] = f.value;
    return browser.post(`${interaction}/${step}`, { ...hidden, ...fields });
  }

  async function newCode(patient: `Patient/${string}`): Promise<string> {
    const issued = await issueLinkCode(
      gateway.store,
      {
        binding: { organisationId, patient, person: patient },
        issuedBy: { kind: 'system', id: 'test' } as never,
        at: new Date(),
      },
      SECRET,
    );
    return issued.code;
  }

  async function register(patient: `Patient/${string}`, email: string): Promise<string> {
    const code = await newCode(patient);
    const registration = await gateway.store.transaction((tx) =>
      registerAccount(
        tx,
        { linkCode: code, email, mobile: '0612345678', password: PASSWORD, at: new Date() },
        SECRET,
      ),
    );
    return registration.account.id;
  }

  beforeAll(async () => {
    process.env.INZAGE_LINK_CODE_SECRET = SECRET_TEXT;
    await external.listen();
    const data = generateSandboxData({ clients: 40, seed: 1 });
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: ORGANISATIONS,
        smart: {
          clients: [
            {
              id: 'app',
              name: 'App',
              type: 'public',
              redirectUris: [APP_REDIRECT],
              scopes: 'launch/patient openid fhirUser offline_access patient/*.rs',
            },
          ],
          identityProviders: [
            // A public client (no secret): PKCE alone; two-factor itself, as DigiD Midden is.
            {
              id: 'digid',
              name: 'DigiD',
              issuer: external.issuer,
              clientId: 'inzage-public',
              secondFactor: false,
            },
            // A confidential client (INZAGE_IDP_SECRET_ORG); our second factor still asked (the default).
            { id: 'org', name: 'Meerzicht-account', issuer: external.issuer, clientId: 'inzage-org' },
          ],
        },
        log: { level: 'silent' },
      },
      'test',
      { INZAGE_IDP_SECRET_ORG: ORG_CLIENT_SECRET },
    );
    gateway = await startGateway(config, { log: createLogger('silent'), readinessChecks: [] });
    base = gateway.url;
    await external.start(base);
    for (const exp of data.exports) {
      await importEcdExport(gateway.store, readEcdJsonStream([JSON.stringify(exp)], 'x.json'), {
        organisations: ORGANISATIONS,
        source: 'test',
      });
    }
    const exp = data.exports[0]!;
    organisationId = exp.organisation.id;
    // Clients registered for the portal themselves, in care: the policy lets them in.
    const selfRegistered = exp.clients.filter(
      (c) =>
        exp.portalRegistrations.some((r) => r.clientId === c.id && r.person.kind === 'client') &&
        !c.careAgreements.some((a) => a.end !== undefined) &&
        c.deceasedDate === undefined,
    );
    patients = selfRegistered.map((c) => `Patient/${patientId(exp.organisation.id, c.id)}` as const);
    expect(patients.length).toBeGreaterThanOrEqual(5);
    // patients[1]: carol, a password account; patients[2]: dave, with TOTP; patients[3]: erin.
    await register(patients[1]!, 'carol@example.org');
    const dave = await register(patients[2]!, 'dave@example.org');
    daveTotp = createTotpSecret();
    await setTotpSecret(gateway.store, dave, daveTotp);
    const erin = await register(patients[3]!, 'erin@example.org');
    erinTotp = createTotpSecret();
    await setTotpSecret(gateway.store, erin, erinTotp);
  });

  afterAll(async () => {
    await gateway?.close();
    await external.close();
    delete process.env.INZAGE_LINK_CODE_SECRET;
  });

  interface Authorization {
    browser: Browser;
    verifier: string;
    /** The gateway's interaction page of this authorization request. */
    interaction: string;
  }

  /** An app's authorization request, up to the gateway's login page. */
  async function authorize(browser = new Browser()): Promise<Authorization> {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${base}/auth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: APP_REDIRECT,
      scope: 'launch/patient openid fhirUser patient/*.rs',
      state: 'app-state',
      aud: `${base}/fhir`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const res = await browser.go(url.href);
    expect(res.status).toBe(303);
    return { browser, verifier, interaction: new URL(res.headers.get('location')!, base).href };
  }

  interface Followed {
    res: Response;
    /** The URL that gave `res`. */
    url: string;
  }

  interface LoginAs {
    sub?: string;
    deny?: boolean;
    /** Changes the authorization request on its way to the provider. */
    authorize?: (url: URL) => URL;
    /** Changes the provider's answer on its way to the gateway. */
    callback?: (url: URL) => URL;
  }

  /**
   * Follows redirects from `url` until a page or the app's redirect URI. At the external provider's
   * interaction the person logs in as `as.sub` (or cancels: `as.deny`); `as.authorize` and
   * `as.callback` may change the requests in between (a tampered nonce, state or challenge).
   */
  async function follow(browser: Browser, url: string, as: LoginAs = {}): Promise<Followed> {
    let current = url;
    for (let i = 0; i < 15; i++) {
      let target = new URL(current);
      if (target.origin === external.issuer && target.pathname === '/auth' && as.authorize) {
        target = as.authorize(target);
      }
      if (target.origin === external.issuer && target.pathname.startsWith('/interaction/')) {
        if (as.deny) target.searchParams.set('deny', '1');
        else target.searchParams.set('sub', as.sub ?? 'nobody');
      }
      if (target.pathname.includes('/auth/federation/') && as.callback) target = as.callback(target);
      let res = await browser.go(target.href);
      // After the provider, the gateway's own steps go on: the picker and the terms.
      if (res.status === 200 && target.origin === new URL(base).origin) {
        const html = await res.clone().text();
        const step = formsOf(html).find((f) =>
          f.fields.some((x) => x.name === 'accept' || x.name === 'link'),
        );
        if (step !== undefined) {
          const fields: Record<string, string> = {};
          for (const f of step.fields) if (f.type === 'hidden') fields[f.name] = f.value;
          const links = step.fields.filter((f) => f.name === 'link');
          if (links.length > 0) fields.link = links[0]!.value;
          else fields.accept = 'yes';
          res = await browser.post(new URL(step.action, target).href, fields);
        }
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: target.href };
      current = new URL(location, target).href;
      if (current.startsWith(APP_REDIRECT)) return { res, url: current };
    }
    throw new Error('too many redirects');
  }

  /** The login page's button for a provider, followed through the provider. */
  async function loginThrough(
    authorization: Authorization,
    providerId: string,
    as: LoginAs,
  ): Promise<Followed> {
    const page = await (await authorization.browser.go(authorization.interaction)).text();
    const uid = new URL(authorization.interaction).pathname.split('/').pop()!;
    const href = `/auth/interaction/${uid}/federated/${providerId}`;
    expect(page).toContain(`href="${href}"`);
    return follow(authorization.browser, new URL(href, base).href, as);
  }

  /** The code at the app's redirect URI, exchanged for the token response. */
  async function token(authorization: Authorization, followed: Followed): Promise<Record<string, string>> {
    expect(followed.url).toMatch(/^http:\/\/127\.0\.0\.1:7777\/cb\?code=/);
    const callback = new URL(followed.url);
    const res = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: APP_REDIRECT,
        code_verifier: authorization.verifier,
        client_id: 'app',
      }).toString(),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, string>;
  }

  /** Posts the link-code page's form and follows on. */
  async function link(
    authorization: Authorization,
    page: Followed,
    fields: Record<string, string>,
  ): Promise<Followed> {
    // Posted as a browser posts it: to the form's action, with its hidden fields (the CSRF token).
    const form = formsOf(await (await authorization.browser.go(page.url)).text()).find((f) =>
      f.fields.some((x) => x.name === 'code'),
    )!;
    const hidden: Record<string, string> = {};
    for (const f of form.fields) if (f.type === 'hidden') hidden[f.name] = f.value;
    const res = await authorization.browser.post(new URL(form.action, page.url).href, {
      ...hidden,
      ...fields,
    });
    const location = res.headers.get('location');
    if (res.status !== 303 || !location) return { res, url: page.url };
    return follow(authorization.browser, new URL(location, base).href);
  }

  const idOf = (patient: string) => patient.slice('Patient/'.length);

  it("SMART-FED-16: a link form posted without the page's CSRF token is refused and links nothing", async () => {
    const authorization = await authorize();
    const linkPage = await loginThrough(authorization, 'digid', { sub: 'csrf-victim' });
    const refused = await authorization.browser.post(linkPage.url, { code: await newCode(patients[4]!) });
    expect(refused.status).toBe(403);
    const rows = await gateway.store.query(`SELECT 1 FROM account_identity WHERE subject = 'csrf-victim'`);
    expect(rows).toHaveLength(0);
  });

  it('SMART-FED-1: a first login through the provider asks a link code, links a new account, and gets a token for its patient', async () => {
    const authorization = await authorize();
    const linkPage = await loginThrough(authorization, 'digid', { sub: 'alice' });
    expect(linkPage.res.status).toBe(200);
    expect(linkPage.url).toMatch(/\/federated\/digid\/link$/);
    const html = await linkPage.res.text();
    expect(html).toContain('Koppelcode');
    expect(linkPage.res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('lang="en"');

    const code = await newCode(patients[0]!);
    // A new person: the code is the registration (M-14), with e-mail and mobile.
    const incomplete = await link(authorization, linkPage, { code });
    expect(incomplete.res.status).toBe(400);
    expect(await incomplete.res.text()).toContain('e-mailadres en mobiele nummer');
    const done = await link(authorization, linkPage, {
      code,
      email: 'alice@example.org',
      mobile: '06 11111111',
    });
    const body = await token(authorization, done);
    expect(body.patient).toBe(idOf(patients[0]!));

    const [row] = await gateway.store.query<{ email: string; provider_id: string }>(
      `SELECT a.email, i.provider_id FROM account_identity i JOIN account a ON a.id = i.account_id
       WHERE i.issuer = $1 AND i.subject = 'alice'`,
      [external.issuer],
    );
    expect(row).toEqual({ email: 'alice@example.org', provider_id: 'digid' });
  });

  it('SMART-FED-2: a second login through the provider needs no link code', async () => {
    const authorization = await authorize();
    const followed = await loginThrough(authorization, 'digid', { sub: 'alice' });
    const body = await token(authorization, followed);
    expect(body.patient).toBe(idOf(patients[0]!));
  });

  it('SMART-FED-3: a callback with a wrong state is refused with a page, and the password login goes on', async () => {
    const authorization = await authorize();
    const refused = await loginThrough(authorization, 'digid', {
      sub: 'alice',
      callback: (url) => {
        const state = url.searchParams.get('state')!;
        url.searchParams.set('state', `${state.split('.')[0]}.not-the-state`);
        return url;
      },
    });
    expect(refused.res.status).toBe(400);
    const html = await refused.res.text();
    expect(html).toContain('Inloggen is niet gelukt');
    expect(html).toContain('Login did not succeed');
    expect(html).not.toMatch(/at .*\.ts:\d+|Error:/);

    // A state naming no interaction of this browser: the attempt is unknown.
    const stranger = await new Browser().go(
      `${base}/auth/federation/digid/callback?code=x&state=${encodeURIComponent('nointeraction.abc')}`,
    );
    const strangerPage = await follow(new Browser(), new URL(stranger.headers.get('location')!, base).href);
    expect(strangerPage.res.status).toBe(400);
    expect(await strangerPage.res.text()).toContain('verlopen of onbekend');

    // The same interaction still takes a password.
    const login = await postStep(authorization.browser, authorization.interaction, 'login', {
      email: 'erin@example.org',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    const totpOfErin = new TOTP({
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: Secret.fromBase32(erinTotp),
    });
    const second = await postStep(authorization.browser, authorization.interaction, 'second-factor', {
      code: totpOfErin.generate(),
    });
    // The next step (the terms) is shown in place, or redirected to.
    const onward = second.headers.get('location');
    const followed = await follow(
      authorization.browser,
      onward ? new URL(onward, base).href : authorization.interaction,
    );
    expect((await token(authorization, followed)).patient).toBe(idOf(patients[3]!));
  });

  it('SMART-FED-4: an error at the provider is shown as a page with the way back to the login', async () => {
    const authorization = await authorize();
    const denied = await loginThrough(authorization, 'digid', { deny: true });
    expect(denied.res.status).toBe(400);
    const html = await denied.res.text();
    expect(html).toContain('afgebroken of geweigerd');
    expect(html).toContain('cancelled or refused');
    const uid = new URL(authorization.interaction).pathname.split('/').pop()!;
    expect(html).toContain(`href="/auth/interaction/${uid}"`);
    const again = await authorization.browser.go(authorization.interaction);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="password"');
  });

  it('SMART-FED-5: a link code for a person with an account adds the identity to that account', async () => {
    const authorization = await authorize();
    const linkPage = await loginThrough(authorization, 'digid', { sub: 'carol-digid' });
    const done = await link(authorization, linkPage, { code: await newCode(patients[1]!) });
    expect((await token(authorization, done)).patient).toBe(idOf(patients[1]!));
    const [row] = await gateway.store.query<{ email: string }>(
      `SELECT a.email FROM account_identity i JOIN account a ON a.id = i.account_id WHERE i.subject = 'carol-digid'`,
    );
    expect(row?.email).toBe('carol@example.org');
  });

  it('SMART-FED-6: an identity linked to a blocked account gets no token', async () => {
    await gateway.store.query(`UPDATE account SET blocked_at = now() WHERE email = 'carol@example.org'`);
    try {
      const authorization = await authorize();
      const followed = await loginThrough(authorization, 'digid', { sub: 'carol-digid' });
      expect(followed.res.status).toBe(403);
      expect(followed.url).not.toContain(APP_REDIRECT);
      expect(await followed.res.text()).toContain('geen toegang');
    } finally {
      await gateway.store.query(`UPDATE account SET blocked_at = NULL WHERE email = 'carol@example.org'`);
    }
  });

  it('SMART-FED-7: a used link code cannot link a second identity', async () => {
    const code = await newCode(patients[4]!);
    const first = await authorize();
    const firstPage = await loginThrough(first, 'digid', { sub: 'frank' });
    const linked = await link(first, firstPage, { code, email: 'frank@example.org', mobile: '0622222222' });
    expect((await token(first, linked)).patient).toBe(idOf(patients[4]!));

    const second = await authorize();
    const secondPage = await loginThrough(second, 'digid', { sub: 'mallory' });
    const refused = await link(second, secondPage, {
      code,
      email: 'mallory@example.org',
      mobile: '0633333333',
    });
    expect(refused.res.status).toBe(400);
    expect(await refused.res.text()).toContain('Koppelen is niet gelukt');
    const rows = await gateway.store.query(`SELECT 1 FROM account_identity WHERE subject = 'mallory'`);
    expect(rows).toHaveLength(0);
  });

  it("SMART-FED-8: a provider with secondFactor (the default) still asks the account's TOTP; one without does not", async () => {
    const authorization = await authorize();
    const linkPage = await loginThrough(authorization, 'org', { sub: 'dave-org' });
    const linked = await link(authorization, linkPage, { code: await newCode(patients[2]!) });
    // The link continues to the gateway's own second factor.
    expect(linked.res.status).toBe(200);
    expect(linked.url).toBe(authorization.interaction);
    expect(await linked.res.text()).toContain('name="code"');
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(daveTotp) });
    const second = await postStep(authorization.browser, authorization.interaction, 'second-factor', {
      code: totp.generate(),
    });
    // The next step (the terms) is shown in place, or redirected to.
    const onward = second.headers.get('location');
    const followed = await follow(
      authorization.browser,
      onward ? new URL(onward, base).href : authorization.interaction,
    );
    expect((await token(authorization, followed)).patient).toBe(idOf(patients[2]!));

    // The same identity (same issuer and sub) through the provider configured without: no TOTP.
    const next = await authorize();
    const direct = await loginThrough(next, 'digid', { sub: 'dave-org' });
    expect((await token(next, direct)).patient).toBe(idOf(patients[2]!));
  });

  it('SMART-FED-11: an id_token for another nonce and a code for another PKCE challenge are refused with a page', async () => {
    for (const parameter of ['nonce', 'code_challenge']) {
      const authorization = await authorize();
      const refused = await loginThrough(authorization, 'digid', {
        sub: 'alice',
        authorize: (url) => {
          url.searchParams.set(parameter, randomBytes(32).toString('base64url'));
          return url;
        },
      });
      expect(refused.res.status).toBe(400);
      const html = await refused.res.text();
      expect(html).toContain('kon niet worden gecontroleerd');
      expect(html).not.toContain(APP_REDIRECT);
    }
  });
  it('AUDIT-AUTH-13: the federated logins and link codes above are in the audit trail, with the provider and the patient', async () => {
    const [alice] = await gateway.store.query<{ account_id: string }>(
      `SELECT account_id FROM account_identity WHERE issuer = $1 AND subject = 'alice'`,
      [external.issuer],
    );
    const entries = (await findAuditRecords(gateway.store, { accountId: alice!.account_id })).map(
      (r) => r.entry,
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        kind: 'link-code',
        interaction: 'federated-link',
        outcome: 'success',
        patient: patients[0],
        actor: expect.objectContaining({ person: patients[0], address: expect.any(String) }),
        detail: expect.objectContaining({ provider: 'digid', account: 'created' }),
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        kind: 'login',
        interaction: 'federated',
        outcome: 'success',
        clientApp: 'app',
        detail: { provider: 'digid' },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        kind: 'login',
        interaction: 'completed',
        outcome: 'success',
        patient: patients[0],
      }),
    );
    const all = (await findAuditRecords(gateway.store, { kinds: ['login', 'link-code'] })).map(
      (r) => r.entry,
    );
    // The first login of an identity without an account, the incomplete link form, the provider's error.
    expect(all).toContainEqual(
      expect.objectContaining({ interaction: 'federated', outcomeText: 'ERR_IDENTITY_NOT_LINKED' }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({ interaction: 'federated-link', outcomeText: 'ERR_REGISTRATION_INCOMPLETE' }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        interaction: 'federated',
        outcome: 'refused',
        outcomeText: 'ERR_FEDERATION_PROVIDER_ERROR',
      }),
    );
    expect(JSON.stringify(all)).not.toContain('alice@example.org');
  });
});
