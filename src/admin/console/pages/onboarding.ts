import { dutchDate } from '../../../calendar';
import { html, type SafeHtml } from '../html';
import { formatDate, formatMoment, tr, type ConsoleLanguage } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

/**
 * Onboarding in the console (issue 12, item 3): a client's link codes (list, issue, revoke) with the
 * printable letter (A-9: the organisation hands out a manual and a link code), and the choice of the
 * portal administrator where the rules leave one (A-3, A-5). The code is shown once: the letter is
 * the answer of the POST that issues it, never a page with the code in its address.
 */

interface LinkCodeList {
  patientId: string;
  clientName: string;
  persons: { reference: string; name?: string; role: string }[];
  linkCodes: {
    id: string;
    person: string;
    personName?: string;
    issuedBy: string;
    issuedByName?: string;
    issuedAt: string;
    expiresAt: string;
    usedAt?: string;
    revokedAt?: string;
    state: 'open' | 'used' | 'revoked' | 'expired';
  }[];
}

interface Issued {
  id: string;
  code: string;
  patientId: string;
  clientName: string;
  person: string;
  personName: string;
  validThrough: string;
  portalUrl: string;
  organisationName: string;
}

interface AdministratorView {
  patientId: string;
  clientName: string;
  model: string;
  administrator?: { reference: string; name?: string };
  basis: { rule: string; text: string };
  ecdRegistrations: { reference: string; name?: string }[];
  choice?: { reference: string; name?: string; chosenBy: string; chosenAt: string; reason: string };
  options: {
    reference: string;
    name?: string;
    role: string;
    how: 'registration' | 'agreement';
    rule: string;
  }[];
}

const ROLE_NAMES: Readonly<Record<string, { nl: string; en: string }>> = {
  client: { nl: 'cliënt', en: 'client' },
  'first-contact-person': { nl: 'eerste contactpersoon', en: 'first contact person' },
  'second-contact-person': { nl: 'tweede contactpersoon', en: 'second contact person' },
  curator: { nl: 'curator', en: 'curator' },
  mentor: { nl: 'mentor', en: 'mentor' },
  parent: { nl: 'ouder', en: 'parent' },
  guardian: { nl: 'voogd', en: 'guardian' },
  'financial-administrator': { nl: 'bewindvoerder', en: 'financial administrator' },
  other: { nl: 'overig', en: 'other' },
};

function roleName(lang: ConsoleLanguage, role: string): string {
  return ROLE_NAMES[role]?.[lang] ?? role;
}

const STATE_NAMES: Readonly<Record<string, { nl: string; en: string }>> = {
  open: { nl: 'bruikbaar', en: 'usable' },
  used: { nl: 'gebruikt', en: 'used' },
  revoked: { nl: 'ingetrokken', en: 'revoked' },
  expired: { nl: 'verlopen', en: 'expired' },
};

function clientPath(patientId: string, rest = ''): string {
  return `/clients/${encodeURIComponent(patientId)}${rest}`;
}

function patientIdOf(ctx: ConsoleContext): string {
  return String(ctx.req.params.patientId ?? '');
}

function backLinks(ctx: ConsoleContext, patientId: string): SafeHtml {
  const { lang } = ctx;
  return html`<p class="no-print">
    <a href="${ctx.href(clientPath(patientId))}">${tr(lang, 'Terug naar de cliënt', 'Back to the client')}</a>
  </p>`;
}

// ---- link codes ---------------------------------------------------------------------------------

