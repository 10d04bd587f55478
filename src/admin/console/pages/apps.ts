/**
 * Portal apps in the console (issue 12, item 7): the list, the registration form, and an app's page
 * with its changes (update, new secret, disable and enable). A client secret is shown once, on the
 * page that answers the registration or the rotation (never stored for a later page, never in a
 * redirect or a cookie), with the warning to hand it over now.
 */
import type { AppView, AppWithSecret } from '../../operations/apps';
import { ACCESS_MANAGERS } from '../../roles';
import { html, type SafeHtml } from '../html';
import { formatMoment, tr, type ConsoleLanguage } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

const TYPE_LABELS: Record<AppView['type'], { nl: string; en: string }> = {
  public: { nl: 'Publiek (browser of mobiel, PKCE)', en: 'Public (browser or mobile, PKCE)' },
  'confidential-symmetric': { nl: 'Vertrouwelijk met geheim', en: 'Confidential with a secret' },
  'confidential-asymmetric': { nl: 'Vertrouwelijk met sleutels', en: 'Confidential with keys' },
  backend: {
    nl: 'Systeem van de organisatie (Backend Services)',
    en: "The organisation's system (Backend Services)",
  },
};

function typeLabel(lang: ConsoleLanguage, type: AppView['type']): string {
  return TYPE_LABELS[type][lang];
}

function statusLabel(lang: ConsoleLanguage, app: AppView): string {
  return app.status === 'enabled' ? tr(lang, 'actief', 'enabled') : tr(lang, 'uitgeschakeld', 'disabled');
}

/** The form's fields as the operations take them: redirect URIs one per line (or space). */
function appFields(body: Record<string, unknown>): Record<string, unknown> {
  const { redirectUris, ...rest } = body;
  return {
    ...rest,
    ...(typeof redirectUris === 'string'
      ? { redirectUris: redirectUris.split(/\s+/).filter((u) => u !== '') }
      : {}),
  };
}

