import { createPolicyEngine, type PolicyEngine } from '../../src/consent';
import {
  administratorRegistrationsOf,
  importEcdExport,
  readEcdJsonStream,
  type EcdExport,
  type EcdRelationRole,
  patientId,
  relatedPersonId,
} from '../../src/ecd';
import { generateSandboxData, type SandboxData } from '../../src/sandbox';
import { migrate, openStore, type Store } from '../../src/store';

/**
 * The demo's own data, imported through the ECD link, decided by the engine: every special case the
 * sandbox generator plants must come out as the terms of use say.
 */
const TODAY = '2026-11-23';
const NOON = new Date(`${TODAY}T12:00:00+01:00`);
const TOMORROW_NOON = new Date('2026-11-24T12:00:00+01:00');
const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Zorgcentrum Meerzicht (demo)', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Stichting Amerhof (demo)', preset: 'amerpoort' as const },
];

describe('the sandbox scenarios, decided', () => {
  let data: SandboxData;
  let store: Store;
  let engine: PolicyEngine;

  beforeAll(async () => {
    data = generateSandboxData({ clients: 50, seed: 1, today: TODAY });
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    for (const exp of data.exports) {
      await importEcdExport(store, readEcdJsonStream([JSON.stringify(exp)], `${exp.organisation.id}.json`), {
        organisations: ORGANISATIONS,
        source: 'test',
        now: NOON,
      });
    }
    engine = createPolicyEngine(ORGANISATIONS, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
  });

  afterAll(async () => {
    await store.close();
  });

  function exportOf(clientId: string): EcdExport {
    const found = data.exports.find((e) => e.clients.some((c) => c.id === clientId));
    if (!found) throw new Error(`no client ${clientId}`);
    return found;
  }
  const client = (clientId: string) => `Patient/${patientId(exportOf(clientId).organisation.id, clientId)}`;
  function relation(
    clientId: string,
    role: EcdRelationRole,
    filter: (r: EcdExport['relations'][number]) => boolean = () => true,
  ): string {
    const exp = exportOf(clientId);
    const found = exp.relations.find((r) => r.clientId === clientId && r.role === role && filter(r));
    if (!found) throw new Error(`client ${clientId} has no ${role}`);
    return `RelatedPerson/${relatedPersonId(exp.organisation.id, found.id)}`;
  }
  /** The parent who registered as administrator (two parents with authority: exactly one administrator, A-3). */
  function registeredParent(clientId: string): string {
    const exp = exportOf(clientId);
    const registration = exp.portalRegistrations.find(
      (r) => r.clientId === clientId && r.requestedRole === 'administrator' && r.person.kind === 'relation',
    );
    const relationId = registration?.person.kind === 'relation' ? registration.person.relationId : undefined;
    return relationId
      ? `RelatedPerson/${relatedPersonId(exp.organisation.id, relationId)}`
      : relation(clientId, 'parent', (r) => r.parentalAuthority === true);
  }
  /** The parent a parental-access agreement names. */
  function agreedParent(clientId: string): string {
    const exp = exportOf(clientId);
    const agreement = exp.clientAgreements.find(
      (a) => a.clientId === clientId && a.subject === 'parental-access',
    );
    if (!agreement) throw new Error(`client ${clientId} has no parental-access agreement`);
    return `RelatedPerson/${relatedPersonId(exp.organisation.id, agreement.relationId)}`;
  }
  const decide = (principal: string, clientId: string, at = NOON) =>
    engine.decide({ principal, patient: client(clientId), at });
  const permits = async (principal: string, clientId: string, at = NOON) =>
    (await decide(principal, clientId, at)).permit;

  it('A-11: care ended yesterday at Amerhof: still open (two days grace); three days ago: closed', async () => {
    const s = data.scenarios;
    expect(await permits(client(s.careEndedYesterday), s.careEndedYesterday)).toBe(true);
    const closed = await decide(client(s.careEndedThreeDaysAgo), s.careEndedThreeDaysAgo);
    expect(closed.permit).toBe(false);
    expect(closed.basis[0]).toMatchObject({ rule: 'A-11' });
  });

  it('M-4: care ended yesterday at Meerzicht, or the client died: closed at once', async () => {
    const s = data.scenarios;
    expect(
      (await decide(client(s.careEndedYesterdayElderlyCare), s.careEndedYesterdayElderlyCare)).basis[0],
    ).toMatchObject({ rule: 'M-4' });
    expect(await permits(client(s.deceased), s.deceased)).toBe(false);
  });

  it('M-2: the authorised first contact person sees the sections granted; M-3: a withdrawn authorisation grants nothing', async () => {
    const s = data.scenarios;
    const granted = await decide(
      relation(s.firstContactAuthorised, 'first-contact-person'),
      s.firstContactAuthorised,
    );
    expect(granted.permit).toBe(true);
    expect(granted.sections.length).toBeGreaterThan(0);
    expect(granted.sections.length).toBeLessThan(7);
    expect(
      await permits(
        relation(s.withWithdrawnAuthorisation, 'second-contact-person'),
        s.withWithdrawnAuthorisation,
      ),
    ).toBe(false);
  });

  it('M-1: a mentor at Meerzicht counts as the client', async () => {
    const s = data.scenarios;
    expect((await decide(relation(s.withMentorElderlyCare, 'mentor'), s.withMentorElderlyCare)).role).toBe(
      'legal-representative',
    );
  });

  it('A-5: an incapable client who agreed has the first contact person as administrator; one who refused has no portal', async () => {
    const s = data.scenarios;
    expect((await decide(relation(s.incapableAgreed, 'first-contact-person'), s.incapableAgreed)).role).toBe(
      'administrator',
    );
    expect(await permits(client(s.incapableAgreed), s.incapableAgreed)).toBe(false);
    expect(await permits(relation(s.incapableRefused, 'first-contact-person'), s.incapableRefused)).toBe(
      false,
    );
    expect(await permits(client(s.incapableRefused), s.incapableRefused)).toBe(false);
  });

  it('A-6: curator and mentor are administrator; a bewindvoerder gets nothing', async () => {
    const s = data.scenarios;
    expect((await decide(relation(s.withCurator, 'curator'), s.withCurator)).role).toBe('administrator');
    expect((await decide(relation(s.withMentor, 'mentor'), s.withMentor)).role).toBe('administrator');
    expect(
      await permits(
        relation(s.withFinancialAdministrator, 'financial-administrator'),
        s.withFinancialAdministrator,
      ),
    ).toBe(false);
    expect((await decide(client(s.withFinancialAdministrator), s.withFinancialAdministrator)).role).toBe(
      'administrator',
    );
  });

  it('A-3: relations see what the administrator granted them', async () => {
    const s = data.scenarios;
    const exp = exportOf(s.administratorGrantedSections);
    const grants = exp.portalAuthorisations.filter(
      (a) => a.clientId === s.administratorGrantedSections && !a.withdrawal,
    );
    expect(grants.length).toBeGreaterThan(0);
    for (const grant of grants) {
      const decision = await decide(
        `RelatedPerson/${relatedPersonId('amerhof', grant.granteeRelationId)}`,
        s.administratorGrantedSections,
      );
      expect([...decision.sections].sort()).toEqual([...grant.sections].sort());
    }
  });

  it('A-3/A-8: of two parents with authority, the one registered as administrator is it; the other sees only what is granted', async () => {
    const s = data.scenarios;
    const exp = exportOf(s.turns12Tomorrow);
    const administrator = registeredParent(s.turns12Tomorrow);
    const other = exp.relations
      .filter((r) => r.clientId === s.turns12Tomorrow && r.role === 'parent')
      .map((r) => `RelatedPerson/${relatedPersonId('amerhof', r.id)}`)
      .find((ref) => ref !== administrator);
    expect(other).toBeDefined();
    const decision = await decide(other!, s.turns12Tomorrow);
    expect(decision.administrator).toBe(administrator);
    expect(decision.permit).toBe(false);
  });

  it('A-8: under 12 the guardian, or the parent with authority, is administrator; a parent without authority is not', async () => {
    const s = data.scenarios;
    expect((await decide(relation(s.withGuardian, 'guardian'), s.withGuardian)).role).toBe('administrator');
    expect(
      (
        await decide(
          relation(s.parentWithoutAuthority, 'parent', (r) => r.parentalAuthority === true),
          s.parentWithoutAuthority,
        )
      ).role,
    ).toBe('administrator');
    expect(
      await permits(
        relation(s.parentWithoutAuthority, 'parent', (r) => r.parentalAuthority !== true),
        s.parentWithoutAuthority,
      ),
    ).toBe(false);
  });

  it("A-8: on the 12th birthday a capable child becomes administrator and the parent's access ends", async () => {
    const s = data.scenarios;
    const parent = registeredParent(s.turns12Tomorrow);
    expect((await decide(parent, s.turns12Tomorrow)).role).toBe('administrator');
    expect(await permits(parent, s.turns12Tomorrow, TOMORROW_NOON)).toBe(false);
    expect((await decide(client(s.turns12Tomorrow), s.turns12Tomorrow, TOMORROW_NOON)).role).toBe(
      'administrator',
    );
  });

  it("A-8: 12–15 the parent needs the child's consent; on the 16th birthday the general rules apply", async () => {
    const s = data.scenarios;
    const agreed = agreedParent(s.minorCapableParentalAccessAgreed);
    expect((await decide(agreed, s.minorCapableParentalAccessAgreed)).role).toBe('parent-with-consent');
    const refused = agreedParent(s.minorCapableParentalAccessRefused);
    expect(await permits(refused, s.minorCapableParentalAccessRefused)).toBe(false);
    const incapableParent = registeredParent(s.minorIncapable);
    expect((await decide(incapableParent, s.minorIncapable)).role).toBe('administrator');
    const sixteen = agreedParent(s.turns16Tomorrow);
    expect((await decide(sixteen, s.turns16Tomorrow)).role).toBe('parent-with-consent');
    expect((await decide(sixteen, s.turns16Tomorrow, TOMORROW_NOON)).role).not.toBe('parent-with-consent');
  });
});
