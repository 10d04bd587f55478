import type { AuditEvent, Bundle, HumanName, Resource } from '@medplum/fhirtypes';
import { auditRecordsOfRequest, countAuditRecords, type AuditEntry } from '../../../src/audit';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { resourcesOf } from '../support/leak-check';

/**
 * The FHIR side of the audit trail (issue 11, items 1 and 4): every request's record carries every
 * field NEN 7513 asks for, read back from the trail by the request's X-Request-Id; and the client's
 * access log is served as AuditEvent, through the same pipeline as any read, to the client's steward
 * alone (src/fhir/audit-log/access.ts).
 */
describe('the FHIR API and the audit trail', () => {
  let api: FhirApiUnderTest;
  /** Meerzicht: the client authorised the first contact person for some sections. */
  let clientId: string;
  let patient: `Patient/${string}`;
  let firstRef: string;
  let client: LoggedIn;
  let first: LoggedIn;
  /** Another Meerzicht client, with a login of their own. */
  let otherId: string;
  let otherPatient: `Patient/${string}`;
  let other: LoggedIn;

  const store = () => api.gateway.running.store;
  /** The trail's records of a request, by the X-Request-Id of its answer. */
  const recordsOf = async (answer: FhirAnswer) => {
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    return auditRecordsOfRequest(store(), requestId!);
  };
  const entryOf = async (answer: FhirAnswer): Promise<AuditEntry> => {
    const records = await recordsOf(answer);
    expect(records).toHaveLength(1);
    return records[0]!.entry;
  };
  const claims = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      jti: string;
      sub: string;
    };
  const nameOf = (resource: { name?: HumanName[] }) => {
    const name = resource.name![0]!;
    return name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ');
  };
  const events = (answer: FhirAnswer): AuditEvent[] =>
    ((answer.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
  const requestIdOf = (event: AuditEvent) =>
    event.entity?.find((e) => e.type?.code === 'XrequestId')?.what?.identifier?.value;
  const patientsOf = (event: AuditEvent) =>
    (event.entity ?? []).filter((e) => e.role?.code === '1').map((e) => e.what?.reference);
  const log = (token: string, query = '') => api.fhir(token, `/AuditEvent?patient=${patient}${query}`);
  const observationOf = (id: string) => resourcesOf(api.data, id, 'Observation')[0]!.id!;

  beforeAll(async () => {
    api = await startFhirApi();
    clientId = api.data.scenarios.firstContactAuthorised;
    patient = api.gateway.patientOf(clientId);
    firstRef = api.gateway.relationOf(clientId, 'first-contact-person');
    client = await api.login(patient);
    first = await api.login(patient, firstRef);
    otherId = api.data.scenarios.elderlyCare.find(
      (c) => c !== clientId && resourcesOf(api.data, c, 'Observation').length > 0,
    )!;
    otherPatient = api.gateway.patientOf(otherId);
    other = await api.login(otherPatient);
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('item 1: what a FHIR request records', () => {
    it('AUDIT-FHIR-1: a read records the account, person, name, role, address, token, app, query, entity, basis, the four checks and the policy', async () => {
      const id = observationOf(clientId);
      const answer = await api.fhir(client.accessToken, `/Observation/${id}`);
      expect(answer.status).toBe(200);
      const own = await api.fhir(client.accessToken, `/Patient/${client.patientId}`);
      const entry = await entryOf(answer);
      const token = claims(client.accessToken);
      expect(entry).toMatchObject({
        kind: 'fhir-request',
        action: 'R',
        outcome: 'success',
        status: 200,
        requestId: answer.headers.get('x-request-id'),
        actor: { account: token.sub, person: patient, name: nameOf(own.body), role: 'client' },
        clientApp: 'portal-app',
        tokenId: token.jti,
        patient,
        interaction: 'read',
        query: `read Observation/${id}`,
        entities: [`Observation/${id}`],
        checks: { authorisation: true, careRelationship: true, consent: false, breakGlass: false },
        policy: 'meerlanden-2026-01',
      });
      expect(entry.actor!.onBehalfOf).toBeUndefined();
      expect(entry.actor!.address).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
      expect(entry.basis!.length).toBeGreaterThan(0);
      expect(entry.outcomeText).toBeUndefined();
    });

    it('AUDIT-FHIR-2: a relative searching under a Consent is recorded in their role, on behalf of its grantor, with the consent check and every entry shown', async () => {
      const answer = await api.fhir(first.accessToken, '/Observation?_count=2');
      expect(answer.status).toBe(200);
      const shown = events(answer).map((r) => `${(r as Resource).resourceType}/${r.id}`);
      expect(shown.length).toBeGreaterThan(0);
      const relation = await api.fhir(client.accessToken, `/${firstRef}`);
      const entry = await entryOf(answer);
      expect(entry).toMatchObject({
        outcome: 'success',
        actor: {
          person: firstRef,
          name: nameOf(relation.body),
          role: 'delegate (first-contact-person)',
          onBehalfOf: patient,
        },
        tokenId: claims(first.accessToken).jti,
        interaction: 'search',
        query: 'search Observation?_count=2',
        entities: shown,
        checks: { authorisation: true, careRelationship: true, consent: true, breakGlass: false },
      });
      expect(entry.basis!.some((b) => b.kind === 'consent' && b.verdict === 'permit')).toBe(true);
    });

    it("AUDIT-FHIR-3: a cursor page's record carries the search it continues, not only its type", async () => {
      const firstPage = await api.fhir(client.accessToken, '/Observation?_count=2&_sort=-date');
      const next = (firstPage.body as Bundle).link?.find((l) => l.relation === 'next')?.url;
      expect(next).toContain('_cursor=');
      const page = await api.fhir(client.accessToken, next!.slice(api.fhirBase.length));
      expect(page.status).toBe(200);
      const entry = await entryOf(page);
      expect(entry.query).toBe('search Observation?_count=2&_sort=-date (further page)');
      expect(entry.entities).toEqual(events(page).map((r) => `Observation/${r.id}`));
    });

    it('AUDIT-FHIR-4: a refused read (the one 404) is recorded as refused with its code, who asked, and nothing shown', async () => {
      const answer = await api.fhir(client.accessToken, `/Observation/${observationOf(otherId)}`);
      expect(answer.status).toBe(404);
      const entry = await entryOf(answer);
      expect(entry).toMatchObject({
        outcome: 'refused',
        status: 404,
        outcomeText: 'ERR_NOT_FOUND',
        actor: { person: patient, role: 'client' },
        tokenId: claims(client.accessToken).jti,
        patient,
        interaction: 'read',
        checks: { authorisation: true, careRelationship: true, consent: false, breakGlass: false },
      });
      expect(entry.entities).toBeUndefined();
    });

    it('AUDIT-FHIR-5: a request without a token (401) is recorded with its address, its code and every check false', async () => {
      const answer = await api.fhir(undefined, '/Observation');
      expect(answer.status).toBe(401);
      const entry = await entryOf(answer);
      expect(entry).toMatchObject({
        outcome: 'refused',
        status: 401,
        outcomeText: 'ERR_NO_TOKEN',
        checks: { authorisation: false, careRelationship: false, consent: false, breakGlass: false },
      });
      expect(entry.actor).toEqual({ address: expect.stringMatching(/127\.0\.0\.1|::1/) });
      expect(entry.patient).toBeUndefined();
      expect(entry.tokenId).toBeUndefined();
    });

    it("AUDIT-FHIR-6: an $everything stream's record lists every resource the Bundle sent", async () => {
      const answer = await api.fhir(client.accessToken, `/Patient/${client.patientId}/$everything`);
      expect(answer.status).toBe(200);
      const sent = ((answer.body as Bundle).entry ?? []).map(
        (e) => `${e.resource!.resourceType}/${e.resource!.id}`,
      );
      expect(sent.length).toBeGreaterThan(3);
      const entry = await entryOf(answer);
      expect(entry).toMatchObject({
        outcome: 'success',
        status: 200,
        action: 'R',
        interaction: 'everything',
        actor: { person: patient, role: 'client' },
        tokenId: claims(client.accessToken).jti,
        entities: sent,
        policy: 'meerlanden-2026-01',
      });
    });
  });

  describe("item 4: the client's access log as AuditEvent", () => {
    it("AUDIT-FHIR-7: A-7: the client reads their log, newest first, with the reader's name and role and what was read; no address, account or token id", async () => {
      const id = observationOf(clientId);
      const read = await api.fhir(first.accessToken, `/Observation?_count=1`);
      const readId = read.headers.get('x-request-id');
      const answer = await log(client.accessToken, '&_count=50');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      const found = events(answer);
      expect(found.length).toBeGreaterThan(3);
      for (const event of found) expect(patientsOf(event)).toEqual([patient]);
      const recorded = found.map((e) => e.recorded!);
      expect([...recorded].sort().reverse()).toEqual(recorded);
      const theirs = found.find((e) => requestIdOf(e) === readId)!;
      expect(theirs).toBeDefined();
      const user = theirs.agent.find((a) => a.requestor)!;
      expect(user.who).toMatchObject({ reference: firstRef });
      expect(user.who!.display).toBeTruthy();
      expect(user.role![0]!.text).toBe('delegate (first-contact-person)');
      expect(user.policy).toEqual(['meerlanden-2026-01']);
      expect(theirs.agent.find((a) => a.type?.coding?.[0]?.code === 'RESP')?.who?.reference).toBe(patient);
      expect(theirs.outcome).toBe('0');
      expect(theirs.extension?.[0]?.valueString).toBe('TTTF');
      // For the client: nothing of the reader's network address, account or token.
      const text = JSON.stringify(found);
      expect(text).not.toContain('127.0.0.1');
      expect(text).not.toContain(claims(first.accessToken).jti);
      expect(text).not.toContain(claims(first.accessToken).sub);
      expect(text).not.toContain('"network"');
      // The client's own earlier read is there too.
      expect(found.some((e) => e.entity?.some((x) => x.what?.reference === `Observation/${id}`))).toBe(true);
    });

    it('AUDIT-FHIR-8: patient=Patient/x, the bare id, no patient and the compartment form give the same log; _total=accurate is counted by the gateway', async () => {
      const before = new Date(Date.now() + 1).toISOString();
      const ids = async (path: string) => {
        const answer = await api.fhir(client.accessToken, `${path}date=lt${before}&_count=100`);
        expect([path, answer.status]).toEqual([path, 200]);
        return events(answer).map((e) => e.id);
      };
      const typed = await ids(`/AuditEvent?patient=${patient}&`);
      expect(typed.length).toBeGreaterThan(3);
      expect(await ids(`/AuditEvent?patient=${client.patientId}&`)).toEqual(typed);
      expect(await ids('/AuditEvent?')).toEqual(typed);
      expect(await ids(`/Patient/${client.patientId}/AuditEvent?`)).toEqual(typed);
      const total = await api.fhir(
        client.accessToken,
        `/AuditEvent?_total=accurate&date=lt${before}&_count=1`,
      );
      expect(total.body.total).toBe(
        await countAuditRecords(store(), { patientId: client.patientId, to: new Date(before) }),
      );
      expect(total.body.total).toBe(typed.length);
    });

    it('AUDIT-FHIR-9: date (ge, gt, le, lt on recorded) and _sort=date narrow and order the log', async () => {
      const start = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      const a = await api.fhir(client.accessToken, `/Patient/${client.patientId}`);
      const b = await api.fhir(client.accessToken, `/Patient/${client.patientId}`);
      await new Promise((r) => setTimeout(r, 5));
      const end = new Date().toISOString();
      const between = await log(client.accessToken, `&date=ge${start}&date=lt${end}`);
      expect(events(between).map(requestIdOf)).toEqual([b, a].map((x) => x.headers.get('x-request-id')));
      const oldest = await log(client.accessToken, `&date=gt${start}&date=le${end}&_sort=date`);
      expect(events(oldest).map(requestIdOf)).toEqual([a, b].map((x) => x.headers.get('x-request-id')));
      const newest = await log(client.accessToken, `&date=ge${start}&date=lt${end}&_sort=-date`);
      expect(events(newest).map((e) => e.id)).toEqual(events(between).map((e) => e.id));
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
      const day = await log(client.accessToken, `&date=${today}&_count=100`);
      expect(events(day).map(requestIdOf)).toEqual(
        expect.arrayContaining([a, b].map((x) => x.headers.get('x-request-id'))),
      );
      expect(events(await log(client.accessToken, `&date=lt${start.slice(0, 4)}`))).toEqual([]);
    });

    it('AUDIT-FHIR-10: paging with _cursor: pages do not overlap though reading adds to the log, and the total stays that of the first page', async () => {
      const first = await log(client.accessToken, '&_count=2&_total=accurate');
      expect(first.body.total).toBeGreaterThan(6);
      const pages = [events(first).map((e) => e.id)];
      let next = (first.body as Bundle).link?.find((l) => l.relation === 'next')?.url;
      for (let i = 0; i < 2 && next; i += 1) {
        const page = await api.fhir(client.accessToken, next.slice(api.fhirBase.length));
        expect(page.status).toBe(200);
        expect(page.body.total).toBe(first.body.total);
        pages.push(events(page).map((e) => e.id));
        next = (page.body as Bundle).link?.find((l) => l.relation === 'next')?.url;
      }
      expect(pages.length).toBe(3);
      const all = pages.flat();
      expect(new Set(all).size).toBe(all.length);
      // The same as one page of six, as of the first page's moment.
      const recorded = events(first).map((e) => e.recorded!)[0]!;
      const whole = await log(client.accessToken, `&_count=6&date=le${recorded}`);
      expect(events(whole).map((e) => e.id)).toEqual(all);
      // A cursor of the log opens on the log only.
      const cursor = (first.body as Bundle).link!.find((l) => l.relation === 'next')!.url!.split('?')[1];
      expect((await api.fhir(client.accessToken, `/Observation?${cursor}`)).status).toBe(410);
    });

    it('AUDIT-FHIR-11: AuditEvent/<id> reads one event of the client; an event of another client, or none, is the one 404', async () => {
      const found = events(await log(client.accessToken, '&_count=1'));
      const read = await api.fhir(client.accessToken, `/AuditEvent/${found[0]!.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(found[0]);
      expect((await api.fhir(other.accessToken, `/Patient/${other.patientId}`)).status).toBe(200);
      const theirs = events(await api.fhir(other.accessToken, `/AuditEvent?_count=1`))[0]!;
      expect(patientsOf(theirs)).toEqual([otherPatient]);
      const refused = await api.fhir(client.accessToken, `/AuditEvent/${theirs.id}`);
      const missing = await api.fhir(client.accessToken, `/AuditEvent/00000000-0000-4000-8000-000000000000`);
      const notUuid = await api.fhir(client.accessToken, `/AuditEvent/x1`);
      const bare = (a: FhirAnswer) => a.text.replace(/request id [0-9a-zA-Z-]+/, '');
      for (const answer of [refused, missing, notUuid]) {
        expect(answer.status).toBe(404);
        expect(bare(answer)).toBe(bare(missing));
      }
    });

    it("AUDIT-FHIR-12: A-7: the curator, administrator in the client's place, reads the client's log, and is in it as administrator (curator) on the client's behalf", async () => {
      const curated = api.data.scenarios.withCurator;
      const curatedPatient = api.gateway.patientOf(curated);
      const curator = await api.login(curatedPatient, api.gateway.relationOf(curated, 'curator'));
      const read = await api.fhir(curator.accessToken, `/Patient/${curator.patientId}`);
      expect(read.status).toBe(200);
      const answer = await api.fhir(curator.accessToken, `/AuditEvent?patient=${curator.patientId}`);
      expect(answer.status).toBe(200);
      const event = events(answer).find((e) => requestIdOf(e) === read.headers.get('x-request-id'))!;
      expect(event.agent.find((a) => a.requestor)!.role![0]!.text).toBe('administrator (curator)');
      expect(event.agent.find((a) => a.type?.coding?.[0]?.code === 'RESP')?.who?.reference).toBe(
        curatedPatient,
      );
      expect(event.agent.find((a) => a.requestor)!.policy![0]).toMatch(/^amerpoort-/);
      for (const e of events(answer)) expect(patientsOf(e)).toEqual([curatedPatient]);
    });

    it("AUDIT-FHIR-13: a relative who is not the client's steward reads none of the log: an empty searchset, a total of 0, the one 404", async () => {
      const answer = await log(first.accessToken, '&_total=accurate');
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(0);
      // No event; an outcome entry says why, so that an app can tell it from an empty log.
      expect(answer.body.entry).toEqual([
        {
          resource: {
            resourceType: 'OperationOutcome',
            issue: [
              expect.objectContaining({
                severity: 'information',
                details: expect.objectContaining({
                  coding: [expect.objectContaining({ code: 'not-the-steward' })],
                }),
              }),
            ],
          },
          search: { mode: 'outcome' },
        },
      ]);
      expect((await entryOf(answer)).entities).toBeUndefined();
      const id = events(await log(client.accessToken, '&_count=1'))[0]!.id!;
      const read = await api.fhir(first.accessToken, `/AuditEvent/${id}`);
      const missing = await api.fhir(first.accessToken, `/AuditEvent/00000000-0000-4000-8000-000000000000`);
      expect(read.status).toBe(404);
      expect(read.text.replace(/request id [0-9a-zA-Z-]+/, '')).toBe(
        missing.text.replace(/request id [0-9a-zA-Z-]+/, ''),
      );
    });

    it("AUDIT-FHIR-14: another client's log, _id, chains, modifiers, includes and other sorts are refused (400), showing nothing", async () => {
      for (const query of [
        `patient=${otherPatient}`,
        `patient=${otherPatient.slice('Patient/'.length)}`,
        `patient=${patient},${otherPatient}`,
        `_id=${events(await log(client.accessToken, '&_count=1'))[0]!.id}`,
        'patient.name=x',
        'patient:missing=true',
        'agent=x',
        `entity=${patient}`,
        '_include=AuditEvent:patient',
        '_revinclude=Provenance:target',
        '_has:Provenance:target:agent=x',
        '_sort=_lastUpdated',
        'date=xx2026',
        'date=yesterday',
        '_lastUpdated=gt2020',
      ]) {
        const answer = await api.fhir(client.accessToken, `/AuditEvent?${query}`);
        expect([query, answer.status]).toEqual([query, 400]);
        expect(answer.body.resourceType).toBe('OperationOutcome');
      }
      expect((await api.fhir(client.accessToken, `/${otherPatient}/AuditEvent`)).status).toBe(400);
    });

    it("AUDIT-FHIR-15: no event of another client is in the client's log, even when it names the client's resources", async () => {
      const tried = [
        await api.fhir(other.accessToken, `/Observation/${observationOf(clientId)}`),
        await api.fhir(other.accessToken, `/Patient/${client.patientId}`),
        await api.fhir(other.accessToken, `/Observation?patient=${patient}`),
      ];
      for (const answer of tried) expect(answer.status).toBeGreaterThanOrEqual(400);
      const ids = tried.map((a) => a.headers.get('x-request-id') ?? undefined);
      // Recorded, as the other client's requests.
      for (const answer of tried) expect((await entryOf(answer)).patient).toBe(otherPatient);
      const mine = events(await log(client.accessToken, '&_count=100'));
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.filter((e) => ids.includes(requestIdOf(e)))).toEqual([]);
      // The other client is named only where the client themself asked for it (AUDIT-FHIR-14).
      for (const event of mine.filter((e) => JSON.stringify(e).includes(otherPatient)))
        expect(event.agent.find((a) => a.requestor)?.who?.reference).toBe(patient);
      const theirs = events(await api.fhir(other.accessToken, `/AuditEvent?_count=100`));
      expect(ids.every((id) => theirs.some((e) => requestIdOf(e) === id))).toBe(true);
    });

    it('AUDIT-FHIR-16: reading the log is itself audited, and shows in the log', async () => {
      const reading = await log(client.accessToken, '&_count=3');
      const entry = await entryOf(reading);
      expect(entry).toMatchObject({
        outcome: 'success',
        interaction: 'search',
        query: `search AuditEvent?patient=${encodeURIComponent(patient)}&_count=3`,
        entities: events(reading).map((e) => `AuditEvent/${e.id}`),
        actor: { person: patient, role: 'client' },
      });
      const after = events(await log(client.accessToken, '&_count=5'));
      expect(after.map(requestIdOf)).toContain(reading.headers.get('x-request-id'));
    });

    it('AUDIT-FHIR-17: reading the log needs a scope for it; only read and search are offered (405)', async () => {
      const narrow = await api.login(
        patient,
        undefined,
        'openid fhirUser launch/patient patient/Observation.rs',
      );
      expect((await api.fhir(narrow.accessToken, '/AuditEvent')).status).toBe(403);
      const own = await api.login(patient, undefined, 'openid fhirUser launch/patient patient/AuditEvent.rs');
      const answer = await api.fhir(own.accessToken, '/AuditEvent?_count=1');
      expect(answer.status).toBe(200);
      expect(events(answer)).toHaveLength(1);
      const id = events(answer)[0]!.id!;
      const json = { 'content-type': 'application/fhir+json' };
      for (const [method, path] of [
        ['GET', `/AuditEvent/${id}/_history`],
        ['GET', `/AuditEvent/${id}/_history/1`],
        ['POST', '/AuditEvent'],
        ['PUT', `/AuditEvent/${id}`],
        ['DELETE', `/AuditEvent/${id}`],
      ] as const) {
        const refused = await api.fhir(client.accessToken, path, {
          method,
          headers: json,
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{"resourceType":"AuditEvent"}' }),
        });
        expect([method, path, refused.status]).toEqual([method, path, 405]);
      }
    });
  });
});