export const linkCodesPage: ConsolePage = {
  method: 'get',
  path: '/clients/:patientId/link-codes',
  async handle(ctx) {
    const { lang } = ctx;
    const patientId = patientIdOf(ctx);
    const list = await ctx.run<LinkCodeList>('listLinkCodes', { patientId });
    const mayRevoke = ctx.may('revokeLinkCode');
    const rows = list.linkCodes.map(
      (c, i) =>
        html`<tr>
          <td>${c.personName ?? c.person}</td>
          <td>${STATE_NAMES[c.state]?.[lang] ?? c.state}</td>
          <td>${formatMoment(lang, c.issuedAt)}</td>
          <td>${c.issuedByName ?? c.issuedBy}</td>
          <td>${formatMoment(lang, c.expiresAt)}</td>
          <td>
            ${c.state === 'used' && c.usedAt ? formatMoment(lang, c.usedAt) : ''}
            ${c.state === 'revoked' && c.revokedAt ? formatMoment(lang, c.revokedAt) : ''}
            ${
              mayRevoke && (c.state === 'open' || c.state === 'expired')
                ? html`<form
                    method="post"
                    action="${ctx.href(clientPath(patientId, `/link-codes/${encodeURIComponent(c.id)}/revoke`))}"
                  >
                    ${csrfField(ctx.csrf)}
                    <div class="field">
                      <label for="revoke-reason-${i}"
                        >${tr(lang, 'Reden van intrekken', 'Reason for revoking')}</label
                      >
                      <input id="revoke-reason-${i}" name="reason" required minlength="3" maxlength="1000" />
                    </div>
                    <button type="submit" class="danger">${tr(lang, 'Intrekken', 'Revoke')}</button>
                  </form>`
                : ''
            }
          </td>
        </tr>`,
    );
    const table =
      list.linkCodes.length === 0
        ? html`<p>
            ${tr(lang, 'Voor deze cliënt zijn nog geen koppelcodes uitgegeven.', 'No link codes have been issued for this client yet.')}
          </p>`
        : html`<table>
            <caption>
              ${tr(lang, 'Uitgegeven koppelcodes (de codes zelf worden niet bewaard)', 'Issued link codes (the codes themselves are not kept)')}
            </caption>
            <thead>
              <tr>
                <th scope="col">${tr(lang, 'Voor', 'For')}</th>
                <th scope="col">${tr(lang, 'Status', 'State')}</th>
                <th scope="col">${tr(lang, 'Uitgegeven', 'Issued')}</th>
                <th scope="col">${tr(lang, 'Door', 'By')}</th>
                <th scope="col">${tr(lang, 'Verloopt', 'Expires')}</th>
                <th scope="col">
                  ${tr(lang, 'Gebruikt, ingetrokken of intrekken', 'Used, revoked or revoke')}
                </th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`;
    const form = ctx.may('issueLinkCode')
      ? html`<h2>${tr(lang, 'Nieuwe koppelcode en brief', 'New link code and letter')}</h2>
          <p class="hint">
            ${tr(
              lang,
              'De code staat alleen op de brief die hierna verschijnt: druk die meteen af. Daarna is de code nergens meer te zien.',
              'The code appears only on the letter shown next: print it at once. After that the code cannot be seen anywhere.',
            )}
          </p>
          <form method="post" action="${ctx.href(clientPath(patientId, '/link-codes'))}">
            ${csrfField(ctx.csrf)}
            <div class="field">
              <label for="person">${tr(lang, 'Voor wie', 'For whom')}</label>
              <select id="person" name="person" required>
                ${list.persons.map(
                  (p) =>
                    html`<option value="${p.reference}">
                      ${p.name ?? p.reference} (${roleName(lang, p.role)})
                    </option>`,
                )}
              </select>
            </div>
            <div class="field">
              <label for="validDays">${tr(lang, 'Geldig (dagen)', 'Valid (days)')}</label>
              <input id="validDays" name="validDays" type="number" min="1" max="60" value="14" />
            </div>
            <div class="field">
              <label for="letterLanguage">${tr(lang, 'Taal van de brief', 'Language of the letter')}</label>
              <select id="letterLanguage" name="letterLanguage">
                <option value="nl" ${lang === 'nl' ? 'selected' : ''}>Nederlands</option>
                <option value="en" ${lang === 'en' ? 'selected' : ''}>English</option>
              </select>
            </div>
            <div class="field">
              <label for="reason">${tr(lang, 'Reden', 'Reason')}</label>
              <input
                id="reason"
                name="reason"
                required
                minlength="3"
                maxlength="1000"
                aria-describedby="reason-hint"
              />
              <span id="reason-hint" class="hint"
                >${tr(lang, 'Bijvoorbeeld: vragenformulier cliëntportaal ontvangen op …', 'For example: portal form received on …')}</span
              >
            </div>
            <button type="submit">
              ${tr(lang, 'Koppelcode uitgeven en brief maken', 'Issue link code and make the letter')}
            </button>
          </form>`
      : '';
    ctx.page(
      tr(lang, `Koppelcodes van ${list.clientName}`, `Link codes of ${list.clientName}`),
      html`${backLinks(ctx, patientId)} ${table} ${form}`,
    );
  },
};

