import { AUDIT_EVENT_KINDS } from '../../../audit';
import type { ClientAuditLog } from '../../operations/insight';
import { html } from '../html';
import { formatMoment, tr, type ConsoleLanguage } from '../language';
import type { ConsolePage } from '../page';

const PAGE_SIZE = 50;

const KIND_LABELS: Readonly<Record<string, { nl: string; en: string }>> = {
  'fhir-request': { nl: 'Inzage (FHIR)', en: 'Read (FHIR)' },
  login: { nl: 'Inloggen', en: 'Login' },
  token: { nl: 'Token', en: 'Token' },
  'link-code': { nl: 'Koppelcode', en: 'Link code' },
  terms: { nl: 'Voorwaarden', en: 'Terms' },
  'consent-change': { nl: 'Toestemming gewijzigd', en: 'Consent changed' },
  suspension: { nl: 'Opschorting', en: 'Suspension' },
  'ecd-sync': { nl: 'ECD-synchronisatie', en: 'ECD sync' },
  'request-channel': { nl: 'Verzoek', en: 'Request' },
  admin: { nl: 'Beheer', en: 'Administration' },
  'audit-deletion': { nl: 'Verwijdering auditlog', en: 'Audit deletion' },
  'breach-report': { nl: 'Datalekmelding', en: 'Breach report' },
};

function kindLabel(lang: ConsoleLanguage, kind: string): string {
  return KIND_LABELS[kind]?.[lang] ?? kind;
}

function outcomeLabel(lang: ConsoleLanguage, outcome: string): string {
  if (outcome === 'success') return tr(lang, 'gelukt', 'success');
  if (outcome === 'refused') return tr(lang, 'geweigerd', 'refused');
  return tr(lang, 'mislukt', 'failed');
}

/** A client's audit records for the privacy officer: who read or changed what, and on which basis. */
export const auditPage: ConsolePage = {
  method: 'get',
  path: '/audit',
  menu: { nl: 'Auditlog', en: 'Audit log', order: 30, roles: ['privacy-officer'] },
  async handle(ctx) {
    const { lang } = ctx;
    const query = ctx.req.query;
    const patientId = typeof query.patientId === 'string' ? query.patientId.trim() : '';
    const kind = typeof query.kind === 'string' ? query.kind : '';
    const pageNumber = Math.max(
      1,
      Number.parseInt(typeof query.page === 'string' ? query.page : '1', 10) || 1,
    );
    const log = patientId
      ? await ctx.run<ClientAuditLog>('clientAuditLog', {
          patientId,
          kind,
          limit: String(PAGE_SIZE),
          offset: String((pageNumber - 1) * PAGE_SIZE),
        })
      : undefined;
    const link = (page: number) =>
      ctx.href(
        `/audit?${new URLSearchParams({ patientId, ...(kind ? { kind } : {}), page: String(page) }).toString()}`,
      );
    const form = html`<form method="get" action="${ctx.href('/audit')}">
      <div class="field">
        <label for="patientId">${tr(lang, 'Id van de cliënt', "The client's id")}</label>
        <input id="patientId" name="patientId" value="${patientId}" autocomplete="off" required />
      </div>
      <div class="field">
        <label for="kind">${tr(lang, 'Soort', 'Kind')}</label>
        <select id="kind" name="kind">
          <option value="">${tr(lang, 'alle', 'all')}</option>
          ${AUDIT_EVENT_KINDS.map(
            (k) =>
              html`<option value="${k}" ${k === kind ? html`selected` : ''}>${kindLabel(lang, k)}</option>`,
          )}
        </select>
      </div>
      <button type="submit">${tr(lang, 'Tonen', 'Show')}</button>
    </form>`;
    const results =
      log === undefined
        ? ''
        : log.records.length === 0
          ? html`<p role="status">${tr(lang, 'Geen auditregels gevonden.', 'No audit records found.')}</p>`
          : html`<p>
                <a href="${ctx.href(`/clients/${encodeURIComponent(patientId)}`)}"
                  >${tr(lang, 'Naar het overzicht van de cliënt', "To the client's overview")}</a
                >
              </p>
              <table>
                <caption>
                  ${tr(lang, 'Auditregels', 'Audit records')}
                  ${log.offset + 1}–${log.offset + log.records.length} ${tr(lang, 'van', 'of')} ${log.total}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${tr(lang, 'Moment', 'Moment')}</th>
                    <th scope="col">${tr(lang, 'Soort', 'Kind')}</th>
                    <th scope="col">${tr(lang, 'Wie', 'Who')}</th>
                    <th scope="col">${tr(lang, 'Wat', 'What')}</th>
                    <th scope="col">${tr(lang, 'Uitkomst', 'Outcome')}</th>
                    <th scope="col">${tr(lang, 'Grondslag', 'Basis')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${log.records.map(
                    (r) =>
                      html`<tr>
                        <th scope="row">
                          <time datetime="${r.recorded}">${formatMoment(lang, r.recorded)}</time>
                        </th>
                        <td>${kindLabel(lang, r.kind)}</td>
                        <td>
                          ${r.actor.name ?? r.actor.person ?? r.actor.account ?? r.clientApp ?? '—'}
                          ${r.actor.role ? html`<br /><span class="hint">${r.actor.role}</span>` : ''}
                        </td>
                        <td>
                          ${r.interaction ?? ''} ${r.query ?? ''}
                          ${r.reason ? html`<br /><span class="hint">${tr(lang, 'Reden', 'Reason')}: ${r.reason}</span>` : ''}
                        </td>
                        <td>
                          ${outcomeLabel(lang, r.outcome)}${r.status !== undefined ? ` (${r.status})` : ''}
                        </td>
                        <td>
                          ${r.basis.map(
                            (b) =>
                              html`${b.ref}${b.verdict ? ` ${b.verdict}` : ''}${b.section ? ` ${b.section}` : ''}<br />`,
                          )}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              <nav aria-label="${tr(lang, 'Pagina’s', 'Pages')}">
                ${pageNumber > 1 ? html`<a href="${link(pageNumber - 1)}">${tr(lang, 'Vorige', 'Previous')}</a> ` : ''}
                ${
                  log.offset + log.records.length < log.total
                    ? html`<a href="${link(pageNumber + 1)}">${tr(lang, 'Volgende', 'Next')}</a>`
                    : ''
                }
              </nav>`;
    ctx.page(tr(lang, 'Auditlog van een cliënt', "A client's audit log"), html`${form} ${results}`);
  },
};
