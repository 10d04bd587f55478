/* global FHIR, document, DemoTexts, DemoFhir */
// Completes the launch (code for token, in the browser: the gateway's CORS lets this origin in) and
// shows the dossier: each section read through the gateway with fhirclient, in the patient's
// compartment. What the gateway does not show is simply absent; the page says so per section.
'use strict';

(function () {
  const { t, when, between, apply } = DemoTexts;
  const { el, fetchPart, conceptText, quantityText } = DemoFhir;

  /** Nursing reports: the SNOMED category of the patient contact report ("patiëntcontactverslag"). */
  const REPORT_CATEGORY = '11591000146107';
  const PAGE = 50;

  /**
   * The sections, in the order of the portal's menu. `id` is the portal section's code (as the
   * gateway's CodeSystem names it); each part is one request in the patient's compartment.
   */
  const SECTIONS = [
    { id: 'basic-details', title: 'basicDetails', parts: (p) => [`Patient/${p}`], render: basicDetails },
    {
      id: 'reports',
      title: 'reports',
      parts: (p) => [`Observation?patient=Patient/${p}&category=${REPORT_CATEGORY}&_count=${PAGE}`],
      render: (resources) => list(resources, report),
    },
    {
      id: 'measurements',
      title: 'measurements',
      parts: (p) => [`Observation?patient=Patient/${p}&category=vital-signs&_count=${PAGE}`],
      render: (resources) => list(resources, measurement),
    },
    {
      id: 'care-plan',
      title: 'carePlan',
      parts: (p) => [
        `CarePlan?patient=Patient/${p}&_count=${PAGE}`,
        `Goal?patient=Patient/${p}&_count=${PAGE}`,
      ],
      render: carePlan,
    },
    {
      id: 'appointments',
      title: 'appointments',
      parts: (p) => [`Appointment?patient=Patient/${p}&_count=${PAGE}`],
      render: (resources) => list(resources, appointment),
    },
    {
      id: 'medication',
      title: 'medication',
      parts: (p) => [`MedicationRequest?patient=Patient/${p}&_count=${PAGE}`],
      render: (resources) => list(resources, medication),
    },
    {
      id: 'documents',
      title: 'documents',
      parts: (p) => [`DocumentReference?patient=Patient/${p}&_count=${PAGE}`],
      render: (resources) => list(resources, documentItem),
    },
  ];

  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  /** The page's heading and title, kept in the page's language when it is switched. */
  function setTitle(key) {
    document.getElementById('title').setAttribute('data-t', key);
    apply(key);
  }

  /** The moment a resource is about, for sorting (newest first) and showing. */
  function momentOf(resource) {
    return (
      resource.effectiveDateTime ||
      (resource.effectivePeriod && resource.effectivePeriod.start) ||
      resource.start ||
      resource.authoredOn ||
      resource.date ||
      resource.created ||
      (resource.period && resource.period.start) ||
      resource.startDate ||
      ''
    );
  }

  function newestFirst(resources) {
    return [...resources].sort((a, b) => String(momentOf(b)).localeCompare(String(momentOf(a))));
  }

  function list(resources, item) {
    return el('ul', { class: 'items' }, ...newestFirst(resources).map((r) => el('li', {}, ...item(r))));
  }

  function whenLine(value) {
    const text = when(value);
    return text ? el('p', { class: 'when' }, text) : undefined;
  }

  function personName(resource) {
    const name = (resource.name || [])[0];
    if (!name) return '';
    return name.text || [...(name.given || []), name.family].filter(Boolean).join(' ');
  }

  function definitions(rows) {
    return el(
      'dl',
      {},
      ...rows
        .filter(([, value]) => value)
        .flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]),
    );
  }

  function basicDetails(resources) {
    const patient = resources.find((r) => r.resourceType === 'Patient');
    if (!patient) return el('p', {}, t('noAccessOrNone'));
    const genders = { male: t('male'), female: t('female'), other: t('other'), unknown: t('unknown') };
    return definitions([
      [t('name'), personName(patient)],
      [t('birthDate'), when(patient.birthDate)],
      [t('gender'), genders[patient.gender] || patient.gender],
      [t('organisation'), patient.managingOrganization && patient.managingOrganization.display],
    ]);
  }

  function report(observation) {
    return [
      whenLine(momentOf(observation)),
      el(
        'p',
        {},
        observation.valueString ||
          conceptText(observation.valueCodeableConcept) ||
          conceptText(observation.code),
      ),
      ...(observation.note || []).map((note) => el('p', {}, note.text || '')),
    ];
  }

  function measurement(observation) {
    const values = observation.valueQuantity
      ? [quantityText(observation.valueQuantity)]
      : (observation.component || []).map((c) => `${conceptText(c.code)}: ${quantityText(c.valueQuantity)}`);
    return [
      whenLine(momentOf(observation)),
      el('p', {}, el('strong', {}, conceptText(observation.code))),
      ...values.filter(Boolean).map((value) => el('p', {}, value)),
    ];
  }

  function carePlan(resources) {
    const plans = newestFirst(resources.filter((r) => r.resourceType === 'CarePlan'));
    const goals = resources.filter((r) => r.resourceType === 'Goal');
    const body = el('div', {});
    if (plans.length > 0) {
      body.append(
        el(
          'ul',
          { class: 'items' },
          ...plans.map((plan) =>
            el(
              'li',
              {},
              el('p', {}, el('strong', {}, plan.title || conceptText((plan.category || [])[0]))),
              plan.period && plan.period.start
                ? el('p', { class: 'when' }, `${t('from')} ${when(plan.period.start)}`)
                : undefined,
              plan.description ? el('p', {}, plan.description) : undefined,
              el(
                'ul',
                {},
                ...(plan.activity || [])
                  .map((a) => a.detail && a.detail.description)
                  .filter(Boolean)
                  .map((text) => el('li', {}, text)),
              ),
            ),
          ),
        ),
      );
    }
    if (goals.length > 0) {
      body.append(
        el('h3', {}, t('goals')),
        el(
          'ul',
          { class: 'items' },
          ...goals.map((goal) =>
            el(
              'li',
              {},
              el('p', {}, conceptText(goal.description)),
              goal.startDate ? el('p', { class: 'when' }, `${t('from')} ${when(goal.startDate)}`) : undefined,
            ),
          ),
        ),
      );
    }
    return body;
  }

  function appointment(resource) {
    return [
      resource.start ? el('p', { class: 'when' }, between(resource.start, resource.end)) : undefined,
      el('p', {}, resource.description || conceptText((resource.serviceType || [])[0]) || resource.status),
    ];
  }

  function medication(request) {
    const dose = (request.dosageInstruction || [])
      .map((d) => d.text)
      .filter(Boolean)
      .join('; ');
    return [
      whenLine(request.authoredOn),
      el(
        'p',
        {},
        el(
          'strong',
          {},
          conceptText(request.medicationCodeableConcept) ||
            (request.medicationReference && request.medicationReference.display) ||
            '',
        ),
      ),
      dose ? el('p', {}, `${t('dose')}: ${dose}`) : undefined,
    ];
  }

  /** A plain-text attachment, decoded (UTF-8); undefined for anything else. */
  function attachmentText(attachment) {
    if (!attachment || !attachment.data || !/^text\/plain\b/.test(attachment.contentType || ''))
      return undefined;
    try {
      const bytes = Uint8Array.from(atob(attachment.data), (c) => c.charCodeAt(0));
      return new TextDecoder('utf-8').decode(bytes);
    } catch {
      return undefined;
    }
  }

  function documentItem(reference) {
    const attachment = ((reference.content || [])[0] || {}).attachment;
    const text = attachmentText(attachment);
    return [
      whenLine(reference.date),
      el(
        'p',
        {},
        el(
          'strong',
          {},
          reference.description || conceptText(reference.type) || (attachment && attachment.title) || '',
        ),
      ),
      text
        ? el(
            'details',
            {},
            el('summary', {}, conceptText(reference.type) || t('documents')),
            el('pre', {}, text),
          )
        : undefined,
    ];
  }

  /** One section: its heading, then what the gateway showed or why nothing is there. */
  async function loadSection(client, patientId, section) {
    const headingId = `heading-${section.id}`;
    const state = el('p', { class: 'state' }, t('loading'));
    const element = el(
      'section',
      {
        id: `section-${section.id}`,
        'aria-labelledby': headingId,
        'data-state': 'loading',
        'aria-busy': 'true',
      },
      el('h2', { id: headingId }, t(section.title)),
      state,
    );
    document.getElementById('sections').append(element);
    const outcomes = await Promise.all(section.parts(patientId).map((path) => fetchPart(client, path)));
    const resources = outcomes.flatMap((o) => (o.kind === 'shown' ? o.resources : []));
    const forbidden = outcomes.find((o) => o.kind === 'forbidden');
    const failed = outcomes.find((o) => o.kind === 'error');
    element.removeAttribute('aria-busy');
    if (resources.length > 0) {
      element.setAttribute('data-state', 'shown');
      state.remove();
      element.append(section.render(resources));
    } else if (failed) {
      element.setAttribute('data-state', 'error');
      state.textContent = [t('loadFailed'), failed.text].filter(Boolean).join(' ');
    } else if (forbidden) {
      element.setAttribute('data-state', 'forbidden');
      state.textContent = [t('noScope'), forbidden.text ? `(${forbidden.text})` : '']
        .filter(Boolean)
        .join(' ');
    } else {
      element.setAttribute('data-state', 'none');
      state.textContent = t('noAccessOrNone');
    }
  }

  apply('loggingIn');
  FHIR.oauth2
    .ready()
    .then(async (client) => {
      const token = client.state.tokenResponse || {};
      show('fhir-user', client.getFhirUser() || '–');
      show('patient', client.patient.id ? `Patient/${client.patient.id}` : '–');
      show('scopes', token.scope || '–');
      show('expires', client.state.expiresAt ? new Date(client.state.expiresAt * 1000).toISOString() : '–');
      show('refresh', token.refresh_token ? t('yes') : t('no'));
      // Again now that fhirclient took the code and state out of the address (the language switch).
      setTitle('dossierTitle');
      document.getElementById('dossier').hidden = false;
      if (!client.patient.id) return;
      // One after another: the menu's order, and no burst of parallel requests from one page.
      for (const section of SECTIONS) await loadSection(client, client.patient.id, section);
      document.getElementById('sections').setAttribute('data-loaded', 'true');
    })
    .catch((err) => {
      setTitle('loginFailed');
      const error = document.getElementById('error');
      error.textContent = err.message;
      error.hidden = false;
    });
})();
