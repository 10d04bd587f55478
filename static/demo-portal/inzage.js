/* global FHIR, document, DemoTexts, DemoFhir */
// "Wie heeft mijn dossier ingezien": the client's access log, read through the gateway as
// AuditEvent (newest first, a page at a time, within a period). The gateway serves it to the
// client's steward only (the client, the representative in the client's place, the portal
// administrator); anyone else gets an empty log with an outcome saying so, and this page explains.
// Every text from the log is shown as text (textContent), never parsed as HTML.
'use strict';

(function () {
  const { t, when, apply } = DemoTexts;
  const { el, outcomeText, statusOf } = DemoFhir;

  const PAGE = 20;
  const REPORT_CATEGORY = '11591000146107';
  const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
  const RESTFUL = 'http://hl7.org/fhir/restful-interaction';

  /** The kind of data of a resource type, as the portal's sections name it (a text key). */
  const KIND_OF_TYPE = {
    Patient: 'basicDetails',
    RelatedPerson: 'kindRelations',
    CarePlan: 'carePlan',
    Goal: 'goals',
    Appointment: 'appointments',
    MedicationRequest: 'medication',
    DocumentReference: 'documents',
    Consent: 'kindConsents',
    Task: 'kindRequests',
    AuditEvent: 'kindLog',
  };

  /** Where the log is: the first page's query, the pages seen (for "newer"), the current one. */
  const state = { client: undefined, patientId: undefined, pages: [], index: 0, names: new Map() };

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function agentOf(event, code) {
    return (event.agent || []).find((a) => ((a.type && a.type.coding) || []).some((c) => c.code === code));
  }

  /** "administrator (curator)" as the page's words: each part through the role table. */
  function roleText(role) {
    if (typeof role !== 'string' || role === '') return t('unknownRole');
    const match = /^([a-z-]+)(?: \(([a-z-]+)\))?$/.exec(role);
    if (!match) return role;
    const word = (code) => DemoTexts.role(code);
    return match[2] ? `${word(match[1])} (${word(match[2])})` : word(match[1]);
  }

  /** Who a reference is: "u" for the client looking at their own log, else a name when known. */
  async function personText(reference) {
    if (!reference) return '';
    if (reference === `Patient/${state.patientId}`) {
      const own = state.names.get(reference);
      return own ? `${own} (${t('theClient')})` : t('theClient');
    }
    if (state.names.has(reference)) return state.names.get(reference);
    if (/^RelatedPerson\/[A-Za-z0-9\-.]{1,64}$/.test(reference)) {
      try {
        const person = await state.client.request(reference);
        const name = ((person && person.name) || [])[0];
        const full = name && (name.text || [...(name.given || []), name.family].filter(Boolean).join(' '));
        if (full) {
          state.names.set(reference, full);
          return full;
        }
      } catch {
        // Not shown to this user: the reference itself says who.
      }
    }
    return reference;
  }

  /** What the request did, in words. */
  function interactionText(event) {
    const restful = (event.subtype || []).find((c) => c.system === RESTFUL);
    const code = restful ? restful.code : ((event.subtype || [])[0] || {}).code;
    const query = queryOf(event);
    if (code === 'operation' && /\$everything/.test(query)) return t('didEverything');
    const key = {
      read: 'didRead',
      vread: 'didRead',
      'search-type': 'didSearch',
      'history-instance': 'didHistory',
      create: 'didCreate',
      delete: 'didDelete',
    }[code];
    return key ? t(key) : t('didOther');
  }

  function queryOf(event) {
    const entity = (event.entity || []).find(
      (e) => e.role && e.role.system === OBJECT_ROLE && e.role.code === '24',
    );
    return (entity && entity.description) || '';
  }

  /** "Rapportages (3), Metingen (1)": the kinds of data the answer showed, with how many. */
  function shownText(event) {
    const query = queryOf(event);
    const counts = new Map();
    for (const entity of event.entity || []) {
      if (!entity.role || entity.role.system !== OBJECT_ROLE || entity.role.code !== '4') continue;
      const type = String((entity.what && entity.what.reference) || '').split('/')[0];
      let key = KIND_OF_TYPE[type];
      if (type === 'Observation')
        key = query.includes(REPORT_CATEGORY)
          ? 'reports'
          : query.includes('vital-signs')
            ? 'measurements'
            : 'kindObservations';
      key = key || 'kindOther';
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    if (counts.size === 0) return t('shownNothing');
    return [...counts].map(([key, n]) => `${t(key)} (${n})`).join(', ');
  }

  function outcomeOf(event) {
    return event.outcome === '0' ? 'allowed' : event.outcome === '4' ? 'refused' : 'failed';
  }

  async function eventItem(event) {
    const user = agentOf(event, 'IRCP');
    const responsible = agentOf(event, 'RESP');
    const who =
      (user && user.who && user.who.display) ||
      (user && user.who && user.who.reference) ||
      t('unknownPerson');
    const onBehalf = responsible && responsible.who ? await personText(responsible.who.reference) : '';
    const outcome = outcomeOf(event);
    const moment = event.recorded || (event.period && event.period.start) || '';
    return el(
      'li',
      { 'data-outcome': outcome, 'data-id': event.id },
      el('p', { class: 'when' }, el('time', { datetime: moment }, when(moment))),
      el(
        'dl',
        {},
        el('dt', {}, t('logWho')),
        el('dd', { class: 'who' }, who),
        el('dt', {}, t('logRole')),
        el('dd', { class: 'role' }, roleText(user && user.role && user.role[0] && user.role[0].text)),
        ...(onBehalf
          ? [el('dt', {}, t('logOnBehalfOf')), el('dd', { class: 'on-behalf-of' }, onBehalf)]
          : []),
        el('dt', {}, t('logWhat')),
        el('dd', { class: 'what' }, `${interactionText(event)}: ${shownText(event)}`),
        el('dt', {}, t('logOutcome')),
        el('dd', { class: 'outcome' }, t(`outcome-${outcome}`)),
      ),
    );
  }

  /** The query of a first page: the patient, the period (whole Dutch days, as the browser's), the size. */
  function firstQuery(form) {
    const parts = [`patient=Patient/${state.patientId}`, `_count=${PAGE}`, '_total=accurate'];
    const from = form.elements.from.value;
    const until = form.elements.until.value;
    if (from) parts.push(`date=ge${new Date(`${from}T00:00:00`).toISOString()}`);
    if (until) {
      const end = new Date(`${until}T00:00:00`);
      end.setDate(end.getDate() + 1);
      parts.push(`date=lt${end.toISOString()}`);
    }
    return `AuditEvent?${parts.join('&')}`;
  }

  async function show(url) {
    const target = document.getElementById('log');
    target.setAttribute('data-state', 'loading');
    target.setAttribute('aria-busy', 'true');
    text('log-status', t('loading'));
    let bundle;
    try {
      bundle = await state.client.request(url);
    } catch (error) {
      const status = statusOf(error);
      target.replaceChildren();
      target.setAttribute('data-state', status === 403 ? 'forbidden' : 'error');
      target.removeAttribute('aria-busy');
      text(
        'log-status',
        status === 403
          ? [t('logNoScope'), outcomeText(error) ? `(${outcomeText(error)})` : ''].filter(Boolean).join(' ')
          : [t('logFailed'), status, outcomeText(error)].filter(Boolean).join(' '),
      );
      return;
    }
    const entries = (bundle && bundle.entry) || [];
    const events = entries.map((e) => e.resource).filter((r) => r && r.resourceType === 'AuditEvent');
    const refused = entries.some(
      (e) =>
        e.search &&
        e.search.mode === 'outcome' &&
        e.resource &&
        e.resource.resourceType === 'OperationOutcome',
    );
    for (const event of events) {
      const user = agentOf(event, 'IRCP');
      if (user && user.who && user.who.reference && user.who.display)
        state.names.set(user.who.reference, user.who.display);
    }
    const items = [];
    for (const event of events) items.push(await eventItem(event));
    target.removeAttribute('aria-busy');
    if (refused && events.length === 0) {
      target.setAttribute('data-state', 'not-steward');
      target.replaceChildren(el('p', { class: 'explanation' }, t('logNotSteward')));
      text('log-status', '');
      document.getElementById('period').hidden = true;
    } else if (events.length === 0) {
      target.setAttribute('data-state', 'none');
      target.replaceChildren(el('p', {}, t('logNone')));
      text('log-status', '');
    } else {
      target.setAttribute('data-state', 'shown');
      target.replaceChildren(el('ol', { class: 'items', start: state.index * PAGE + 1 }, ...items));
      if (typeof bundle.total === 'number') {
        const first = state.index * PAGE + 1;
        text(
          'log-status',
          t('logCount')
            .replace('{from}', String(first))
            .replace('{to}', String(first + events.length - 1))
            .replace('{total}', String(bundle.total)),
        );
      } else text('log-status', '');
    }
    const next = ((bundle && bundle.link) || []).find((l) => l.relation === 'next');
    state.next = next && next.url;
    document.getElementById('older').hidden = !state.next;
    document.getElementById('newer').hidden = state.index === 0;
  }

  async function firstPage(form) {
    state.pages = [firstQuery(form)];
    state.index = 0;
    await show(state.pages[0]);
  }

  apply('logTitle');
  FHIR.oauth2
    .ready()
    .then(async (client) => {
      apply('logTitle');
      state.client = client;
      state.patientId = client.patient.id;
      document.getElementById('access-log').hidden = false;
      if (!state.patientId) return;
      const form = document.getElementById('period');
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const { from, until } = form.elements;
        if (from.value && until.value && from.value > until.value) {
          text('log-status', t('logPeriodWrong'));
          return;
        }
        void firstPage(form);
      });
      document.getElementById('older').addEventListener('click', () => {
        if (!state.next) return;
        state.pages = state.pages.slice(0, state.index + 1).concat([state.next]);
        state.index += 1;
        void show(state.pages[state.index]);
      });
      document.getElementById('newer').addEventListener('click', () => {
        if (state.index === 0) return;
        state.index -= 1;
        void show(state.pages[state.index]);
      });
      await firstPage(form);
      document.getElementById('log').setAttribute('data-loaded', 'true');
    })
    .catch((err) => {
      const error = document.getElementById('error');
      error.textContent = `${t('loginFailed')}: ${err.message}`;
      error.hidden = false;
    });
})();
