import type {
  AccessTimeline,
  BasisItem,
  ClientAccess,
  PersonAccess,
  TimelineCause,
} from '../../operations/insight';
import { html, type SafeHtml } from '../html';
import { formatDate, formatMoment, tr, type ConsoleLanguage } from '../language';
import type { ConsoleContext, ConsolePage } from '../page';

/** Portal sections as staff and families name them. */
export const SECTION_LABELS: Readonly<Record<string, { nl: string; en: string }>> = {
  reports: { nl: 'Rapportages', en: 'Reports' },
  'care-plan': { nl: 'Zorgplan', en: 'Care plan' },
  appointments: { nl: 'Afspraken', en: 'Appointments' },
  measurements: { nl: 'Metingen', en: 'Measurements' },
  medication: { nl: 'Medicatie', en: 'Medication' },
  documents: { nl: 'Documenten', en: 'Documents' },
  'basic-details': { nl: 'Basisgegevens', en: 'Basic details' },
};

/** A person's relation to the client. */
export const RELATION_LABELS: Readonly<Record<string, { nl: string; en: string }>> = {
  client: { nl: 'Cliënt', en: 'Client' },
  'first-contact-person': { nl: 'Eerste contactpersoon', en: 'First contact person' },
  'second-contact-person': { nl: 'Tweede contactpersoon', en: 'Second contact person' },
  curator: { nl: 'Curator', en: 'Curator' },
  mentor: { nl: 'Mentor', en: 'Mentor' },
  parent: { nl: 'Ouder', en: 'Parent' },
  'parent with authority': { nl: 'Ouder met gezag', en: 'Parent with authority' },
  guardian: { nl: 'Voogd', en: 'Guardian' },
  'financial-administrator': { nl: 'Bewindvoerder', en: 'Financial administrator' },
  other: { nl: 'Anders', en: 'Other' },
};

export function label(
  lang: ConsoleLanguage,
  labels: Readonly<Record<string, { nl: string; en: string }>>,
  key: string,
): string {
  return labels[key]?.[lang] ?? key;
}

function sectionList(lang: ConsoleLanguage, sections: readonly string[]): string {
  return sections.map((s) => label(lang, SECTION_LABELS, s)).join(', ');
}

/** The rule that decided: the last organisation rule of the basis (the earlier ones lead up to it). */
function decidingRule(basis: readonly BasisItem[]): BasisItem | undefined {
  return basis.filter((b) => b.kind === 'rule' && b.rule !== 'consent').at(-1);
}

/** Why a person has the access they have, in one plain sentence (with the rule id). */
export function whyInWords(lang: ConsoleLanguage, person: PersonAccess, client: ClientAccess): string {
  const rule = decidingRule(person.basis);
  const id = rule?.rule ? ` (${rule.rule})` : '';
  const t = (nl: string, en: string) => `${tr(lang, nl, en)}${id}`;
  switch (person.accessRole) {
    case 'administrator':
      return t(
        'Portaalbeheerder: ziet alles en bepaalt wie wat mag zien',
        'Portal administrator: sees everything and decides who may see what',
      );
    case 'legal-representative':
      return t(
        'Wettelijk vertegenwoordiger: telt als de cliënt en ziet alles',
        'Legal representative: counts as the client and sees everything',
      );
    case 'parent-with-consent':
      return t(
        'Ouder met gezag; de cliënt heeft toestemming gegeven om mee te kijken',
        'Parent with authority; the client agreed that they may look',
      );
    case 'client':
      if (person.sections.length === 7 && !person.basis.some((b) => b.kind === 'consent'))
        return t('De cliënt ziet het eigen dossier', 'The client sees their own dossier');
      return person.allowed
        ? t(
            'Ziet de onderdelen die de beheerder heeft opengezet',
            'Sees the sections the administrator opened',
          )
        : t(
            'De beheerder heeft nog geen onderdelen opengezet',
            'The administrator has opened no sections yet',
          );
    case 'delegate':
      return person.allowed
        ? t(
            'Ziet de onderdelen waarvoor toestemming is gegeven',
            'Sees the sections permission was given for',
          )
        : t(
            'Er is (nog) geen toestemming gegeven voor een onderdeel',
            'No permission has been given for any section',
          );
  }
  if (!client.portalOpen)
    return `${tr(lang, 'Het portaal is gesloten', 'The portal is closed')} (${client.portalBasis.rule})`;
  switch (rule?.rule) {
    case 'A-10':
    case 'M-5':
      return t('Toegang opgeschort door de organisatie', 'Access suspended by the organisation');
    case 'A-8':
      return t(
        'Regels voor minderjarigen: een ouder heeft toestemming van het kind nodig, of er is geen ouder met gezag',
        "Minors' rules: a parent needs the child's consent, or there is no parent with authority",
      );
    case 'A-3':
      return client.administrator
        ? t(
            'Niet de beheerder, en niet door de beheerder toegelaten',
            'Not the administrator, and not admitted by the administrator',
          )
        : t(
            'Er is nog geen portaalbeheerder: niemand heeft toegang tot de organisatie er een aanwijst',
            'There is no portal administrator yet: nobody has access until the organisation appoints one',
          );
    case 'A-5':
      return t(
        'De cliënt kan geen beheerder zijn en heeft niet ingestemd met de eerste contactpersoon als beheerder',
        'The client cannot be administrator and has not agreed to the first contact person as administrator',
      );
    case 'A-6':
    case 'M-1':
      return person.relation === 'financial-administrator'
        ? t(
            'Een bewindvoerder heeft nooit toegang tot het dossier',
            'A financial administrator never has access to the dossier',
          )
        : t(
            'Een andere wettelijk vertegenwoordiger gaat voor, of de organisatie moet er een vastleggen',
            'Another legal representative takes precedence, or the organisation must register one',
          );
    case 'M-2':
    case 'A-1':
      return person.relationCurrent
        ? t('Deze persoon kan geen toestemming krijgen', 'This person cannot be given access')
        : t('Geen huidige relatie van de cliënt', 'Not a current relation of the client');
  }
  return t('Geen toegang', 'No access');
}

