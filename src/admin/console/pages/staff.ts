import { STAFF_ROLES, STAFF_ROLE_LABELS, type StaffRole } from '../../roles';
import { html } from '../html';
import { formatMoment, tr } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  hasPassword: boolean;
  hasSecondFactor: boolean;
  federated: boolean;
  blocked: boolean;
  blockedAt?: string;
}

interface Created {
  staff: StaffRow;
  enrolmentUrl: string;
  enrolmentExpiresAt: string;
}

function body(ctx: ConsoleContext): Record<string, unknown> {
  return (ctx.req.body ?? {}) as Record<string, unknown>;
}

/** The staff of the organisation: everyone sees the list; the functional administrator changes it. */
const staffPage: ConsolePage = {
  method: 'get',
  path: '/staff',
  menu: { nl: 'Medewerkers', en: 'Staff', order: 90 },
  async handle(ctx) {
    const { lang } = ctx;
    const { staff } = await ctx.run<{ staff: StaffRow[] }>('listStaff', {});
    const mayBlock = ctx.may('blockStaff');
    const status = (s: StaffRow) =>
      s.blocked
        ? tr(
            lang,
            `Geblokkeerd sinds ${formatMoment(lang, s.blockedAt)}`,
            `Blocked since ${formatMoment(lang, s.blockedAt)}`,
          )
        : !s.hasPassword && !s.federated
          ? tr(lang, 'Nog niet geactiveerd', 'Not activated yet')
          : tr(lang, 'Actief', 'Active');
    const action = (s: StaffRow) =>
      !mayBlock || s.id === ctx.staff?.staffId
        ? ''
        : html`<form
            method="post"
            action="${ctx.href(`/staff/${encodeURIComponent(s.id)}/${s.blocked ? 'unblock' : 'block'}`)}"
          >
            ${csrfField(ctx.csrf)}
            <label for="reason-${s.id}">${tr(lang, 'Reden', 'Reason')}</label>
            <input id="reason-${s.id}" name="reason" required minlength="3" />
            <button type="submit" class="${s.blocked ? 'secondary' : 'danger'}">
              ${s.blocked ? tr(lang, 'Deblokkeren', 'Unblock') : tr(lang, 'Blokkeren', 'Block')}
              <span class="skip">${s.name}</span>
            </button>
          </form>`;
    const create = ctx.may('createStaff')
      ? html`<h2>${tr(lang, 'Medewerker toevoegen', 'Add a staff member')}</h2>
          <form method="post" action="${ctx.href('/staff')}">
            ${csrfField(ctx.csrf)}
            <div class="field">
              <label for="new-name">${tr(lang, 'Naam', 'Name')}</label>
              <input id="new-name" name="name" required autocomplete="off" />
            </div>
            <div class="field">
              <label for="new-email">${tr(lang, 'E-mailadres', 'E-mail address')}</label>
              <input id="new-email" name="email" type="email" required autocomplete="off" />
            </div>
            <div class="field">
              <label for="new-role">${tr(lang, 'Rol', 'Role')}</label>
              <select id="new-role" name="role">
                ${STAFF_ROLES.map((r) => html`<option value="${r}">${STAFF_ROLE_LABELS[r][lang]}</option>`)}
              </select>
            </div>
            <div class="field">
              <label for="new-reason">${tr(lang, 'Reden', 'Reason')}</label>
              <input id="new-reason" name="reason" required minlength="3" />
            </div>
            <button type="submit">${tr(lang, 'Toevoegen', 'Add')}</button>
          </form>`
      : '';
    ctx.page(
      tr(lang, 'Medewerkers', 'Staff'),
      html`<table>
          <caption>
            ${tr(lang, 'Medewerkers van de organisatie', "The organisation's staff")}
          </caption>
          <thead>
            <tr>
              <th scope="col">${tr(lang, 'Naam', 'Name')}</th>
              <th scope="col">${tr(lang, 'E-mailadres', 'E-mail address')}</th>
              <th scope="col">${tr(lang, 'Rol', 'Role')}</th>
              <th scope="col">${tr(lang, 'Status', 'Status')}</th>
              ${mayBlock ? html`<th scope="col">${tr(lang, 'Actie', 'Action')}</th>` : ''}
            </tr>
          </thead>
          <tbody>
            ${staff.map(
              (s) =>
                html`<tr>
                  <td>${s.name}</td>
                  <td>${s.email}</td>
                  <td>${STAFF_ROLE_LABELS[s.role][lang]}</td>
                  <td>${status(s)}</td>
                  ${mayBlock ? html`<td>${action(s)}</td>` : ''}
                </tr>`,
            )}
          </tbody>
        </table>
        ${create}`,
    );
  },
};

const createPost: ConsolePage = {
  method: 'post',
  path: '/staff',
  async handle(ctx) {
    const { lang } = ctx;
    const created = await ctx.run<Created>('createStaff', body(ctx));
    // Shown once: the code's hash is all that is kept.
    ctx.page(
      tr(lang, 'Medewerker toegevoegd', 'Staff member added'),
      html`<p>
          ${tr(
            lang,
            `Geef ${created.staff.name} deze link (eenmalig geldig, tot ${formatMoment(lang, created.enrolmentExpiresAt)}). Hij wordt maar één keer getoond.`,
            `Give ${created.staff.name} this link (valid once, until ${formatMoment(lang, created.enrolmentExpiresAt)}). It is shown only this once.`,
          )}
        </p>
        <p><code>${created.enrolmentUrl}</code></p>
        <p>
          <a href="${ctx.href('/staff')}">${tr(lang, 'Terug naar de medewerkers', 'Back to the staff')}</a>
        </p>`,
      { status: 201 },
    );
  },
};

function blockPost(block: boolean): ConsolePage {
  return {
    method: 'post',
    path: `/staff/:staffId/${block ? 'block' : 'unblock'}`,
    async handle(ctx) {
      const { lang } = ctx;
      const out = await ctx.run<{ staff: StaffRow }>(block ? 'blockStaff' : 'unblockStaff', {
        staffId: ctx.req.params.staffId,
        reason: body(ctx).reason,
      });
      ctx.redirect(
        ctx.href('/staff'),
        block
          ? tr(
              lang,
              `${out.staff.name} is geblokkeerd; alle sessies zijn beëindigd.`,
              `${out.staff.name} is blocked; every session has ended.`,
            )
          : tr(lang, `${out.staff.name} is gedeblokkeerd.`, `${out.staff.name} is unblocked.`),
      );
    },
  };
}

export const STAFF_PAGES: readonly ConsolePage[] = [staffPage, createPost, blockPost(true), blockPost(false)];
