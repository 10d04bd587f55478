import type { ConsolePage } from '../page';
import { html } from '../html';
import { tr } from '../language';

interface FoundClients {
  clients: { id: string; name: string; birthDate?: string; ended: boolean }[];
}

/** The start page: find a client (the first of the daily tasks). */
export const homePage: ConsolePage = {
  method: 'get',
  path: '/',
  menu: { nl: 'Cliënten', en: 'Clients', order: 0 },
  async handle(ctx) {
    const { lang } = ctx;
    const q = typeof ctx.req.query.q === 'string' ? ctx.req.query.q.trim() : '';
    const found = q ? await ctx.run<FoundClients>('findClients', { q }) : undefined;
    const results =
      found === undefined
        ? ''
        : found.clients.length === 0
          ? html`<p role="status">${tr(lang, 'Geen cliënt gevonden.', 'No client found.')}</p>`
          : html`<table>
              <caption>
                ${tr(lang, 'Gevonden cliënten', 'Clients found')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${tr(lang, 'Naam', 'Name')}</th>
                  <th scope="col">${tr(lang, 'Geboortedatum', 'Date of birth')}</th>
                  <th scope="col">${tr(lang, 'Id', 'Id')}</th>
                </tr>
              </thead>
              <tbody>
                ${found.clients.map(
                  (c) =>
                    html`<tr>
                      <td>
                        <a href="${ctx.href(`/clients/${encodeURIComponent(c.id)}`)}">${c.name}</a
                        >${c.ended ? html` (${tr(lang, 'uit zorg', 'no longer in care')})` : ''}
                      </td>
                      <td>${c.birthDate ?? ''}</td>
                      <td>${c.id}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`;
    ctx.page(
      tr(lang, 'Cliënt zoeken', 'Find a client'),
      html`<form method="get" action="${ctx.href('/')}" role="search">
          <div class="field">
            <label for="q"
              >${tr(lang, 'Naam, BSN, cliëntnummer of id', 'Name, BSN, client number or id')}</label
            >
            <input id="q" name="q" type="search" value="${q}" autocomplete="off" />
          </div>
          <button type="submit">${tr(lang, 'Zoeken', 'Search')}</button>
        </form>
        ${results}`,
    );
  },
};