export const issueLinkCodePage: ConsolePage = {
  method: 'post',
  path: '/clients/:patientId/link-codes',
  async handle(ctx) {
    const patientId = patientIdOf(ctx);
    const { letterLanguage, ...fields } = (ctx.req.body ?? {}) as Record<string, unknown>;
    const letterLang: ConsoleLanguage =
      letterLanguage === 'en' ? 'en' : letterLanguage === 'nl' ? 'nl' : ctx.lang;
    const issued = await ctx.run<Issued>('issueLinkCode', { ...fields, patientId });
    ctx.page(
      tr(ctx.lang, 'Brief met koppelcode', 'Letter with link code'),
      html`<p class="notice no-print" role="status">
          ${tr(
            ctx.lang,
            'De koppelcode is uitgegeven. Druk deze brief nu af (Ctrl+P, of Cmd+P op een Mac): de code is hierna niet meer te zien.',
            'The link code has been issued. Print this letter now (Ctrl+P, or Cmd+P on a Mac): the code cannot be seen again after this.',
          )}
        </p>
        ${letter(letterLang, issued, new Date())}
        <p class="no-print">
          <a href="${ctx.href(clientPath(patientId, '/link-codes'))}"
            >${tr(ctx.lang, 'Terug naar de koppelcodes', 'Back to the link codes')}</a
          >
        </p>`,
    );
  },
};

/** The letter that goes with the manual (A-9), in the letter's language. */
function letter(lang: ConsoleLanguage, issued: Issued, today: Date): SafeHtml {
  const forClient = issued.person.startsWith('Patient/');
  const steps =
    lang === 'en'
      ? [
          html`Go to the portal: <strong>${issued.portalUrl}</strong>.`,
          html`Choose <strong>Register</strong>.`,
          html`Enter the link code printed above.`,
          html`Enter your e-mail address and your mobile phone number.`,
          html`Confirm both: you receive a code by e-mail and a code by text message; enter them.`,
          html`Choose a password of at least 12 characters.`,
          html`Set up the second step of logging in (a code by text message or an authenticator app).`,
          html`Read the terms of use of the portal and accept them.`,
        ]
      : [
          html`Ga naar het portaal: <strong>${issued.portalUrl}</strong>.`,
          html`Kies <strong>Registreren</strong>.`,
          html`Vul de koppelcode in die hierboven staat.`,
          html`Vul uw e-mailadres en uw mobiele telefoonnummer in.`,
          html`Bevestig ze allebei: u krijgt een code per e-mail en een code per sms; vul die in.`,
          html`Kies een wachtwoord van minstens 12 tekens.`,
          html`Stel de tweede stap van het inloggen in (een code per sms of een authenticator-app).`,
          html`Lees de gebruiksvoorwaarden van het portaal en ga ermee akkoord.`,
        ];
  const t = (nl: string, en: string) => tr(lang, nl, en);
  return html`<article class="letter" lang="${lang}">
    <p class="letter-sender">${issued.organisationName}</p>
    <p>${t('Datum', 'Date')}: ${formatDate(lang, dutchDate(today))}</p>
    <p>${t('Aan', 'To')}: ${issued.personName}</p>
    <p>
      <strong
        >${t('Betreft', 'Subject')}:
        ${
          forClient
            ? t('uw koppelcode voor het cliëntportaal', 'your link code for the client portal')
            : t(
                `uw koppelcode voor het cliëntportaal van ${issued.clientName}`,
                `your link code for the client portal of ${issued.clientName}`,
              )
        }</strong
      >
    </p>
    <p>${t('Beste', 'Dear')} ${issued.personName},</p>
    <p>
      ${
        forClient
          ? t(
              `Met deze brief en de handleiding ‘hoe in te loggen op het cliëntportaal’ kunt u een eigen account aanmaken voor het cliëntportaal van ${issued.organisationName}. Daarmee ziet u uw eigen dossier.`,
              `With this letter and the manual ‘how to log in to the client portal’ you can make your own account for the client portal of ${issued.organisationName}. With it you see your own dossier.`,
            )
          : t(
              `Met deze brief en de handleiding ‘hoe in te loggen op het cliëntportaal’ kunt u een eigen account aanmaken voor het cliëntportaal van ${issued.organisationName}, voor ${issued.clientName}. Wat u daarin ziet, hangt af van uw rol en van de toegang die u krijgt.`,
              `With this letter and the manual ‘how to log in to the client portal’ you can make your own account for the client portal of ${issued.organisationName}, for ${issued.clientName}. What you see there depends on your role and on the access you are given.`,
            )
      }
    </p>
    <dl class="letter-code">
      <dt>${t('Uw koppelcode', 'Your link code')}</dt>
      <dd><strong class="code">${issued.code}</strong></dd>
      <dt>${t('Geldig tot en met', 'Valid through')}</dt>
      <dd>${formatDate(lang, issued.validThrough)}</dd>
      <dt>${t('Adres van het portaal', 'Address of the portal')}</dt>
      <dd>${issued.portalUrl}</dd>
    </dl>
    <h2>${t('Zo maakt u uw account aan', 'How to make your account')}</h2>
    <ol>
      ${steps.map((step) => html`<li>${step}</li>`)}
    </ol>
    <p>
      ${t(
        'U hebt een eigen e-mailadres en een mobiel telefoonnummer nodig. De koppelcode werkt één keer en alleen voor u; uw inloggegevens zijn persoonlijk: deel ze met niemand.',
        'You need your own e-mail address and a mobile phone number. The link code works once and only for you; your login is personal: share it with nobody.',
      )}
    </p>
    <p>
      ${t(
        'Is de code verlopen, of bent u deze brief kwijt? Neem dan contact met ons op: wij trekken de code in en geven u een nieuwe.',
        'Has the code expired, or have you lost this letter? Then contact us: we revoke the code and give you a new one.',
      )}
    </p>
    <p>
      ${t(
        'Het cliëntportaal is niet bedoeld voor spoedeisende of levensbedreigende zaken: bel daarvoor uw zorgverlener of 112.',
        'The client portal is not meant for urgent or life-threatening matters: for those, call your care provider or 112.',
      )}
    </p>
    <p>${t('Met vriendelijke groet,', 'Kind regards,')}<br />${issued.organisationName}</p>
  </article>`;
}

