import type { Appointment, Observation, Resource } from '@medplum/fhirtypes';
import { decideRequest } from '../../../src/fhir';
import { CODE_SYSTEM } from '../../../src/vocabulary';
import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';

/**
 * The request channel (M-9, M-10) and the only writes: a Task filed through the portal API, kept by
 * the gateway, answered by the organisation, read back by who filed it; every other write 405.
 */
describe('the request channel', () => {
  let api: FhirApiUnderTest;
  /** Meerzicht: the client authorised the first contact person (reports, care plan, appointments, basic details). */
  let clientId: string;
  let patient: `Patient/${string}`;
  let client: LoggedIn;
  let firstContact: LoggedIn;
  let otherPatient: `Patient/${string}`;

  beforeAll(async () => {
    api = await startFhirApi();
    clientId = api.data.scenarios.firstContactAuthorised;
    patient = api.gateway.patientOf(clientId);
    client = await api.login(patient);
    firstContact = await api.login(patient, api.gateway.relationOf(clientId, 'first-contact-person'));
    otherPatient = api.gateway.patientOf(api.data.scenarios.withWithdrawnAuthorisation);
  });
  afterAll(async () => {
    await api?.close();
  });

  const request = (code = 'correction', extra: Record<string, unknown> = {}) => ({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: CODE_SYSTEM.dataSubjectRequest, code }] },
    for: { reference: patient },
    description: 'Mijn telefoonnummer in het dossier klopt niet meer.',
    ...extra,
  });
  const post = (token: string, body: unknown, path = '/Task') =>
    api.fhir(token, path, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
    });
  /** A resource of the client's dossier upstream (upstream ids: the sandbox's Patient is the ECD client id). */
  const dossier = <T extends Resource>(type: T['resourceType'], where: (r: T) => boolean): T => {
    const found = api.data.resources.find((r) => r.resourceType === type && where(r as T)) as T | undefined;
    if (!found) throw new Error(`no ${type} in the sandbox for this test`);
    return found;
  };
  const ofClient = (id: string) => (r: Appointment) =>
    (r.participant ?? []).some((p) => p.actor?.reference === `Patient/${id}`);
  const measurementOf = (id: string) => (o: Observation) =>
    o.subject?.reference === `Patient/${id}` &&
    (o.category ?? []).some((c) => (c.coding ?? []).some((k) => k.code === 'vital-signs'));

  it('FHIR-OWN-4, M-9: the client files a request; 201 with Location and the Task as the gateway keeps it', async () => {
    const answer = await post(client.accessToken, request('transfer'));
    expect(answer.status).toBe(201);
    const task = answer.body;
    expect(task).toMatchObject({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      code: { coding: [{ system: CODE_SYSTEM.dataSubjectRequest, code: 'transfer', display: 'Transfer' }] },
      for: { reference: patient },
      requester: { reference: patient },
      owner: { reference: 'Organization/meerzicht' },
      meta: { versionId: '1' },
    });
    expect(task.id).toMatch(/^request-/);
    expect(task.authoredOn).toBe(task.meta.lastUpdated);
    expect(answer.headers.get('location')).toBe(`${api.fhirBase}/Task/${task.id}/_history/1`);
    expect(answer.headers.get('etag')).toBe('W/"1"');

    const read = await api.fhir(client.accessToken, `/Task/${task.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(task);
  });

  it('FHIR-OWN-5, M-10: the first contact person reports an inaccuracy about an appointment they can see', async () => {
    const appointment = dossier<Appointment>('Appointment', ofClient(clientId));
    const answer = await post(
      firstContact.accessToken,
      request('correction', {
        focus: { reference: `Appointment/${appointment.id}` },
        input: [{ type: { text: 'juiste tijd' }, valueString: 'Het was om 14:00, niet om 10:00.' }],
      }),
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      requester: { reference: api.gateway.relationOf(clientId, 'first-contact-person') },
      focus: { reference: `Appointment/${appointment.id}` },
      input: [{ type: { text: 'juiste tijd' }, valueString: 'Het was om 14:00, niet om 10:00.' }],
    });
  });

  it('FHIR-OWN-6: a focus the caller may not see and a focus that does not exist get the same 400', async () => {
    // The first contact person was not granted measurements; the other is another client's appointment.
    const hidden = dossier<Observation>('Observation', measurementOf(clientId));
    const otherClients = dossier<Appointment>(
      'Appointment',
      ofClient(api.data.scenarios.withWithdrawnAuthorisation),
    );
    const answers = await Promise.all(
      [`Observation/${hidden.id}`, `Appointment/${otherClients.id}`, 'Observation/does-not-exist'].map(
        (ref) => post(firstContact.accessToken, request('erasure', { focus: { reference: ref } })),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.body.issue[0].details.text).toBe(
        'Task.focus: not a resource of the dossier that you can see',
      );
    }
    // The client sees their own measurements: the same focus is accepted from them.
    const own = await post(
      client.accessToken,
      request('erasure', { focus: { reference: `Observation/${hidden.id}` } }),
    );
    expect(own.status).toBe(201);
  });

  it.each([
    [
      'code',
      { code: { coding: [{ system: CODE_SYSTEM.dataSubjectRequest, code: 'deletion' }] } },
      'Task.code.coding[0].code',
    ],
    [
      'system',
      { code: { coding: [{ system: 'http://example.org/other', code: 'erasure' }] } },
      'Task.code.coding[0].system',
    ],
    ['status', { status: 'accepted' }, 'Task.status'],
    ['intent', { intent: 'plan' }, 'Task.intent'],
    ['a field the gateway sets', { requester: { reference: 'Patient/x' } }, 'Task.requester'],
    ['meta', { meta: { security: [{ code: 'R' }] } }, 'Task.meta'],
    ['narrative', { text: { status: 'generated', div: '<div>x</div>' } }, 'Task.text'],
    ['a long description', { description: 'x'.repeat(2001) }, 'Task.description'],
    ['an empty description', { description: '   ' }, 'Task.description'],
    ['no description', { description: undefined }, 'Task.description'],
    [
      'a focus that is no reference',
      { focus: { reference: 'https://elsewhere.example/Observation/1' } },
      'Task.focus.reference',
    ],
    ['another resource type', { resourceType: 'Observation' }, 'Task.resourceType'],
  ])('FHIR-OWN-7: a request with a wrong %s gets 400 naming the field', async (_what, change, field) => {
    const body = { ...request(), ...change } as Record<string, unknown>;
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    const answer = await post(client.accessToken, body);
    expect(answer.status).toBe(400);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    expect(answer.body.issue[0].details.text).toContain(field);
  });

  it('FHIR-OWN-7: a body that is not JSON, or not an object, gets 400', async () => {
    const notJson = await api.fhir(client.accessToken, '/Task', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: '{"resourceType":',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.resourceType).toBe('OperationOutcome');
    const list = await post(client.accessToken, [request()]);
    expect(list.status).toBe(400);
  });

  it('FHIR-OWN-8: a request about another patient is refused 403, and nothing is kept', async () => {
    const answer = await post(
      client.accessToken,
      request('correction', { for: { reference: otherPatient } }),
    );
    expect(answer.status).toBe(403);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    const mine = await api.fhir(client.accessToken, `/Task?patient=${patient}`);
    expect(
      mine.body.entry.every(
        (e: { resource: { for: { reference: string } } }) => e.resource.for.reference === patient,
      ),
    ).toBe(true);
  });

  it('FHIR-OWN-9: someone without access to the dossier (a grant withdrawn since login) cannot file or read requests', async () => {
    // The first contact person of another client logs in, files a request, then the client
    // withdraws the authorisation in the ECD (M-3): from the next request on there is no access.
    const other = api.data.scenarios.withWithdrawnAuthorisation;
    const otherRef = api.gateway.patientOf(other);
    const relation = api.gateway.relationOf(other, 'first-contact-person');
    const person = await api.login(otherRef, relation);
    const filed = await post(person.accessToken, { ...request(), for: { reference: otherRef } });
    expect(filed.status).toBe(201);

    const exp = structuredClone(api.data.exports.find((e) => e.clients.some((c) => c.id === other))!);
    const relationId = exp.relations.find(
      (r) => r.clientId === other && r.role === 'first-contact-person',
    )!.id;
    for (const a of exp.portalAuthorisations)
      if (a.clientId === other && a.granteeRelationId === relationId)
        a.withdrawal = { requestReceivedAt: new Date().toISOString() };
    exp.exportedAt = new Date().toISOString();
    await api.gateway.importExport(exp);

    const answer = await post(person.accessToken, { ...request(), for: { reference: otherRef } });
    if (answer.status === 401)
      throw new Error('the withdrawal revoked the token: this test needs another way');
    expect(answer.status).toBe(403);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    expect((await api.fhir(person.accessToken, `/Task/${filed.body.id}`)).status).toBe(404);
    const search = await api.fhir(person.accessToken, `/Task?patient=${otherRef}`);
    expect(search.status).toBe(200);
    expect(search.body.entry ?? []).toEqual([]);
  });

  it('FHIR-OWN-10, M-9: the requester reads their own requests; the client (steward) reads all; nobody else', async () => {
    const byClient = await post(client.accessToken, request('completion'));
    const byFirst = await post(firstContact.accessToken, request('correction'));
    expect([byClient.status, byFirst.status]).toEqual([201, 201]);
    const firstRef = api.gateway.relationOf(clientId, 'first-contact-person');

    // The first contact person reads their own, not the client's: the one 404.
    expect((await api.fhir(firstContact.accessToken, `/Task/${byFirst.body.id}`)).status).toBe(200);
    const hidden = await api.fhir(firstContact.accessToken, `/Task/${byClient.body.id}`);
    const missing = await api.fhir(firstContact.accessToken, '/Task/request-does-not-exist');
    expect(hidden.status).toBe(404);
    expect(hidden.text.replace(/request id [^"]+/, '')).toBe(missing.text.replace(/request id [^"]+/, ''));

    // Searches: only their own, by patient or by requester.
    const theirs = await api.fhir(firstContact.accessToken, `/Task?patient=${patient}`);
    expect(theirs.status).toBe(200);
    const requesters = theirs.body.entry.map(
      (e: { resource: { requester: { reference: string } } }) => e.resource.requester.reference,
    );
    expect(requesters.length).toBeGreaterThan(0);
    expect(new Set(requesters)).toEqual(new Set([firstRef]));
    const byRequester = await api.fhir(firstContact.accessToken, `/Task?requester=${patient}`);
    expect(byRequester.body.entry ?? []).toEqual([]);

    // The client sees every request about them, by whoever filed it.
    const all = await api.fhir(client.accessToken, `/Task?patient=${patient}`);
    const ids = all.body.entry.map((e: { resource: { id: string } }) => e.resource.id);
    expect(ids).toEqual(expect.arrayContaining([byClient.body.id, byFirst.body.id]));
    const filtered = await api.fhir(client.accessToken, `/Task?requester=${firstRef}`);
    expect(filtered.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain(
      byFirst.body.id,
    );
    expect(
      filtered.body.entry.every(
        (e: { resource: { requester: { reference: string } } }) =>
          e.resource.requester.reference === firstRef,
      ),
    ).toBe(true);
  });

  it("FHIR-OWN-11, M-9: the organisation's decision and reasons reach the requester", async () => {
    const filed = await post(firstContact.accessToken, request('erasure'));
    expect(filed.status).toBe(201);
    const store = api.gateway.running.store;
    await decideRequest(
      store,
      {
        taskId: filed.body.id,
        status: 'in-progress',
        reason: 'We bekijken uw verzoek met de behandelaar.',
        actor: { kind: 'staff', account: 'secretariaat-1' },
      },
      api.gateway.running.audit,
    );
    await decideRequest(
      store,
      {
        taskId: filed.body.id,
        status: 'rejected',
        reason: 'Deze rapportage moeten wij wettelijk bewaren (Wgbo art. 7:454).',
        actor: { kind: 'staff', account: 'secretariaat-1' },
      },
      api.gateway.running.audit,
    );
    const read = await api.fhir(firstContact.accessToken, `/Task/${filed.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      status: 'rejected',
      statusReason: { text: 'Deze rapportage moeten wij wettelijk bewaren (Wgbo art. 7:454).' },
      businessStatus: { text: 'Rejected by the organisation' },
      meta: { versionId: '3' },
      note: [
        { text: 'We bekijken uw verzoek met de behandelaar.' },
        { text: 'Deze rapportage moeten wij wettelijk bewaren (Wgbo art. 7:454).' },
      ],
    });
    expect(read.text).not.toContain('secretariaat');
    // Settled: no further decision.
    await expect(
      decideRequest(
        store,
        {
          taskId: filed.body.id,
          status: 'completed',
          reason: 'toch gedaan',
          actor: { kind: 'staff', account: 'secretariaat-1' },
        },
        api.gateway.running.audit,
      ),
    ).rejects.toMatchObject({ code: 'ERR_REQUEST_SETTLED' });
  });

  it('FHIR-OWN-12: searches of Tasks for another patient, or with what cannot be answered, are refused 400', async () => {
    for (const query of [
      `patient=${otherPatient}`,
      `subject=${otherPatient}`,
      `patient=${patient}&_include=Task:requester`,
      '_has:Consent:patient:status=active',
      'requester:missing=true',
      'patient.name=x',
    ]) {
      const answer = await api.fhir(client.accessToken, `/Task?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('FHIR-OWN-13, M-11: every other write is 405 with an OperationOutcome, whatever the scopes', async () => {
    const filed = await post(client.accessToken, request());
    const id = filed.body.id as string;
    const json = { 'content-type': 'application/fhir+json' };
    const attempts: [string, string, unknown][] = [
      ['PUT', `/Task/${id}`, { ...filed.body, status: 'completed' }],
      ['PATCH', `/Task/${id}`, [{ op: 'replace', path: '/status', value: 'completed' }]],
      ['DELETE', `/Task/${id}`, undefined],
      ['POST', '/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' } }],
      ['PUT', `/Patient/${client.patientId}`, { resourceType: 'Patient', id: client.patientId }],
      ['DELETE', `/Patient/${client.patientId}`, undefined],
      ['POST', '/RelatedPerson', { resourceType: 'RelatedPerson' }],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await api.fhir(client.accessToken, path, {
        method,
        headers: json,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect([method, path, answer.status]).toEqual([method, path, 405]);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
    const still = await api.fhir(client.accessToken, `/Task/${id}`);
    expect(still.body).toMatchObject({ status: 'requested', meta: { versionId: '1' } });
  });
});
