/* global FHIR, document, DemoTexts, DemoFhir */
// The request channel (M-9, M-10): a Task asking the care organisation to correct, complete, erase
// or transfer the client's data, filed through the gateway; and the user's requests with their
// status and the organisation's reasons. The session is the one the login made (fhirclient keeps it
// in sessionStorage), so this page needs no login of its own.
'use strict';

(function () {
  const { t, when, apply, taskStatus } = DemoTexts;
  const { el, fetchPart, outcomeText, statusOf, conceptText } = DemoFhir;

  const REQUEST_SYSTEM = 'https://inzage.example/fhir/CodeSystem/data-subject-request';
  const KINDS = ['correction', 'completion', 'erasure', 'transfer'];

  function kindOf(task) {
    const coding = ((task.code && task.code.coding) || []).find((c) => c.system === REQUEST_SYSTEM);
    return coding && KINDS.includes(coding.code) ? t(coding.code) : conceptText(task.code);
  }

  /** The organisation's reasons: the status reason, the business status and the notes. */
  function reasonsOf(task) {
    return [
      conceptText(task.statusReason),
      conceptText(task.businessStatus),
      ...(task.note || []).map((n) => n.text),
    ].filter((text) => typeof text === 'string' && text !== '');
  }

  function requestItem(task) {
    const reasons = reasonsOf(task);
    return el(
      'li',
      { 'data-status': task.status },
      el('p', {}, el('strong', {}, kindOf(task))),
      el('p', {}, `${t('status')}: ${taskStatus(task.status)}`),
      task.authoredOn ? el('p', { class: 'when' }, `${t('filedOn')} ${when(task.authoredOn)}`) : undefined,
      task.description ? el('p', {}, task.description) : undefined,
      reasons.length > 0
        ? el('div', {}, el('p', {}, `${t('reasons')}:`), el('ul', {}, ...reasons.map((r) => el('li', {}, r))))
        : undefined,
    );
  }

  async function showRequests(client, patientId) {
    const target = document.getElementById('requests');
    target.replaceChildren(el('p', {}, t('loading')));
    target.setAttribute('data-state', 'loading');
    const outcome = await fetchPart(client, `Task?patient=Patient/${patientId}&_count=50`);
    if (outcome.kind === 'shown') {
      const tasks = outcome.resources
        .filter((r) => r.resourceType === 'Task')
        .sort((a, b) => String(b.authoredOn || '').localeCompare(String(a.authoredOn || '')));
      target.replaceChildren(el('ul', { class: 'items' }, ...tasks.map(requestItem)));
    } else if (outcome.kind === 'none') {
      target.replaceChildren(el('p', {}, t('noRequests')));
    } else {
      target.replaceChildren(el('p', {}, [t('requestsFailed'), outcome.text].filter(Boolean).join(' ')));
    }
    target.setAttribute('data-state', outcome.kind);
  }

  async function file(client, patientId, form) {
    const outcome = document.getElementById('outcome');
    const kind = form.elements.kind.value;
    const description = form.elements.description.value.trim();
    outcome.removeAttribute('data-result');
    if (!KINDS.includes(kind) || description === '') {
      outcome.textContent = !KINDS.includes(kind) ? t('chooseKind') : t('describe');
      outcome.setAttribute('data-result', 'invalid');
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    outcome.textContent = t('submitting');
    try {
      const task = {
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: { coding: [{ system: REQUEST_SYSTEM, code: kind }] },
        for: { reference: `Patient/${patientId}` },
        description,
      };
      await client.request({
        url: 'Task',
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(task),
      });
      outcome.textContent = t('submitted');
      outcome.setAttribute('data-result', 'filed');
      form.reset();
      await showRequests(client, patientId);
    } catch (error) {
      const status = statusOf(error);
      const reason = outcomeText(error) || (status === undefined ? error.message : String(status));
      outcome.textContent = `${t('submitFailed')} ${reason}`;
      outcome.setAttribute('data-result', 'refused');
    } finally {
      button.disabled = false;
    }
  }

  apply('requestTitle');
  FHIR.oauth2
    .ready()
    .then(async (client) => {
      apply('requestTitle');
      document.getElementById('request').hidden = false;
      const patientId = client.patient.id;
      if (!patientId) return;
      document.getElementById('request-form').addEventListener('submit', (event) => {
        event.preventDefault();
        void file(client, patientId, event.currentTarget);
      });
      await showRequests(client, patientId);
    })
    .catch((err) => {
      const error = document.getElementById('error');
      error.textContent = `${t('loginFailed')}: ${err.message}`;
      error.hidden = false;
    });
})();