export const revokeLinkCodePage: ConsolePage = {
  method: 'post',
  path: '/clients/:patientId/link-codes/:linkCodeId/revoke',
  async handle(ctx) {
    const patientId = patientIdOf(ctx);
    const body = (ctx.req.body ?? {}) as Record<string, unknown>;
    await ctx.run('revokeLinkCode', {
      ...body,
      patientId,
      linkCodeId: String(ctx.req.params.linkCodeId ?? ''),
    });
    ctx.redirect(
      ctx.href(clientPath(patientId, '/link-codes')),
      tr(ctx.lang, 'De koppelcode is ingetrokken.', 'The link code has been revoked.'),
    );
  },
};

// ---- the portal administrator ---------------------------------------------------------------------

export const administratorPage: ConsolePage = {
  method: 'get',
  path: '/clients/:patientId/administrator',
  async handle(ctx) {
    const { lang } = ctx;
    const patientId = patientIdOf(ctx);
    const view = await ctx.run<AdministratorView>('listAdministratorChoices', { patientId });
    const person = (p: { reference: string; name?: string }) => p.name ?? p.reference;
    const mayAppoint = ctx.may('appointAdministrator');
    const current = html`<h2>${tr(lang, 'Portaalbeheerder nu', 'Portal administrator now')}</h2>
      <p>
        ${
          view.administrator
            ? html`<strong>${person(view.administrator)}</strong>`
            : html`<strong
                >${tr(lang, 'Niemand: er is geen portaal voor deze cliënt', 'Nobody: there is no portal for this client')}</strong
              >`
        }
      </p>
      <p class="hint">${view.basis.rule}: ${view.basis.text}</p>
      ${
        view.ecdRegistrations.length > 0
          ? html`<p>
              ${tr(lang, 'Aangemeld als beheerder in het ECD', 'Registered as administrator in the ECD')}:
              ${view.ecdRegistrations.map(person).join(', ')}
            </p>`
          : ''
      }
      ${
        view.choice
          ? html`<p>
              ${tr(lang, 'Keuze van de organisatie', "The organisation's choice")}: ${person(view.choice)}
              (${formatMoment(lang, view.choice.chosenAt)}, ${view.choice.reason})
            </p>`
          : ''
      }`;
    const options =
      view.model !== 'portal-administrator'
        ? html`<p>
            ${tr(
              lang,
              'Bij deze organisatie is er geen portaalbeheerder: de cliënt (of de wettelijk vertegenwoordiger) geeft anderen toegang.',
              'This organisation has no portal administrator: the client (or the legal representative) gives others access.',
            )}
          </p>`
        : view.options.length === 0
          ? html`<p>
              ${tr(
                lang,
                'De regels laten hier geen keuze: de beheerder volgt uit de regels hierboven.',
                'The rules leave no choice here: the administrator follows from the rules above.',
              )}
            </p>`
          : html`<h2>${tr(lang, 'Beheerder benoemen', 'Appoint the administrator')}</h2>
              ${view.options.map(
                (o, i) =>
                  html`<form method="post" action="${ctx.href(clientPath(patientId, '/administrator'))}">
                    <fieldset>
                      <legend>${person(o)} (${roleName(lang, o.role)}, ${o.rule})</legend>
                      ${csrfField(ctx.csrf)}
                      <input type="hidden" name="person" value="${o.reference}" />
                      ${
                        o.how === 'agreement'
                          ? html`<p class="hint">
                                ${tr(
                                  lang,
                                  'De cliënt is beoordeeld als niet in staat om beheerder te zijn. De eerste contactpersoon wordt alleen beheerder als de cliënt daarmee instemt (A-5).',
                                  'The client has been judged unable to be administrator. The first contact person becomes administrator only if the client agrees (A-5).',
                                )}
                              </p>
                              <div class="field">
                                <label
                                  ><input type="checkbox" name="clientAgreed" value="true" />
                                  ${tr(lang, 'De cliënt stemt hiermee in', 'The client agrees to this')}</label
                                >
                              </div>
                              <div class="field">
                                <label for="agreementNote-${i}"
                                  >${tr(lang, 'Hoe en wanneer stemde de cliënt in?', 'How and when did the client agree?')}</label
                                >
                                <textarea
                                  id="agreementNote-${i}"
                                  name="agreementNote"
                                  maxlength="500"
                                ></textarea>
                              </div>`
                          : ''
                      }
                      <div class="field">
                        <label for="appoint-reason-${i}">${tr(lang, 'Reden', 'Reason')}</label>
                        <input
                          id="appoint-reason-${i}"
                          name="reason"
                          required
                          minlength="3"
                          maxlength="1000"
                        />
                      </div>
                      <button type="submit">
                        ${tr(lang, `${person(o)} benoemen`, `Appoint ${person(o)}`)}
                      </button>
                    </fieldset>
                  </form>`,
              )}`;
    ctx.page(
      tr(lang, `Portaalbeheerder van ${view.clientName}`, `Portal administrator of ${view.clientName}`),
      html`${backLinks(ctx, patientId)} ${current} ${mayAppoint || view.options.length === 0 ? options : ''}`,
    );
  },
};

export const appointAdministratorPage: ConsolePage = {
  method: 'post',
  path: '/clients/:patientId/administrator',
  async handle(ctx) {
    const patientId = patientIdOf(ctx);
    const body = (ctx.req.body ?? {}) as Record<string, unknown>;
    const done = await ctx.run<{ appointed: string; administrator?: { name?: string } }>(
      'appointAdministrator',
      {
        ...body,
        patientId,
      },
    );
    ctx.redirect(
      ctx.href(clientPath(patientId, '/administrator')),
      tr(
        ctx.lang,
        `${done.administrator?.name ?? done.appointed} is nu portaalbeheerder.`,
        `${done.administrator?.name ?? done.appointed} is now the portal administrator.`,
      ),
    );
  },
};

export const ONBOARDING_PAGES: readonly ConsolePage[] = [
  linkCodesPage,
  issueLinkCodePage,
  revokeLinkCodePage,
  administratorPage,
  appointAdministratorPage,
];
