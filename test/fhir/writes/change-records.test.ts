import { findAuditRecords, type AuditEntry } from '../../../src/audit';
import { decideRequest } from '../../../src/fhir';
import { CODE_SYSTEM } from '../../../src/vocabulary';
import { freshEmail } from '../../smart/support/gateway';
import { codeFor, exchangePublic } from '../../smart/support/oauth';
import { PORTAL_REDIRECT, PORTAL_SCOPES, startFhirApi, type FhirApiUnderTest } from '../support/api';

/**
 * The FHIR API's writes (a grant, its withdrawal, a request of the request channel) and the
 * organisation's decision on a request each record their change inside their own transaction:
 * a change is never kept without its record, even when step 8 then fails to record the request.
 */
const GRANT_APP = 'grant-app';
const GRANT_SCOPES = `${PORTAL_SCOPES} patient/Consent.cd`;

describe('changes through the FHIR API in the audit trail', () => {
  let api: FhirApiUnderTest;
  let patient: `Patient/${string}`;
  let secondRef: string;
  let admin: string;
  let requester: string;
  let requesterPatient: `Patient/${string}`;

  const loginGrantApp = async (person: string): Promise<string> => {
    const registered = await api.gateway.register(freshEmail('grant'), patient, person);
    const got = await codeFor(api.gateway, registered, {
      clientId: GRANT_APP,
      redirectUri: PORTAL_REDIRECT,
      scope: GRANT_SCOPES,
    });
    const token = await exchangePublic(api.gateway, got, GRANT_APP);
    expect(token.status).toBe(200);
    return String(token.body.access_token);
  };
  const grantOf = (grantee: string, sections: string[]) => ({
    resourceType: 'Consent',
    status: 'active',
    patient: { reference: patient },
    provision: {
      type: 'permit',
      actor: [{ reference: { reference: grantee } }],
      code: sections.map((code) => ({ coding: [{ system: CODE_SYSTEM.portalSection, code }] })),
    },
  });
  const taskOf = (code: string) => ({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: CODE_SYSTEM.dataSubjectRequest, code }] },
    for: { reference: requesterPatient },
    description: 'Mijn telefoonnummer in het dossier klopt niet meer.',
  });
  const post = (token: string, path: string, body: unknown, requestId: string) =>
    api.fhir(token, path, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', 'x-request-id': requestId },
      body: JSON.stringify(body),
    });
  const store = () => api.gateway.running.store;
  const trail = () => api.gateway.running.audit;
  const ofRequest = async (requestId: string): Promise<AuditEntry[]> =>
    (await findAuditRecords(store(), {})).filter((r) => r.entry.requestId === requestId).map((r) => r.entry);
  const count = async (type: string, patientRef: string) => {
    const rows = await store().query<{ n: string }>(
      'SELECT count(*) AS n FROM fhir_resource WHERE resource_type = $1 AND patient_id = $2',
      [type, patientRef.slice('Patient/'.length)],
    );
    return Number(rows[0]!.n);
  };
  /** Makes the trail's insert of one kind fail inside the database, for the length of `work`. */
  async function withRefusedKind<T>(kind: string, work: () => Promise<T>): Promise<T> {
    await store().query(
      `ALTER TABLE audit_event ADD CONSTRAINT test_refused CHECK (kind <> '${kind}') NOT VALID`,
    );
    try {
      return await work();
    } finally {
      await store().query('ALTER TABLE audit_event DROP CONSTRAINT test_refused');
    }
  }

  beforeAll(async () => {
    api = await startFhirApi({
      apps: [
        {
          id: GRANT_APP,
          name: 'Grant app',
          type: 'public',
          redirectUris: [PORTAL_REDIRECT],
          scopes: GRANT_SCOPES,
        },
      ],
    });
    const clientId = api.data.scenarios.administratorGrantedSections;
    patient = api.gateway.patientOf(clientId);
    secondRef = api.gateway.relationOf(clientId, 'second-contact-person');
    admin = await loginGrantApp(patient);
    const meerzicht = api.data.scenarios.firstContactAuthorised;
    requesterPatient = api.gateway.patientOf(meerzicht);
    requester = (await api.login(requesterPatient)).accessToken;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('AUDIT-CHANGE-11: a grant and its withdrawal through FHIR each write a consent-change record beside the request record, with the same request id', async () => {
    const granted = await post(admin, '/Consent', grantOf(secondRef, ['measurements']), 'grant-request-0001');
    expect(granted.status).toBe(201);
    const records = await ofRequest('grant-request-0001');
    expect(records.map((e) => e.kind).sort()).toEqual(['consent-change', 'fhir-request']);
    const change = records.find((e) => e.kind === 'consent-change')!;
    expect(change).toMatchObject({
      action: 'C',
      outcome: 'success',
      clientApp: GRANT_APP,
      actor: { person: patient },
      patient,
      interaction: 'grant',
      entities: [`Consent/${granted.body.id}/_history/1`],
      basis: [{ kind: 'rule', ref: 'A-3' }],
      detail: { change: 'grant', subject: secondRef, sections: 'measurements' },
    });
    const request = records.find((e) => e.kind === 'fhir-request')!;
    expect(change.actor?.account).toBe(request.actor?.account);

    const withdrawn = await api.fhir(admin, `/Consent/${granted.body.id}`, {
      method: 'DELETE',
      headers: { 'x-request-id': 'withdraw-request-01' },
    });
    expect(withdrawn.status).toBe(200);
    expect((await ofRequest('withdraw-request-01')).find((e) => e.kind === 'consent-change')).toMatchObject({
      action: 'D',
      interaction: 'withdrawal',
      entities: [`Consent/${granted.body.id}/_history/2`],
    });
  });

  it('AUDIT-CHANGE-12: a grant whose record cannot be written is not made; one whose request record (step 8) fails is made and recorded all the same', async () => {
    const before = await count('Consent', patient);
    const refused = await withRefusedKind('consent-change', () =>
      post(admin, '/Consent', grantOf(secondRef, ['reports']), 'grant-refused-0001'),
    );
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).toContain('nothing was changed');
    expect(await count('Consent', patient)).toBe(before);
    expect((await ofRequest('grant-refused-0001')).map((e) => e.kind)).toEqual(['fhir-request']);

    // The gap this closes: the change commits with its own record before step 8 records the request.
    const unaudited = await withRefusedKind('fhir-request', () =>
      post(admin, '/Consent', grantOf(secondRef, ['reports']), 'grant-step8-fails1'),
    );
    expect(unaudited.status).toBe(503);
    expect(await count('Consent', patient)).toBe(before + 1);
    const [change] = await ofRequest('grant-step8-fails1');
    expect(change).toMatchObject({ kind: 'consent-change', action: 'C', detail: { sections: 'reports' } });
  });

  it("AUDIT-CHANGE-13: a request filed through FHIR and the organisation's decision each write a request-channel record; neither happens without it", async () => {
    const filed = await post(requester, '/Task', taskOf('correction'), 'task-request-00001');
    expect(filed.status).toBe(201);
    const change = (await ofRequest('task-request-00001')).find((e) => e.kind === 'request-channel');
    expect(change).toMatchObject({
      action: 'C',
      outcome: 'success',
      actor: { person: requesterPatient },
      patient: requesterPatient,
      interaction: 'filed',
      entities: [`Task/${filed.body.id}/_history/1`],
      detail: { request: 'correction', status: 'requested' },
    });
    // The requester's words stay in the Task: the trail says what kind of request, not what it says.
    expect(JSON.stringify(change)).not.toContain('telefoonnummer');

    await decideRequest(
      store(),
      {
        taskId: filed.body.id,
        status: 'accepted',
        reason: 'Wij passen het aan.',
        actor: { kind: 'staff', account: 'secretariaat-1' },
      },
      trail(),
    );
    const [decided] = await findAuditRecords(store(), {
      kinds: ['request-channel'],
      newestFirst: true,
      limit: 1,
    });
    expect(decided!.entry).toMatchObject({
      action: 'U',
      actor: { account: 'staff:secretariaat-1', role: 'staff', onBehalfOf: 'Organization/meerzicht' },
      patient: requesterPatient,
      interaction: 'decided',
      entities: [`Task/${filed.body.id}/_history/2`],
      detail: { status: 'accepted' },
    });

    const tasks = await count('Task', requesterPatient);
    const refused = await withRefusedKind('request-channel', async () => {
      const answer = await post(requester, '/Task', taskOf('erasure'), 'task-refused-00001');
      await expect(
        decideRequest(
          store(),
          {
            taskId: filed.body.id,
            status: 'completed',
            reason: 'Gedaan.',
            actor: { kind: 'staff', account: 'secretariaat-1' },
          },
          trail(),
        ),
      ).rejects.toThrow();
      return answer;
    });
    expect(refused.status).toBe(503);
    expect(await count('Task', requesterPatient)).toBe(tasks);
    const read = await api.fhir(requester, `/Task/${filed.body.id}`);
    expect(read.body).toMatchObject({ status: 'accepted', meta: { versionId: '2' } });
  });
});