function causeInWords(
  lang: ConsoleLanguage,
  cause: TimelineCause,
  names: ReadonlyMap<string, string>,
): string {
  const who = (ref?: string) =>
    ref ? (names.get(ref) ?? ref) : tr(lang, 'het hele portaal', 'the whole portal');
  switch (cause.kind) {
    case 'birthday':
      return tr(lang, `De cliënt wordt ${cause.age}`, `The client turns ${cause.age}`);
    case 'care-starts':
      return tr(lang, 'De zorg begint', 'Care starts');
    case 'portal-closes':
      return tr(
        lang,
        `De zorg eindigt op ${formatDate(lang, cause.date)}: het portaal sluit`,
        `Care ends on ${formatDate(lang, cause.date)}: the portal closes`,
      );
    case 'death':
      return tr(lang, 'Na het overlijden sluit het portaal', 'After the death the portal closes');
    case 'relation-starts':
      return tr(lang, `De relatie van ${who(cause.person)} begint`, `${who(cause.person)}'s relation starts`);
    case 'relation-ends':
      return tr(lang, `De relatie van ${who(cause.person)} eindigt`, `${who(cause.person)}'s relation ends`);
    case 'grant-starts':
      return tr(
        lang,
        `Een toestemming voor ${who(cause.person)} gaat in`,
        `A permission for ${who(cause.person)} starts`,
      );
    case 'grant-ends':
      return tr(
        lang,
        `Een toestemming voor ${who(cause.person)} loopt af`,
        `A permission for ${who(cause.person)} ends`,
      );
    case 'suspension-starts':
      return tr(
        lang,
        `Opschorting van ${who(cause.person)} begint`,
        `Suspension of ${who(cause.person)} starts`,
      );
    case 'suspension-ends':
      return tr(
        lang,
        `Opschorting van ${who(cause.person)} eindigt`,
        `Suspension of ${who(cause.person)} ends`,
      );
  }
  return cause.text;
}

function changeInWords(
  lang: ConsoleLanguage,
  change: AccessTimeline['changes'][number]['people'][number],
): string {
  if (!change.after.allowed && change.losses.length > 0)
    return tr(lang, 'verliest de toegang tot alle onderdelen', 'loses access to all sections');
  const parts: string[] = [];
  if (change.gains.length > 0)
    parts.push(
      tr(
        lang,
        `krijgt toegang tot ${sectionList(lang, change.gains)}`,
        `gains ${sectionList(lang, change.gains)}`,
      ),
    );
  if (change.losses.length > 0)
    parts.push(
      tr(lang, `verliest ${sectionList(lang, change.losses)}`, `loses ${sectionList(lang, change.losses)}`),
    );
  if (change.before.accessRole !== change.after.accessRole && change.after.accessRole === 'administrator')
    parts.push(tr(lang, 'wordt portaalbeheerder', 'becomes portal administrator'));
  return parts.join(tr(lang, ' en ', ' and ')) || tr(lang, 'andere grondslag', 'another basis');
}

