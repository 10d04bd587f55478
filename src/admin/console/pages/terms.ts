import { html } from '../html';
import { formatMoment, tr, type ConsoleLanguage } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

interface Versions {
  current: string;
  configured?: string;
  versions: {
    version: string;
    effectiveFrom: string;
    summary: string;
    publishedAt: string;
    inEffect: boolean;
    current: boolean;
  }[];
}

interface Acceptances {
  current: string;
  counts: { accepted: number; declined: number; 'not-answered': number };
  links: {
    linkId: string;
    patientId: string;
    person: string;
    standing: 'accepted' | 'declined' | 'not-answered';
    lastAnswer?: { version: string; accepted: boolean; answeredAt: string };
    lastAccepted?: { version: string; answeredAt: string };
  }[];
}

const STANDING: Readonly<Record<Acceptances['links'][number]['standing'], { nl: string; en: string }>> = {
  accepted: { nl: 'Geaccepteerd', en: 'Accepted' },
  declined: { nl: 'Geweigerd (geen toegang)', en: 'Declined (no access)' },
  'not-answered': { nl: 'Nog niet beantwoord', en: 'Not answered yet' },
};

/**
 * A moment typed in a datetime-local field (Dutch time, no zone) as an ISO moment; anything else as
 * it came (the operation's schema then says what is wrong).
 */
export function localMoment(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text);
  if (!m) return text;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  // The Amsterdam offset at that moment (CET or CEST), from how Intl writes the guess there.
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(guess));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const shown = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return new Date(guess - (shown - guess)).toISOString();
}

