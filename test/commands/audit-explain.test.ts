import { auditRecordsOfRequest, type AuditRecord } from '../../src/audit';
import { explainAuditRecord, parseAuditedRequest } from '../../src/commands/audit-explain';
import { createPolicyEngine, parseRequestLine } from '../../src/consent';
import { administratorRegistrationsOf } from '../../src/ecd';
import { requestLine, type FhirRequest } from '../../src/fhir';
import { CODE_SYSTEM } from '../../src/vocabulary';
import {
  PORTAL_REDIRECT,
  PORTAL_SCOPES,
  startFhirApi,
  type FhirAnswer,
  type FhirApiUnderTest,
} from '../fhir/support/api';
import { ORGANISATIONS, freshEmail } from '../smart/support/gateway';
import { codeFor, exchangePublic } from '../smart/support/oauth';

/**
 * `inzage audit explain`: a FHIR request's record, found by the response's X-Request-Id, replayed on
 * the facts of its moment, through real requests to the FHIR API.
 */
const GRANT_APP = 'grant-app';
const GRANT_SCOPES = `${PORTAL_SCOPES} patient/Consent.cd`;

describe('inzage audit explain', () => {
  let api: FhirApiUnderTest;
  let patient: `Patient/${string}`;
  let secondRef: string;
  let admin: string;
  let second: string;
  let observation: string;

  const loginGrantApp = async (person: string): Promise<string> => {
    const registered = await api.gateway.register(freshEmail('explain'), patient, person);
    const got = await codeFor(api.gateway, registered, {
      clientId: GRANT_APP,
      redirectUri: PORTAL_REDIRECT,
      scope: GRANT_SCOPES,
    });
    const token = await exchangePublic(api.gateway, got, GRANT_APP);
    expect(token.status).toBe(200);
    return String(token.body.access_token);
  };
  const store = () => api.gateway.running.store;
  /** A fresh engine each time: a test's engine does not listen for changes, so it must not cache. */
  const explain = (id: string) =>
    explainAuditRecord(
      store(),
      createPolicyEngine(ORGANISATIONS, store(), {
        administratorRegistrations: administratorRegistrationsOf,
      }),
      id,
    );
  const recordOf = async (answer: FhirAnswer): Promise<AuditRecord> => {
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const records = await auditRecordsOfRequest(store(), requestId!);
    expect(records).toHaveLength(1);
    return records[0]!;
  };

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
    second = await loginGrantApp(secondRef);
    const found = await api.fhir(admin, `/Observation?patient=${patient}&category=vital-signs&_count=1`);
    expect(found.status).toBe(200);
    observation = String(found.body.entry[0].resource.id);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('AUDIT-EXPLAIN-1: a permitted read replays as PERMIT and agrees with its record (exit 0)', async () => {
    const read = await api.fhir(admin, `/Observation/${observation}`);
    expect(read.status).toBe(200);
    const record = await recordOf(read);
    const outcome = await explain(record.id);
    expect(outcome.stderr).toBe('');
    // On a failure, the output says what differed.
    expect(outcome.exitCode === 0 ? 0 : outcome.stdout).toBe(0);
    expect(outcome.stdout).toContain(`AuditEvent  ${record.id}`);
    expect(outcome.stdout).toContain(`who         ${patient}`);
    expect(outcome.stdout).toContain('app         grant-app');
    expect(outcome.stdout).toContain(`what        read: read Observation/${observation}`);
    expect(outcome.stdout).toContain('outcome     success 200');
    expect(outcome.stdout).toContain(`Replayed for ${record.entry.at.toISOString()}`);
    expect(outcome.stdout).toContain(`PERMIT  ${patient} → ${patient}`);
    expect(outcome.stdout).toMatch(/^AGREES {2}the replay is PERMIT/m);
  });

  it('AUDIT-EXPLAIN-2: a refused read replays as DENY and agrees with its record (exit 1)', async () => {
    const read = await api.fhir(second, `/Observation/${observation}`);
    expect(read.status).toBe(404);
    const outcome = await explain((await recordOf(read)).id);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stdout).toContain('outcome     refused 404 ERR_NOT_FOUND');
    expect(outcome.stdout).toContain(`DENY  ${secondRef} → ${patient}`);
    expect(outcome.stdout).toMatch(/^AGREES {2}the replay is DENY/m);
  });

  it('AUDIT-EXPLAIN-3: a read permitted by a Consent withdrawn since still replays as PERMIT for then, while the live decision is DENY', async () => {
    const granted = await api.fhir(admin, '/Consent', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Consent',
        status: 'active',
        patient: { reference: patient },
        provision: {
          type: 'permit',
          actor: [{ reference: { reference: secondRef } }],
          code: [{ coding: [{ system: CODE_SYSTEM.portalSection, code: 'measurements' }] }],
        },
      }),
    });
    expect(granted.status).toBe(201);
    const read = await api.fhir(second, `/Observation/${observation}`);
    expect(read.status).toBe(200);
    const record = await recordOf(read);
    const withdrawn = await api.fhir(admin, `/Consent/${granted.body.id}`, { method: 'DELETE' });
    expect(withdrawn.status).toBe(200);
    expect((await api.fhir(second, `/Observation/${observation}`)).status).toBe(404);

    const outcome = await explain(record.id);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toContain(`PERMIT  ${secondRef} → ${patient}`);
    expect(outcome.stdout).toContain(`Consent/${granted.body.id} permit measurements`);
    expect(outcome.stdout).toMatch(/^now {9}DENY on today's facts/m);
    expect(outcome.stdout).toMatch(/^AGREES/m);

    // What `inzage explain` asks without --at: the engine's entry point on the live facts.
    const engine = createPolicyEngine(ORGANISATIONS, store(), {
      administratorRegistrations: administratorRegistrationsOf,
    });
    const live = engine.checkWith(
      await engine.facts(patient),
      { user: secondRef as never, patient },
      parseRequestLine(`GET /Observation/${observation}`, new Date()),
    );
    expect(live.allowed).toBe(false);
    const then = engine.checkWith(
      await engine.factsAsOf(patient, record.entry.at),
      { user: secondRef as never, patient },
      parseRequestLine(`GET /Observation/${observation}`, record.entry.at),
    );
    expect(then.allowed).toBe(true);
  });

  it('AUDIT-EXPLAIN-4: a record that says more was shown than the replay allows DIFFERS (exit 4)', async () => {
    const read = await api.fhir(second, `/Observation/${observation}`);
    expect(read.status).toBe(404);
    const refused = await recordOf(read);
    // A record as a faulty gateway would have written it: the same request, answered with data.
    const forged = await api.gateway.running.audit.record({
      ...refused.entry,
      outcome: 'success',
      status: 200,
      outcomeText: undefined,
      requestId: `forged-${refused.id}`,
      entities: [`Observation/${observation}`],
      basis: [{ kind: 'consent', ref: 'Consent/made-up', verdict: 'permit', section: 'measurements' }],
    } as never);
    const outcome = await explain(forged.id);
    expect(outcome.exitCode).toBe(4);
    expect(outcome.stdout).toMatch(/^DIFFERS {2}the replay is DENY/m);
    expect(outcome.stdout).toContain(
      'basis recorded, not in the replay: Consent/made-up permit measurements',
    );
    expect(outcome.stdout).toContain(
      'outcome: the record shows 1 resource(s) shown, but the replay allows nothing',
    );
  });

  it("AUDIT-EXPLAIN-5: Consent reads (the FHIR API's own rule) and other kinds of record are shown, not replayed (exit 5); an unknown id is exit 2", async () => {
    const consents = await api.fhir(admin, `/Consent?patient=${patient}`);
    expect(consents.status).toBe(200);
    const own = await explain((await recordOf(consents)).id);
    expect(own.exitCode).toBe(5);
    expect(own.stdout).toContain("NOT REPLAYED  a Consent request is decided by the FHIR API's own rule");

    const login = await api.gateway.running.audit.record({
      kind: 'login',
      action: 'E',
      at: new Date(),
      outcome: 'success',
      actor: { account: 'account-x' },
      interaction: 'password',
    });
    const shown = await explain(login.id);
    expect(shown.exitCode).toBe(5);
    expect(shown.stdout).toContain('kind        login (action E)');
    expect(shown.stdout).toContain('NOT REPLAYED  a login record is not a decision of the consent engine');

    const unauthenticated = await api.fhir(undefined, '/Observation');
    expect(unauthenticated.status).toBe(401);
    const before = await explain((await recordOf(unauthenticated)).id);
    expect(before.exitCode).toBe(5);
    expect(before.stdout).toContain(
      'NOT REPLAYED  no consent decision was made: the request was refused before it (401',
    );

    expect(await explain('00000000-0000-4000-8000-000000000000')).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('no audit record with id'),
    });
    expect((await explain('not-a-uuid')).exitCode).toBe(2);
  });

  it('AUDIT-EXPLAIN-6: the recorded request line reads back as the request step 4 decided', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const line = (request: Partial<FhirRequest>) =>
      requestLine({
        method: 'GET',
        headOnly: false,
        parameters: [],
        interaction: 'search',
        ...request,
      } as FhirRequest);
    const search = line({
      resourceType: 'Observation',
      compartment: { resourceType: 'Patient', id: 'p1' },
      parameters: [
        { name: 'category', value: 'vital-signs,laboratory' },
        { name: 'date', modifier: 'missing', value: 'true' },
        { name: 'code', value: 'a&b=c d\\,e' },
      ],
    });
    expect(parseAuditedRequest(search, at)).toEqual({
      interaction: 'search',
      resourceType: 'Observation',
      parameters: [
        { name: 'category', value: 'vital-signs,laboratory' },
        { name: 'date', modifier: 'missing', value: 'true' },
        { name: 'code', value: 'a&b=c d\\,e' },
      ],
      at,
    });
    expect(
      parseAuditedRequest(line({ interaction: 'read', resourceType: 'Observation', id: 'o1' }), at),
    ).toEqual({
      interaction: 'read',
      resourceType: 'Observation',
      id: 'o1',
      parameters: [],
      at,
    });
    expect(
      parseAuditedRequest(
        line({ interaction: 'vread', resourceType: 'Observation', id: 'o1', versionId: '2' }),
        at,
      ),
    ).toMatchObject({ interaction: 'vread', id: 'o1', versionId: '2' });
    expect(
      parseAuditedRequest(line({ interaction: 'history', resourceType: 'Observation', id: 'o1' }), at),
    ).toMatchObject({ interaction: 'history', id: 'o1' });
    expect(
      parseAuditedRequest(
        line({ interaction: 'everything', resourceType: 'Patient', id: 'p1', operation: '$everything' }),
        at,
      ),
    ).toEqual({ interaction: 'read', resourceType: 'Patient', id: 'p1', parameters: [], at });
    expect(parseAuditedRequest('delete-all Observation', at)).toBe("unknown interaction 'delete-all'");
    expect(parseAuditedRequest('read observation/x', at)).toBe("not a resource type: 'observation'");
  });
});
