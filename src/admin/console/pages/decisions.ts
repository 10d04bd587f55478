import type { NeedsDecision, PendingDecision } from '../../operations/insight';
import { html } from '../html';
import { formatDate, tr, type ConsoleLanguage } from '../language';
import type { ConsolePage } from '../page';
import { RELATION_LABELS, label } from './client';

/** What must be decided, in plain words. */
function whatInWords(lang: ConsoleLanguage, item: PendingDecision): string {
  switch (item.kind) {
    case 'capacity-assessment':
      return tr(
        lang,
        `Beoordelen of de cliënt (${item.age ?? '?'}) de eigen belangen kan overzien: dat bepaalt of het kind of een ouder portaalbeheerder is`,
        `Assess whether the client (${item.age ?? '?'}) can weigh their own interests: that decides whether the child or a parent is portal administrator`,
      );
    case 'two-parents-none-registered':
      return tr(
        lang,
        'Twee ouders met gezag, geen van beiden vastgelegd als beheerder: leg vast wie portaalbeheerder is',
        'Two parents with authority, neither registered as administrator: register who is portal administrator',
      );
    case 'appoint-administrator':
      return tr(lang, 'De portaalbeheerder aanwijzen', 'Appoint the portal administrator');
    case 'no-administrator':
      return item.rule === 'A-5'
        ? tr(
            lang,
            'De cliënt kan geen beheerder zijn: vraag of de eerste contactpersoon beheerder mag worden en leg het antwoord vast',
            'The client cannot be administrator: ask whether the first contact person may be, and record the answer',
          )
        : item.rule === 'A-8'
          ? tr(
              lang,
              'Minderjarige zonder ouder met gezag of voogd in het dossier: leg vast wie het gezag heeft',
              'A minor without a parent with authority or a guardian on record: record who has authority',
            )
          : tr(
              lang,
              'Er is geen portaalbeheerder: beslis wie het is',
              'There is no portal administrator: decide who is',
            );
    case 'register-representative':
      return tr(
        lang,
        'Meerdere wettelijk vertegenwoordigers: leg vast wie namens de cliënt optreedt',
        'Several legal representatives: register who acts for the client',
      );
  }
}

/** What the organisation must still decide (issue 12, item 8). */
export const decisionsPage: ConsolePage = {
  method: 'get',
  path: '/decisions',
  menu: { nl: 'Te beslissen', en: 'Needs a decision', order: 20 },
  async handle(ctx) {
    const { lang } = ctx;
    const found = await ctx.run<NeedsDecision>('needsDecision', {});
    const body =
      found.items.length === 0
        ? html`<p role="status">${tr(lang, 'Er is niets te beslissen.', 'There is nothing to decide.')}</p>`
        : html`<table>
              <caption>
                ${tr(lang, `${found.items.length} punten bij ${found.checked} cliënten`, `${found.items.length} items among ${found.checked} clients`)}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${tr(lang, 'Cliënt', 'Client')}</th>
                  <th scope="col">${tr(lang, 'Geboortedatum', 'Date of birth')}</th>
                  <th scope="col">${tr(lang, 'Regel', 'Rule')}</th>
                  <th scope="col">${tr(lang, 'Wat moet er beslist worden', 'What must be decided')}</th>
                  <th scope="col">${tr(lang, 'Betrokkenen', 'People concerned')}</th>
                </tr>
              </thead>
              <tbody>
                ${found.items.map(
                  (item) =>
                    html`<tr>
                      <th scope="row">
                        <a href="${ctx.href(`/clients/${encodeURIComponent(item.patientId)}`)}"
                          >${item.name}</a
                        >
                      </th>
                      <td>${formatDate(lang, item.birthDate)}</td>
                      <td>${item.rule}</td>
                      <td>${whatInWords(lang, item)}</td>
                      <td>
                        ${item.candidates.map(
                          (c) =>
                            html`${c.name ?? c.reference}
                              (${label(lang, RELATION_LABELS, c.relation).toLowerCase()})<br />`,
                        )}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${
              found.truncated
                ? html`<p class="warning">
                    ${tr(lang, 'Niet alles wordt getoond.', 'Not everything is shown.')}
                  </p>`
                : ''
            }`;
    ctx.page(tr(lang, 'Te beslissen', 'Needs a decision'), body);
  },
};
