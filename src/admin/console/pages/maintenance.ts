import type { MaintenanceState } from '../../operations/maintenance';
import { html, type SafeHtml } from '../html';
import { formatMoment, tr, type ConsoleLanguage } from '../language';
import { csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

/**
 * Maintenance mode (M-8, A-12): what is set, and forms to start it now, schedule it, or end it.
 * The times are typed as Dutch local time (datetime-local) and sent to the operation with offset.
 */

const PHASE: Record<MaintenanceState['phase'], { nl: string; en: string }> = {
  off: { nl: 'Uit: het portaal is beschikbaar.', en: 'Off: the portal is available.' },
  scheduled: {
    nl: 'Ingepland: het portaal is nu nog beschikbaar.',
    en: 'Scheduled: the portal is still available now.',
  },
  active: {
    nl: 'Aan: het portaal is niet beschikbaar (FHIR-API en inloggen).',
    en: 'On: the portal is unavailable (FHIR API and login).',
  },
  over: {
    nl: 'Uit: het ingestelde onderhoud is voorbij.',
    en: 'Off: the window set has passed.',
  },
};

export const maintenancePage: ConsolePage = {
  method: 'get',
  path: '/maintenance',
  menu: { nl: 'Onderhoud', en: 'Maintenance', order: 80 },
  async handle(ctx) {
    const { lang } = ctx;
    const state = await ctx.run<MaintenanceState>('getMaintenance', {});
    const manage = ctx.may('startMaintenance');
    const w = state.window;
    const current = html`<h2>${tr(lang, 'Stand', 'State')}</h2>
      <p class="${state.phase === 'active' ? 'warning' : state.phase === 'scheduled' ? 'notice' : ''}">
        ${PHASE[state.phase][lang]}
      </p>
      ${
        w && state.phase !== 'off'
          ? html`<table>
              <caption>
                ${tr(lang, 'Onderhoudsvenster', 'Maintenance window')}
              </caption>
              <tbody>
                <tr>
                  <th scope="row">${tr(lang, 'Vanaf', 'From')}</th>
                  <td>${formatMoment(lang, w.from)}</td>
                </tr>
                <tr>
                  <th scope="row">${tr(lang, 'Tot', 'Until')}</th>
                  <td>
                    ${w.until ? formatMoment(lang, w.until) : tr(lang, 'tot het beëindigd wordt', 'until ended')}
                  </td>
                </tr>
                <tr>
                  <th scope="row">${tr(lang, 'Bericht (Nederlands)', 'Message (Dutch)')}</th>
                  <td>${w.message?.nl ?? ''}</td>
                </tr>
                <tr>
                  <th scope="row">${tr(lang, 'Bericht (Engels)', 'Message (English)')}</th>
                  <td>${w.message?.en ?? ''}</td>
                </tr>
                <tr>
                  <th scope="row">${tr(lang, 'Ingesteld door', 'Set by')}</th>
                  <td>${w.setBy.name ?? w.setBy.account}, ${formatMoment(lang, w.setAt)}</td>
                </tr>
                <tr>
                  <th scope="row">${tr(lang, 'Reden', 'Reason')}</th>
                  <td>${w.reason}</td>
                </tr>
              </tbody>
            </table>`
          : ''
      }`;
    const explain = html`<p class="hint">
      ${tr(
        lang,
        'Tijdens onderhoud antwoordt de FHIR-API met 503 en tonen de inlogpagina’s een melding. Het beheer, de gezondheidscontroles en de ECD-koppeling blijven werken.',
        'During maintenance the FHIR API answers 503 and the login pages show a notice. The administration, the health checks and the ECD link keep working.',
      )}
    </p>`;
    const forms = manage
      ? html`${
          state.phase === 'active' || state.phase === 'scheduled' || state.phase === 'over'
            ? endForm(ctx)
            : ''
        }
        ${startForm(ctx, 'now')} ${startForm(ctx, 'schedule')}`
      : '';
    ctx.page(tr(lang, 'Onderhoud', 'Maintenance'), html`${current} ${explain} ${forms}`);
  },
};

function messageFields(lang: ConsoleLanguage, prefix: string): SafeHtml {
  return html`<div class="field">
      <label for="${prefix}-message-nl"
        >${tr(lang, 'Bericht op de inlogpagina (Nederlands)', 'Message on the login page (Dutch)')}</label
      >
      <input id="${prefix}-message-nl" name="messageNl" type="text" maxlength="500" />
    </div>
    <div class="field">
      <label for="${prefix}-message-en"
        >${tr(lang, 'Bericht op de inlogpagina (Engels)', 'Message on the login page (English)')}</label
      >
      <input id="${prefix}-message-en" name="messageEn" type="text" maxlength="500" lang="en" />
    </div>`;
}

function reasonField(lang: ConsoleLanguage, prefix: string): SafeHtml {
  return html`<div class="field">
    <label for="${prefix}-reason"
      >${tr(lang, 'Reden (komt in het auditlog)', 'Reason (recorded in the audit trail)')}</label
    >
    <input id="${prefix}-reason" name="reason" type="text" required minlength="3" maxlength="1000" />
  </div>`;
}

function startForm(ctx: ConsoleContext, kind: 'now' | 'schedule'): SafeHtml {
  const { lang } = ctx;
  const p = kind === 'now' ? 'start' : 'schedule';
  return html`<h2>
      ${kind === 'now' ? tr(lang, 'Nu starten', 'Start now') : tr(lang, 'Inplannen', 'Schedule')}
    </h2>
    <form method="post" action="${ctx.href('/maintenance/start')}">
      ${csrfField(ctx.csrf)}
      ${
        kind === 'schedule'
          ? html`<div class="field">
              <label for="${p}-from">${tr(lang, 'Vanaf (Nederlandse tijd)', 'From (Dutch time)')}</label>
              <input id="${p}-from" name="from" type="datetime-local" required />
            </div>`
          : ''
      }
      <div class="field">
        <label for="${p}-until"
          >${tr(lang, 'Tot (Nederlandse tijd, leeg: tot beëindigd)', 'Until (Dutch time, empty: until ended)')}</label
        >
        <input id="${p}-until" name="until" type="datetime-local" />
      </div>
      ${messageFields(lang, p)} ${reasonField(lang, p)}
      <button type="submit" class="${kind === 'now' ? 'danger' : ''}">
        ${kind === 'now' ? tr(lang, 'Onderhoud nu starten', 'Start maintenance now') : tr(lang, 'Onderhoud inplannen', 'Schedule maintenance')}
      </button>
    </form>`;
}

function endForm(ctx: ConsoleContext): SafeHtml {
  const { lang } = ctx;
  return html`<h2>${tr(lang, 'Beëindigen', 'End')}</h2>
    <form method="post" action="${ctx.href('/maintenance/end')}">
      ${csrfField(ctx.csrf)} ${reasonField(lang, 'end')}
      <button type="submit">${tr(lang, 'Onderhoud beëindigen', 'End maintenance')}</button>
    </form>`;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Minutes Amsterdam is ahead of UTC at a moment. */
function amsterdamOffsetMinutes(at: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Amsterdam',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!);
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/** A datetime-local value (Dutch wall-clock time) as an ISO moment; anything else is passed on as is. */
export function dutchLocalToIso(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = LOCAL.exec(value.trim());
  if (!m) return value;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  let at = wall - amsterdamOffsetMinutes(wall) * 60_000;
  at = wall - amsterdamOffsetMinutes(at) * 60_000;
  return new Date(at).toISOString();
}

function formFields(ctx: ConsoleContext): Record<string, unknown> {
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const fields: Record<string, unknown> = { ...body };
  for (const name of ['from', 'until'])
    if (typeof fields[name] === 'string' && fields[name] !== '') fields[name] = dutchLocalToIso(fields[name]);
  return fields;
}

export const startMaintenancePage: ConsolePage = {
  method: 'post',
  path: '/maintenance/start',
  async handle(ctx) {
    const state = await ctx.run<MaintenanceState>('startMaintenance', formFields(ctx));
    ctx.redirect(
      '/admin/console/maintenance',
      state.phase === 'active'
        ? tr(ctx.lang, 'Onderhoud is gestart.', 'Maintenance has started.')
        : tr(ctx.lang, 'Onderhoud is ingepland.', 'Maintenance has been scheduled.'),
    );
  },
};

export const endMaintenancePage: ConsolePage = {
  method: 'post',
  path: '/maintenance/end',
  async handle(ctx) {
    const out = await ctx.run<{ ended: boolean }>('endMaintenance', formFields(ctx));
    ctx.redirect(
      '/admin/console/maintenance',
      out.ended
        ? tr(ctx.lang, 'Onderhoud is beëindigd.', 'Maintenance has ended.')
        : tr(ctx.lang, 'Er was geen onderhoud ingesteld.', 'No maintenance was set.'),
    );
  },
};

export const MAINTENANCE_PAGES: readonly ConsolePage[] = [
  maintenancePage,
  startMaintenancePage,
  endMaintenancePage,
];