function reasonField(ctx: ConsoleContext, id: string): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${tr(ctx.lang, 'Reden', 'Reason')}</label>
    <input id="${id}" name="reason" required minlength="3" maxlength="1000" />
    <span class="hint">${tr(ctx.lang, 'Komt in het auditlog.', 'Recorded in the audit trail.')}</span>
  </div>`;
}

function secretAnswer(ctx: ConsoleContext, out: AppWithSecret, title: string): void {
  const { lang } = ctx;
  ctx.page(
    title,
    html`${
        out.clientSecret !== undefined
          ? html`<div class="warning" role="alert">
              <p>
                <strong
                  >${tr(lang, 'Dit geheim ziet u maar één keer.', 'You see this secret only once.')}</strong
                >
                ${tr(
                  lang,
                  'Geef het nu via een veilige weg aan de leverancier. Alleen een hash wordt bewaard; kwijt is kwijt: maak dan een nieuw geheim.',
                  'Hand it to the vendor now, over a safe channel. Only a hash is kept; if it is lost, make a new secret.',
                )}
              </p>
              <p>
                <label for="secret">${tr(lang, 'Client secret', 'Client secret')}</label>
                <input id="secret" readonly value="${out.clientSecret}" size="50" autocomplete="off" />
              </p>
            </div>`
          : ''
      }
      ${details(ctx, out.app)}
      <p>
        <a href="${ctx.href(`/apps/${encodeURIComponent(out.app.id)}`)}"
          >${tr(lang, 'Naar de app', 'To the app')}</a
        >
      </p>`,
  );
}

function details(ctx: ConsoleContext, app: AppView): SafeHtml {
  const { lang } = ctx;
  const row = (label: string, value: unknown) =>
    html`<tr>
      <th scope="row">${label}</th>
      <td>${value}</td>
    </tr>`;
  return html`<table>
    <caption>
      ${app.name}
    </caption>
    <tbody>
      ${row('client_id', html`<code>${app.id}</code>`)}
      ${row(tr(lang, 'Soort', 'Type'), typeLabel(lang, app.type))}
      ${row(tr(lang, 'Status', 'Status'), statusLabel(lang, app))}
      ${row(
        tr(lang, 'Herkomst', 'Source'),
        app.source === 'configuration'
          ? tr(lang, 'configuratiebestand (alleen lezen)', 'configuration file (read-only)')
          : tr(lang, 'geregistreerd in de console of API', 'registered in the console or API'),
      )}
      ${row(
        tr(lang, 'Redirect-URI’s', 'Redirect URIs'),
        app.redirectUris.map((u) => html`<code>${u}</code><br />`),
      )}
      ${app.launchUri ? row(tr(lang, 'Launch-URI', 'Launch URI'), html`<code>${app.launchUri}</code>`) : ''}
      ${row(tr(lang, 'Origins (CORS)', 'Origins (CORS)'), app.origins.join(' '))}
      ${row(tr(lang, 'Scopes', 'Scopes'), html`<code>${app.scopes}</code>`)}
      ${app.jwksUrl ? row('JWKS URL', html`<code>${app.jwksUrl}</code>`) : ''}
      ${app.jwks ? row(tr(lang, 'Sleutels (kid)', 'Keys (kid)'), app.jwks.keys.map((k) => k.kid ?? '?').join(', ')) : ''}
      ${row(tr(lang, 'Geheim', 'Secret'), app.hasSecret ? tr(lang, 'ja (alleen de hash)', 'yes (its hash only)') : tr(lang, 'nee', 'no'))}
      ${app.createdAt ? row(tr(lang, 'Geregistreerd', 'Registered'), `${formatMoment(lang, app.createdAt)} (${app.createdBy ?? ''})`) : ''}
      ${app.updatedAt ? row(tr(lang, 'Gewijzigd', 'Changed'), formatMoment(lang, app.updatedAt)) : ''}
      ${app.disabledAt ? row(tr(lang, 'Uitgeschakeld', 'Disabled'), formatMoment(lang, app.disabledAt)) : ''}
    </tbody>
  </table>`;
}

const listPage: ConsolePage = {
  method: 'get',
  path: '/apps',
  menu: { nl: 'Portal-apps', en: 'Portal apps', order: 70, roles: [...ACCESS_MANAGERS, 'privacy-officer'] },
  async handle(ctx) {
    const { lang } = ctx;
    const { apps } = await ctx.run<{ apps: AppView[] }>('listApps', {});
    const form = ctx.may('registerApp')
      ? html`<h2>${tr(lang, 'App registreren', 'Register an app')}</h2>
          <form method="post" action="${ctx.href('/apps')}">
            ${csrfField(ctx.csrf)}
            <div class="field">
              <label for="name">${tr(lang, 'Naam', 'Name')}</label>
              <input id="name" name="name" required maxlength="200" />
              <span class="hint"
                >${tr(lang, 'Zoals mensen hem zien bij het inloggen.', 'As people see it at login.')}</span
              >
            </div>
            <div class="field">
              <label for="id">client_id</label>
              <input id="id" name="id" pattern="[A-Za-z0-9._\\-]{1,128}" />
              <span class="hint"
                >${tr(lang, 'Leeg: de gateway kiest er een.', 'Empty: the gateway picks one.')}</span
              >
            </div>
            <div class="field">
              <label for="type">${tr(lang, 'Soort', 'Type')}</label>
              <select id="type" name="type">
                ${(Object.keys(TYPE_LABELS) as AppView['type'][]).map(
                  (t) => html`<option value="${t}">${typeLabel(lang, t)}</option>`,
                )}
              </select>
            </div>
            <div class="field">
              <label for="redirectUris"
                >${tr(lang, 'Redirect-URI’s (één per regel)', 'Redirect URIs (one per line)')}</label
              >
              <textarea id="redirectUris" name="redirectUris" rows="3"></textarea>
              <span class="hint"
                >${tr(
                  lang,
                  'https://…, of http:// alleen op localhost of 127.0.0.1; zonder #. Niet voor een systeem.',
                  'https://…, or http:// on localhost or 127.0.0.1 only; no #. Not for a system.',
                )}</span
              >
            </div>
            <div class="field">
              <label for="scopes">Scopes</label>
              <input
                id="scopes"
                name="scopes"
                required
                value="openid fhirUser launch/patient offline_access patient/*.rs"
              />
            </div>
            <div class="field">
              <label for="jwks"
                >${tr(lang, 'Publieke sleutels (JWKS, JSON)', 'Public keys (JWKS, JSON)')}</label
              >
              <textarea id="jwks" name="jwks" rows="4"></textarea>
              <span class="hint"
                >${tr(lang, 'Alleen voor sleutels en systemen; of een JWKS URL:', 'For keys and systems only; or a JWKS URL:')}</span
              >
            </div>
            <div class="field">
              <label for="jwksUrl">JWKS URL</label>
              <input id="jwksUrl" name="jwksUrl" />
            </div>
            ${reasonField(ctx, 'reason')}
            <button type="submit">${tr(lang, 'Registreren', 'Register')}</button>
          </form>`
      : '';
    ctx.page(
      tr(lang, 'Portal-apps', 'Portal apps'),
      html`<table>
          <caption>
            ${tr(lang, 'Apps die tokens kunnen krijgen', 'Apps that can get tokens')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${tr(lang, 'Naam', 'Name')}</th>
              <th scope="col">client_id</th>
              <th scope="col">${tr(lang, 'Soort', 'Type')}</th>
              <th scope="col">${tr(lang, 'Status', 'Status')}</th>
            </tr>
          </thead>
          <tbody>
            ${apps.map(
              (a) =>
                html`<tr>
                  <td><a href="${ctx.href(`/apps/${encodeURIComponent(a.id)}`)}">${a.name}</a></td>
                  <td><code>${a.id}</code></td>
                  <td>
                    ${typeLabel(lang, a.type)}${
                      a.source === 'configuration'
                        ? html` (${tr(lang, 'configuratie', 'configuration')})`
                        : ''
                    }
                  </td>
                  <td>${statusLabel(lang, a)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${form}`,
    );
  },
};

