import type { RequestOut } from '../../operations/requests';
import { html } from '../html';
import { formatMoment, tr, type ConsoleLanguage } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

const KINDS: Readonly<Record<string, { nl: string; en: string }>> = {
  correction: { nl: 'Correctie', en: 'Correction' },
  completion: { nl: 'Aanvulling', en: 'Completion' },
  erasure: { nl: 'Verwijdering', en: 'Erasure' },
  transfer: { nl: 'Overdracht', en: 'Transfer' },
};

const STATUSES: Readonly<Record<string, { nl: string; en: string }>> = {
  requested: { nl: 'Ingediend', en: 'Requested' },
  accepted: { nl: 'Aangenomen', en: 'Accepted' },
  'in-progress': { nl: 'In behandeling', en: 'In progress' },
  completed: { nl: 'Uitgevoerd', en: 'Completed' },
  rejected: { nl: 'Afgewezen', en: 'Rejected' },
  cancelled: { nl: 'Ingetrokken', en: 'Cancelled' },
};

const SETTLED = new Set(['completed', 'rejected', 'cancelled', 'failed']);

function label(
  table: Readonly<Record<string, { nl: string; en: string }>>,
  key: string,
  lang: ConsoleLanguage,
) {
  return table[key]?.[lang] ?? key;
}

function idOf(ctx: ConsoleContext): string {
  return String(ctx.req.params.id ?? '');
}