function basisList(basis: readonly BasisItem[]): SafeHtml {
  return html`<ul>
    ${basis.map((b) => html`<li>${b.kind === 'rule' ? html`<strong>${b.rule}</strong> ` : ''}${b.text}</li>`)}
  </ul>`;
}

/** The client overview: who the client is, who has access and why, and what changes when. */
export const clientPage: ConsolePage = {
  method: 'get',
  path: '/clients/:patientId',
  async handle(ctx: ConsoleContext) {
    const { lang } = ctx;
    const patientId = String(ctx.req.params.patientId ?? '');
    const access = await ctx.run<ClientAccess>('clientAccess', { patientId });
    const timeline = await ctx.run<AccessTimeline>('accessTimeline', { patientId });
    const names = new Map(access.people.map((p) => [p.reference, p.name ?? p.reference]));
    const base = `/clients/${encodeURIComponent(patientId)}`;
    const relationText = (p: { relation: string; parentalAuthority?: boolean }) =>
      label(
        lang,
        RELATION_LABELS,
        p.relation === 'parent' && p.parentalAuthority ? 'parent with authority' : p.relation,
      );
    const details = html`<dl>
      <dt>${tr(lang, 'Geboortedatum', 'Date of birth')}</dt>
      <dd>
        ${
          access.birthDate
            ? html`${formatDate(lang, access.birthDate)} (${access.age} ${tr(lang, 'jaar', 'years')})`
            : tr(lang, 'onbekend', 'unknown')
        }
      </dd>
      <dt>${tr(lang, 'Zorgperiode', 'Care period')}</dt>
      ${
        access.care.length === 0
          ? html`<dd>${tr(lang, 'geen zorgovereenkomst', 'no care agreement')}</dd>`
          : access.care.map(
              (c) =>
                html`<dd>
                  ${formatDate(lang, c.start) || '…'} –
                  ${c.end ? formatDate(lang, c.end) : tr(lang, 'lopend', 'ongoing')}
                </dd>`,
            )
      }
      <dt>${tr(lang, 'Portaal', 'Portal')}</dt>
      <dd>
        ${access.portalOpen ? tr(lang, 'open', 'open') : tr(lang, 'gesloten', 'closed')}
        (${access.portalBasis.rule}: ${access.portalBasis.text})
      </dd>
      <dt>${tr(lang, 'Portaalbeheerder', 'Portal administrator')}</dt>
      <dd>
        ${
          access.administrator
            ? (names.get(access.administrator) ?? access.administrator)
            : tr(lang, 'geen', 'none')
        }
      </dd>
      ${
        access.capacity
          ? html`<dt>${tr(lang, 'Wilsbekwaamheid', 'Capacity assessment')}</dt>
              <dd>
                ${
                  access.capacity.capable
                    ? tr(lang, 'in staat de eigen belangen te overzien', 'able to weigh their own interests')
                    : tr(lang, 'niet in staat', 'not able')
                }
                ${access.capacity.assessedOn ? html`(${formatDate(lang, access.capacity.assessedOn)})` : ''}
              </dd>`
          : ''
      }
      <dt>${tr(lang, 'Id', 'Id')}</dt>
      <dd>${access.patientId}</dd>
    </dl>`;
    const table = html`<table>
      <caption>
        ${tr(lang, 'Toegang op', 'Access on')} ${formatMoment(lang, access.at)}
      </caption>
      <thead>
        <tr>
          <th scope="col">${tr(lang, 'Persoon', 'Person')}</th>
          <th scope="col">${tr(lang, 'Relatie', 'Relation')}</th>
          <th scope="col">${tr(lang, 'Toegang', 'Access')}</th>
          <th scope="col">${tr(lang, 'Onderdelen', 'Sections')}</th>
          <th scope="col">${tr(lang, 'Waarom', 'Why')}</th>
          <th scope="col">${tr(lang, 'Account', 'Account')}</th>
        </tr>
      </thead>
      <tbody>
        ${access.people.map(
          (p) =>
            html`<tr>
              <th scope="row">${p.name ?? p.reference}</th>
              <td>
                ${relationText(p)}${p.relationCurrent ? '' : html` (${tr(lang, 'beëindigd', 'ended')})`}
              </td>
              <td>${p.allowed ? tr(lang, 'Ja', 'Yes') : tr(lang, 'Nee', 'No')}</td>
              <td>${p.sections.length > 0 ? sectionList(lang, p.sections) : '—'}</td>
              <td>
                ${whyInWords(lang, p, access)}
                <details>
                  <summary>${tr(lang, 'Regels van de beslissing (Engels)', "The decision's rules")}</summary>
                  ${basisList(p.basis)}
                </details>
              </td>
              <td>
                ${
                  p.accounts.length === 0
                    ? tr(lang, 'geen', 'none')
                    : p.accounts.map(
                        (a) =>
                          html`${tr(lang, 'gekoppeld', 'linked')} ${formatDate(lang, a.linkedAt.slice(0, 10))} `,
                      )
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
    const suspensions =
      access.suspensions.length === 0
        ? ''
        : html`<h2>${tr(lang, 'Opschortingen', 'Suspensions')}</h2>
            <ul>
              ${access.suspensions.map(
                (s) =>
                  html`<li>
                    ${s.principal ? (names.get(s.principal) ?? s.principal) : tr(lang, 'Het hele portaal', 'The whole portal')}:
                    ${tr(lang, 'van', 'from')} ${formatMoment(lang, s.startsAt)}
                    ${s.endsAt ? html`${tr(lang, 'tot', 'until')} ${formatMoment(lang, s.endsAt)}` : tr(lang, 'tot opheffing', 'until lifted')}
                    — ${s.reason}
                  </li>`,
              )}
            </ul>`;
    const changes =
      timeline.changes.length === 0
        ? html`<p>
            ${tr(lang, 'Het komende jaar verandert de toegang niet vanzelf.', 'Access does not change by itself in the coming year.')}
          </p>`
        : html`<table>
            <caption>
              ${tr(lang, 'Komende veranderingen tot', 'Coming changes until')}
              ${formatDate(lang, timeline.until.slice(0, 10))}
            </caption>
            <thead>
              <tr>
                <th scope="col">${tr(lang, 'Datum', 'Date')}</th>
                <th scope="col">${tr(lang, 'Wat gebeurt er', 'What happens')}</th>
                <th scope="col">${tr(lang, 'Wat verandert er voor wie', 'What changes for whom')}</th>
              </tr>
            </thead>
            <tbody>
              ${timeline.changes.map(
                (c) =>
                  html`<tr>
                    <th scope="row"><time datetime="${c.at}">${formatDate(lang, c.day)}</time></th>
                    <td>${c.causes.map((x) => html`${causeInWords(lang, x, names)} (${x.rule})<br />`)}</td>
                    <td>
                      <ul>
                        ${c.people.map(
                          (p) =>
                            html`<li>
                              ${p.name ?? p.reference}
                              (${label(lang, RELATION_LABELS, p.relation).toLowerCase()}):
                              ${changeInWords(lang, p)}
                            </li>`,
                        )}
                      </ul>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`;
    const actions = html`<ul>
      <li>
        <a href="${ctx.href(`${base}/access`)}"
          >${tr(lang, 'Toegang opschorten, blokkeren of het portaal sluiten', 'Suspend, block or close the portal')}</a
        >
      </li>
      <li><a href="${ctx.href(`${base}/link-codes`)}">${tr(lang, 'Koppelcodes', 'Link codes')}</a></li>
      <li>
        <a href="${ctx.href(`${base}/administrator`)}"
          >${tr(lang, 'Portaalbeheerder', 'Portal administrator')}</a
        >
      </li>
      ${
        ctx.may('clientAuditLog')
          ? html`<li>
              <a href="${ctx.href(`/audit?patientId=${encodeURIComponent(patientId)}`)}"
                >${tr(lang, 'Auditlog van deze cliënt', "This client's audit log")}</a
              >
            </li>`
          : ''
      }
    </ul>`;
    ctx.page(
      access.name,
      html`${details}
        <h2>${tr(lang, 'Wie heeft toegang, en waarom', 'Who has access, and why')}</h2>
        ${table} ${suspensions}
        <h2>${tr(lang, 'Wat verandert er', 'What will change')}</h2>
        ${changes}
        <h2>${tr(lang, 'Acties', 'Actions')}</h2>
        ${actions}`,
    );
  },
};
