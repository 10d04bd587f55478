import { addDays } from '../../src/calendar';
import { PORTAL_SECTIONS } from '../../src/vocabulary';
import { fhirResourceId } from '../../src/ecd';
import {
  MEERZICHT,
  NOW,
  TODAY,
  consentIds,
  dutchMoment,
  meerzichtClient,
  ruleEngine,
  rules,
  describeSuspensionRules,
} from './rule-fixtures';

/**
 * Every access rule of the Meerlanden preset ("first contact person" model), tested through the ECD
 * mapping and the pure decision. Rule ids are those of shared/docs/portal-rules.md.
 */

const grantId = (id: string) => fhirResourceId('portal-authorisation', MEERZICHT.id, id);

describe('Meerlanden preset: access rules', () => {
  describe("M-1: the client, or the legal representative in the client's place", () => {
    it('M-1: the client reads every section of their own dossier', () => {
      const decision = meerzichtClient().decide('client');
      expect(decision.permit).toBe(true);
      expect(decision.role).toBe('client');
      expect(decision.sections).toEqual([...PORTAL_SECTIONS]);
      expect(decision.preset).toBe('meerlanden');
      expect(rules(decision)).toContain('M-1');
    });

    it('M-1: the client gets exactly the sections asked for', () => {
      const decision = meerzichtClient().decide('client', NOW, ['reports', 'medication']);
      expect(decision.permit).toBe(true);
      expect(decision.sections).toEqual(['reports', 'medication']);
    });

    it.each(['curator', 'mentor'] as const)(
      'M-1: a %s reads the whole dossier as the legal representative',
      (role) => {
        const decision = meerzichtClient().relation('r1', role).decide('r1');
        expect(decision.permit).toBe(true);
        expect(decision.role).toBe('legal-representative');
        expect(decision.sections).toEqual([...PORTAL_SECTIONS]);
        expect(rules(decision)).toContain('M-1');
      },
    );

    it.each(['curator', 'mentor'] as const)(
      'M-1: with a %s the client no longer reads their own dossier',
      (role) => {
        const decision = meerzichtClient().relation('r1', role).decide('client');
        expect(decision.permit).toBe(false);
        expect(decision.sections).toEqual([]);
        expect(rules(decision)).toContain('M-1');
      },
    );

    it('M-1: once the curatorship has ended the client reads again and the former curator does not', () => {
      const dossier = meerzichtClient().relation('r1', 'curator', { start: '2022-01-01', end: '2026-10-31' });
      expect(dossier.decide('client').permit).toBe(true);
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it('M-1: a financial administrator (bewindvoerder) never reads, even with a grant from the client', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'financial-administrator')
        .grant('a1', 'r1', ['reports']);
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(false);
      expect(decision.sections).toEqual([]);
      expect(rules(decision)).toContain('M-1');
      expect(consentIds(decision)).toEqual([]);
    });

    it("M-1: a financial administrator does not take the client's place", () => {
      const dossier = meerzichtClient().relation('r1', 'financial-administrator');
      expect(dossier.decide('client').permit).toBe(true);
      expect(dossier.decide('r1').permit).toBe(false);
    });
  });

  describe("M-2: the first contact person, by the client's Consent", () => {
    it('M-2: without a grant the first contact person sees nothing', () => {
      const decision = meerzichtClient().relation('r1', 'first-contact-person').decide('r1');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('delegate');
      expect(rules(decision)).toContain('M-2');
    });

    it("M-2: with the client's grant the first contact person sees only the sections it names", () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports', 'appointments']);
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(true);
      expect(decision.role).toBe('delegate');
      expect(decision.sections).toEqual(['reports', 'appointments']);
      expect(consentIds(decision)).toContain(grantId('a1'));
      expect(rules(decision)).toContain('M-2');
    });

    it('M-2: a section the grant does not name is refused', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports', 'appointments']);
      const decision = dossier.decide('r1', NOW, ['medication']);
      expect(decision.permit).toBe(false);
      expect(decision.sections).toEqual([]);
    });

    it('M-2: a grant to someone else does not admit the first contact person', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .relation('r2', 'second-contact-person')
        .grant('a1', 'r2', ['reports']);
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it("M-2: a second contact person is refused even with the client's grant", () => {
      const dossier = meerzichtClient()
        .relation('r2', 'second-contact-person')
        .grant('a1', 'r2', ['reports']);
      const decision = dossier.decide('r2');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('none');
      expect(rules(decision)).toContain('M-2');
    });

    it.each(['parent', 'other'] as const)(
      'M-2: a relation with role %s is refused even with a grant',
      (role) => {
        const dossier = meerzichtClient().relation('r3', role).grant('a1', 'r3', ['reports']);
        expect(dossier.decide('r3').permit).toBe(false);
      },
    );

    it('M-2: a grant the first contact person gave themself does not count', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'], { by: 'r1' });
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(false);
      expect(consentIds(decision)).toEqual([]);
    });

    it('M-2: a grant by the second contact person does not count', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .relation('r2', 'second-contact-person')
        .grant('a1', 'r1', ['reports'], { by: 'r2' });
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it('M-2: a grant by a financial administrator does not count', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .relation('r9', 'financial-administrator')
        .grant('a1', 'r1', ['reports'], { by: 'r9' });
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it("M-2: a grant by the legal representative counts as the client's", () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .relation('r5', 'mentor')
        .grant('a1', 'r1', ['care-plan'], { by: 'r5' });
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(true);
      expect(decision.sections).toEqual(['care-plan']);
    });

    it('M-2: a grant by a mentor whose mentorship has ended no longer counts', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .relation('r5', 'mentor', { start: '2021-01-01', end: '2026-06-30' })
        .grant('a1', 'r1', ['care-plan'], { by: 'r5' });
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it('M-2: two grants from the client add up, section by section', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'])
        .grant('a2', 'r1', ['measurements'], { on: '2025-06-01' });
      expect(dossier.decide('r1').sections).toEqual(['reports', 'measurements']);
    });
  });

  describe('M-3: withdrawal ends access as soon as it reaches the gateway', () => {
    const withdrawnAt = '2026-11-20T10:15:00+01:00';
    const withdrawn = () =>
      meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'], { withdrawnAt });

    const justBefore = new Date(new Date(withdrawnAt).getTime() - 1000);
    const justAfter = new Date(new Date(withdrawnAt).getTime() + 1000);

    it('M-3: until the withdrawal reaches the gateway the grant counts, also just before the request came in', () => {
      const notYetWithdrawn = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports']);
      expect(notYetWithdrawn.decide('r1', justBefore).sections).toEqual(['reports']);
      expect(notYetWithdrawn.decide('r1', justAfter).sections).toEqual(['reports']);
    });

    it('M-3: once the withdrawal has reached the gateway, access has ended from the moment the request came in', () => {
      const dossier = withdrawn();
      expect(dossier.decide('r1', justAfter).permit).toBe(false);
      expect(dossier.decide('r1', NOW).permit).toBe(false);
    });

    it("M-3: a withdrawn grant does not re-open the past: just before the request it denies too (engine's choice)", () => {
      // The combining rule reads an inactive Consent as no grant at all, whatever moment is asked
      // about: the gateway never answers "permit" on a grant it knows to be withdrawn.
      const decision = withdrawn().decide('r1', justBefore);
      expect(decision.permit).toBe(false);
      expect(consentIds(decision)).toEqual([]);
    });

    it('M-3: a withdrawn grant stays on record, inactive, with the moment the request came in', () => {
      const grant = withdrawn().resources().consents[0];
      expect(grant?.status).toBe('inactive');
      expect(grant?.provision?.period?.end).toBe(withdrawnAt);
      expect(JSON.stringify(grant?.extension)).toContain(withdrawnAt);
    });

    it('M-3: withdrawing one grant leaves another grant of the client standing', () => {
      const dossier = withdrawn().grant('a2', 'r1', ['appointments'], { on: '2025-03-01' });
      expect(dossier.decide('r1').sections).toEqual(['appointments']);
    });

    it('M-3: the client keeps their own access when they withdraw a grant', () => {
      expect(withdrawn().decide('client').permit).toBe(true);
    });
  });

  describe('M-4: care end and death close the portal at once', () => {
    const end = TODAY;
    const delegated = () =>
      meerzichtClient().relation('r1', 'first-contact-person').grant('a1', 'r1', ['reports']).careEnds(end);

    it('M-4: the day before the care end date the client and the delegate still read', () => {
      const dossier = delegated();
      const dayBefore = dutchMoment(addDays(end, -1), '23:59:59');
      expect(dossier.decide('client', dayBefore).permit).toBe(true);
      expect(dossier.decide('r1', dayBefore).permit).toBe(true);
    });

    it('M-4: from midnight of the care end date every read is denied, client and delegate alike', () => {
      const dossier = delegated();
      const midnight = dutchMoment(end, '00:00:00');
      for (const who of ['client', 'r1']) {
        const decision = dossier.decide(who, midnight);
        expect(decision.permit).toBe(false);
        expect(decision.sections).toEqual([]);
        expect(rules(decision)).toContain('M-4');
      }
    });

    it('M-4: after the care end date every read stays denied', () => {
      const dossier = delegated();
      const later = dutchMoment(addDays(end, 30));
      expect(dossier.decide('client', later).permit).toBe(false);
      expect(dossier.decide('r1', later).permit).toBe(false);
    });

    it('M-4: the legal representative is closed out on the care end date too', () => {
      const dossier = meerzichtClient().relation('r5', 'curator').careEnds(end);
      expect(dossier.decide('r5', dutchMoment(addDays(end, -1))).permit).toBe(true);
      expect(dossier.decide('r5', NOW).permit).toBe(false);
    });

    it('M-4: a care end date in the future leaves the portal open', () => {
      expect(meerzichtClient().careEnds(addDays(TODAY, 10)).decide('client').permit).toBe(true);
    });

    it('M-4: the portal closes on the day of death, for the client and the delegate', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'])
        .diesOn(TODAY);
      expect(dossier.decide('client', dutchMoment(addDays(TODAY, -1))).permit).toBe(true);
      expect(dossier.decide('r1', dutchMoment(addDays(TODAY, -1))).permit).toBe(true);
      for (const who of ['client', 'r1']) {
        const decision = dossier.decide(who, dutchMoment(TODAY, '00:00:00'));
        expect(decision.permit).toBe(false);
        expect(rules(decision)).toContain('M-4');
      }
    });

    it('M-4: a client whose care has not started yet has no portal', () => {
      const dossier = meerzichtClient();
      dossier.careAgreements[0]!.start = addDays(TODAY, 1);
      expect(dossier.decide('client').permit).toBe(false);
      expect(dossier.decide('client', dutchMoment(addDays(TODAY, 1))).permit).toBe(true);
    });

    it('M-4: a new care agreement after an ended one keeps the portal open', () => {
      const dossier = meerzichtClient().careEnds('2024-12-31');
      dossier.careAgreements.push({ id: 'z2', careType: 'elderly-care', start: '2026-01-01' });
      expect(dossier.decide('client').permit).toBe(true);
      expect(dossier.decide('client', dutchMoment('2025-06-01')).permit).toBe(false);
    });
  });

  describe('who is not a relation of this client, or no longer', () => {
    it('M-1: an unknown principal is denied', () => {
      const decision = meerzichtClient().decide('RelatedPerson/meerzicht-nobody');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('none');
    });

    it('M-1: another client of the organisation cannot read this dossier', () => {
      expect(meerzichtClient().decide('Patient/meerzicht-c2').permit).toBe(false);
    });

    it("M-2: the first contact person of another client is denied, even with their own client's grant at hand", () => {
      const dossier = meerzichtClient()
        .strangerRelation({
          id: 'r20',
          clientId: 'c2',
          role: 'first-contact-person',
          name: { given: ['Vreemd'], family: 'Persoon' },
        })
        .strangerGrant({
          id: 'a20',
          clientId: 'c2',
          grantedBy: { kind: 'client' },
          granteeRelationId: 'r20',
          sections: ['reports'],
          grantedOn: '2025-01-01',
        });
      const decision = dossier.decide('r20');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('none');
    });

    it('M-2: a first contact person whose relation ended (its period ended) is denied', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person', { start: '2021-01-01', end: '2026-11-01' })
        .grant('a1', 'r1', ['reports']);
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(false);
      // B16: the refusal names the rule of the terms (M-2), not an engine-internal 'relation'.
      expect(rules(decision)).toContain('M-2');
      expect(decision.basis.at(-1)).toMatchObject({ text: expect.stringContaining('ended on 2026-11-01') });
    });

    it('M-2: a first contact person whose relation has not started yet is denied', () => {
      const dossier = meerzichtClient()
        .relation('r1', 'first-contact-person', { start: addDays(TODAY, 5) })
        .grant('a1', 'r1', ['reports']);
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it('M-1: a client the gateway has no facts about is denied', () => {
      const decision = ruleEngine().decideWith(undefined, {
        principal: 'Patient/meerzicht-c1',
        patient: 'Patient/meerzicht-c1',
        at: NOW,
      });
      expect(decision.permit).toBe(false);
      expect(decision.sections).toEqual([]);
      expect(decision.obligations).toEqual([]);
    });

    it('M-1: a client the ECD no longer lists (inactive Patient) is denied', () => {
      const dossier = meerzichtClient();
      const facts = { ...dossier.facts(), active: false };
      const decision = ruleEngine().decideWith(facts, {
        principal: dossier.patient,
        patient: dossier.patient,
        at: NOW,
      });
      expect(decision.permit).toBe(false);
    });
  });

  describe('A-2 does not apply to Meerlanden', () => {
    it('A-2: no mask-employees obligation on a Meerlanden permit', () => {
      const client = meerzichtClient().decide('client');
      expect(client.permit).toBe(true);
      expect(client.obligations.filter((o) => o.kind === 'mask-employees')).toEqual([]);
      const delegate = meerzichtClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'])
        .decide('r1');
      expect(delegate.permit).toBe(true);
      expect(delegate.obligations.filter((o) => o.kind === 'mask-employees')).toEqual([]);
    });
  });
});

describeSuspensionRules('M-5', meerzichtClient);