/** The requests, with filters: status, client, assigned to me. */
export const requestsPage: ConsolePage = {
  method: 'get',
  path: '/requests',
  menu: { nl: 'Verzoeken', en: 'Requests', order: 70 },
  async handle(ctx) {
    const { lang } = ctx;
    const q = ctx.req.query;
    const status = typeof q.status === 'string' ? q.status : '';
    const patientId = typeof q.patientId === 'string' ? q.patientId.trim() : '';
    const mine = q.mine === 'true';
    const found = await ctx.run<{ requests: RequestOut[] }>('listRequests', {
      status,
      patientId,
      ...(mine ? { mine: 'true' } : {}),
    });
    const rows = found.requests;
    ctx.page(
      tr(lang, 'Verzoeken van cliënten', 'Requests of clients'),
      html`<form method="get" action="${ctx.href('/requests')}">
          <div class="field">
            <label for="status">${tr(lang, 'Status', 'Status')}</label>
            <select id="status" name="status">
              <option value="">${tr(lang, 'Alle', 'All')}</option>
              ${Object.entries(STATUSES).map(
                ([value, text]) =>
                  html`<option value="${value}" ${value === status ? html`selected` : ''}>
                    ${text[lang]}
                  </option>`,
              )}
            </select>
          </div>
          <div class="field">
            <label for="patientId">${tr(lang, 'Cliënt (id)', 'Client (id)')}</label>
            <input id="patientId" name="patientId" value="${patientId}" autocomplete="off" />
          </div>
          <div class="field">
            <label
              ><input type="checkbox" name="mine" value="true" ${mine ? html`checked` : ''} />
              ${tr(lang, 'Alleen aan mij toegewezen', 'Assigned to me only')}</label
            >
          </div>
          <button type="submit">${tr(lang, 'Filteren', 'Filter')}</button>
        </form>
        ${
          rows.length === 0
            ? html`<p role="status">${tr(lang, 'Geen verzoeken gevonden.', 'No requests found.')}</p>`
            : html`<table>
                <caption>
                  ${tr(lang, 'Verzoeken', 'Requests')}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${tr(lang, 'Ingediend', 'Filed')}</th>
                    <th scope="col">${tr(lang, 'Soort', 'Kind')}</th>
                    <th scope="col">${tr(lang, 'Cliënt', 'Client')}</th>
                    <th scope="col">${tr(lang, 'Status', 'Status')}</th>
                    <th scope="col">${tr(lang, 'Behandelaar', 'Handled by')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr>
                        <td>
                          <a href="${ctx.href(`/requests/${encodeURIComponent(r.id)}`)}"
                            >${formatMoment(lang, r.authoredOn)}</a
                          >
                        </td>
                        <td>${label(KINDS, r.kind, lang)}</td>
                        <td>${r.patientId}</td>
                        <td>${label(STATUSES, r.status, lang)}</td>
                        <td>${r.assignedTo?.name ?? tr(lang, 'niemand', 'nobody')}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }`,
    );
  },
};

/** One request: what was asked, its course, and the assign and decide forms. */
export const requestPage: ConsolePage = {
  method: 'get',
  path: '/requests/:id',
  async handle(ctx) {
    const { lang } = ctx;
    const r = await ctx.run<RequestOut>('getRequest', { id: idOf(ctx) });
    const base = `/requests/${encodeURIComponent(r.id)}`;
    const open = !SETTLED.has(r.status);
    ctx.page(
      `${tr(lang, 'Verzoek', 'Request')}: ${label(KINDS, r.kind, lang)}`,
      html`<dl>
          <dt>${tr(lang, 'Cliënt', 'Client')}</dt>
          <dd><a href="${ctx.href(`/clients/${encodeURIComponent(r.patientId)}`)}">${r.patientId}</a></dd>
          <dt>${tr(lang, 'Ingediend door', 'Filed by')}</dt>
          <dd>${r.requester}</dd>
          <dt>${tr(lang, 'Ingediend op', 'Filed on')}</dt>
          <dd>${formatMoment(lang, r.authoredOn)}</dd>
          <dt>${tr(lang, 'Status', 'Status')}</dt>
          <dd>${label(STATUSES, r.status, lang)}</dd>
          <dt>${tr(lang, 'Behandelaar', 'Handled by')}</dt>
          <dd>${r.assignedTo?.name ?? tr(lang, 'niemand', 'nobody')}</dd>
          ${
            r.focus
              ? html`<dt>${tr(lang, 'Gaat over', 'Concerns')}</dt>
                  <dd>${r.focus}</dd>`
              : ''
          }
        </dl>
        <h2>${tr(lang, 'Het verzoek', 'The request')}</h2>
        ${r.title ? html`<p><strong>${r.title}</strong></p>` : ''}
        <p>${r.description}</p>
        ${
          r.details.length > 0
            ? html`<dl>
                ${r.details.map(
                  (d) =>
                    html`<dt>${d.label}</dt>
                      <dd>${d.value}</dd>`,
                )}
              </dl>`
            : ''
        }
        ${
          r.notes.length > 0
            ? html`<h2>${tr(lang, 'Antwoorden aan de aanvrager', 'Answers to the requester')}</h2>
                <ul>
                  ${r.notes.map((n) => html`<li>${n.time ? html`${formatMoment(lang, n.time)}: ` : ''}${n.text}</li>`)}
                </ul>`
            : ''
        }
        ${
          open && ctx.may('assignRequest')
            ? html`<h2>${tr(lang, 'Toewijzen', 'Assign')}</h2>
                <form method="post" action="${ctx.href(`${base}/assignment`)}">
                  ${csrfField(ctx.csrf)}
                  <div class="field">
                    <label for="staffId"
                      >${tr(lang, 'Medewerker-id (leeg: ikzelf)', 'Staff id (empty: myself)')}</label
                    >
                    <input id="staffId" name="staffId" autocomplete="off" />
                  </div>
                  <div class="field">
                    <label for="assign-reason"
                      >${tr(lang, 'Reden (voor het auditlog)', 'Reason (for the audit trail)')}</label
                    >
                    <input id="assign-reason" name="reason" required minlength="3" maxlength="1000" />
                  </div>
                  <button type="submit" class="secondary">${tr(lang, 'Toewijzen', 'Assign')}</button>
                </form>`
            : ''
        }
        ${
          open && ctx.may('decideRequest')
            ? html`<h2>${tr(lang, 'Besluiten', 'Decide')}</h2>
                <form method="post" action="${ctx.href(`${base}/decision`)}">
                  ${csrfField(ctx.csrf)}
                  <fieldset>
                    <legend>${tr(lang, 'Besluit', 'Decision')}</legend>
                    <div>
                      <input type="radio" id="outcome-completed" name="outcome" value="completed" required />
                      <label for="outcome-completed">${tr(lang, 'Uitgevoerd', 'Carried out')}</label>
                    </div>
                    <div>
                      <input type="radio" id="outcome-rejected" name="outcome" value="rejected" />
                      <label for="outcome-rejected">${tr(lang, 'Afgewezen', 'Rejected')}</label>
                    </div>
                  </fieldset>
                  <div class="field">
                    <label for="decision-reason"
                      >${tr(lang, 'Motivering (de aanvrager leest deze)', 'Reasons (the requester reads them)')}</label
                    >
                    <textarea
                      id="decision-reason"
                      name="reason"
                      required
                      minlength="3"
                      maxlength="1000"
                      rows="4"
                    ></textarea>
                  </div>
                  <button type="submit">${tr(lang, 'Besluit vastleggen', 'Record the decision')}</button>
                </form>`
            : ''
        }
        <p>
          <a href="${ctx.href('/requests')}"
            >${tr(lang, 'Terug naar de verzoeken', 'Back to the requests')}</a
          >
        </p>`,
    );
  },
};

export const assignRequestPage: ConsolePage = {
  method: 'post',
  path: '/requests/:id/assignment',
  async handle(ctx) {
    const id = idOf(ctx);
    const r = await ctx.run<RequestOut>('assignRequest', { ...(ctx.req.body as object), id });
    ctx.redirect(
      `/admin/console/requests/${encodeURIComponent(id)}`,
      tr(ctx.lang, `Toegewezen aan ${r.assignedTo?.name ?? ''}.`, `Assigned to ${r.assignedTo?.name ?? ''}.`),
    );
  },
};

export const decideRequestPage: ConsolePage = {
  method: 'post',
  path: '/requests/:id/decision',
  async handle(ctx) {
    const id = idOf(ctx);
    const r = await ctx.run<RequestOut>('decideRequest', { ...(ctx.req.body as object), id });
    ctx.redirect(
      `/admin/console/requests/${encodeURIComponent(id)}`,
      tr(
        ctx.lang,
        `Besluit vastgelegd: ${label(STATUSES, r.status, 'nl')}.`,
        `Decision recorded: ${label(STATUSES, r.status, 'en')}.`,
      ),
    );
  },
};

export const REQUEST_PAGES: readonly ConsolePage[] = [
  requestsPage,
  requestPage,
  assignRequestPage,
  decideRequestPage,
];
