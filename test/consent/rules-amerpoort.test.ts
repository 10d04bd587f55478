import { addDays, ageOn } from '../../src/calendar';
import type { ConsentDecision } from '../../src/consent';
import { PORTAL_SECTIONS } from '../../src/vocabulary';
import { fhirResourceId } from '../../src/ecd';
import {
  AMERHOF,
  NOW,
  TODAY,
  amerhofClient,
  consentIds,
  dutchMoment,
  ruleEngine,
  rules,
  describeSuspensionRules,
} from './rule-fixtures';

/**
 * Every access rule of the Amerpoort preset ("portal administrator" model), tested through the ECD
 * mapping and the pure decision. Rule ids are those of shared/docs/portal-rules.md.
 */

const grantId = (id: string) => fhirResourceId('portal-authorisation', AMERHOF.id, id);
const masked = (decision: ConsentDecision) => decision.obligations.some((o) => o.kind === 'mask-employees');

/** A child who turns 12 on TODAY (23 November 2026). */
const TURNS_12_TODAY = '2014-11-23';
/** A child who turns 16 on TODAY. */
const TURNS_16_TODAY = '2010-11-23';
const DAY_BEFORE = dutchMoment(addDays(TODAY, -1), '23:59:59');
const MIDNIGHT = dutchMoment(TODAY, '00:00:00');

