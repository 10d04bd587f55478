import type { Observation, Resource } from '@medplum/fhirtypes';
import { createPolicyEngine, liftSuspension, suspendAccess } from '../../../src/consent';
import { resolveConfig } from '../../../src/config';
import {
  administratorRegistrationsOf,
  relatedPersonId,
  type EcdExport,
  type EcdRelationRole,
} from '../../../src/ecd';
import { ORGANISATIONS } from '../../smart/support/gateway';
import { runPipeline } from '../../../src/fhir';
import { directPipeline, type DirectPipeline } from '../support/pipeline';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { employeeNames, resourcesIn, resourcesOf, tracesIn } from '../support/leak-check';

/**
 * The rules of docs/portal-rules.md that concern reads, by id, over HTTP with tokens from the real
 * authorization server against the sandbox: who sees which sections of whose dossier, employees
 * masked, and access that ends (care ended, withdrawn, suspended) for tokens already issued.
 */
describe('portal rules (reads)', () => {
  let api: FhirApiUnderTest;

  /** The sections whose resources a token is shown, of the sections the client has data in. */
  const SEARCHES: [string, (r: Resource) => string][] = [
    ['Observation', (r) => (categoryCodes(r).includes('vital-signs') ? 'measurements' : 'reports')],
    ['CarePlan', () => 'care-plan'],
    ['Goal', () => 'care-plan'],
    ['Condition', () => 'care-plan'],
    ['Appointment', () => 'appointments'],
    ['MedicationRequest', () => 'medication'],
    ['DocumentReference', () => 'documents'],
  ];
  async function sectionsShown(token: string, clientId: string): Promise<string[]> {
    const shown = new Set<string>();
    for (const [type, section] of SEARCHES) {
      const answer = await api.fhir(token, `/${type}?_count=100`);
      expect([200, 403, 404]).toContain(answer.status);
      if (answer.status !== 200) continue;
      expect(traces(answer, clientId)).toEqual([]);
      for (const r of resourcesIn(answer)) shown.add(section(r));
    }
    const patient = await api.fhir(token, `/${api.gateway.patientOf(clientId)}`);
    if (patient.status === 200) shown.add('basic-details');
    return [...shown].sort();
  }
  /** The sections the client has data in (what a token that may see everything is shown). */
  function sectionsHeld(clientId: string): string[] {
    const held = new Set<string>(['basic-details']);
    for (const [type, section] of SEARCHES)
      for (const r of resourcesOf(api.data, clientId, type)) held.add(section(r));
    return [...held].sort();
  }
  const traces = (answer: FhirAnswer, clientId: string) =>
    tracesIn(api.data, answer, {
      clientId,
      employeesMasked: clientId.startsWith('ah-'),
      upstreamUrls: [api.sandbox.url],
    });
  const as = (clientId: string, role?: EcdRelationRole) =>
    api.login(api.gateway.patientOf(clientId), role ? api.gateway.relationOf(clientId, role) : undefined);
  /** A login that the gateway may refuse; undefined when it does. */
  const tryLogin = (clientId: string, role?: EcdRelationRole) => as(clientId, role).catch(() => undefined);
  /** Sees nothing of the client: no token, or a token that reads nothing. */
  async function seesNothing(login: LoggedIn | undefined, clientId: string): Promise<void> {
    if (!login) return;
    expect(await sectionsShown(login.accessToken, clientId)).toEqual([]);
  }
  const exportOf = (organisation: string): EcdExport =>
    structuredClone(api.data.exports.find((e) => e.organisation.id === organisation)!);
  const daysAgo = (days: number) => {
    const d = new Date(`${api.data.today}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() - days);
    return d.toISOString().slice(0, 10);
  };
  async function endCare(organisation: string, clientId: string, end: string): Promise<void> {
    const changed = exportOf(organisation);
    const client = changed.clients.find((c) => c.id === clientId)!;
    for (const agreement of client.careAgreements) agreement.end = end;
    changed.exportedAt = new Date().toISOString();
    await api.gateway.importExport(changed);
  }

  beforeAll(async () => {
    api = await startFhirApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('Meerzicht (first contact person)', () => {
    it('M-1: the client sees their whole dossier, and only theirs', async () => {
      const client = 'mz-c007';
      const me = await as(client);
      expect(await sectionsShown(me.accessToken, client)).toEqual(sectionsHeld(client));
    });

    it('M-1: the legal representative (a mentor) counts as the client', async () => {
      const client = api.data.scenarios.withMentorElderlyCare;
      const mentor = await as(client, 'mentor');
      expect(await sectionsShown(mentor.accessToken, client)).toEqual(sectionsHeld(client));
    });

    it('M-2: the first contact person sees exactly the sections the client authorised', async () => {
      const client = api.data.scenarios.firstContactAuthorised;
      const granted = exportOf('meerzicht').portalAuthorisations.find(
        (a) => a.clientId === client && !a.withdrawal,
      )!.sections;
      const relative = await as(client, 'first-contact-person');
      const expected = sectionsHeld(client).filter((s) => (granted as string[]).includes(s));
      expect(await sectionsShown(relative.accessToken, client)).toEqual(expected);
      expect(expected.length).toBeLessThan(sectionsHeld(client).length);
    });

    it('M-2: a contact person without an authorisation sees nothing', async () => {
      const client = api.data.scenarios.firstContactAuthorised;
      await seesNothing(await tryLogin(client, 'second-contact-person'), client);
    });

    it('M-3: a withdrawal ends the contact person’s access on the next request, with the token already issued', async () => {
      const client = api.data.scenarios.withWithdrawnAuthorisation;
      const relative = await as(client, 'first-contact-person');
      expect((await sectionsShown(relative.accessToken, client)).length).toBeGreaterThan(0);
      const changed = exportOf('meerzicht');
      for (const a of changed.portalAuthorisations)
        if (a.clientId === client) a.withdrawal ??= { requestReceivedAt: new Date().toISOString() };
      changed.exportedAt = new Date().toISOString();
      await api.gateway.importExport(changed);
      await seesNothing(relative, client);
    });

    it('M-3: an authorisation withdrawn two days ago grants nothing', async () => {
      const client = api.data.scenarios.withWithdrawnAuthorisation;
      await seesNothing(await tryLogin(client, 'second-contact-person'), client);
    });

    it('M-4: a client whose care ended yesterday cannot log in (Meerzicht closes at once)', async () => {
      const client = api.data.scenarios.careEndedYesterdayElderlyCare;
      await seesNothing(await tryLogin(client), client);
    });

    it('M-4: when care ends, the tokens of the client and of their delegates stop working', async () => {
      const client = api.data.scenarios.firstContactAuthorised;
      const self = await as(client);
      const relative = await as(client, 'first-contact-person');
      expect((await sectionsShown(self.accessToken, client)).length).toBeGreaterThan(0);
      await endCare('meerzicht', client, daysAgo(0));
      await seesNothing(self, client);
      await seesNothing(relative, client);
    });

    it('M-5: a suspension takes effect on the next request, and lifting it gives access back', async () => {
      const client = 'mz-c006';
      const me = await as(client);
      expect(await sectionsShown(me.accessToken, client)).toEqual(sectionsHeld(client));
      const store = api.gateway.running.store;
      const config = resolveConfig(
        { organisations: ORGANISATIONS, upstream: { url: api.sandbox.url }, log: { level: 'silent' } },
        'test',
        {},
      );
      // The organisation's own engine (an admin command's); the gateway learns of it through the store.
      const engine = createPolicyEngine(config.organisations, store, {
        administratorRegistrations: administratorRegistrationsOf,
      });
      const id = await suspendAccess(engine, store, {
        patient: api.gateway.patientOf(client),
        principal: api.gateway.patientOf(client),
        reason: 'misuse reported (test)',
        by: { kind: 'staff', account: 'admin-test' },
      });
      await seesNothing(me, client);
      await liftSuspension(engine, store, { id, by: { kind: 'staff', account: 'admin-test' } });
      expect(await sectionsShown(me.accessToken, client)).toEqual(sectionsHeld(client));
    });
  });

  describe('Amerhof (portal administrator)', () => {
    it('A-1: the client who is administrator sees the dossier; relatives see the sections granted to them', async () => {
      const client = api.data.scenarios.administratorGrantedSections;
      const self = await as(client);
      expect(await sectionsShown(self.accessToken, client)).toEqual(sectionsHeld(client));
      const authorisations = exportOf('amerhof').portalAuthorisations.filter((a) => a.clientId === client);
      for (const role of ['first-contact-person', 'second-contact-person'] as const) {
        const relationId = api.gateway.relationOf(client, role);
        const granted = authorisations.find((a) => relationId.endsWith(a.granteeRelationId))!
          .sections as string[];
        const relative = await as(client, role);
        const expected = sectionsHeld(client).filter((s) => granted.includes(s));
        expect([role, await sectionsShown(relative.accessToken, client)]).toEqual([role, expected]);
      }
    });

    it('A-2: employees are masked: no Practitioner reads, no names, references reduced to the role', async () => {
      const client = api.data.scenarios.administratorGrantedSections;
      const self = await as(client);
      const observation = resourcesOf(api.data, client, 'Observation').find((o) =>
        (o as Observation).performer?.some((p) => p.reference?.startsWith('Practitioner/')),
      ) as Observation;
      const employee = observation.performer!.find((p) =>
        p.reference?.startsWith('Practitioner/'),
      )!.reference!;
      const read = await api.fhir(self.accessToken, `/${employee}`);
      expect(read.status).toBe(404);
      const shown = await api.fhir(self.accessToken, `/Observation/${observation.id}`);
      expect(shown.status).toBe(200);
      expect(shown.text).not.toContain(employee);
      for (const performer of shown.body.performer ?? []) {
        expect(performer.reference).toBeUndefined();
        expect(performer.display).toBe('medewerker');
      }
      const search = await api.fhir(self.accessToken, '/CareTeam?_count=10');
      expect(search.status).toBe(200);
      for (const name of employeeNames(api.data)) expect(search.text).not.toContain(name);
    });

    it('A-2: Meerzicht does not mask employees (the option is off in its preset)', async () => {
      const client = 'mz-c007';
      const me = await as(client);
      const observation = resourcesOf(api.data, client, 'Observation')[0] as Observation;
      const shown = await api.fhir(me.accessToken, `/Observation/${observation.id}`);
      expect(shown.body.performer?.[0]?.reference).toBe(observation.performer?.[0]?.reference);
    });

    it.each([
      ['A-6: a curator', 'withCurator', 'curator'],
      ['A-6: a mentor', 'withMentor', 'mentor'],
      [
        'A-5: the first contact person the incapable client agreed to',
        'incapableAgreed',
        'first-contact-person',
      ],
    ] as const)('%s is administrator and sees the whole dossier', async (_who, scenario, role) => {
      const client = api.data.scenarios[scenario];
      const administrator = await as(client, role);
      expect(await sectionsShown(administrator.accessToken, client)).toEqual(sectionsHeld(client));
    });

    it.each([
      [
        'A-6: a financial administrator ("bewindvoerder")',
        'withFinancialAdministrator',
        'financial-administrator',
      ],
      [
        'A-5: the first contact person the incapable client refused',
        'incapableRefused',
        'first-contact-person',
      ],
    ] as const)('%s sees nothing', async (_who, scenario, role) => {
      const client = api.data.scenarios[scenario];
      await seesNothing(await tryLogin(client, role), client);
    });

    it('A-3: a relative sees exactly the sections the administrator (a curator) granted', async () => {
      const client = api.data.scenarios.withCurator;
      const granted = exportOf('amerhof').portalAuthorisations.find(
        (a) => a.clientId === client && a.grantedBy.kind === 'relation',
      )!.sections as string[];
      const relative = await as(client, 'first-contact-person');
      const expected = sectionsHeld(client).filter((s) => granted.includes(s));
      expect(expected.length).toBeLessThan(sectionsHeld(client).length);
      expect(await sectionsShown(relative.accessToken, client)).toEqual(expected);
    });

    it('A-8: under 12, the parent who is administrator sees the whole dossier, the other parent what was granted', async () => {
      const [child, sibling] = api.data.scenarios.siblingsSharedParent;
      const exp = exportOf('amerhof');
      const administratorId = exp.portalRegistrations.find(
        (r) => r.clientId === child && r.requestedRole === 'administrator' && r.person.kind === 'relation',
      )!.person as { relationId: string };
      const administrator = await api.login(
        api.gateway.patientOf(child),
        `RelatedPerson/${relatedPersonId('amerhof', administratorId.relationId)}`,
      );
      expect(await sectionsShown(administrator.accessToken, child)).toEqual(sectionsHeld(child));
      expect((await api.fhir(administrator.accessToken, `/${api.gateway.patientOf(sibling)}`)).status).toBe(
        404,
      );

      const grant = exp.portalAuthorisations.find((a) => a.clientId === child && !a.withdrawal)!;
      const other = await api.login(
        api.gateway.patientOf(child),
        `RelatedPerson/${relatedPersonId('amerhof', grant.granteeRelationId)}`,
      );
      const expected = sectionsHeld(child).filter((s) => (grant.sections as string[]).includes(s));
      expect(await sectionsShown(other.accessToken, child)).toEqual(expected);
    });

    it('A-8: 12 to 15 and able to weigh their interests, the child refused: the parent sees nothing', async () => {
      const client = api.data.scenarios.minorCapableParentalAccessRefused;
      const parents = exportOf('amerhof').relations.filter(
        (r) => r.clientId === client && r.role === 'parent',
      );
      expect(parents.length).toBeGreaterThan(0);
      await seesNothing(await tryLogin(client, 'parent'), client);
    });

    it('A-8: 12 to 15, the child agreed to parental access: the parent sees', async () => {
      const client = api.data.scenarios.minorCapableParentalAccessAgreed;
      const parent = await tryLogin(client, 'parent');
      expect(parent).toBeDefined();
      expect((await sectionsShown(parent!.accessToken, client)).length).toBeGreaterThan(0);
    });

    it('A-8: from 16 the general rules apply: the client is administrator; a parent sees only what was granted', async () => {
      const client = api.data.scenarios.sixteenPlusAuthorisedParent;
      const self = await as(client);
      expect(await sectionsShown(self.accessToken, client)).toEqual(sectionsHeld(client));
      const exp = exportOf('amerhof');
      const grant = exp.portalAuthorisations.find((a) => a.clientId === client && !a.withdrawal)!;
      const relation = exp.relations.find((r) => r.id === grant.granteeRelationId)!;
      // Both parents share the role: log in as the one granted, by its own relation id.
      const parent = await api.login(
        api.gateway.patientOf(client),
        `RelatedPerson/${relatedPersonId('amerhof', relation.id)}`,
      );
      const expected = sectionsHeld(client).filter((s) => (grant.sections as string[]).includes(s));
      expect(await sectionsShown(parent.accessToken, client)).toEqual(expected);
    });

    describe('A-8 and A-11 on a later day (the pipeline driven with its own clock)', () => {
      let direct: DirectPipeline | undefined;
      afterEach(async () => {
        await direct?.close();
        direct = undefined;
      });
      const later = (days: number) => () => new Date(Date.now() + days * 24 * 3600 * 1000);
      /** What the token is shown of a search on the given day: entries, or the refusal's status. */
      async function shownOn(days: number, token: string, path: string): Promise<number | string> {
        direct = directPipeline(api, api.sandbox.url, () => ({ now: later(days) }));
        const result = await runPipeline(direct.deps, direct.input(token, path)).catch(
          (err: { status?: number }) => `refused ${err.status ?? 500}`,
        );
        await direct.close();
        direct = undefined;
        if (typeof result === 'string') return result;
        return ((result.resource as { entry?: unknown[] } | undefined)?.entry ?? []).length;
      }
      const administratorOf = (client: string) => {
        const registration = exportOf('amerhof').portalRegistrations.find(
          (r) => r.clientId === client && r.requestedRole === 'administrator' && r.person.kind === 'relation',
        )!;
        return `RelatedPerson/${relatedPersonId('amerhof', (registration.person as { relationId: string }).relationId)}`;
      };

      it("A-8: the parent loses access on the child's 12th birthday (capable, no agreement), by itself", async () => {
        const client = api.data.scenarios.turns12Tomorrow;
        const parent = await api.login(api.gateway.patientOf(client), administratorOf(client));
        expect(await shownOn(0, parent.accessToken, '/Observation?_count=5')).toBeGreaterThan(0);
        const after = await shownOn(1, parent.accessToken, '/Observation?_count=5');
        expect(after === 0 || String(after).startsWith('refused 4')).toBe(true);
      });

      it('A-11: within the grace the client still reads; past it, nothing, with the same token', async () => {
        const client = api.data.scenarios.careEndedYesterday;
        const me = await as(client);
        expect(await shownOn(0, me.accessToken, '/Observation?_count=5')).toBeGreaterThan(0);
        const after = await shownOn(3, me.accessToken, '/Observation?_count=5');
        expect(after === 0 || String(after).startsWith('refused 4')).toBe(true);
      });
    });

    it('A-11: care ended three days ago (past the two-day grace): the client cannot log in', async () => {
      const client = api.data.scenarios.careEndedThreeDaysAgo;
      await seesNothing(await tryLogin(client), client);
    });

    it('A-11: care ended yesterday (within the grace period): the client still sees the dossier', async () => {
      const client = api.data.scenarios.careEndedYesterday;
      const me = await as(client);
      expect((await sectionsShown(me.accessToken, client)).length).toBeGreaterThan(0);
    });

    it('A-11: a token obtained before care ended stops working three days after, but not within the grace', async () => {
      const [within, past] = api.data.scenarios.age16to17.slice(1);
      const a = await as(within!);
      const b = await as(past!);
      expect((await sectionsShown(a.accessToken, within!)).length).toBeGreaterThan(0);
      expect((await sectionsShown(b.accessToken, past!)).length).toBeGreaterThan(0);
      const changed = exportOf('amerhof');
      for (const c of changed.clients)
        if (c.id === within || c.id === past)
          for (const agreement of c.careAgreements) agreement.end = c.id === within ? daysAgo(1) : daysAgo(3);
      changed.exportedAt = new Date().toISOString();
      await api.gateway.importExport(changed);
      expect((await sectionsShown(a.accessToken, within!)).length).toBeGreaterThan(0);
      await seesNothing(b, past!);
    });
  });
});

function categoryCodes(resource: Resource): string[] {
  const category = (resource as { category?: { coding?: { code?: string }[] }[] }).category ?? [];
  return category.flatMap((c) => c.coding?.map((x) => x.code ?? '') ?? []);
}
