import { PORTAL_SECTIONS } from '../../src/vocabulary';
import type { Observation } from '@medplum/fhirtypes';
import type { EcdExport, EcdRelation } from '../../src/ecd';
import { InvalidInput } from '../../src/errors';
import {
  generateSandboxData,
  sandboxSummary,
  type SandboxData,
  type SandboxScenarios,
} from '../../src/sandbox';
import { age, allClients, elevenTest, exportOf, findClient, shiftDays, TODAY } from './helpers';

const SECTIONS = [...PORTAL_SECTIONS];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

function relationsOf(ecd: EcdExport, clientId: string): EcdRelation[] {
  return ecd.relations.filter((r) => r.clientId === clientId);
}

function relationById(ecd: EcdExport, id: string): EcdRelation {
  const relation = ecd.relations.find((r) => r.id === id);
  if (!relation) {
    throw new Error(`no relation ${id}`);
  }
  return relation;
}

describe('generateSandboxData: determinism', () => {
  it('gives byte-identical output for the same options', () => {
    const a = JSON.stringify(generateSandboxData({ seed: 7, today: TODAY }));
    const b = JSON.stringify(generateSandboxData({ seed: 7, today: TODAY }));
    expect(a).toBe(b);
  });

  it('gives different output for a different seed, and moves every date with today', () => {
    const base = JSON.stringify(generateSandboxData({ seed: 7, today: TODAY }));
    expect(JSON.stringify(generateSandboxData({ seed: 8, today: TODAY }))).not.toBe(base);
    expect(JSON.stringify(generateSandboxData({ seed: 7, today: '2027-03-01' }))).not.toBe(base);
  });

  it('gives every record its own objects, so editing one resource leaves the others alone', () => {
    const data = generateSandboxData({ today: TODAY });
    const [first, second] = data.resources.filter((r) => r.resourceType === 'Observation') as Observation[];
    (first?.code.coding ?? [])[0]!.code = 'changed';
    expect(second?.code.coding?.[0]?.code).not.toBe('changed');
  });

  it('never asks Math.random', () => {
    const spy = jest.spyOn(Math, 'random');
    try {
      generateSandboxData({ seed: 3, today: TODAY });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('defaults today to a calendar date and seed to a fixed value', () => {
    const data = generateSandboxData({ clients: 30 });
    expect(data.today).toMatch(DATE);
    expect(JSON.stringify(generateSandboxData({ clients: 30, today: data.today, seed: 1 }))).toBe(
      JSON.stringify(data),
    );
  });

  it('rejects nonsense options with a named refusal (InvalidInput, ERR_SANDBOX_OPTIONS)', () => {
    for (const options of [
      { today: '2026-02-30' },
      { clients: -1 },
      { clients: 2.5 },
      { clients: 1_000_000 },
    ]) {
      expect(() => generateSandboxData(options)).toThrow(InvalidInput);
      expect(() => generateSandboxData(options)).toThrow(
        expect.objectContaining({ code: 'ERR_SANDBOX_OPTIONS' }),
      );
    }
  });
});

describe('generateSandboxData: default data', () => {
  const data = generateSandboxData({ today: TODAY });
  const meerzicht = exportOf(data, 'meerzicht');
  const amerhof = exportOf(data, 'amerhof');

  it('has the two demo organisations, in the ECD export format', () => {
    expect(data.exports.map((e) => [e.organisation.id, e.organisation.name])).toEqual([
      ['meerzicht', 'Zorgcentrum Meerzicht (demo)'],
      ['amerhof', 'Stichting Amerhof (demo)'],
    ]);
    for (const ecd of data.exports) {
      expect(ecd.format).toBe('inzage-ecd-export');
      expect(ecd.version).toBe(1);
      expect(ecd.exportedAt).toMatch(DATE_TIME_WITH_OFFSET);
      expect(ecd.exportedAt.slice(0, 10)).toBe(TODAY);
    }
    expect(meerzicht.clients.every((c) => c.careAgreements.every((a) => a.careType === 'elderly-care'))).toBe(
      true,
    );
    expect(
      amerhof.clients.every((c) => c.careAgreements.every((a) => a.careType === 'disability-care')),
    ).toBe(true);
  });

  it('has 50 clients, elderly-care clients aged 65-100', () => {
    expect(allClients(data)).toHaveLength(50);
    expect(meerzicht.clients.length).toBeGreaterThan(10);
    for (const client of meerzicht.clients) {
      expect(age(client.birthDate, TODAY)).toBeGreaterThanOrEqual(65);
      expect(age(client.birthDate, TODAY)).toBeLessThanOrEqual(100);
    }
  });

  it('has at least 3 disability-care clients in each age band, listed in the scenarios', () => {
    const bands = {
      under12: [] as string[],
      age12to15: [] as string[],
      age16to17: [] as string[],
      adults: [] as string[],
    };
    for (const client of amerhof.clients) {
      const years = age(client.birthDate, TODAY);
      const band = years < 12 ? 'under12' : years < 16 ? 'age12to15' : years < 18 ? 'age16to17' : 'adults';
      bands[band].push(client.id);
    }
    for (const ids of Object.values(bands)) {
      expect(ids.length).toBeGreaterThanOrEqual(3);
    }
    expect(data.scenarios.under12).toEqual(bands.under12);
    expect(data.scenarios.age12to15).toEqual(bands.age12to15);
    expect(data.scenarios.age16to17).toEqual(bands.age16to17);
    expect(data.scenarios.adultsDisabilityCare).toEqual(bands.adults);
    expect(data.scenarios.elderlyCare).toEqual(meerzicht.clients.map((c) => c.id));
  });

  it('holds roughly 1,500-2,500 FHIR resources, 20-45 per client', () => {
    expect(data.resources.length).toBeGreaterThanOrEqual(1500);
    expect(data.resources.length).toBeLessThanOrEqual(2500);
  });

  it('summarises per resource type and per scenario', () => {
    const summary = sandboxSummary(data);
    expect(summary.clients).toBe(50);
    expect(summary.resources).toBe(data.resources.length);
    expect(Object.values(summary.resourcesByType).reduce((a, b) => a + b, 0)).toBe(data.resources.length);
    expect(summary.resourcesByType.Patient).toBe(50);
    expect(summary.scenarios.siblingsSharedParent).toBe(2);
    expect(summary.scenarios.deceased).toBe(1);
    expect(summary.scenarios.elderlyCare).toBe(meerzicht.clients.length);
    expect(summary.lines.length).toBeGreaterThan(2);
  });
});

describe('generateSandboxData: ECD records', () => {
  const data = generateSandboxData({ today: TODAY });

  it('uses unique ids within each export', () => {
    for (const ecd of data.exports) {
      const ids = [
        ...ecd.clients.map((c) => c.id),
        ...ecd.clients.flatMap((c) => c.careAgreements.map((a) => a.id)),
        ...ecd.relations.map((r) => r.id),
        ...ecd.portalRegistrations.map((r) => r.id),
        ...ecd.portalAuthorisations.map((a) => a.id),
        ...ecd.clientAgreements.map((a) => a.id),
      ];
      expect(new Set(ids).size).toBe(ids.length);
    }
    const clientIds = allClients(data).map((c) => c.id);
    expect(new Set(clientIds).size).toBe(clientIds.length);
  });

  it('points every relation, registration, authorisation and agreement at an existing client and relation of that client', () => {
    for (const ecd of data.exports) {
      const clients = new Set(ecd.clients.map((c) => c.id));
      const relationClient = new Map(ecd.relations.map((r) => [r.id, r.clientId]));
      const sameClient = (relationId: string, clientId: string): void => {
        expect(relationClient.get(relationId)).toBe(clientId);
      };
      for (const relation of ecd.relations) {
        expect(clients.has(relation.clientId)).toBe(true);
      }
      for (const registration of ecd.portalRegistrations) {
        expect(clients.has(registration.clientId)).toBe(true);
        if (registration.person.kind === 'relation') {
          sameClient(registration.person.relationId, registration.clientId);
        }
      }
      for (const authorisation of ecd.portalAuthorisations) {
        expect(clients.has(authorisation.clientId)).toBe(true);
        sameClient(authorisation.granteeRelationId, authorisation.clientId);
        if (authorisation.grantedBy.kind === 'relation') {
          sameClient(authorisation.grantedBy.relationId, authorisation.clientId);
        }
        expect(authorisation.sections.length).toBeGreaterThan(0);
        expect(authorisation.sections.every((s) => SECTIONS.includes(s))).toBe(true);
      }
      for (const agreement of ecd.clientAgreements) {
        expect(clients.has(agreement.clientId)).toBe(true);
        sameClient(agreement.relationId, agreement.clientId);
      }
    }
  });

  it('keeps dates valid and in the past, care agreements in order', () => {
    for (const ecd of data.exports) {
      for (const client of ecd.clients) {
        expect(client.birthDate < TODAY).toBe(true);
        for (const agreement of client.careAgreements) {
          expect(agreement.start).toMatch(DATE);
          expect(agreement.start > client.birthDate).toBe(true);
          expect(agreement.start < TODAY).toBe(true);
          if (agreement.end) {
            expect(agreement.end > agreement.start).toBe(true);
          }
        }
        if (client.administratorCapacity) {
          expect(client.administratorCapacity.assessedOn < TODAY).toBe(true);
          expect(client.administratorCapacity.assessedOn >= (client.careAgreements[0]?.start ?? '')).toBe(
            true,
          );
        }
      }
      for (const registration of ecd.portalRegistrations) {
        expect(registration.registeredOn < TODAY).toBe(true);
      }
      for (const authorisation of ecd.portalAuthorisations) {
        expect(authorisation.grantedOn < TODAY).toBe(true);
        if (authorisation.withdrawal) {
          expect(authorisation.withdrawal.requestReceivedAt).toMatch(DATE_TIME_WITH_OFFSET);
          expect(authorisation.withdrawal.requestReceivedAt.slice(0, 10) > authorisation.grantedOn).toBe(
            true,
          );
        }
      }
      for (const agreement of ecd.clientAgreements) {
        expect(agreement.recordedOn < TODAY).toBe(true);
      }
    }
  });

  it('gives parental authority to parents only, and parents only to disability-care clients', () => {
    for (const ecd of data.exports) {
      for (const relation of ecd.relations) {
        expect(relation.parentalAuthority !== undefined).toBe(relation.role === 'parent');
      }
    }
    expect(exportOf(data, 'meerzicht').relations.some((r) => r.role === 'parent')).toBe(false);
  });

  it('draws every BSN from the synthetic 9999 block, passing the eleven-test, unique', () => {
    const bsns = allClients(data).map((c) => c.bsn ?? '');
    for (const bsn of bsns) {
      expect(elevenTest(bsn)).toBe(true);
      expect(bsn.startsWith('9999')).toBe(true);
    }
    expect(new Set(bsns).size).toBe(bsns.length);
    // The test's own eleven-test, checked against a known test BSN and a near miss.
    expect(elevenTest('999990019')).toBe(true);
    expect(elevenTest('999990018')).toBe(false);
  });

  it('uses only reserved e-mail domains and the demo mobile block, one person per address', () => {
    const people = [...allClients(data), ...data.exports.flatMap((e) => e.relations)];
    const ownerOf = new Map<string, string>();
    for (const person of people) {
      const { email, mobile } = person.telecom ?? {};
      if (email) {
        expect(email).toMatch(/^[a-z.0-9]+@example\.(nl|com)$/);
        const owner = JSON.stringify(person.name);
        expect(ownerOf.get(email) ?? owner).toBe(owner);
        ownerOf.set(email, owner);
      }
      if (mobile) {
        expect(mobile).toMatch(/^\+3161234\d{4}$/);
      }
    }
    expect(ownerOf.size).toBeGreaterThan(50);
  });

  it('keeps names Dutch-shaped: given names, a family name and an optional lower-case prefix', () => {
    const people = [...allClients(data), ...data.exports.flatMap((e) => e.relations)];
    for (const person of people) {
      expect(person.name.given.length).toBeGreaterThan(0);
      expect(person.name.family).toMatch(/^[A-Z]/);
      if (person.name.prefix) {
        expect(person.name.prefix).toMatch(/^(de|van|van de|van den|van der)$/);
      }
    }
  });
});

/** Every special case claims facts; check them for a few different days, including awkward ones. */
describe.each(['2026-11-23', '2027-12-31', '2028-02-28', '2027-03-28'])('scenarios on %s', (today) => {
  const data: SandboxData = generateSandboxData({ today });
  const s: SandboxScenarios = data.scenarios;
  const yesterday = shiftDays(today, -1);
  const tomorrow = shiftDays(today, 1);

  const inOrg = (clientId: string, orgId: string): void => {
    expect(findClient(data, clientId).ecd.organisation.id).toBe(orgId);
  };

  it('names every scenario with existing clients', () => {
    const ids = new Set(allClients(data).map((c) => c.id));
    for (const [name, value] of Object.entries(s)) {
      const list = Array.isArray(value) ? value : [value];
      expect({ name, empty: list.length === 0 }).toEqual({ name, empty: false });
      for (const id of list) {
        expect({ name, id, exists: ids.has(id) }).toEqual({ name, id, exists: true });
      }
    }
  });

  it('care ended yesterday and three days ago (Amerhof), yesterday (Meerzicht)', () => {
    inOrg(s.careEndedYesterday, 'amerhof');
    inOrg(s.careEndedThreeDaysAgo, 'amerhof');
    inOrg(s.careEndedYesterdayElderlyCare, 'meerzicht');
    expect(findClient(data, s.careEndedYesterday).client.careAgreements[0]?.end).toBe(yesterday);
    expect(findClient(data, s.careEndedThreeDaysAgo).client.careAgreements[0]?.end).toBe(
      shiftDays(today, -3),
    );
    expect(findClient(data, s.careEndedYesterdayElderlyCare).client.careAgreements[0]?.end).toBe(yesterday);
    for (const id of [s.careEndedYesterday, s.careEndedThreeDaysAgo, s.careEndedYesterdayElderlyCare]) {
      const { ecd } = findClient(data, id);
      expect(ecd.portalAuthorisations.some((a) => a.clientId === id && !a.withdrawal)).toBe(true);
    }
  });

  it('only the scenario clients have an ended care agreement or a date of death', () => {
    const ended = allClients(data)
      .filter((c) => c.careAgreements.some((a) => a.end))
      .map((c) => c.id)
      .sort();
    expect(ended).toEqual(
      [s.careEndedYesterday, s.careEndedThreeDaysAgo, s.careEndedYesterdayElderlyCare, s.deceased].sort(),
    );
    expect(
      allClients(data)
        .filter((c) => c.deceasedDate)
        .map((c) => c.id),
    ).toEqual([s.deceased]);
  });

  it('deceased: died yesterday, care ended that day', () => {
    const { client } = findClient(data, s.deceased);
    expect(client.deceasedDate).toBe(yesterday);
    expect(client.careAgreements[0]?.end).toBe(client.deceasedDate);
  });

  it('first contact person authorised by the client (Meerzicht)', () => {
    const { ecd } = findClient(data, s.firstContactAuthorised);
    inOrg(s.firstContactAuthorised, 'meerzicht');
    const grant = ecd.portalAuthorisations.find((a) => a.clientId === s.firstContactAuthorised);
    expect(grant?.grantedBy).toEqual({ kind: 'client' });
    expect(relationById(ecd, grant?.granteeRelationId ?? '').role).toBe('first-contact-person');
    expect(grant?.withdrawal).toBeUndefined();
  });

  it('withdrawn authorisation: the second contact person, request received two days ago', () => {
    const { ecd } = findClient(data, s.withWithdrawnAuthorisation);
    const withdrawn = ecd.portalAuthorisations.filter(
      (a) => a.clientId === s.withWithdrawnAuthorisation && a.withdrawal,
    );
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]?.withdrawal?.requestReceivedAt.slice(0, 10)).toBe(shiftDays(today, -2));
    expect(relationById(ecd, withdrawn[0]?.granteeRelationId ?? '').role).toBe('second-contact-person');
  });

  it('incapable clients: one agreed to the first contact person as administrator, one refused', () => {
    for (const [id, agreed] of [
      [s.incapableAgreed, true],
      [s.incapableRefused, false],
    ] as const) {
      inOrg(id, 'amerhof');
      const { ecd, client } = findClient(data, id);
      expect(client.administratorCapacity?.capable).toBe(false);
      expect(client.administratorCapacity?.assessedOn).toMatch(DATE);
      expect(['behavioural-expert', 'physician-intellectual-disability']).toContain(
        client.administratorCapacity?.assessorRole,
      );
      const agreement = ecd.clientAgreements.find(
        (a) => a.clientId === id && a.subject === 'first-contact-person-as-administrator',
      );
      expect(agreement?.agreed).toBe(agreed);
      expect(relationById(ecd, agreement?.relationId ?? '').role).toBe('first-contact-person');
      expect(
        ecd.portalRegistrations.some(
          (r) =>
            r.clientId === id &&
            r.requestedRole === 'administrator' &&
            r.person.kind === 'relation' &&
            r.person.relationId === agreement?.relationId,
        ),
      ).toBe(true);
    }
  });

  it('curator, mentors and a financial administrator', () => {
    const roleOf = (id: string, role: EcdRelation['role']): EcdRelation | undefined =>
      relationsOf(findClient(data, id).ecd, id).find((r) => r.role === role);
    expect(roleOf(s.withCurator, 'curator')).toBeDefined();
    expect(roleOf(s.withMentor, 'mentor')).toBeDefined();
    expect(roleOf(s.withMentorElderlyCare, 'mentor')).toBeDefined();
    inOrg(s.withMentorElderlyCare, 'meerzicht');
    const bewindvoerder = roleOf(s.withFinancialAdministrator, 'financial-administrator');
    expect(bewindvoerder?.telecom?.email).toMatch(/@example\.com$/);
    expect(findClient(data, s.withFinancialAdministrator).client.administratorCapacity?.capable).toBe(true);
    for (const [id, representative] of [
      [s.withCurator, roleOf(s.withCurator, 'curator')],
      [s.withMentor, roleOf(s.withMentor, 'mentor')],
      [s.withFinancialAdministrator, bewindvoerder],
    ] as const) {
      const { ecd } = findClient(data, id);
      expect(
        ecd.portalRegistrations.some(
          (r) => r.person.kind === 'relation' && r.person.relationId === representative?.id,
        ),
      ).toBe(true);
    }
  });

  it('an administrator who granted sections to two relations', () => {
    const { ecd } = findClient(data, s.administratorGrantedSections);
    const grants = ecd.portalAuthorisations.filter((a) => a.clientId === s.administratorGrantedSections);
    expect(grants.length).toBeGreaterThanOrEqual(2);
    expect(grants.every((g) => g.grantedBy.kind === 'client')).toBe(true);
    expect(new Set(grants.map((g) => g.granteeRelationId)).size).toBe(grants.length);
  });

  it('under 12: a guardian, a parent without authority, two siblings with the same parents', () => {
    for (const id of [
      s.withGuardian,
      s.parentWithoutAuthority,
      ...s.siblingsSharedParent,
      s.turns12Tomorrow,
    ]) {
      expect(age(findClient(data, id).client.birthDate, today)).toBeLessThan(12);
      expect(s.under12).toContain(id);
    }
    const guardianRelations = relationsOf(findClient(data, s.withGuardian).ecd, s.withGuardian);
    expect(guardianRelations.map((r) => r.role)).toEqual(['guardian']);

    const parents = relationsOf(findClient(data, s.parentWithoutAuthority).ecd, s.parentWithoutAuthority);
    expect(parents.map((p) => p.parentalAuthority).sort()).toEqual([false, true]);

    const [first, second] = s.siblingsSharedParent;
    const ecd = exportOf(data, 'amerhof');
    const parentsOf = (id: string): string[] =>
      relationsOf(ecd, id)
        .filter((r) => r.role === 'parent')
        .map((r) => JSON.stringify([r.name, r.telecom, r.relationship]))
        .sort();
    expect(first).not.toBe(second);
    expect(parentsOf(first)).toHaveLength(2);
    expect(parentsOf(first)).toEqual(parentsOf(second));
  });

  it('birthdays tomorrow: 11 turning 12, 15 turning 16', () => {
    const twelve = findClient(data, s.turns12Tomorrow).client;
    expect(age(twelve.birthDate, today)).toBe(11);
    expect(age(twelve.birthDate, tomorrow)).toBe(12);
    const sixteen = findClient(data, s.turns16Tomorrow).client;
    expect(age(sixteen.birthDate, today)).toBe(15);
    expect(age(sixteen.birthDate, tomorrow)).toBe(16);
    const others = allClients(data).filter((c) => c.id !== s.turns12Tomorrow && c.id !== s.turns16Tomorrow);
    for (const client of others) {
      // No other client changes age band tomorrow, so the birthday scenarios stay the only ones.
      expect(age(client.birthDate, tomorrow)).toBe(age(client.birthDate, today));
    }
  });

  it('12-15: capable with and without parental-access agreement, and incapable', () => {
    const check = (id: string, capable: boolean, agreed: boolean | undefined): void => {
      const { ecd, client } = findClient(data, id);
      const years = age(client.birthDate, today);
      expect(years).toBeGreaterThanOrEqual(12);
      expect(years).toBeLessThanOrEqual(15);
      expect(client.administratorCapacity?.capable).toBe(capable);
      const agreement = ecd.clientAgreements.find(
        (a) => a.clientId === id && a.subject === 'parental-access',
      );
      expect(agreement?.agreed).toBe(agreed);
      if (agreement) {
        expect(relationById(ecd, agreement.relationId).role).toBe('parent');
      }
    };
    check(s.minorCapableParentalAccessAgreed, true, true);
    check(s.minorCapableParentalAccessRefused, true, false);
    check(s.minorIncapable, false, undefined);
    check(s.turns16Tomorrow, true, true);
  });

  it('16-17: own administrator who authorised a parent', () => {
    const { ecd, client } = findClient(data, s.sixteenPlusAuthorisedParent);
    expect([16, 17]).toContain(age(client.birthDate, today));
    const grant = ecd.portalAuthorisations.find((a) => a.clientId === client.id);
    expect(grant?.grantedBy).toEqual({ kind: 'client' });
    expect(relationById(ecd, grant?.granteeRelationId ?? '').role).toBe('parent');
  });
});

describe('generateSandboxData: scaling', () => {
  it('scales every part with --clients 200', () => {
    const small = generateSandboxData({ today: TODAY });
    const data = generateSandboxData({ clients: 200, today: TODAY });
    expect(allClients(data)).toHaveLength(200);
    const amerhof = exportOf(data, 'amerhof');
    const meerzicht = exportOf(data, 'meerzicht');
    expect(meerzicht.clients.length).toBeGreaterThanOrEqual(90);
    expect(data.scenarios.under12.length).toBeGreaterThanOrEqual(15);
    expect(data.scenarios.age12to15.length).toBeGreaterThanOrEqual(15);
    expect(data.scenarios.age16to17.length).toBeGreaterThanOrEqual(10);
    expect(data.scenarios.adultsDisabilityCare.length).toBeGreaterThanOrEqual(30);
    expect(amerhof.clients).toHaveLength(
      data.scenarios.under12.length +
        data.scenarios.age12to15.length +
        data.scenarios.age16to17.length +
        data.scenarios.adultsDisabilityCare.length,
    );
    for (const key of [
      'relations',
      'portalRegistrations',
      'portalAuthorisations',
      'clientAgreements',
    ] as const) {
      const before = small.exports.reduce((n, e) => n + e[key].length, 0);
      const after = data.exports.reduce((n, e) => n + e[key].length, 0);
      expect({ key, grew: after > before * 2.5 }).toEqual({ key, grew: true });
    }
    expect(data.resources.length).toBeGreaterThan(small.resources.length * 3.5);
    const bsns = allClients(data).map((c) => c.bsn);
    expect(new Set(bsns).size).toBe(200);
  });

  it('still builds every special case when asked for very few clients', () => {
    const data = generateSandboxData({ clients: 1, today: TODAY });
    expect(allClients(data).length).toBeGreaterThanOrEqual(25);
    expect(data.scenarios.age16to17.length).toBeGreaterThanOrEqual(3);
    expect(data.scenarios.elderlyCare.length).toBeGreaterThanOrEqual(5);
  });
});