const registerPage: ConsolePage = {
  method: 'post',
  path: '/apps',
  async handle(ctx) {
    const out = await ctx.run<AppWithSecret>(
      'registerApp',
      appFields(ctx.req.body as Record<string, unknown>),
    );
    secretAnswer(ctx, out, tr(ctx.lang, 'App geregistreerd', 'App registered'));
  },
};

const detailPage: ConsolePage = {
  method: 'get',
  path: '/apps/:clientId',
  async handle(ctx) {
    const { lang } = ctx;
    const clientId = String(ctx.req.params.clientId);
    const app = await ctx.run<AppView>('getApp', { clientId });
    const at = (suffix: string) => ctx.href(`/apps/${encodeURIComponent(app.id)}${suffix}`);
    const editable = app.source === 'registered';
    const keyed = app.type === 'confidential-asymmetric' || app.type === 'backend';
    const update =
      editable && ctx.may('updateApp')
        ? html`<h2>${tr(lang, 'Wijzigen', 'Change')}</h2>
            <form method="post" action="${at('')}">
              ${csrfField(ctx.csrf)}
              <div class="field">
                <label for="name">${tr(lang, 'Naam', 'Name')}</label>
                <input id="name" name="name" required maxlength="200" value="${app.name}" />
              </div>
              ${
                app.type !== 'backend'
                  ? html`<div class="field">
                      <label for="redirectUris"
                        >${tr(lang, 'Redirect-URI’s (één per regel)', 'Redirect URIs (one per line)')}</label
                      >
                      <textarea id="redirectUris" name="redirectUris" rows="3">
${app.redirectUris.join('\n')}</textarea>
                    </div>`
                  : ''
              }
              <div class="field">
                <label for="scopes">Scopes</label>
                <input id="scopes" name="scopes" required value="${app.scopes}" />
              </div>
              ${
                keyed
                  ? html`<div class="field">
                        <label for="jwks"
                          >${tr(lang, 'Nieuwe publieke sleutels (JWKS, JSON)', 'New public keys (JWKS, JSON)')}</label
                        >
                        <textarea id="jwks" name="jwks" rows="4"></textarea>
                        <span class="hint"
                          >${tr(lang, 'Leeg: de sleutels blijven.', 'Empty: the keys stay.')}</span
                        >
                      </div>
                      <div class="field">
                        <label for="jwksUrl">JWKS URL</label>
                        <input id="jwksUrl" name="jwksUrl" value="${app.jwksUrl ?? ''}" />
                      </div>`
                  : ''
              }
              ${reasonField(ctx, 'update-reason')}
              <button type="submit">${tr(lang, 'Opslaan', 'Save')}</button>
            </form>`
        : '';
    const rotate =
      editable && app.type === 'confidential-symmetric' && ctx.may('rotateAppSecret')
        ? html`<h2>${tr(lang, 'Nieuw geheim', 'New secret')}</h2>
            <form method="post" action="${at('/secret')}">
              ${csrfField(ctx.csrf)}
              <p>
                ${tr(lang, 'Het oude geheim werkt daarna niet meer.', 'The old secret stops working at once.')}
              </p>
              ${reasonField(ctx, 'rotate-reason')}
              <button type="submit" class="secondary">
                ${tr(lang, 'Nieuw geheim maken', 'Make a new secret')}
              </button>
            </form>`
        : '';
    const onOff =
      editable && ctx.may('disableApp')
        ? app.status === 'enabled'
          ? html`<h2>${tr(lang, 'Uitschakelen', 'Disable')}</h2>
              <form method="post" action="${at('/disable')}">
                ${csrfField(ctx.csrf)}
                <p>
                  ${tr(
                    lang,
                    'Meteen: geen nieuwe logins of tokens, en de tokens van de app worden ingetrokken.',
                    'At once: no new logins or tokens, and the app’s tokens are revoked.',
                  )}
                </p>
                ${reasonField(ctx, 'disable-reason')}
                <button type="submit" class="danger">${tr(lang, 'Uitschakelen', 'Disable')}</button>
              </form>`
          : html`<h2>${tr(lang, 'Weer inschakelen', 'Enable again')}</h2>
              <form method="post" action="${at('/enable')}">
                ${csrfField(ctx.csrf)} ${reasonField(ctx, 'enable-reason')}
                <button type="submit">${tr(lang, 'Inschakelen', 'Enable')}</button>
              </form>`
        : '';
    ctx.page(
      app.name,
      html`${details(ctx, app)} ${update} ${rotate} ${onOff}
        <p><a href="${ctx.href('/apps')}">${tr(lang, 'Alle apps', 'All apps')}</a></p>`,
    );
  },
};