function versionsTable(lang: ConsoleLanguage, versions: Versions) {
  if (versions.versions.length === 0)
    return html`<p>
      ${tr(
        lang,
        `Nog geen versie gepubliceerd: de ingestelde versie ${versions.current} geldt.`,
        `No version published yet: the configured version ${versions.current} holds.`,
      )}
    </p>`;
  return html`<table>
    <caption>
      ${tr(lang, 'Gepubliceerde versies', 'Published versions')}
    </caption>
    <thead>
      <tr>
        <th scope="col">${tr(lang, 'Versie', 'Version')}</th>
        <th scope="col">${tr(lang, 'Geldt vanaf', 'In effect from')}</th>
        <th scope="col">${tr(lang, 'Stand', 'State')}</th>
        <th scope="col">${tr(lang, 'Wijzigingen', 'Changes')}</th>
      </tr>
    </thead>
    <tbody>
      ${versions.versions.map(
        (v) =>
          html`<tr>
            <td>${v.version}</td>
            <td>${formatMoment(lang, v.effectiveFrom)}</td>
            <td>
              ${
                v.current
                  ? tr(lang, 'Geldt nu', 'In effect')
                  : v.inEffect
                    ? tr(lang, 'Vervangen', 'Replaced')
                    : tr(lang, 'Gepland', 'Scheduled')
              }
            </td>
            <td>${v.summary}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function acceptanceTable(ctx: ConsoleContext, acceptances: Acceptances) {
  const { lang } = ctx;
  const { counts } = acceptances;
  return html`<p>
      ${tr(lang, 'Geaccepteerd', 'Accepted')}: ${counts.accepted} · ${tr(lang, 'Geweigerd', 'Declined')}:
      ${counts.declined} · ${tr(lang, 'Nog niet beantwoord', 'Not answered yet')}: ${counts['not-answered']}
    </p>
    ${
      acceptances.links.length === 0
        ? html`<p>${tr(lang, 'Geen accountkoppelingen.', 'No account links.')}</p>`
        : html`<table>
            <caption>
              ${tr(lang, 'Per accountkoppeling', 'Per account link')}
            </caption>
            <thead>
              <tr>
                <th scope="col">${tr(lang, 'Cliënt', 'Client')}</th>
                <th scope="col">${tr(lang, 'Persoon', 'Person')}</th>
                <th scope="col">${tr(lang, 'Huidige versie', 'Current version')}</th>
                <th scope="col">${tr(lang, 'Laatst geaccepteerd', 'Last accepted')}</th>
              </tr>
            </thead>
            <tbody>
              ${acceptances.links.map(
                (l) =>
                  html`<tr>
                    <td>
                      <a href="${ctx.href(`/clients/${encodeURIComponent(l.patientId)}`)}">${l.patientId}</a>
                    </td>
                    <td>${l.person}</td>
                    <td>${STANDING[l.standing][lang]}</td>
                    <td>
                      ${
                        l.lastAccepted
                          ? html`${l.lastAccepted.version} (${formatMoment(lang, l.lastAccepted.answeredAt)})`
                          : tr(lang, 'nooit', 'never')
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

function publishForm(ctx: ConsoleContext) {
  const { lang } = ctx;
  return html`<h2>${tr(lang, 'Nieuwe versie publiceren', 'Publish a new version')}</h2>
    <p class="hint">
      ${tr(
        lang,
        'Vanaf het ingangsmoment vraagt elke login om deze versie; wie weigert, verliest de toegang (M-12). Een versie wordt één keer gepubliceerd.',
        'From its moment on every login asks for this version; whoever declines loses access (M-12). A version is published once.',
      )}
    </p>
    <form method="post" action="${ctx.href('/terms')}">
      ${csrfField(ctx.csrf)}
      <div class="field">
        <label for="version">${tr(lang, 'Versie', 'Version')}</label>
        <input id="version" name="version" required maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*" />
      </div>
      <div class="field">
        <label for="effectiveFrom"
          >${tr(lang, 'Geldt vanaf (leeg: nu)', 'In effect from (empty: now)')}</label
        >
        <input id="effectiveFrom" name="effectiveFrom" type="datetime-local" />
      </div>
      <div class="field">
        <label for="summary">${tr(lang, 'Wat is er gewijzigd', 'What changed')}</label>
        <textarea id="summary" name="summary" required maxlength="2000" rows="3"></textarea>
      </div>
      <div class="field">
        <label for="reason">${tr(lang, 'Reden (voor het auditlog)', 'Reason (for the audit trail)')}</label>
        <input id="reason" name="reason" required minlength="3" maxlength="1000" />
      </div>
      <button type="submit">${tr(lang, 'Publiceren', 'Publish')}</button>
    </form>`;
}

/** The terms: versions, the acceptance overview, and (for the administrator) the publish form. */
export const termsPage: ConsolePage = {
  method: 'get',
  path: '/terms',
  menu: { nl: 'Voorwaarden', en: 'Terms', order: 60 },
  async handle(ctx) {
    const { lang } = ctx;
    const versions = await ctx.run<Versions>('listTermsVersions', {});
    const acceptances = await ctx.run<Acceptances>('termsAcceptances', {});
    ctx.page(
      tr(lang, 'Voorwaarden', 'Terms'),
      html`<p>
          ${tr(lang, 'De versie die nu geldt', 'The version in effect')}: <strong>${versions.current}</strong>
        </p>
        ${versionsTable(lang, versions)}
        <h2>${tr(lang, 'Wie heeft geaccepteerd', 'Who has accepted')}</h2>
        ${acceptanceTable(ctx, acceptances)} ${ctx.may('publishTerms') ? publishForm(ctx) : ''}`,
    );
  },
};

export const publishTermsPage: ConsolePage = {
  method: 'post',
  path: '/terms',
  async handle(ctx) {
    const body = (ctx.req.body ?? {}) as Record<string, unknown>;
    const fields = { ...body };
    if (typeof fields.effectiveFrom === 'string' && fields.effectiveFrom !== '')
      fields.effectiveFrom = localMoment(fields.effectiveFrom);
    const published = await ctx.run<{ version: string; inEffect: boolean }>('publishTerms', fields);
    ctx.redirect(
      '/admin/console/terms',
      published.inEffect
        ? tr(
            ctx.lang,
            `Versie ${published.version} geldt nu.`,
            `Version ${published.version} is in effect now.`,
          )
        : tr(
            ctx.lang,
            `Versie ${published.version} is gepland.`,
            `Version ${published.version} is scheduled.`,
          ),
    );
  },
};

export const TERMS_PAGES: readonly ConsolePage[] = [termsPage, publishTermsPage];
