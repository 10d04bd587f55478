import { addDays, isCalendarDate, startOfDutchDay } from '../../../calendar';
import { InvalidInput } from '../../../errors';
import { html, type SafeHtml } from '../html';
import { formatMoment, tr, type ConsoleLanguage } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

/**
 * A client's access (issue 12, item 2; M-5, M-6, M-7, A-10): the people of the portal with their
 * accounts and suspensions, and the forms to suspend, lift, close and reopen the portal, block an
 * account and let it re-enrol. Every form is shown only to a role that may use it, and the
 * operation checks the role again.
 */

interface PortalPerson {
  reference: string;
  name: string;
  role: string;
  active: boolean;
}
interface PortalAccount {
  accountId: string;
  linkId: string;
  person: string;
  email: string;
  linkedAt: string;
  blockedAt?: string;
}
interface Suspension {
  id: string;
  patientId: string;
  person?: string;
  from: string;
  until?: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  liftedAt?: string;
  liftedBy?: string;
  state: 'current' | 'scheduled' | 'past';
}

const ROLE_LABELS: Readonly<Record<string, { nl: string; en: string }>> = {
  client: { nl: 'Cliënt', en: 'Client' },
  parent: { nl: 'Ouder', en: 'Parent' },
  guardian: { nl: 'Voogd', en: 'Guardian' },
  mentor: { nl: 'Mentor', en: 'Mentor' },
  curator: { nl: 'Curator', en: 'Curator' },
  'legal-representative': { nl: 'Wettelijk vertegenwoordiger', en: 'Legal representative' },
  'authorised-representative': { nl: 'Gemachtigde', en: 'Authorised representative' },
  family: { nl: 'Familie', en: 'Family' },
  other: { nl: 'Anders', en: 'Other' },
};

function roleLabel(lang: ConsoleLanguage, role: string): string {
  const label = ROLE_LABELS[role];
  return label ? tr(lang, label.nl, label.en) : role;
}

const STATE_LABELS = {
  current: { nl: 'Van kracht', en: 'In force' },
  scheduled: { nl: 'Gepland', en: 'Scheduled' },
  past: { nl: 'Voorbij', en: 'Over' },
} as const;

function patientIdOf(ctx: ConsoleContext): string {
  const id = ctx.req.params.patientId;
  return typeof id === 'string' ? id : '';
}

function accessPath(ctx: ConsoleContext): string {
  return ctx.href(`/clients/${encodeURIComponent(patientIdOf(ctx))}/access`);
}