function changePage(suffix: string, operationId: string, notice: { nl: string; en: string }): ConsolePage {
  return {
    method: 'post',
    path: `/apps/:clientId${suffix}`,
    async handle(ctx) {
      const clientId = String(ctx.req.params.clientId);
      await ctx.run(operationId, { ...appFields(ctx.req.body as Record<string, unknown>), clientId });
      ctx.redirect(ctx.href(`/apps/${encodeURIComponent(clientId)}`), tr(ctx.lang, notice.nl, notice.en));
    },
  };
}

const rotatePage: ConsolePage = {
  method: 'post',
  path: '/apps/:clientId/secret',
  async handle(ctx) {
    const clientId = String(ctx.req.params.clientId);
    const out = await ctx.run<AppWithSecret>('rotateAppSecret', {
      reason: (ctx.req.body as Record<string, unknown>).reason,
      clientId,
    });
    secretAnswer(ctx, out, tr(ctx.lang, 'Nieuw geheim gemaakt', 'New secret made'));
  },
};

export const APP_PAGES: readonly ConsolePage[] = [
  listPage,
  registerPage,
  detailPage,
  rotatePage,
  changePage('/disable', 'disableApp', { nl: 'De app is uitgeschakeld.', en: 'The app is disabled.' }),
  changePage('/enable', 'enableApp', { nl: 'De app is weer ingeschakeld.', en: 'The app is enabled again.' }),
  changePage('', 'updateApp', { nl: 'De app is gewijzigd.', en: 'The app is changed.' }),
];