describe('Amerpoort preset: access rules', () => {
  describe('A-4: the client is administrator by default', () => {
    it('A-4: an adult client without an assessment is administrator and reads everything', () => {
      const dossier = amerhofClient();
      const decision = dossier.decide('client');
      expect(decision.permit).toBe(true);
      expect(decision.role).toBe('administrator');
      expect(decision.administrator).toBe(dossier.patient);
      expect(decision.sections).toEqual([...PORTAL_SECTIONS]);
      expect(decision.preset).toBe('amerpoort');
      expect(rules(decision)).toContain('A-4');
    });

    it('A-4: a client judged able is administrator', () => {
      const dossier = amerhofClient().capacity(true);
      expect(dossier.decide('client').role).toBe('administrator');
    });

    it('A-4: the first contact person is not administrator while the client is', () => {
      const dossier = amerhofClient().relation('r1', 'first-contact-person');
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(false);
      expect(decision.administrator).toBe(dossier.patient);
    });
  });

  describe('A-1 and A-3: one administrator, who admits others per section', () => {
    it('A-3: a relation sees only the sections the administrator granted', () => {
      const dossier = amerhofClient()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports', 'care-plan']);
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(true);
      expect(decision.role).toBe('delegate');
      expect(decision.sections).toEqual(['reports', 'care-plan']);
      expect(consentIds(decision)).toContain(grantId('a1'));
      expect(rules(decision)).toContain('A-3');
    });

    it('A-3: a section the administrator did not grant is refused', () => {
      const dossier = amerhofClient().relation('r1', 'first-contact-person').grant('a1', 'r1', ['reports']);
      expect(dossier.decide('r1', NOW, ['medication']).permit).toBe(false);
    });

    it.each(['second-contact-person', 'parent', 'other'] as const)(
      'A-1: a %s admitted by the administrator sees the granted sections',
      (role) => {
        const dossier = amerhofClient()
          .relation('r2', role, { relationship: 'SIS' })
          .grant('a1', 'r2', ['appointments']);
        expect(dossier.decide('r2').sections).toEqual(['appointments']);
      },
    );

    it('A-3: without a grant a relation sees nothing', () => {
      expect(amerhofClient().relation('r1', 'first-contact-person').decide('r1').permit).toBe(false);
    });

    it('A-3: a grant by someone who is not the administrator is ignored', () => {
      const dossier = amerhofClient()
        .relation('r1', 'first-contact-person')
        .relation('r2', 'second-contact-person')
        .grant('a1', 'r2', ['reports'], { by: 'r1' })
        .grant('a2', 'r1', ['reports'], { by: 'r1' });
      expect(dossier.decide('r2').permit).toBe(false);
      expect(dossier.decide('r1').permit).toBe(false);
      expect(consentIds(dossier.decide('r2'))).toEqual([]);
    });

    it('A-3: exactly one administrator: every principal is told the same one', () => {
      // B16: a curator takes precedence over a mentor (a curatele ends a mentorschap, BW 1:461),
      // whichever was recorded first; before, the earlier start date decided.
      const dossier = amerhofClient()
        .relation('r1', 'first-contact-person')
        .relation('r5', 'curator', { start: '2023-01-01' })
        .relation('r6', 'mentor', { start: '2022-01-01' });
      const administrators = new Set(
        ['client', 'r1', 'r5', 'r6'].map((who) => dossier.decide(who).administrator),
      );
      expect(administrators).toEqual(new Set([dossier.ref('r5')]));
      expect(
        ['client', 'r1', 'r5', 'r6'].filter((who) => dossier.decide(who).role === 'administrator'),
      ).toEqual(['r5']);
    });

    it('A-3: of two eligible parents, the one registered as administrator is the one administrator', () => {
      const dossier = amerhofClient('2019-06-01')
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true, start: '2019-06-01' })
        .relation('p2', 'parent', { relationship: 'FTH', parentalAuthority: true, start: '2019-06-01' })
        .registeredAsAdministrator('p2');
      expect(dossier.decide('p2').role).toBe('administrator');
      expect(dossier.decide('p1').permit).toBe(false);
      expect(dossier.decide('p1').administrator).toBe(dossier.ref('p2'));
    });

    it("A-3: when the administrator changes (the child turns 12), grants by the former administrator stop counting (engine's choice)", () => {
      // Only the administrator of the day of the request can grant; a grant made by a parent who
      // was administrator until yesterday is not carried over, the child decides afresh.
      const dossier = amerhofClient(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true })
        .relation('r3', 'other', { relationship: 'GRMTH' })
        .grant('a1', 'r3', ['reports'], { by: 'p1' });
      expect(dossier.decide('r3', DAY_BEFORE).sections).toEqual(['reports']);
      const after = dossier.decide('r3', MIDNIGHT);
      expect(after.permit).toBe(false);
      expect(after.administrator).toBe(dossier.patient);
      dossier.grant('a2', 'r3', ['appointments'], { on: TODAY });
      expect(dossier.decide('r3', NOW).sections).toEqual(['appointments']);
    });

    it('A-3: a client who is not administrator sees nothing that the administrator did not grant', () => {
      // An ECD authorisation names a relation as grantee, never the client, so from the ECD the
      // client of a curator gets no sections; a grant to the client is made through the gateway.
      const decision = amerhofClient().relation('r5', 'curator').decide('client');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('client');
      expect(rules(decision)).toContain('A-3');
    });
  });

  describe('A-5: a client judged unable', () => {
    const unable = () => amerhofClient().capacity(false).relation('r1', 'first-contact-person');

    it('A-5: the first contact person is administrator when the client agreed', () => {
      const dossier = unable().agreement('g1', 'first-contact-person-as-administrator', 'r1', true);
      const decision = dossier.decide('r1');
      expect(decision.permit).toBe(true);
      expect(decision.role).toBe('administrator');
      expect(decision.sections).toEqual([...PORTAL_SECTIONS]);
      expect(rules(decision)).toContain('A-5');
    });

    it('A-5: with a first contact person as administrator the client sees only what they grant', () => {
      const dossier = unable().agreement('g1', 'first-contact-person-as-administrator', 'r1', true);
      const decision = dossier.decide('client');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('client');
      expect(decision.administrator).toBe(dossier.ref('r1'));
    });

    it('A-5: when the client refused, nobody has a portal, the client included', () => {
      const dossier = unable()
        .relation('r2', 'second-contact-person')
        .agreement('g1', 'first-contact-person-as-administrator', 'r1', false)
        .grant('a1', 'r2', ['reports']);
      for (const who of ['client', 'r1', 'r2']) {
        const decision = dossier.decide(who);
        expect(decision.permit).toBe(false);
        expect(decision.administrator).toBeUndefined();
        expect(rules(decision)).toContain('A-5');
      }
    });

    it('A-5: without a recorded agreement, nobody has a portal, the client included', () => {
      const dossier = unable().grant('a1', 'r1', ['reports']);
      for (const who of ['client', 'r1']) {
        const decision = dossier.decide(who);
        expect(decision.permit).toBe(false);
        expect(decision.administrator).toBeUndefined();
      }
    });

    it('A-5: the latest recorded answer counts (refused, later agreed)', () => {
      const dossier = unable()
        .agreement('g1', 'first-contact-person-as-administrator', 'r1', false, '2025-01-01')
        .agreement('g2', 'first-contact-person-as-administrator', 'r1', true, '2026-02-01');
      expect(dossier.decide('r1').role).toBe('administrator');
    });

    it('A-5: the latest recorded answer counts (agreed, later refused)', () => {
      const dossier = unable()
        .agreement('g1', 'first-contact-person-as-administrator', 'r1', true, '2025-01-01')
        .agreement('g2', 'first-contact-person-as-administrator', 'r1', false, '2026-02-01');
      expect(dossier.decide('r1').permit).toBe(false);
      expect(dossier.decide('client').permit).toBe(false);
    });

    it('A-5: an agreement naming the second contact person makes nobody administrator', () => {
      const dossier = unable()
        .relation('r2', 'second-contact-person')
        .agreement('g1', 'first-contact-person-as-administrator', 'r2', true);
      expect(dossier.decide('r2').permit).toBe(false);
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it('A-5: the administrator appointed by agreement admits others per section', () => {
      const dossier = unable()
        .relation('r2', 'second-contact-person')
        .agreement('g1', 'first-contact-person-as-administrator', 'r1', true)
        .grant('a1', 'r2', ['documents'], { by: 'r1' });
      expect(dossier.decide('r2').sections).toEqual(['documents']);
    });
  });

  describe('A-6: curator or mentor; never a bewindvoerder', () => {
    it.each(['curator', 'mentor'] as const)('A-6: a %s is administrator instead of the client', (role) => {
      const dossier = amerhofClient().capacity(true).relation('r5', role);
      const representative = dossier.decide('r5');
      expect(representative.role).toBe('administrator');
      expect(representative.sections).toEqual([...PORTAL_SECTIONS]);
      expect(rules(representative)).toContain('A-6');
      const client = dossier.decide('client');
      expect(client.permit).toBe(false);
      expect(client.administrator).toBe(dossier.ref('r5'));
    });

    it.each(['curator', 'mentor'] as const)(
      'A-6: a %s is administrator instead of the first contact person the client agreed to',
      (role) => {
        const dossier = amerhofClient()
          .capacity(false)
          .relation('r1', 'first-contact-person')
          .relation('r5', role)
          .agreement('g1', 'first-contact-person-as-administrator', 'r1', true);
        expect(dossier.decide('r5').role).toBe('administrator');
        expect(dossier.decide('r1').permit).toBe(false);
      },
    );

    it('A-6: an incapable client without agreement still has a portal through the curator', () => {
      const dossier = amerhofClient().capacity(false).relation('r5', 'curator');
      expect(dossier.decide('r5').permit).toBe(true);
    });

    it("A-6: a curator is administrator over a minor's parents too", () => {
      const dossier = amerhofClient('2018-01-01')
        .relation('p1', 'parent', { parentalAuthority: true })
        .relation('r5', 'curator');
      expect(dossier.decide('r5').role).toBe('administrator');
      expect(dossier.decide('p1').permit).toBe(false);
    });

    it('A-6: when the curatorship ends the client is administrator again', () => {
      const dossier = amerhofClient().relation('r5', 'curator', { start: '2020-01-01', end: '2026-09-30' });
      expect(dossier.decide('client').role).toBe('administrator');
      expect(dossier.decide('r5').permit).toBe(false);
    });

    it('A-6: a bewindvoerder is not administrator; the client stays administrator', () => {
      const dossier = amerhofClient().relation('r9', 'financial-administrator');
      expect(dossier.decide('client').role).toBe('administrator');
      const decision = dossier.decide('r9');
      expect(decision.permit).toBe(false);
      expect(rules(decision)).toContain('A-6');
    });

    it("A-6: a bewindvoerder gets nothing even with the administrator's grant", () => {
      const dossier = amerhofClient()
        .relation('r9', 'financial-administrator')
        .grant('a1', 'r9', ['reports']);
      const decision = dossier.decide('r9');
      expect(decision.permit).toBe(false);
      expect(decision.sections).toEqual([]);
      expect(consentIds(decision)).toEqual([]);
    });

    it('A-6: a bewindvoerder does not open the portal of an incapable client', () => {
      const dossier = amerhofClient().capacity(false).relation('r9', 'financial-administrator');
      expect(dossier.decide('r9').permit).toBe(false);
      expect(dossier.decide('client').permit).toBe(false);
      expect(dossier.decide('client').administrator).toBeUndefined();
    });

    it("A-6: a bewindvoerder's grants do not count", () => {
      const dossier = amerhofClient()
        .relation('r1', 'first-contact-person')
        .relation('r9', 'financial-administrator')
        .grant('a1', 'r1', ['reports'], { by: 'r9' });
      expect(dossier.decide('r1').permit).toBe(false);
    });
  });

  describe('A-8: minors', () => {
    const child = (birthDate = '2018-05-01') => amerhofClient(birthDate);

    it('A-8: under 12 a parent with authority is administrator', () => {
      const dossier = child().relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true });
      const decision = dossier.decide('p1');
      expect(decision.role).toBe('administrator');
      expect(decision.sections).toEqual([...PORTAL_SECTIONS]);
      expect(rules(decision)).toContain('A-8');
    });

    it('A-8: under 12 a guardian is administrator', () => {
      const dossier = child().relation('v1', 'guardian');
      expect(dossier.decide('v1').role).toBe('administrator');
    });

    it('A-8: under 12 a parent without authority is not administrator and sees nothing without a grant', () => {
      const dossier = child()
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true })
        .relation('p2', 'parent', { relationship: 'FTH', parentalAuthority: false });
      const decision = dossier.decide('p2');
      expect(decision.permit).toBe(false);
      expect(decision.administrator).toBe(dossier.ref('p1'));
    });

    it('A-8: under 12 a parent without authority sees what the administrator granted', () => {
      const dossier = child()
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true })
        .relation('p2', 'parent', { relationship: 'FTH', parentalAuthority: false })
        .grant('a1', 'p2', ['appointments'], { by: 'p1' });
      expect(dossier.decide('p2').sections).toEqual(['appointments']);
    });

    it('A-8: under 12 the child is not administrator, even judged able', () => {
      const dossier = child().capacity(true).relation('p1', 'parent', { parentalAuthority: true });
      const decision = dossier.decide('client');
      expect(decision.permit).toBe(false);
      expect(decision.administrator).toBe(dossier.ref('p1'));
    });

    it('A-8: under 12 without a parent with authority or guardian nobody has a portal', () => {
      const dossier = child().relation('p2', 'parent', { parentalAuthority: false });
      expect(dossier.decide('client').permit).toBe(false);
      expect(dossier.decide('p2').permit).toBe(false);
    });

    it('A-8: the day before the 12th birthday the parent is administrator; on the birthday a capable child is', () => {
      const dossier = child(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true });
      expect(dossier.decide('p1', DAY_BEFORE).role).toBe('administrator');
      expect(dossier.decide('client', DAY_BEFORE).permit).toBe(false);
      const parent = dossier.decide('p1', MIDNIGHT);
      expect(parent.permit).toBe(false);
      expect(rules(parent)).toContain('A-8');
      const client = dossier.decide('client', MIDNIGHT);
      expect(client.role).toBe('administrator');
      expect(client.sections).toEqual([...PORTAL_SECTIONS]);
    });

    it('A-8: the birthday starts at midnight Amsterdam time, not UTC', () => {
      const dossier = child(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { parentalAuthority: true });
      // 23:30 UTC on 22 November is 00:30 on 23 November in Amsterdam.
      const justAfterDutchMidnight = new Date('2026-11-22T23:30:00Z');
      expect(dossier.decide('client', justAfterDutchMidnight).role).toBe('administrator');
      expect(dossier.decide('p1', justAfterDutchMidnight).permit).toBe(false);
    });

    it("A-8: from 12 the parent looks with the child's recorded agreement", () => {
      const dossier = child(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true })
        .agreement('g1', 'parental-access', 'p1', true, TODAY);
      const decision = dossier.decide('p1', MIDNIGHT);
      expect(decision.permit).toBe(true);
      expect(decision.role).toBe('parent-with-consent');
      expect(decision.administrator).toBe(dossier.patient);
    });

    it('A-8: from 12 the parent does not look when the child refused', () => {
      const dossier = child(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { parentalAuthority: true })
        .agreement('g1', 'parental-access', 'p1', false, TODAY);
      expect(dossier.decide('p1', MIDNIGHT).permit).toBe(false);
    });

    it("A-8: the child's agreement for one parent does not admit the other", () => {
      const dossier = child(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { relationship: 'MTH', parentalAuthority: true })
        .relation('p2', 'parent', { relationship: 'FTH', parentalAuthority: true })
        .agreement('g1', 'parental-access', 'p1', true);
      expect(dossier.decide('p1').permit).toBe(true);
      expect(dossier.decide('p2').permit).toBe(false);
    });

    it('A-8: from 12 the parent sees what the child granted', () => {
      const dossier = child(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { parentalAuthority: true })
        .grant('a1', 'p1', ['appointments'], { on: TODAY });
      expect(dossier.decide('p1').sections).toEqual(['appointments']);
    });

    it.each([
      ['judged unable', false],
      ['not assessed', undefined],
    ] as const)('A-8: a 12–15-year-old %s keeps the parent as administrator', (_label, capable) => {
      const dossier = child('2012-03-01').relation('p1', 'parent', { parentalAuthority: true });
      if (capable !== undefined) dossier.capacity(capable);
      expect(dossier.decide('p1').role).toBe('administrator');
      expect(dossier.decide('client').permit).toBe(false);
    });

    it('A-8: a 29 February birthday: 12 on 29 February of a leap year, not the day before', () => {
      const dossier = child('2016-02-29')
        .capacity(true)
        .relation('p1', 'parent', { parentalAuthority: true });
      const before = dutchMoment('2028-02-28', '23:59:59');
      const birthday = dutchMoment('2028-02-29', '00:00:00');
      expect(dossier.decide('p1', before).role).toBe('administrator');
      expect(dossier.decide('client', before).permit).toBe(false);
      expect(dossier.decide('client', birthday).role).toBe('administrator');
      expect(dossier.decide('p1', birthday).permit).toBe(false);
    });

    it('A-8: a 29 February birthday counts on 1 March in a year without 29 February', () => {
      expect(ageOn('2016-02-29', '2027-02-28')).toBe(10);
      expect(ageOn('2016-02-29', '2027-03-01')).toBe(11);
      expect(ageOn('2016-02-29', '2028-02-28')).toBe(11);
      expect(ageOn('2016-02-29', '2028-02-29')).toBe(12);
    });

    it('A-8: at 16 the general rules apply: the parent has no access without a grant', () => {
      const dossier = child(TURNS_16_TODAY).relation('p1', 'parent', { parentalAuthority: true });
      expect(dossier.decide('p1', DAY_BEFORE).role).toBe('administrator');
      const parent = dossier.decide('p1', MIDNIGHT);
      expect(parent.permit).toBe(false);
      expect(parent.administrator).toBe(dossier.patient);
      expect(dossier.decide('client', MIDNIGHT).role).toBe('administrator');
    });

    it("A-8: at 16 the child's parental-access agreement no longer admits the parent; a grant does", () => {
      const dossier = child(TURNS_16_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { parentalAuthority: true })
        .agreement('g1', 'parental-access', 'p1', true);
      expect(dossier.decide('p1', DAY_BEFORE).role).toBe('parent-with-consent');
      expect(dossier.decide('p1', MIDNIGHT).permit).toBe(false);
      dossier.grant('a1', 'p1', ['reports'], { on: TODAY });
      expect(dossier.decide('p1', NOW).sections).toEqual(['reports']);
    });

    it('A-8: at 16, judged unable, A-5 applies and the parent is not administrator by age', () => {
      const dossier = child(TURNS_16_TODAY)
        .capacity(false)
        .relation('p1', 'parent', { parentalAuthority: true })
        .relation('r1', 'first-contact-person')
        .agreement('g1', 'first-contact-person-as-administrator', 'r1', true);
      expect(dossier.decide('p1').permit).toBe(false);
      expect(dossier.decide('r1').role).toBe('administrator');
    });
  });

  describe('A-11: the portal closes two days after care ends, and after death', () => {
    const withDelegate = () =>
      amerhofClient().relation('r1', 'first-contact-person').grant('a1', 'r1', ['reports']);

    it('A-11: care ended yesterday: the portal is still open', () => {
      const dossier = withDelegate().careEnds(addDays(TODAY, -1));
      expect(dossier.decide('client').permit).toBe(true);
      expect(dossier.decide('r1').permit).toBe(true);
    });

    it('A-11: care ended three days ago: the portal is closed for everyone', () => {
      const dossier = withDelegate().careEnds(addDays(TODAY, -3));
      for (const who of ['client', 'r1']) {
        const decision = dossier.decide(who);
        expect(decision.permit).toBe(false);
        expect(rules(decision)).toContain('A-11');
      }
    });

    it('A-11: the boundary: care ends on the 21st, open until the 22nd ends, closed from midnight on the 23rd', () => {
      const dossier = withDelegate().careEnds('2026-11-21');
      expect(dossier.decide('client', dutchMoment('2026-11-22', '23:59:59')).permit).toBe(true);
      expect(dossier.decide('r1', dutchMoment('2026-11-22', '23:59:59')).permit).toBe(true);
      expect(dossier.decide('client', dutchMoment('2026-11-23', '00:00:00')).permit).toBe(false);
      expect(dossier.decide('r1', dutchMoment('2026-11-23', '00:00:00')).permit).toBe(false);
    });

    it('A-11: the client died yesterday: still open; two days after death: closed', () => {
      expect(withDelegate().diesOn(addDays(TODAY, -1)).decide('r1').permit).toBe(true);
      const dossier = withDelegate().diesOn('2026-11-21');
      expect(dossier.decide('client', dutchMoment('2026-11-22', '23:59:59')).permit).toBe(true);
      const decision = dossier.decide('r1', MIDNIGHT);
      expect(decision.permit).toBe(false);
      expect(rules(decision)).toContain('A-11');
    });

    it('A-11: death closes the portal even while the care agreement runs', () => {
      const dossier = withDelegate().diesOn(addDays(TODAY, -10));
      expect(dossier.decide('client').permit).toBe(false);
    });
  });

  describe('A-2: employees are masked on every Amerpoort permit', () => {
    it('A-2: the client administrator, a delegate, a curator and a parent with consent all get the obligation', () => {
      const dossier = amerhofClient().relation('r1', 'first-contact-person').grant('a1', 'r1', ['reports']);
      const withCurator = amerhofClient().relation('r5', 'curator');
      const withParent = amerhofClient(TURNS_12_TODAY)
        .capacity(true)
        .relation('p1', 'parent', { parentalAuthority: true })
        .agreement('g1', 'parental-access', 'p1', true);
      const permits = [
        dossier.decide('client'),
        dossier.decide('r1'),
        withCurator.decide('r5'),
        withParent.decide('p1'),
        withParent.decide('client', NOW, ['reports']),
      ];
      for (const decision of permits) {
        expect(decision.permit).toBe(true);
        expect(masked(decision)).toBe(true);
        expect(decision.obligations).toContainEqual({ kind: 'mask-employees', rule: 'A-2' });
      }
    });

    it('A-2: a denial carries no obligations', () => {
      const decision = amerhofClient().relation('r1', 'first-contact-person').decide('r1');
      expect(decision.permit).toBe(false);
      expect(decision.obligations).toEqual([]);
    });
  });

  describe('who is not a relation of this client, or no longer', () => {
    it('A-3: an unknown principal is denied', () => {
      const decision = amerhofClient().decide('RelatedPerson/amerhof-nobody');
      expect(decision.permit).toBe(false);
      expect(decision.role).toBe('none');
    });

    it('A-3: a relation of another client is denied, even with a grant of their own client at hand', () => {
      const dossier = amerhofClient()
        .strangerRelation({ id: 'r20', clientId: 'c2', role: 'curator', name: { given: ['X'], family: 'Y' } })
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
      expect(dossier.decide('client').role).toBe('administrator');
    });

    it('A-3: a relation that ended (its period ended) is denied despite a grant', () => {
      const dossier = amerhofClient()
        .relation('r1', 'first-contact-person', { start: '2021-01-01', end: '2026-11-01' })
        .grant('a1', 'r1', ['reports']);
      expect(dossier.decide('r1').permit).toBe(false);
    });

    it('A-3: a relation whose recorded end lies in the future still counts today', () => {
      const dossier = amerhofClient()
        .relation('r1', 'first-contact-person', { start: '2021-01-01', end: '2026-12-31' })
        .grant('a1', 'r1', ['reports']);
      expect(dossier.decide('r1').sections).toEqual(['reports']);
    });

    it('A-3: a client the gateway has no facts about is denied', () => {
      const decision = ruleEngine().decideWith(undefined, {
        principal: 'Patient/amerhof-c1',
        patient: 'Patient/amerhof-c1',
        at: NOW,
      });
      expect(decision.permit).toBe(false);
      expect(decision.obligations).toEqual([]);
    });
  });
});

describeSuspensionRules('A-10', amerhofClient);