function field(ctx: ConsoleContext, name: string): string | undefined {
  const value = (ctx.req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The last day (inclusive, a date in the form) as the exclusive end moment: the next Dutch midnight. */
function untilOf(ctx: ConsoleContext): { until?: string } {
  const date = field(ctx, 'untilDate');
  if (date === undefined) return {};
  if (!isCalendarDate(date))
    throw new InvalidInput(tr(ctx.lang, 'Geen geldige einddatum.', 'Not a valid end date.'), {
      code: 'ERR_ADMIN_INPUT',
    });
  return { until: startOfDutchDay(addDays(date, 1)).toISOString() };
}

function reasonField(lang: ConsoleLanguage, id: string): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${tr(lang, 'Reden', 'Reason')}</label>
    <span class="hint" id="${id}-hint"
      >${tr(
        lang,
        'Verplicht; komt in het auditlogboek met uw naam en rol.',
        'Required; recorded in the audit trail with your name and role.',
      )}</span
    >
    <textarea
      id="${id}"
      name="reason"
      required
      minlength="3"
      maxlength="1000"
      aria-describedby="${id}-hint"
    ></textarea>
  </div>`;
}

function untilField(lang: ConsoleLanguage, id: string): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${tr(lang, 'Tot en met (optioneel)', 'Up to and including (optional)')}</label>
    <span class="hint" id="${id}-hint"
      >${tr(
        lang,
        'Leeg: tot het wordt opgeheven. Met een datum: een tijdelijke blokkade.',
        'Empty: until lifted. With a date: a temporary block.',
      )}</span
    >
    <input id="${id}" name="untilDate" type="date" aria-describedby="${id}-hint" />
  </div>`;
}

export const accessPage: ConsolePage = {
  method: 'get',
  path: '/clients/:patientId/access',
  async handle(ctx) {
    const { lang } = ctx;
    const patientId = patientIdOf(ctx);
    const portal = await ctx.run<{ people: PortalPerson[]; accounts: PortalAccount[] }>(
      'clientPortalAccess',
      { patientId },
    );
    const { suspensions } = await ctx.run<{ suspensions: Suspension[] }>('listSuspensions', { patientId });
    const client = portal.people.find((p) => p.role === 'client');
    const nameOf = (reference: string | undefined) =>
      reference === undefined
        ? tr(lang, 'Hele portaal', 'Whole portal')
        : (portal.people.find((p) => p.reference === reference)?.name ?? reference);
    const base = `/clients/${encodeURIComponent(patientId)}`;
    const closures = suspensions.filter((s) => s.person === undefined && s.state !== 'past');
    const closedNow = closures.some((s) => s.state === 'current');
    const openOf = (reference: string) =>
      suspensions.filter((s) => s.person === reference && s.state !== 'past');

    const status = closedNow
      ? html`<p class="warning">
          ${tr(
            lang,
            'Het portaal van deze cliënt is gesloten: niemand heeft nu toegang.',
            "This client's portal is closed: nobody has access now.",
          )}
        </p>`
      : closures.length > 0
        ? html`<p class="warning">
            ${tr(lang, 'Er is een sluiting van het portaal gepland.', 'A closure of the portal is scheduled.')}
          </p>`
        : '';

    const peopleTable = html`<table>
      <caption>
        ${tr(lang, 'Personen en hun toegang', 'People and their access')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${tr(lang, 'Persoon', 'Person')}</th>
          <th scope="col">${tr(lang, 'Rol', 'Role')}</th>
          <th scope="col">${tr(lang, 'Portaalaccount', 'Portal account')}</th>
          <th scope="col">${tr(lang, 'Opschortingen', 'Suspensions')}</th>
        </tr>
      </thead>
      <tbody>
        ${portal.people.map((p) => {
          const accounts = portal.accounts.filter((a) => a.person === p.reference);
          const open = openOf(p.reference);
          return html`<tr>
            <td>${p.name}${p.active ? '' : html` (${tr(lang, 'beëindigd', 'ended')})`}</td>
            <td>${roleLabel(lang, p.role)}</td>
            <td>
              ${
                accounts.length === 0
                  ? tr(lang, 'Geen', 'None')
                  : accounts.map(
                      (a) =>
                        html`<div>
                          ${a.email}${
                            a.blockedAt
                              ? html` —
                                  <strong>${tr(lang, 'geblokkeerd', 'blocked')}</strong>
                                  ${formatMoment(lang, a.blockedAt)}`
                              : ''
                          }
                        </div>`,
                    )
              }
            </td>
            <td>
              ${
                open.length === 0
                  ? tr(lang, 'Geen', 'None')
                  : open.map(
                      (s) =>
                        html`<div>
                          ${tr(lang, STATE_LABELS[s.state].nl, STATE_LABELS[s.state].en)}
                          ${
                            s.until
                              ? html`${tr(lang, 'tot', 'until')} ${formatMoment(lang, s.until)}`
                              : tr(lang, 'zonder einddatum', 'without end date')
                          }
                        </div>`,
                    )
              }
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;

    const suspendForm = ctx.may('suspendAccess')
      ? html`<h2>${tr(lang, 'Toegang opschorten of beëindigen', 'Suspend or end access')}</h2>
          <form method="post" action="${ctx.href(`${base}/suspend`)}">
            ${csrfField(ctx.csrf)}
            <div class="field">
              <label for="suspend-person">${tr(lang, 'Persoon', 'Person')}</label>
              <select id="suspend-person" name="person" required>
                ${portal.people.map(
                  (p) => html`<option value="${p.reference}">${p.name} (${roleLabel(lang, p.role)})</option>`,
                )}
              </select>
            </div>
            ${reasonField(lang, 'suspend-reason')} ${untilField(lang, 'suspend-until')}
            <button type="submit" class="danger">${tr(lang, 'Opschorten', 'Suspend')}</button>
          </form>`
      : '';

    const portalForm =
      closures.length > 0
        ? ctx.may('reopenPortal')
          ? html`<h2>${tr(lang, 'Portaal heropenen', 'Reopen the portal')}</h2>
              <form method="post" action="${ctx.href(`${base}/reopen`)}">
                ${csrfField(ctx.csrf)} ${reasonField(lang, 'reopen-reason')}
                <button type="submit">${tr(lang, 'Heropenen', 'Reopen')}</button>
              </form>`
          : ''
        : ctx.may('closePortal')
          ? html`<h2>${tr(lang, 'Hele portaal sluiten', 'Close the whole portal')}</h2>
              <form method="post" action="${ctx.href(`${base}/close`)}">
                ${csrfField(ctx.csrf)} ${reasonField(lang, 'close-reason')} ${untilField(lang, 'close-until')}
                <button type="submit" class="danger">
                  ${tr(lang, 'Portaal sluiten', 'Close the portal')}
                </button>
              </form>`
          : '';

    const unblocked = portal.accounts.filter((a) => a.blockedAt === undefined);
    const blocked = portal.accounts.filter((a) => a.blockedAt !== undefined);
    const accountOption = (a: PortalAccount) =>
      html`<option value="${a.accountId}">${a.email} (${nameOf(a.person)})</option>`;
    const blockForm =
      ctx.may('blockAccount') && unblocked.length > 0
        ? html`<h2>
              ${tr(lang, 'Account blokkeren (inloggegevens kwijt)', 'Block an account (lost credentials)')}
            </h2>
            <p class="hint">
              ${tr(
                lang,
                'Beëindigt direct alle sessies en tokens van het account, voor alle cliënten.',
                'Ends all sessions and tokens of the account at once, for every client.',
              )}
            </p>
            <form method="post" action="${ctx.href(`${base}/block`)}">
              ${csrfField(ctx.csrf)}
              <div class="field">
                <label for="block-account">${tr(lang, 'Account', 'Account')}</label>
                <select id="block-account" name="accountId" required>
                  ${unblocked.map(accountOption)}
                </select>
              </div>
              ${reasonField(lang, 'block-reason')}
              <button type="submit" class="danger">${tr(lang, 'Blokkeren', 'Block')}</button>
            </form>`
        : '';
    const reenrolForm =
      ctx.may('reenrolAccount') && blocked.length > 0
        ? html`<h2>${tr(lang, 'Opnieuw laten aanmelden', 'Let an account re-enrol')}</h2>
            <p class="hint">
              ${tr(
                lang,
                'Geeft een nieuwe koppelcode. Controleer eerst wie de persoon is. Met de code en het e-mailadres van het account kiest de persoon een nieuw wachtwoord en een nieuwe tweede factor.',
                "Gives a fresh link code. Check who the person is first. With the code and the account's e-mail address the person chooses a new password and a new second factor.",
              )}
            </p>
            <form method="post" action="${ctx.href(`${base}/reenrol`)}">
              ${csrfField(ctx.csrf)}
              <div class="field">
                <label for="reenrol-account">${tr(lang, 'Account', 'Account')}</label>
                <select id="reenrol-account" name="accountId" required>
                  ${blocked.map(accountOption)}
                </select>
              </div>
              ${reasonField(lang, 'reenrol-reason')}
              <button type="submit">${tr(lang, 'Nieuwe koppelcode maken', 'Make a fresh link code')}</button>
            </form>`
        : '';

    const mayLift = ctx.may('liftSuspension');
    const history =
      suspensions.length === 0
        ? html`<p>${tr(lang, 'Geen opschortingen.', 'No suspensions.')}</p>`
        : html`<table>
            <caption>
              ${tr(lang, 'Opschortingen en sluitingen', 'Suspensions and closures')}
            </caption>
            <thead>
              <tr>
                <th scope="col">${tr(lang, 'Status', 'State')}</th>
                <th scope="col">${tr(lang, 'Wie', 'Who')}</th>
                <th scope="col">${tr(lang, 'Van', 'From')}</th>
                <th scope="col">${tr(lang, 'Tot', 'Until')}</th>
                <th scope="col">${tr(lang, 'Door en waarom', 'By and why')}</th>
                ${mayLift ? html`<th scope="col">${tr(lang, 'Opheffen', 'Lift')}</th>` : ''}
              </tr>
            </thead>
            <tbody>
              ${suspensions.map(
                (s) =>
                  html`<tr>
                    <td>
                      ${tr(lang, STATE_LABELS[s.state].nl, STATE_LABELS[s.state].en)}${
                        s.liftedAt
                          ? html` (${tr(lang, 'opgeheven', 'lifted')} ${formatMoment(lang, s.liftedAt)}
                            ${tr(lang, 'door', 'by')} ${s.liftedBy ?? ''})`
                          : ''
                      }
                    </td>
                    <td>${nameOf(s.person)}</td>
                    <td>${formatMoment(lang, s.from)}</td>
                    <td>${s.until ? formatMoment(lang, s.until) : tr(lang, 'geen einde', 'no end')}</td>
                    <td>${s.createdBy}: ${s.reason}</td>
                    ${
                      mayLift
                        ? html`<td>
                            ${
                              s.state === 'past'
                                ? ''
                                : html`<form method="post" action="${ctx.href(`${base}/lift`)}">
                                    ${csrfField(ctx.csrf)}
                                    <input type="hidden" name="suspensionId" value="${s.id}" />
                                    <div class="field">
                                      <label for="lift-${s.id}">${tr(lang, 'Reden', 'Reason')}</label>
                                      <input
                                        id="lift-${s.id}"
                                        name="reason"
                                        required
                                        minlength="3"
                                        maxlength="1000"
                                      />
                                    </div>
                                    <button type="submit" class="secondary">
                                      ${tr(lang, 'Opheffen', 'Lift')}
                                    </button>
                                  </form>`
                            }
                          </td>`
                        : ''
                    }
                  </tr>`,
              )}
            </tbody>
          </table>`;

    ctx.page(
      tr(lang, `Toegang: ${client?.name ?? patientId}`, `Access: ${client?.name ?? patientId}`),
      html`${status}
        <p>
          <a href="${ctx.href(base)}">${tr(lang, 'Naar het cliëntoverzicht', 'To the client overview')}</a>
        </p>
        ${peopleTable} ${suspendForm} ${portalForm} ${blockForm} ${reenrolForm}
        <h2>${tr(lang, 'Geschiedenis', 'History')}</h2>
        ${history}`,
    );
  },
};

/** A POST of the page: runs the operation and goes back with a notice in the staff member's language. */
function action(
  name: string,
  run: (ctx: ConsoleContext, patientId: string) => Promise<string | undefined>,
): ConsolePage {
  return {
    method: 'post',
    path: `/clients/:patientId/${name}`,
    async handle(ctx) {
      const notice = await run(ctx, patientIdOf(ctx));
      if (notice !== undefined) ctx.redirect(accessPath(ctx), notice);
    },
  };
}

const suspendAction = action('suspend', async (ctx, patientId) => {
  await ctx.run('suspendAccess', {
    patientId,
    person: field(ctx, 'person'),
    reason: field(ctx, 'reason'),
    ...untilOf(ctx),
  });
  return tr(ctx.lang, 'De toegang is opgeschort.', 'Access is suspended.');
});

const liftAction = action('lift', async (ctx) => {
  await ctx.run('liftSuspension', { suspensionId: field(ctx, 'suspensionId'), reason: field(ctx, 'reason') });
  return tr(ctx.lang, 'De opschorting is opgeheven.', 'The suspension is lifted.');
});

const closeAction = action('close', async (ctx, patientId) => {
  await ctx.run('closePortal', { patientId, reason: field(ctx, 'reason'), ...untilOf(ctx) });
  return tr(ctx.lang, 'Het portaal is gesloten.', 'The portal is closed.');
});

const reopenAction = action('reopen', async (ctx, patientId) => {
  await ctx.run('reopenPortal', { patientId, reason: field(ctx, 'reason') });
  return tr(ctx.lang, 'Het portaal is heropend.', 'The portal is reopened.');
});

const blockAction = action('block', async (ctx, patientId) => {
  const accountId = field(ctx, 'accountId');
  // Only an account of this client's people: the form offers no other.
  const portal = await ctx.run<{ accounts: PortalAccount[] }>('clientPortalAccess', { patientId });
  if (!portal.accounts.some((a) => a.accountId === accountId))
    throw new InvalidInput(tr(ctx.lang, 'Onbekend account.', 'Unknown account.'), {
      code: 'ERR_ADMIN_INPUT',
    });
  const done = await ctx.run<{ revoked: number }>('blockAccount', {
    accountId,
    reason: field(ctx, 'reason'),
  });
  return tr(
    ctx.lang,
    `Het account is geblokkeerd; ${done.revoked} sessies en tokens zijn ingetrokken.`,
    `The account is blocked; ${done.revoked} sessions and tokens were revoked.`,
  );
});

const reenrolAction = action('reenrol', async (ctx, patientId) => {
  const done = await ctx.run<{ linkCode: string; validThrough: string; email: string }>('reenrolAccount', {
    accountId: field(ctx, 'accountId'),
    patientId,
    reason: field(ctx, 'reason'),
  });
  const { lang } = ctx;
  // The code is shown once, on this answer; it is not put in a redirect's notice.
  ctx.page(
    tr(lang, 'Nieuwe koppelcode', 'Fresh link code'),
    html`<p>
        ${tr(
          lang,
          'Geef deze code alleen aan de persoon zelf. Die meldt zich met de code en dit e-mailadres opnieuw aan, kiest een nieuw wachtwoord en stelt een nieuwe tweede factor in.',
          'Give this code to the person only. They register again with the code and this e-mail address, choose a new password and set up a new second factor.',
        )}
      </p>
      <dl>
        <dt>${tr(lang, 'Koppelcode', 'Link code')}</dt>
        <dd><strong>${done.linkCode}</strong></dd>
        <dt>${tr(lang, 'E-mailadres', 'E-mail address')}</dt>
        <dd>${done.email}</dd>
        <dt>${tr(lang, 'Geldig tot en met', 'Valid through')}</dt>
        <dd>${done.validThrough}</dd>
      </dl>
      <p><a href="${accessPath(ctx)}">${tr(lang, 'Terug naar de toegang', 'Back to the access')}</a></p>`,
  );
  return undefined;
});

/** The access page and its forms' routes. */
export const ACCESS_PAGES: readonly ConsolePage[] = [
  accessPage,
  suspendAction,
  liftAction,
  closeAction,
  reopenAction,
  blockAction,
  reenrolAction,
];
